"""``[data] engine = "duckdb"`` with the dataset and the production sample read where they
lie: the production contract is counted in the engine, the importance sample of
``drift.features`` is drawn there by class rank, and ``drift.calibration`` is judged
from the rows grouped by (score, label). Every result equals the pandas session's
(every field), on clean data and on planted faults, with the per-row inputs made to
raise on the DuckDB session."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from sentinel_checks.models.evaluation import SplitScores
from sentinel_checks.result import Status
from tests.conftest import BASE_CONFIG, SOUND_FEATURES

DATA = '[data]\npath = "data/requests.parquet"\n'
#: The per-row inputs the converted steps must not read on the DuckDB session.
PER_ROW = ("dataset", "splits", "split_labels", "production")
RULES = """
[contract.features.channel]
allowed = ["web", "app", "api", "wallet"]

[contract.features.ip_risk]
min = 0.0
max = 1.0
nullable = false
"""
TRUSTED = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]


class PerRowRead(Exception):
    """Raised by a patched per-row input: a step read the pandas frames."""


def _refuse(*args, **kwargs):
    raise PerRowRead


def forbid_per_row(monkeypatch, *, rows_of_scores: bool = False) -> None:
    """Every per-row input of every GateSession raises from now on (and, with
    ``rows_of_scores``, the per-row labels and scores of an evaluation)."""
    for name in PER_ROW:
        monkeypatch.setattr(GateSession, name, property(_refuse))
    monkeypatch.setattr(GateSession, "frame", _refuse)
    if rows_of_scores:
        monkeypatch.setattr(SplitScores, "y", property(_refuse))
        monkeypatch.setattr(SplitScores, "scores", property(_refuse))


def fields(r) -> tuple:
    return (
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


@pytest.fixture
def project(gate_project):
    def make(engine: str, *, extra: str = "", **frames) -> GateSession:
        text = BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n')
        made = gate_project(config_text=text, extra=extra, **frames)
        return GateSession(load_config(made.config))

    return make


# --------------------------------------------------------------------------- production contract


def _production_fault(kind: str, production: pd.DataFrame) -> pd.DataFrame:
    production = production.copy()
    if kind == "unseen category":
        production.loc[[3, 40, 41], "channel"] = ["kiosk", "fax", "kiosk"]
    elif kind == "out of range":
        production.loc[[5, 6], "ip_risk"] = [1.5, -0.25]
    elif kind == "missing required column":
        production = production.drop(columns=["session_id", "hour"])
    elif kind == "nulls in a required column":
        production.loc[[7, 8, 9], "ip_risk"] = np.nan
        production.loc[[10], "request_id"] = None
    elif kind == "no rows":
        production = production.iloc[:0]
    return production


@pytest.mark.parametrize(
    "kind",
    [
        "clean",
        "unseen category",
        "out of range",
        "missing required column",
        "nulls in a required column",
        "no rows",
    ],
)
def test_the_production_contract_counted_in_the_engine_equals_pandera_on_the_frame(
    project, monkeypatch, small_log, kind
):
    production = _production_fault(kind, small_log.production)
    want = fields(steps.production_contract(project("pandas", extra=RULES, production=production)))
    duckdb = project("duckdb", extra=RULES, production=production)
    forbid_per_row(monkeypatch)
    got = fields(steps.production_contract(duckdb))
    assert duckdb.materialized() == []
    assert (want[1] is Status.PASS) is (kind == "clean"), want[4]
    assert got == want


def test_the_production_contract_falls_back_to_the_frame_when_production_is_not_parquet(
    gate_project, small_log, tmp_path
):
    """A CSV production sample is not read where it lies: the frame is validated (and read)."""
    text = BASE_CONFIG.replace(DATA, DATA + 'engine = "duckdb"\n').replace(
        "production.parquet", "production.csv"
    )
    made = gate_project(config_text=text, extra=RULES)
    small_log.production.to_csv(tmp_path / "data" / "production.csv", index=False)
    duckdb = GateSession(load_config(made.config))
    assert duckdb.engine_production is None
    result = steps.production_contract(duckdb)
    assert result.status is Status.PASS, result.message
    assert "production" in duckdb.materialized()


# --------------------------------------------------------------------------- importance sample drawn in the engine


@pytest.fixture
def model_project(gate_project, small_model, tmp_path):
    """The sound candidate (calibrated boosting: no feature_importances_, so permutation
    importance on a seeded validation sample) scored from its skops file."""
    import skops.io as sio

    model, _ = small_model
    (tmp_path / "models").mkdir(exist_ok=True)
    sio.dump(model, tmp_path / "models" / "candidate.skops")
    trusted = ", ".join(f'"{t}"' for t in TRUSTED)
    candidate = f'[models.candidate]\npath = "models/candidate.skops"\ntrusted_types = [{trusted}]\n'

    def make(engine: str, **frames) -> GateSession:
        text = (
            BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n')
            .replace('[models.candidate]\nscore_column = "score"\n', candidate)
            .replace(
                "[drift]\n", "[drift]\nmax_rows = 2000\nimportance_rows = 1500\nimportance_repeats = 3\n"
            )
        )
        assert "candidate.skops" in text and "importance_rows" in text
        return GateSession(load_config(gate_project(config_text=text, **frames).config))

    return make


def test_the_importance_sample_drawn_in_the_engine_is_the_pandas_sample(model_project):
    from sentinel_checks.data.labels import binary_target
    from sentinel_checks.models.importance import _rows

    pandas, duckdb = model_project("pandas"), model_project("duckdb")
    val = pandas.splits["val"]
    y = binary_target(val, pandas.config, what="val")
    rows = _rows(y, 1500, pandas.config.gate.seed)
    assert len(rows) == 1500 and y[rows].sum() < 750  # every risky row, safe rows to fill
    x, target = duckdb.engine_importance_sample(SOUND_FEATURES, max_rows=1500, seed=pandas.config.gate.seed)
    assert duckdb.materialized() == []
    np.testing.assert_array_equal(target, y[rows])
    np.testing.assert_array_equal(x.index.to_numpy(), rows)  # val positions
    pd.testing.assert_frame_equal(
        x.reset_index(drop=True), val.iloc[rows][SOUND_FEATURES].reset_index(drop=True)
    )


@pytest.mark.parametrize(
    ("pair", "fault"), [("train:val", "clean"), ("train:production", "shifted ip_risk in production")]
)
def test_feature_drift_and_importance_equal_pandas_without_the_splits_in_pandas(
    model_project, monkeypatch, small_log, pair, fault
):
    production = small_log.production.copy()
    if fault != "clean":
        production["ip_risk"] = np.clip(production["ip_risk"] * 0.3 + 0.6, 0.0, 1.0)
    pandas = model_project("pandas", production=production)
    want_importance, want = pandas.feature_importance(), fields(steps.feature_drift(pandas, pair))
    duckdb = model_project("duckdb", production=production)
    forbid_per_row(monkeypatch)
    got_importance, got = duckdb.feature_importance(), fields(steps.feature_drift(duckdb, pair))
    assert duckdb.materialized() == []
    assert want_importance.source.startswith("permutation (ROC AUC drop), val, 1500 rows")
    assert got_importance == want_importance
    assert got == want
    if fault == "clean":
        assert want[1] is not Status.FAIL, want[4]
    else:
        assert want[1] is Status.FAIL and "ip_risk" in want[4], want[4]


# --------------------------------------------------------------------------- drift.calibration from cells


@pytest.mark.parametrize("fault", ["clean", "inflated production scores"])
def test_calibration_drift_from_cells_equals_pandas_without_per_row_scores(
    project, monkeypatch, small_log, fault
):
    production = small_log.production.copy()
    if fault != "clean":
        production["score"] = np.sqrt(production["score"])  # class weighting inflates scores
    want = fields(steps.calibration_drift(project("pandas", production=production)))
    duckdb = project("duckdb", production=production)
    forbid_per_row(monkeypatch, rows_of_scores=True)
    got = fields(steps.calibration_drift(duckdb))
    assert duckdb.materialized() == []
    assert (want[1] is Status.FAIL) is (fault != "clean"), want[4]
    assert got == want
