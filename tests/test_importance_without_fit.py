"""A model needs `predict_proba` and `classes_` (README), not `fit`: scikit-learn's
permutation_importance checks for `fit` and refused such a model, so every
drift.features pair errored with "The 'estimator' parameter of permutation_importance
must be an object implementing 'fit'" (final trial, stop 51)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentinel_checks.models.importance import permutation_shares
from sentinel_checks.models.loading import LoadedModel


class ScoresOnly:
    """A served model's client: scores, no training API."""

    classes_ = np.array([False, True])

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        p = 1 / (1 + np.exp(-(x["a"].to_numpy() - 0.5 * x["b"].to_numpy())))
        return np.column_stack([1 - p, p])


def test_a_model_without_fit_gets_permutation_importances():
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    y = rng.random(400) < 1 / (1 + np.exp(-x["a"].to_numpy()))
    model = LoadedModel("candidate", ScoresOnly(), None, "file:scores-only")
    shares = permutation_shares(model, x, y, features=["a", "b"], positive=True, repeats=3)
    assert shares.shares["a"] > 0.5 > shares.shares["b"] >= 0, shares
