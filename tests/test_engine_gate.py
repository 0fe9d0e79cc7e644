"""``[data] engine = "duckdb"`` is real: the gate's split steps compute their statistics
in DuckDB (one connection, the splits registered once per session) and reach the same
results as with pandas; with ``engine = "pandas"`` the engine is never touched."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sentinel_checks.engine.ibis_connection as ibis_connection
import sentinel_checks.engine.parquet_tables as parquet_tables
import sentinel_checks.engine.row_repeats as engine_rows
import sentinel_checks.engine.split_statistics as engine_stats
from sentinel_checks.config import load_config
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from sentinel_checks.result import Status
from tests.conftest import BASE_CONFIG

DATA = '[data]\npath = "data/requests.parquet"\n'
PAIRS = [("train", "val"), ("train", "test"), ("val", "test")]


class EngineCalled(Exception):
    """Raised by a patched engine statistic: proves the step asked the engine."""


def _session(gate_project, engine: str) -> GateSession:
    project = gate_project(config_text=BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n'))
    return GateSession(load_config(project.config))


#: Where each tuple of :func:`_split_results` holds the result's parameters and support.
PARAMETERS, SUPPORT = 8, 6


def _split_results(session: GateSession) -> list[tuple]:
    results = []
    for pair in PAIRS:
        results.append(steps.time_order(session, pair))
        results.append(steps.row_overlap(session, pair))
        for entity in session.config.columns.entities:
            results.append(steps.entity_overlap(session, entity, pair))
    return [
        (
            r.id,
            r.status,
            r.measured,
            r.limit,
            r.message,
            r.hint,
            r.support,
            r.evidence,
            r.parameters,
            r.needed,
        )
        for r in results
    ]


def _raise(*args, **kwargs):
    raise EngineCalled


@pytest.mark.parametrize(
    ("module", "statistic", "step"),
    [
        (engine_stats, "time_order", lambda s: steps.time_order(s, ("train", "val"))),
        (engine_stats, "shared_entities", lambda s: steps.entity_overlap(s, "user_id", ("train", "val"))),
        (engine_rows, "row_repeats", lambda s: steps.row_overlap(s, ("train", "val"))),
    ],
    ids=["time_order", "shared_entities", "row_repeats"],
)
def test_a_split_step_asks_the_engine_only_when_configured(
    gate_project, monkeypatch, module, statistic, step
):
    monkeypatch.setattr(module, statistic, _raise)
    duckdb = _session(gate_project, "duckdb")
    with pytest.raises(EngineCalled):
        step(duckdb)
    pandas = _session(gate_project, "pandas")
    step(pandas)  # the engine is not asked: no EngineCalled
    assert "engine_tables" not in pandas._cache


def test_the_session_connects_once_and_reads_the_parquet_file_once(gate_project, monkeypatch):
    """A parquet [data] path is read by the engine where it lies (once) and split there:
    no split frame is registered (before [data] paths were read where they lie, each of
    the three split frames was registered once)."""
    calls = {"connect": 0, "register": 0, "parquet": 0}
    connect, register = ibis_connection.connect_configured, ibis_connection.table_from_frame
    parquet = parquet_tables.table_from_parquet

    def counting_parquet(*args, **kwargs):
        calls["parquet"] += 1
        return parquet(*args, **kwargs)

    def counting_connect(*args, **kwargs):
        calls["connect"] += 1
        return connect(*args, **kwargs)

    def counting_register(*args, **kwargs):
        calls["register"] += 1
        return register(*args, **kwargs)

    monkeypatch.setattr(ibis_connection, "connect_configured", counting_connect)
    monkeypatch.setattr(ibis_connection, "table_from_frame", counting_register)
    monkeypatch.setattr(parquet_tables, "table_from_parquet", counting_parquet)
    session = _session(gate_project, "duckdb")
    _split_results(session)
    assert calls == {"connect": 1, "register": 0, "parquet": 1}


TIME_SPLIT = """[splits]
method = "time"
val_start = "2025-09-15"
test_start = "2025-10-01"
embargo = "1D"
purge_entities = true
"""
RANDOM_SPLIT = """[splits]
method = "column"
column = "split"
"""


def test_split_steps_judge_the_same_on_both_engines_on_clean_splits(gate_project):
    pandas = _split_results(_session(gate_project, "pandas"))
    duckdb = _split_results(_session(gate_project, "duckdb"))
    assert {r[1] for r in pandas} <= {Status.PASS, Status.WARN}  # time + purged entities: clean
    assert [r[:2] for r in duckdb] == [r[:2] for r in pandas]
    assert duckdb == pandas


def test_split_steps_fail_the_same_on_both_engines_on_a_planted_leak(gate_project, small_log):
    """A random row split (users and times on every side) with 300 train rows logged
    again in test: every split check fails, identically on both engines."""
    offline = small_log.offline.copy()
    offline["split"] = np.random.default_rng(0).choice(["train", "val", "test"], size=len(offline))
    copies = offline[offline["split"] == "train"].head(300).assign(split="test")
    offline = pd.concat([offline, copies], ignore_index=True)
    assert TIME_SPLIT in BASE_CONFIG
    results = {}
    for engine in ("pandas", "duckdb"):
        text = BASE_CONFIG.replace(TIME_SPLIT, RANDOM_SPLIT).replace(DATA, DATA + f'engine = "{engine}"\n')
        project = gate_project(offline=offline, config_text=text)
        results[engine] = _split_results(GateSession(load_config(project.config)))
    failed = {(r[0], r[PARAMETERS]["pair"]) for r in results["duckdb"] if r[1] is Status.FAIL}
    for a, b in PAIRS:  # time and users on every side
        assert {("splits.time_order", f"{a}→{b}"), ("splits.entity_overlap", f"{a}→{b}")} <= failed
    assert ("splits.row_overlap", "train→test") in failed  # the 300 copies
    assert results["duckdb"] == results["pandas"]
    copies_found = [r for r in results["duckdb"] if r[0] == "splits.row_overlap" and "copies" in r[SUPPORT]]
    assert any(r[SUPPORT]["copies"] >= 300 for r in copies_found)


def test_missing_entities_counts_what_pandas_counts():
    from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
    from sentinel_checks.entities import missing_ids

    frame = pd.DataFrame({"y": [1.0, np.nan, 2.0, 3.0, None], "c": ["a", "b", None, "d", "e"]})
    table = table_from_frame(connect_duckdb(threads=1), frame, name="ids")
    assert engine_stats.missing_entities(table, ["y", "c"]) == int(missing_ids(frame[["y", "c"]]).sum()) == 3
    assert engine_stats.missing_entities(table, ["y"]) == int(missing_ids(frame["y"]).sum()) == 2


def test_a_frame_the_engine_cannot_read_is_a_data_error_naming_the_engine(gate_project, small_log):
    from sentinel_checks.errors import DataError

    offline = small_log.offline.copy()
    offline["request_ts"] = offline["request_ts"] + pd.Timedelta(1, "ns")
    project = gate_project(
        offline=offline, config_text=BASE_CONFIG.replace(DATA, DATA + 'engine = "duckdb"\n')
    )
    session = GateSession(load_config(project.config))
    with pytest.raises(DataError, match=r"\[data\] engine = 'duckdb'.*request_ts"):
        steps.time_order(session, ("train", "val"))


def _gate_checks(config, folder) -> list[dict]:
    from sentinel_checks.gate.artefacts import write_gate_reports
    from sentinel_checks.gate.runner import gate_run_in_process

    run, session = gate_run_in_process(config)
    write_gate_reports(run, session, folder)
    checks = json.loads((folder / "gate.json").read_text())["checks"]
    return checks  # no timings in a check's entry: compared whole


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from sentinel_checks.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"), n_requests=60_000)


@pytest.mark.slow
@pytest.mark.parametrize("story", ["incident", "fixed"])
def test_the_demo_gate_is_the_same_on_both_engines(demo, tmp_path_factory, story):
    config = load_config(demo.configs[story])
    assert config.data.engine == "pandas"
    duckdb = config.model_copy(update={"data": config.data.model_copy(update={"engine": "duckdb"})})
    by_pandas = _gate_checks(config, tmp_path_factory.mktemp("pandas"))
    by_duckdb = _gate_checks(duckdb, tmp_path_factory.mktemp("duckdb"))
    split_ids = {"splits.time_order", "splits.entity_overlap", "splits.row_overlap"}
    assert {c.get("id") for c in by_duckdb} >= split_ids
    assert [(c.get("id"), c.get("status"), c.get("measured")) for c in by_duckdb] == [
        (c.get("id"), c.get("status"), c.get("measured")) for c in by_pandas
    ]
    assert by_duckdb == by_pandas


def test_rows_repeated_within_a_split_are_counted_once_per_split_and_columns(gate_project, monkeypatch):
    """Train is the earlier split of two pairs: its GROUP BY over every row (the chance
    rate of ``splits.row_overlap``) runs once per column set, not once per pair; the
    results are those of a session judging that pair alone."""
    from sentinel_checks.engine import row_repeats

    asked, real = [], row_repeats.repeats_within

    def counting(table, columns):
        asked.append((id(table), tuple(columns)))
        return real(table, columns)

    monkeypatch.setattr(row_repeats, "repeats_within", counting)
    session = _session(gate_project, "duckdb")
    results = [steps.row_overlap(session, pair) for pair in PAIRS]
    train = id(session.engine_tables["train"])
    assert [key for key in asked if key[0] == train], asked  # train's rows were counted ...
    assert len(asked) == len(set(asked)), asked  # ... and no split and columns twice
    monkeypatch.undo()
    for pair, result in zip(PAIRS, results, strict=True):
        alone = steps.row_overlap(_session(gate_project, "duckdb"), pair)
        assert (result.status, result.measured, result.support, result.message) == (
            alone.status,
            alone.measured,
            alone.support,
            alone.message,
        )


def test_the_cached_repeat_count_is_each_splits_own_and_each_column_sets(gate_project, monkeypatch):
    """The session's count is keyed by split and columns: train (three rows alike on
    ``a``, two on ``a, b``) and val (two alike on ``a``) each get their own."""
    import ibis

    tables = {
        "train": ibis.memtable({"a": [1, 1, 1, 2], "b": [0, 0, 1, 1]}),
        "val": ibis.memtable({"a": [5, 5, 6, 7], "b": [0, 1, 0, 0]}),
    }
    session = _session(gate_project, "duckdb")
    monkeypatch.setattr(type(session), "engine_tables", property(lambda self: tables))
    asked = [("train", ["a"]), ("val", ["a"]), ("train", ["a", "b"]), ("val", ["a", "b"]), ("train", ["a"])]
    assert [session.repeats_within(split, columns) for split, columns in asked] == [3, 2, 2, 0, 3]


def test_a_splits_drift_sample_is_drawn_once_for_every_pair_it_is_in(gate_project, monkeypatch):
    """train is the reference of train→val and train→test: its Evidently sample (a
    permutation of its positions and a pass over it) is drawn once, the same frame both
    times."""
    from sentinel_checks.engine import samples

    drawn: list[int] = []
    real = samples.sample_table

    def counting(table, **kwargs):
        drawn.append(int(table.count().execute()))
        return real(table, **kwargs)

    monkeypatch.setattr(samples, "sample_table", counting)
    session = _session(gate_project, "duckdb")
    first = session.prepare_drift(("train", "val"), None)
    second = session.prepare_drift(("train", "test"), None)
    sizes = {s: int(session.engine_table(s).count().execute()) for s in ("train", "val", "test")}
    assert drawn == [sizes["train"], sizes["val"], sizes["test"]]
    pd.testing.assert_frame_equal(first.inputs.reference, second.inputs.reference)
    assert len(first.inputs.reference) > 0
