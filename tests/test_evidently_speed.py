"""Issue 18, speed of Evidently's drift: each column's drift computed once, the same numbers.

No timings: the tests count the calls of Evidently's per-column drift and compare the
scores, methods and thresholds with those of Evidently's ``DataDriftPreset`` (which
computed each column three times: its ``ValueDrift`` metrics, the dataset-drift count
and the drift table of its page).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.adapters import evidently_drift
from sentinel_checks.adapters.evidently_columns import _import_quietly


def _frames(*, shift: float, n_ref: int = 2000, n_cur: int = 600, seed: int = 0):
    """Two numeric and one categorical column; ``amount`` and ``channel`` shifted by ``shift``."""
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 0.8, n_ref),
            "age": rng.normal(40, 10, n_ref),
            "channel": rng.choice(["web", "app", "store"], n_ref, p=[0.5, 0.3, 0.2]),
        }
    )
    p_web = min(0.5 + shift, 0.95)
    cur = pd.DataFrame(
        {
            "amount": rng.lognormal(3 + shift, 0.8, n_cur),
            "age": rng.normal(40, 10, n_cur),
            "channel": rng.choice(
                ["web", "app", "store"], n_cur, p=[p_web, (1 - p_web) * 0.6, (1 - p_web) * 0.4]
            ),
        }
    )
    return ref, cur


def _preset_scores(ref, cur, per_column_method=None):
    """Evidently's own DataDriftPreset on the frames: column -> (method, score, threshold)."""
    _import_quietly()
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(numerical_columns=["amount", "age"], categorical_columns=["channel"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        snapshot = Report(
            [DataDriftPreset(columns=list(ref.columns), per_column_method=per_column_method)]
        ).run(
            Dataset.from_pandas(cur, data_definition=definition),
            Dataset.from_pandas(ref, data_definition=definition),
        )
    out = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if str(config.get("type", "")).endswith("ValueDrift"):
            out[config["column"]] = (config["method"], float(metric["value"]), float(config["threshold"]))
    return out


def _run(ref, cur, **kwargs):
    return evidently_drift.column_drift(
        ref, cur, numerical=["amount", "age"], categorical=["channel"], **kwargs
    )


def test_each_column_drift_is_computed_once(monkeypatch):
    """The gate reads one drift per column: Evidently computes it once, not three times."""
    _import_quietly()
    from evidently.legacy.calculations import data_drift
    from evidently.metrics import column_statistics

    calls: list[str] = []
    real = data_drift.get_one_column_drift

    def counted(**kwargs):
        calls.append(kwargs["column_name"])
        return real(**kwargs)

    monkeypatch.setattr(data_drift, "get_one_column_drift", counted)
    monkeypatch.setattr(column_statistics, "get_one_column_drift", counted)
    ref, cur = _frames(shift=0.0)
    run = _run(ref, cur)
    assert sorted(calls) == ["age", "amount", "channel"]
    assert [c.column for c in run.columns] == ["amount", "age", "channel"]


@pytest.mark.parametrize("shift", [0.0, 0.4], ids=["no-drift", "planted-drift"])
@pytest.mark.parametrize("per_column_method", [None, {"amount": "psi"}], ids=["auto", "psi-on-amount"])
def test_scores_and_decisions_are_those_of_evidentlys_preset(shift, per_column_method):
    ref, cur = _frames(shift=shift)
    expected = _preset_scores(ref, cur, per_column_method)
    run = _run(ref, cur, per_column_method=per_column_method)
    got = {c.column: (c.method, c.score, c.threshold) for c in run.columns}
    assert got.keys() == expected.keys()
    for column, (method, score, threshold) in expected.items():
        assert got[column][0] == method
        assert got[column][1] == pytest.approx(score, rel=1e-12, abs=1e-15)
        assert got[column][2] == threshold
    drifted = {c.column for c in run.columns if c.drifted}
    if shift:
        assert {"amount", "channel"} <= drifted and "age" not in drifted
    else:
        assert drifted == set()


def test_the_drift_page_shows_every_compared_column(tmp_path):
    ref, cur = _frames(shift=0.4)
    page = _run(ref, cur).save_html(tmp_path / "drift.html").read_text()
    for column in ("amount", "age", "channel"):
        assert column in page
