"""``[data] engine = "duckdb"`` computes the drift checks from the engine: Evidently on
the engine's bounded seeded sample (the rows pandas samples), every whole-row figure
(row and missing counts, label counts, PSI bins, flagged rows, shift descriptions) as
an aggregate. Every ``drift.*`` result equals the pandas one (every field) on clean
data and on planted drift, with the per-row accessors made to raise on the DuckDB
session."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sentinel_checks.engine.drift_statistics as drift_statistics
import sentinel_checks.engine.score_drift_statistics as score_drift_statistics
from sentinel_checks.config import load_config
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from sentinel_checks.result import Status
from tests.conftest import BASE_CONFIG

DATA = '[data]\npath = "data/requests.parquet"\n'
DRIFT = '[drift]\nsegment_columns = ["channel"]\n'
PAIRS = """feature_pairs = ["train:production", "val:test"]
label_pairs = ["test:production", "val:test"]
score_pairs = ["val:test", "test:production"]
max_rows = 2000
"""
# max_rows: Evidently reads seeded samples of 2,000 of the 3,000-27,000 rows a side, so
# the engine's sample (sample_table) must be the rows pandas samples for results to agree
#: The per-row accessors an engine drift step must not read (M1 makes them lazy).
PER_ROW = ("dataset", "splits", "split_labels", "production")


class PerRowRead(Exception):
    """Raised by a patched per-row accessor: a drift step read the pandas frames."""


@pytest.fixture
def drift_project(gate_project):
    def make(engine: str, *, offline=None, production=None) -> GateSession:
        text = BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n').replace(DRIFT, DRIFT + PAIRS)
        project = gate_project(config_text=text, offline=offline, production=production)
        return GateSession(load_config(project.config))

    return make


def _fields(r) -> tuple:
    return (r.id, r.status, r.measured, r.limit, r.message, r.support, r.evidence, r.parameters, r.needed)


def _drift_results(s: GateSession) -> dict[str, tuple]:
    d = s.config.drift
    out = {}
    for pair in d.feature_pairs:
        out[f"features {pair}"] = _fields(steps.feature_drift(s, pair))
        out[f"segments {pair}"] = _fields(steps.feature_drift_in_segments(s, "channel", pair))
    for pair in d.label_pairs:
        out[f"labels {pair}"] = _fields(steps.label_drift(s, pair))
    for pair in d.score_pairs:
        out[f"scores {pair}"] = _fields(steps.score_drift(s, pair))
    out["calibration"] = _fields(steps.calibration_drift(s))
    return out


def _forbid_per_row(session: GateSession, monkeypatch) -> None:
    """Warm what the drift steps may still read per row (features, the candidate's
    evaluation and importance: M1's and M2's), register the tables, then make every
    per-row accessor raise for the rest of the test."""
    assert session.features
    session.evaluation("candidate")
    session.feature_importance()
    for name in ("train", "val", "test", "production"):
        session.engine_table(name)

    def refuse(self, *args, **kwargs):
        raise PerRowRead

    for name in PER_ROW:
        monkeypatch.setattr(GateSession, name, property(refuse))
    monkeypatch.setattr(GateSession, "frame", refuse)
    monkeypatch.setattr(GateSession, "scores", refuse)


def _compare(drift_project, monkeypatch, **frames) -> dict[str, tuple]:
    """The pandas results; asserts the DuckDB session's equal them, field by field, with
    every per-row read refused, the score pairs holding production included (they read
    production's scored table)."""
    pandas = _drift_results(drift_project("pandas", **frames))
    duckdb = drift_project("duckdb", **frames)
    _forbid_per_row(duckdb, monkeypatch)
    refused = _drift_results(duckdb)
    with pytest.raises(PerRowRead):  # the guard itself works
        _ = duckdb.production
    monkeypatch.undo()
    assert set(refused) == set(pandas)
    for key in pandas:
        assert refused[key] == pandas[key], key
    return pandas


def _statuses(results: dict[str, tuple]) -> dict[str, Status]:
    return {key: r[1] for key, r in results.items()}


def test_a_drift_step_asks_the_engine_only_when_configured(drift_project, monkeypatch):
    class EngineCalled(Exception):
        pass

    def called(*args, **kwargs):
        raise EngineCalled

    monkeypatch.setattr(drift_statistics, "missing_counts", called)
    monkeypatch.setattr(score_drift_statistics, "score_drift_counts", called)
    duckdb = drift_project("duckdb")
    with pytest.raises(EngineCalled):
        steps.feature_drift(duckdb, "train:production")
    with pytest.raises(EngineCalled):
        steps.score_drift(duckdb, "val:test")
    pandas = drift_project("pandas")
    steps.feature_drift(pandas, "train:production")
    steps.score_drift(pandas, "val:test")
    assert "engine_tables" not in pandas._cache


def test_drift_is_the_same_on_both_engines_on_clean_data(drift_project, monkeypatch):
    results = _statuses(_compare(drift_project, monkeypatch))
    # the clean log: nothing is shown to move between val and test (the planted tests fail these)
    for key in ("labels val:test", "scores val:test", "features val:test"):
        assert results[key] is not Status.FAIL, key


def test_a_shifted_feature_fails_the_same_on_both_engines(drift_project, monkeypatch, small_log):
    production = small_log.production.copy()
    production["amount"] = production["amount"] * 4 + 500
    results = _compare(drift_project, monkeypatch, production=production)
    assert results["features train:production"][1] is Status.FAIL
    assert "amount" in results["features train:production"][4]


def test_a_prevalence_change_fails_the_same_on_both_engines(drift_project, monkeypatch, small_log):
    offline = small_log.offline.copy()
    test_rows = offline["request_ts"] >= pd.Timestamp("2025-10-02")
    flip = test_rows & (np.random.default_rng(1).random(len(offline)) < 0.3)
    offline.loc[flip, "label"] = "risky"
    results = _statuses(_compare(drift_project, monkeypatch, offline=offline))
    assert results["labels val:test"] is Status.FAIL


def test_a_score_shift_fails_the_same_on_both_engines(drift_project, monkeypatch, small_log):
    offline = small_log.offline.copy()
    test_rows = offline["request_ts"] >= pd.Timestamp("2025-10-02")
    offline.loc[test_rows, "score"] = np.minimum(1.0, offline.loc[test_rows, "score"] * 1.5 + 0.2)
    results = _statuses(_compare(drift_project, monkeypatch, offline=offline))
    assert results["scores val:test"] is Status.FAIL


def test_missing_values_in_production_fail_the_same_on_both_engines(drift_project, monkeypatch, small_log):
    production = small_log.production.copy()
    gone = np.random.default_rng(2).random(len(production)) < 0.4
    production.loc[gone, "ip_risk"] = np.nan
    production.loc[gone, "country"] = None
    results = _compare(drift_project, monkeypatch, production=production)
    assert results["features train:production"][1] is Status.FAIL
    assert "ip_risk missing" in results["features train:production"][4]
