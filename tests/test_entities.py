"""Issue 16 items 4, 5, 7: composite entity ids, nullable entity ids, the purge report."""

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks import check_entity_overlap, check_schema
from sentinel_checks.config import Columns, config_from_mapping
from sentinel_checks.data.splits import build_splits, group_time_split, purge_entity_overlap
from sentinel_checks.errors import ConfigError
from sentinel_checks.result import Status

VEHICLE = ["yearacc", "caseid"]


def crashes(n_per_year=300, years=(1999, 2000), seed=0):
    """Occupants of vehicles; caseid restarts every year, so (yearacc, caseid) is the vehicle."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        for case in range(n_per_year):
            for _ in range(int(rng.integers(1, 4))):
                rows.append((year, case, rng.random() < 0.2))
    frame = pd.DataFrame(rows, columns=["yearacc", "caseid", "dead"])
    frame["label"] = np.where(frame["dead"], "dead", "alive")
    return frame


# ----------------------------------------------------------------- item 4: composite ids in config


def test_composite_entity_loads_and_has_one_display_name(tmp_path):
    (tmp_path / "d.csv").write_text("x\n1\n")
    raw = {
        "data": {"path": "d.csv"},
        "splits": {"method": "column", "column": "split"},
        "columns": {"entities": [VEHICLE, "user_id"]},
    }
    cfg = config_from_mapping(raw, source=tmp_path / "sentinel.toml")
    from sentinel_checks.entities import entity_name

    assert [entity_name(e) for e in cfg.columns.entities] == ["yearacc+caseid", "user_id"]
    assert {"yearacc", "caseid", "user_id"} <= set(cfg.role_columns())


@pytest.mark.parametrize(
    ("entities", "text"),
    [([[]], "empty"), ([["yearacc", "yearacc"]], "twice"), (["user_id", "user_id"], "twice")],
    ids=["empty composite", "duplicate part", "duplicate entity"],
)
def test_bad_composite_entity_is_refused_naming_the_key(tmp_path, entities, text):
    (tmp_path / "d.csv").write_text("x\n1\n")
    raw = {
        "data": {"path": "d.csv"},
        "splits": {"method": "column", "column": "split"},
        "columns": {"entities": entities},
    }
    with pytest.raises(ConfigError, match=text) as info:
        config_from_mapping(raw, source=tmp_path / "sentinel.toml")
    assert "entities" in str(info.value)


# ----------------------------------------------------------------- item 4: the check on a composite key


def test_composite_overlap_passes_when_vehicles_are_split_though_caseids_repeat():
    frame = crashes()
    train, val = frame[frame["yearacc"] == 1999], frame[frame["yearacc"] == 2000]
    # caseid alone: every val caseid is also a train caseid (meaningless 100%)
    assert (
        check_entity_overlap(train["caseid"], val["caseid"], column="caseid", pair=("train", "val")).measured
        == 1.0
    )
    r = check_entity_overlap(train[VEHICLE], val[VEHICLE], column="yearacc+caseid", pair=("train", "val"))
    assert r.status is Status.PASS, r.message
    assert r.measured == 0.0


def test_composite_overlap_fails_on_planted_shared_vehicles_and_names_them():
    frame = crashes()
    vehicle = frame.groupby(VEHICLE).ngroup()
    rng = np.random.default_rng(1)
    side = rng.random(len(frame)) < 0.7  # occupants at random: vehicles on both sides
    train, val = frame[side], frame[~side]
    r = check_entity_overlap(train[VEHICLE], val[VEHICLE], column="yearacc+caseid", pair=("train", "val"))
    shared = set(vehicle[side]) & set(vehicle[~side])
    assert r.status is Status.FAIL
    assert r.support["shared"] == len(shared)
    assert r.measured == pytest.approx(len(shared) / vehicle[~side].nunique())
    assert r.evidence[0].items[0].count("+") == 1  # "1999+12", not a tuple repr
    assert "(1999" not in r.message and "[" not in r.message  # no tuple or list repr


def test_composite_group_time_split_keeps_other_years_same_caseid():
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-02-06", "2025-03-05"]),
            "yearacc": [1999, 2000, 1999, 2000],
            "caseid": [7, 7, 7, 7],
        }
    )
    splits = group_time_split(
        frame, timestamp="ts", entities=[VEHICLE], val_start="2025-02-01", test_start="2025-03-01"
    )
    # (2000, 7) is new in val; (1999, 7) was in train so its val row is purged; (2000, 7) in test purged
    assert splits.sizes() == {"train": 1, "val": 1, "test": 0}
    assert splits.val["yearacc"].tolist() == [2000]
    assert "yearacc+caseid" in splits.notes[0]


# ----------------------------------------------------------------- item 5: nullable ids


def test_null_entity_ids_are_allowed_by_the_contract():
    columns = Columns(label="label", positive="dead", negative="alive", entities=["tail", VEHICLE])
    frame = crashes(50)
    frame["tail"] = np.where(np.arange(len(frame)) % 3 == 0, None, "N" + frame["caseid"].astype(str))
    frame["x"] = np.arange(len(frame)) % 7
    frame.loc[::5, "caseid"] = None
    r = check_schema(frame, columns=columns, features=["x"])
    assert r.status is Status.PASS, r.message


def test_missing_ids_are_no_shared_entity_and_are_counted():
    a = pd.Series(["t1", "t2", None, None, None])
    b = pd.Series(["t3", None, None, "t4"])
    r = check_entity_overlap(a, b, column="tail_number", pair=("train", "val"))
    assert r.status is Status.PASS and r.measured == 0.0
    assert r.support["missing_train"] == 3 and r.support["missing_val"] == 2
    assert "2 val and 3 train rows without a tail_number, not counted" in r.message


def test_composite_id_is_missing_when_any_part_is_missing():
    a = pd.DataFrame({"yearacc": [1999, 1999, None], "caseid": [1, None, 5]})
    b = pd.DataFrame({"yearacc": [1999, 2000, None], "caseid": [2, None, 5]})
    r = check_entity_overlap(a, b, column="yearacc+caseid", pair=("train", "val"))
    assert r.status is Status.PASS and r.measured == 0.0
    assert r.support["missing_train"] == 2 and r.support["missing_val"] == 2
    assert r.support["entities_val"] == 1


def test_purge_never_treats_missing_ids_as_one_entity():
    frame = pd.DataFrame(
        {
            "yearacc": [1999, None, 1999, None, 2000],
            "caseid": [1, 3, None, 3, 1],
            "tail": ["a", None, None, None, "b"],
        }
    )
    assignment = np.array(["train", "train", "val", "val", "test"], dtype=object)
    out, removed = purge_entity_overlap(frame, assignment, [VEHICLE, "tail"])
    assert out.tolist() == assignment.tolist()
    assert removed == {"yearacc+caseid": 0, "tail": 0}


# ----------------------------------------------------------------- item 7: the purge report


def purge_config(tmp_path, max_share=None):
    (tmp_path / "d.csv").write_text("x\n1\n")
    splits = {"method": "time", "val_start": "2025-02-01", "test_start": "2025-03-01", "purge_entities": True}
    if max_share is not None:
        splits["max_purged_share"] = max_share
    raw = {
        "data": {"path": "d.csv"},
        "splits": splits,
        "columns": {"timestamp": "ts", "entities": ["aircraft"], "positive": 1, "negative": 0},
    }
    return config_from_mapping(raw, source=tmp_path / "sentinel.toml")


def flights(n=3000, aircraft=20, seed=0):
    """One aircraft flies all quarter: purging by aircraft empties val and test."""
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 89, n)), unit="D")
    plane = rng.integers(0, aircraft, n).astype(str)
    label = (rng.random(n) < 0.1).astype(int)
    plane[rng.random(n) < 0.05] = None  # cancelled: no aircraft
    return pd.DataFrame({"ts": ts, "aircraft": plane, "label": label})


def test_purge_losses_are_recorded_per_split_with_prevalence(tmp_path):
    frame = flights()
    splits = build_splits(frame, purge_config(tmp_path))
    losses = {loss.split: loss for loss in splits.purge}
    before_val = int(((frame["ts"] >= "2025-02-01") & (frame["ts"] < "2025-03-01")).sum())
    assert losses["val"].rows_before == before_val
    assert losses["val"].rows_after == len(splits.val)
    # only the rows without an aircraft survive in val
    assert len(splits.val) == int(splits.val["aircraft"].isna().sum())
    assert losses["val"].positives_before is not None


def test_purge_losses_with_missing_labels_count_them_as_not_risky(tmp_path):
    # found by the hardening property test: a nullable label holding <NA> crashed the split
    # build with "int() argument must be ... not 'NAType'" instead of reaching the contract
    frame = flights()
    frame["label"] = frame["label"].astype("Int64")
    frame.loc[frame.index[::7], "label"] = pd.NA
    splits = build_splits(frame, purge_config(tmp_path))
    val = {loss.split: loss for loss in splits.purge}["val"]
    in_val = (frame["ts"] >= "2025-02-01") & (frame["ts"] < "2025-03-01")
    assert val.positives_before == int((frame.loc[in_val, "label"] == 1).sum())


def test_purge_check_fails_when_a_split_loses_more_than_the_limit(tmp_path):
    from sentinel_checks.checks import check_purge

    splits = build_splits(flights(), purge_config(tmp_path))
    r = check_purge(splits.purge, max_share=0.2)
    assert r.id == "splits.purge"
    assert r.status is Status.FAIL
    assert r.measured > 0.9
    assert "val" in r.message and "test" in r.message and "prevalence" in r.message
    assert "group_time_split" in r.hint and "different entity" in r.hint


def test_purge_check_passes_when_few_rows_are_purged(tmp_path):
    from sentinel_checks.checks import check_purge

    frame = flights(aircraft=30_000)
    splits = build_splits(frame, purge_config(tmp_path))
    r = check_purge(splits.purge, max_share=0.2)
    assert r.status is Status.PASS, r.message
    assert 0 < r.measured <= 0.2
    assert "rows" in r.message


def test_max_purged_share_is_validated(tmp_path):
    assert purge_config(tmp_path).splits.max_purged_share == 0.5
    with pytest.raises(ConfigError, match="max_purged_share"):
        purge_config(tmp_path, max_share=0.0)
    with pytest.raises(ConfigError, match="max_purged_share"):
        purge_config(tmp_path, max_share=1.5)


def test_purge_check_is_a_known_id_outside_the_budget():
    from sentinel_checks.check_ids import CHECK_IDS

    assert "splits.purge" in CHECK_IDS


# ----------------------------------------------------------------- item 4: sentinel init


def test_init_proposes_the_composite_vehicle(tmp_path):
    from sentinel_checks.scaffold import infer_roles

    frame = crashes(400, years=(1997, 1998, 1999))
    frame["ts"] = pd.Timestamp("2025-01-01")
    path = tmp_path / "crashes.csv"
    frame.drop(columns="dead").to_csv(path, index=False)
    roles = infer_roles(path)
    assert ["yearacc", "caseid"] in roles.entities
    assert "caseid" not in roles.entities


# ----------------------------------------------------------------- properties over drawn logs

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sentinel_checks.strategies import assert_sound_split, request_logs, split_boundaries  # noqa: E402


@st.composite
def logs_with_missing_users(draw):
    log = draw(request_logs(missing_users=True, min_rows=10))
    return log, *draw(split_boundaries(log))


@given(logs_with_missing_users())
def test_group_time_split_on_a_composite_session_is_sound_and_keeps_rows_without_a_user(case):
    log, v, t = case
    session = ["user_id", "session_no"]

    def split(frame):
        return group_time_split(frame, timestamp="request_ts", entities=[session], val_start=v, test_start=t)

    splits = assert_sound_split(split, log, timestamp="request_ts", entities=[session])
    # a row without a user is in no entity: never purged, whatever split it falls in
    no_user = log["user_id"].isna()
    kept = sum(int(frame["user_id"].isna().sum()) for _, frame in splits.items())
    assert kept == int(no_user.sum())


# ----------------------------------------------------------------- item 7: every report shows the purge


def _purge_run(tmp_path, max_share):
    from sentinel_checks.checks import check_purge
    from sentinel_checks.reports.gate_report import GateRun, TestOutcome

    splits = build_splits(flights(aircraft=40), purge_config(tmp_path))
    result = check_purge(splits.purge, max_share=max_share)
    outcome = "passed" if result.status is Status.PASS else "failed"
    test = TestOutcome("suites/test_splits.py::test_purge_keeps_the_splits", outcome, result.message, result)
    return GateRun(config_path="sentinel.toml", data={}, seed=0, outcomes=[test])


def test_the_purge_report_is_in_the_terminal_gate_md_and_gate_html(tmp_path):
    from sentinel_checks.reports.gate_report import attention_lines, gate_markdown
    from sentinel_checks.reports.html import gate_html

    run = _purge_run(tmp_path, max_share=1.0)  # within the limit: still shown
    (line,) = attention_lines(run)
    assert line.startswith("splits.purge PASS: val lost ") and "prevalence" in line
    failed = _purge_run(tmp_path, max_share=0.2)
    md, page = gate_markdown(failed), gate_html(failed, {})
    assert "## Failing checks" in md and "splits.purge" in md
    for text in (md, page):
        assert "val lost" in text and "test lost" in text and "rows to the purge" in text
        assert "group_time_split" in text and "different entity" in text


@pytest.mark.slow
def test_a_purging_gate_run_fails_on_lost_rows_and_says_so(gate_project):
    """The tests' own gate setup purges users and sessions: 28% of validation goes."""
    from tests.conftest import BASE_CONFIG, SUITES, run_gate

    text = BASE_CONFIG.replace("purge_entities = true", "purge_entities = true\nmax_purged_share = 0.2")
    project = gate_project(config_text=text)
    run = run_gate(project.config, project.folder, suites=SUITES / "test_splits.py")
    assert run.report is not None, run.output
    assert run.statuses("splits.purge") == ["fail"]
    assert "val lost" in run.output and "rows to the purge" in run.output
    for report in ("gate.md", "gate.html"):
        assert "val lost" in (project.folder / "reports" / report).read_text(), report
