"""Baselines are fitted on a bounded, seeded, stratified sample of the train split (issue 18).

Fitting the boosted-tree baseline on every train row was most of the demo gate's
baseline time; a reference model needs a few tens of thousands of rows, and its
evaluation still uses every test row. The default bound is
``[quality] baseline_max_train_rows`` (50,000), and ``fit_baselines`` uses the same.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from sentinel_checks.checks.quality import check_baselines
from sentinel_checks.config import Quality
from sentinel_checks.models.baselines import fit_baselines


def _train(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.03
    frame = pd.DataFrame(
        {
            "amount": rng.lognormal(3 + 0.8 * y, 1.0),
            "channel": rng.choice(["web", "app", "api"], n),
            "ip_risk": np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1),
        }
    )
    return frame, y


@pytest.fixture
def fitted_sizes(monkeypatch):
    """Rows and risky share each baseline pipeline is fitted on."""
    seen: list[tuple[int, float]] = []
    real_fit = Pipeline.fit

    def spy(self, x, y=None, **params):
        seen.append((len(x), float(np.mean(y))))
        return real_fit(self, x, y, **params)

    monkeypatch.setattr(Pipeline, "fit", spy)
    return seen


def test_baselines_fit_on_at_most_fifty_thousand_stratified_rows_by_default(fitted_sizes):
    frame, y = _train(60_000)
    models = fit_baselines(frame, y, features=["amount", "channel", "ip_risk"], seed=0)
    assert [n for n, _ in fitted_sizes] == [50_000, 50_000]  # each baseline fitted once, on the sample
    for _, share in fitted_sizes:
        assert share == pytest.approx(y.mean(), abs=0.0005)  # stratified: the risky share is kept
    assert Quality().baseline_max_train_rows == 50_000
    assert inspect.signature(fit_baselines).parameters["max_rows"].default == 50_000
    # still ranks risky rows on held-out data better than chance
    test, yt = _train(5_000, seed=1)
    scores = {k: m.estimator.predict_proba(test)[:, 1] for k, m in models.items()}
    for s in scores.values():
        assert check_baselines(yt, s, {"chance": np.zeros(len(yt))}, bound="point").status.value == "pass"


def test_a_small_train_split_is_fitted_whole_and_the_sample_is_seeded(fitted_sizes):
    frame, y = _train(8_000)
    fit_baselines(frame, y, features=["amount", "channel", "ip_risk"], seed=0)
    assert [n for n, _ in fitted_sizes] == [8_000, 8_000]
    frame, y = _train(60_000)
    one = fit_baselines(frame, y, features=["amount", "ip_risk"], seed=3, max_rows=5_000)
    two = fit_baselines(frame, y, features=["amount", "ip_risk"], seed=3, max_rows=5_000)
    probe = frame.head(200)
    for name in one:
        assert np.array_equal(
            one[name].estimator.predict_proba(probe), two[name].estimator.predict_proba(probe)
        )
