"""``promotion.vs_champion`` and ``quality.segments`` from counts.

The comparison and the segment recall are one implementation each, on counts
(:func:`compare_paired_rows`, :func:`check_segment_counts`); the rows in memory and the
engine's ``GROUP BY`` only build those counts. Here: the engine's counts equal the
in-memory ones on awkward data; on a DuckDB session the two steps read no per-row
array of the test split (the accessors raise) and equal the pandas session's results,
clean and with planted faults (a worse challenger, a model that misses the risky rows
of one segment).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.engine import paired_statistics
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.quality_statistics import ScoredColumns
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from sentinel_checks.gate.session_data import SessionData
from sentinel_checks.models.evaluation import SplitScores
from sentinel_checks.result import Status
from sentinel_checks.stats.comparison import compare_paired, compare_paired_rows
from sentinel_checks.stats.paired_rows import PairedRows, SegmentFlips
from tests.test_engine_quality_gate import champion_project  # noqa: F401  (a fixture)

COLUMNS = ScoredColumns(score="a", label="label", positive="risky", negative="safe")


def _rows(seed: int = 3, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.2
    a = np.round(np.clip(0.35 * y + rng.random(n) * 0.7, 0, 1), 2)  # many ties
    b = np.round(np.clip(0.25 * y + rng.random(n) * 0.75, 0, 1), 3)
    country = rng.choice(np.array(["fr", "de", "es", None], dtype=object), n)
    tier = rng.choice([1.0, 2.0, np.nan], n)
    return pd.DataFrame(
        {
            "label": np.where(y, "risky", "safe"),
            "a": a,
            "b": b,
            "country": country,
            "tier": tier,
            "vip": rng.random(n) < 0.5,
        }
    )


def _engine_counts(frame: pd.DataFrame, ta: float, tb: float, segments=("country", "tier", "vip")):
    con = connect_duckdb(threads=1)
    cand = table_from_frame(con, frame[["label", "a", *segments]], name="cand")  # ROW: the position
    champ = table_from_frame(con, frame[["b"]], name="champ")
    champ = champ.order_by(champ.b)  # another order: the join is by the value of ROW
    joined = paired_statistics.joined_scores(cand, champ, COLUMNS, champion_score="b", segments=segments)
    flips = {
        c: paired_statistics.segment_flips(joined, c, candidate_threshold=ta, champion_threshold=tb)
        for c in segments
    }
    return paired_statistics.paired_rows(joined), flips


def test_the_engine_counts_are_the_in_memory_counts():
    frame = _rows()
    y = frame["label"].eq("risky").to_numpy()
    a, b = frame["a"].to_numpy(), frame["b"].to_numpy()
    ta, tb = float(a[7]), float(b[11])  # thresholds equal to a score: ties at the threshold
    rows, flips = _engine_counts(frame, ta, tb)
    expected = PairedRows.from_arrays(y, a, b)
    for field in ("y", "a", "b", "counts"):
        got, want = getattr(rows, field), getattr(expected, field)
        assert got.dtype == want.dtype and np.array_equal(got, want), field
    for column in ("country", "tier", "vip"):
        assert flips[column] == SegmentFlips.from_arrays(frame[column].to_numpy(), y, a >= ta, b >= tb), (
            column
        )
    assert "<missing>" in flips["country"].names and "<missing>" in flips["tier"].names


def test_the_comparison_from_engine_counts_equals_the_comparison_of_the_rows():
    frame = _rows(seed=8)
    y = frame["label"].eq("risky").to_numpy()
    a, b = frame["a"].to_numpy(), frame["b"].to_numpy()
    ta, tb = 0.5, float(np.quantile(b, 0.7))
    settings = dict(split="test", candidate_threshold=ta, champion_threshold=tb, resamples=50, seed=4)
    on_rows = compare_paired(
        y, a, b, segments={c: frame[c].to_numpy() for c in ("country", "tier", "vip")}, **settings
    )
    rows, flips = _engine_counts(frame, ta, tb)
    on_counts = compare_paired_rows(rows, segments=flips, **settings)
    assert on_rows.segments and on_rows.cells > 0
    assert repr(on_counts) == repr(on_rows)  # every float to the last bit, NaN included


def test_the_comparison_is_the_row_by_row_statistics():
    """The counts entry is not a new statistic: its point figures are the per-row ones."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    frame = _rows(seed=11)
    y = frame["label"].eq("risky").to_numpy()
    a, b = frame["a"].to_numpy(), frame["b"].to_numpy()
    c = compare_paired(y, a, b, split="test", candidate_threshold=0.5, champion_threshold=0.5, resamples=20)
    assert c.candidate["roc_auc"].point == pytest.approx(roc_auc_score(y, a), abs=1e-12)
    assert c.champion["pr_auc"].point == pytest.approx(average_precision_score(y, b), abs=1e-12)
    assert c.flips["risky_newly_missed"] == int(np.sum(y & (b >= 0.5) & (a < 0.5)))
    assert c.candidate["recall"].point == np.sum(y & (a >= 0.5)) / y.sum()


def test_unequal_scored_tables_are_a_data_error_naming_the_counts():
    from sentinel_checks.errors import DataError

    frame = _rows(n=100)
    con = connect_duckdb(threads=1)
    cand = table_from_frame(con, frame[["label", "a"]], name="cand")
    champ = table_from_frame(con, frame.iloc[:90][["b"]], name="champ")
    with pytest.raises(DataError, match="100 and 90 rows, 90 matched"):
        paired_statistics.joined_scores(cand, champ, COLUMNS, champion_score="b")


# --------------------------------------------------------------------------- the gate's steps


def _forbid_rows(monkeypatch, session: GateSession) -> None:
    """Forbid every per-row accessor from the start: the session's frames and score arrays,
    and the evaluations' arrays of every split. Only the engine tables are registered
    first (the data's part, docs/scaling.md "Data and splits without pandas")."""
    for name in ("train", "val", "test", "production"):
        session.engine_table(name)

    def forbidden(self, *args, **kwargs):
        raise AssertionError("a per-row accessor was read in engine mode")

    for name in ("dataset", "splits", "split_labels", "production"):
        monkeypatch.setattr(SessionData, name, property(forbidden))
    monkeypatch.setattr(SessionData, "frame", forbidden)
    monkeypatch.setattr(GateSession, "scores", forbidden)
    for name in ("y", "scores", "segments"):
        monkeypatch.setattr(SplitScores, name, property(forbidden))


def _results(s: GateSession) -> list[tuple]:
    results = []
    for split in ("test", "production"):
        results += [
            steps.recall(s, split),
            steps.precision(s, split),
            steps.ranking(s, split),
            steps.calibration(s, split),
            steps.vs_champion(s, split),
            *(steps.segments(s, c, split) for c in s.config.columns.segments),
        ]
    results += [steps.threshold(s), steps.too_good(s), steps.val_test_gap(s)]
    return [
        (r.id, r.status, r.measured, r.limit, r.message, r.support, r.evidence, r.parameters, r.needed)
        for r in results
    ]


def _both(champion_project, monkeypatch, offline=None, extra=""):  # noqa: F811
    pandas = _results(champion_project("pandas", offline=offline, extra=extra))
    duckdb = champion_project("duckdb", offline=offline, extra=extra)
    _forbid_rows(monkeypatch, duckdb)
    return pandas, _results(duckdb)


def test_vs_champion_and_segments_read_only_counts_and_equal_pandas(champion_project, monkeypatch):  # noqa: F811
    pandas, duckdb = _both(champion_project, monkeypatch)
    per_split = ["quality.recall", "quality.precision", "quality.auc", "quality.calibration"]
    per_split += ["promotion.vs_champion", "quality.segments", "quality.segments"]
    assert [r[0] for r in pandas] == [
        *per_split * 2,
        "quality.threshold",
        "quality.too_good",
        "quality.val_test_gap",
    ]
    assert {r[7]["split"] for r in pandas[:-3]} == {"test", "production"}
    assert [r[1] for r in pandas if r[0] == "quality.segments"] == [Status.PASS] * 4
    assert [r[1] for r in pandas if r[0] == "quality.calibration"] == [Status.PASS] * 2
    assert duckdb == pandas


def test_planted_faults_fail_on_both_engines_from_counts(champion_project, small_log, monkeypatch):  # noqa: F811
    """A worse challenger (noisy scores) loses to the champion, and a candidate that scores
    every risky test request from one country as safe fails that segment: on both engines, equal."""
    offline = small_log.offline.copy()
    noise = np.random.default_rng(5).random(len(offline))
    offline["score"] = 0.15 * offline["score"] + 0.85 * noise
    country = offline["country"].value_counts().index[0]
    ts = pd.to_datetime(offline["request_ts"])
    in_test = ts >= pd.Timestamp("2025-10-01", tz=ts.dt.tz)  # the threshold is chosen on val
    blind = offline["country"].eq(country) & offline["label"].eq("risky") & in_test
    offline.loc[blind, "score"] = 0.0
    pandas, duckdb = _both(champion_project, monkeypatch, offline=offline)
    statuses = {(r[0], r[7].get("column")): r[1] for r in pandas if r[7].get("split") == "test"}
    assert statuses[("promotion.vs_champion", None)] is Status.FAIL
    assert statuses[("quality.segments", "country")] is Status.FAIL
    (segment_message,) = [
        r[4] for r in pandas if r[7].get("column") == "country" and r[7].get("split") == "test"
    ]
    assert f"{country} 0.000" in segment_message  # the blind segment is named with recall 0
    assert duckdb == pandas


def test_a_miscalibrated_candidate_fails_calibration_on_both_engines_from_counts(
    champion_project,  # noqa: F811
    small_log,
    monkeypatch,
):
    """Offline scores squashed towards 0.5 rank as well but mean the wrong probabilities:
    quality.calibration fails on test on both engines, equal, with the per-row arrays forbidden."""
    offline = small_log.offline.copy()
    offline["score"] = 0.3 + 0.4 * offline["score"]
    pandas, duckdb = _both(champion_project, monkeypatch, offline=offline)
    calibration = {r[7]["split"]: r[1] for r in pandas if r[0] == "quality.calibration"}
    assert calibration == {"test": Status.FAIL, "production": Status.PASS}  # production's scores are its own
    assert duckdb == pandas


@pytest.mark.parametrize("fault", [False, True])
def test_past_the_group_limit_the_engine_grid_keeps_vs_champion_verdicts(
    champion_project,  # noqa: F811
    small_log,
    monkeypatch,
    fault,
):
    """With at most 2,000 paired groups leaving DuckDB (``[engine] max_paired_groups``) (the 4–6k rows' scores put on a
    grid), the clean candidate's and the worse challenger's ``promotion.vs_champion`` keep
    pandas' status and FNR, and the message says the AUCs came from a grid."""
    offline = small_log.offline.copy()
    if fault:
        noise = np.random.default_rng(5).random(len(offline))
        offline["score"] = 0.15 * offline["score"] + 0.85 * noise
    extra = "\n[engine]\nmax_paired_groups = 2000\n"
    pandas, duckdb = _both(champion_project, monkeypatch, offline=offline, extra=extra)
    exact, grid = ([r for r in rs if r[0] == "promotion.vs_champion"] for rs in (pandas, duckdb))
    assert [r[1] for r in grid] == [r[1] for r in exact]
    assert [r[1] for r in exact] == ([Status.FAIL if fault else Status.INCONCLUSIVE] * 2)
    fnr = re.compile(r"FNR (\S+) \(candidate @ (\S+)\) vs (\S+) \(champion @ (\S+)\)")
    assert [fnr.search(r[4]).groups() for r in grid] == [fnr.search(r[4]).groups() for r in exact]
    assert all("grid: intervals widened" in r[4] for r in grid)
