"""How much a model leans on each feature, as shares summing to 1.

Used by ``drift.features``: the drift of a feature the model leans on fails the check
even when the feature moved a little. Two sources, in this order:

- the estimator's own ``feature_importances_`` (tree ensembles), when the model is a
  bare estimator or a pipeline whose last step sees exactly the raw features (its
  ``feature_names_in_`` equal the model's feature list); ``coef_`` is not used, since
  its size depends on each feature's unit unless the inputs were standardised;
- otherwise scikit-learn's ``permutation_importance`` (Breiman 2001; Fisher, Rudin &
  Dominici 2019) on validation rows: the drop of ROC AUC when one feature's values
  are shuffled, on a bounded seeded sample holding every risky row (up to half the
  sample), a few repeats; rescored with one OpenMP thread (cheaper for samples this
  small; the scores are the same).

Negative importances (shuffling helped, i.e. noise) count as 0; the rest are
normalised to shares. A model scored from a column has no importance to measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.models.loading import LoadedModel


@dataclass(frozen=True)
class FeatureImportance:
    """Importance shares per feature, and how they were measured."""

    shares: dict[str, float]  # non-negative, summing to 1 (empty when none could be measured)
    source: str  # e.g. "permutation (ROC AUC drop), val, 5000 rows, 5 repeats"


def importance_shares(
    model: LoadedModel,
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    features: list[str],
    positive: Any,
    max_rows: int = 5000,
    repeats: int = 5,
    seed: int = 0,
) -> FeatureImportance:
    """The model's importance share per feature (see the module docstring for the sources).

    Parameters
    ----------
    model : LoadedModel
        The model (a score column has no importance: empty shares).
    frame : pandas.DataFrame, n rows
        Validation rows holding ``features``.
    y : ndarray of bool, shape (n,)
        True for the risky rows of ``frame``.
    features : list of str
        The columns the model scores, in its order.
    positive : scalar
        The risky label (``[columns] positive``).
    max_rows : int, default 5000
        Most rows used for permutation importance (a seeded sample).
    repeats : int, default 5
        Shuffles per feature (``n_repeats``).
    seed : int, default 0
        Seed of the sample and of the shuffles (``[gate] seed``).

    Returns
    -------
    FeatureImportance
        Shares in [0, 1] summing to 1 over ``features``; empty shares when the model has
        no estimator, validation holds one class only, or every importance is ≤ 0.

    Raises
    ------
    ModelLoadError
        Scoring the rows fails (see :func:`~sentinel_checks.models.scoring.risk_scores`).
    """
    fixed = fixed_importance(model, features)
    if fixed is not None:
        return fixed
    x, target = importance_rows(frame, y, features=features, max_rows=max_rows, seed=seed)
    return permutation_shares(
        model, x, target, features=features, positive=positive, repeats=repeats, seed=seed
    )


def importance_rows(
    frame: pd.DataFrame, y: np.ndarray, *, features: list[str], max_rows: int, seed: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """The seeded sample of at most ``max_rows`` validation rows :func:`importance_shares`
    measures on: ``(frame.iloc[rows][features], y[rows])``, rows from :func:`sample_ranks`."""
    y = np.asarray(y, dtype=bool)
    rows = _rows(y, max_rows, seed)
    return frame.iloc[rows][features], y[rows]


def fixed_importance(model: LoadedModel, features: list[str]) -> FeatureImportance | None:
    """The importance that needs no validation row: none for a score column, the model's
    own ``feature_importances_`` when its last step sees exactly ``features``; ``None``
    when permutation importance must be measured (:func:`permutation_shares`)."""
    if model.estimator is None:
        return FeatureImportance({}, "none: the model is a score column")
    native = _native(model.estimator, features)
    if native is not None:
        return _normalised(features, native, "the model's feature_importances_")
    return None


def permutation_shares(
    model: LoadedModel,
    x: pd.DataFrame,
    target: np.ndarray,
    *,
    features: list[str],
    positive: Any,
    repeats: int = 5,
    seed: int = 0,
) -> FeatureImportance:
    """Permutation importance shares on the sample already drawn (:func:`sample_ranks`).

    Parameters
    ----------
    model : LoadedModel
        A model with an estimator.
    x : pandas.DataFrame, shape (m, len(features))
        The sampled validation rows, in their row order (pandas' ``frame.iloc[rows]``, or
        the same rows read from the engine: the index is not read).
    target : ndarray of bool, shape (m,)
        True for the risky rows of ``x``.
    features, positive, repeats, seed
        As :func:`importance_shares`.

    Returns
    -------
    FeatureImportance
        As :func:`importance_shares`.

    Raises
    ------
    ModelLoadError
        Scoring the rows fails.
    """
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import roc_auc_score
    from threadpoolctl import threadpool_limits

    from sentinel_checks.models.scoring import risk_scores

    target = np.asarray(target, dtype=bool)
    if target.all() or not target.any():
        return FeatureImportance({}, f"none: the {len(target)} validation rows hold one class only")

    def auc(_: Any, data: pd.DataFrame, labels: np.ndarray) -> float:
        return float(roc_auc_score(labels, risk_scores(model, data, features=features, positive=positive)))

    # Dozens of rescorings of a few thousand rows: OpenMP's per-tree parallel regions
    # (HistGradientBoosting) cost more than they save there, and spin on a busy machine
    # (demo, 5,000 rows: 0.23 s CPU per rescoring with 2 threads, 0.03 s with 1). The
    # predictions, and so the importances, do not depend on the thread count.
    with threadpool_limits(limits=1, user_api="openmp"):
        result = permutation_importance(
            _ScoredElsewhere(), x, target, scoring=auc, n_repeats=repeats, random_state=seed
        )
    return _normalised(
        features,
        np.asarray(result.importances_mean, dtype=float),
        f"permutation (ROC AUC drop), val, {len(target)} rows, {repeats} repeats",
    )


class _ScoredElsewhere:
    """What :func:`~sklearn.inspection.permutation_importance` is handed as the estimator:
    the scorer scores ``model`` itself, and scikit-learn only checks the object has
    ``fit``, which it never calls (a model needs ``predict_proba`` and ``classes_`` alone:
    one without ``fit`` made every drift.features pair error, final trial)."""

    def fit(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("permutation importance never fits the model")


def _rows(y: np.ndarray, max_rows: int, seed: int) -> np.ndarray:
    """Every risky row (up to half of ``max_rows``) and safe rows to fill ``max_rows``, sorted.

    ROC AUC does not depend on prevalence, and its drop is measured on the risky rows
    as much as on the safe ones: a uniform sample of a rare class would keep a few
    dozen risky rows and make the importances noise.
    """
    risky, safe = np.flatnonzero(y), np.flatnonzero(~y)
    risky_ranks, safe_ranks = sample_ranks(len(risky), len(safe), max_rows, seed)
    return np.sort(np.concatenate([risky[risky_ranks], safe[safe_ranks]]))


def sample_ranks(n_risky: int, n_safe: int, max_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Which risky and which safe rows the importance sample keeps, by rank within their class.

    The draw depends on the class counts only: ``numpy.random.default_rng(seed)`` picks
    ``k = min(n_risky, max_rows // 2)`` of the ``n_risky`` risky rows, then
    ``min(n_safe, max_rows - k)`` of the safe ones, without replacement (``Generator.choice``
    of a count draws the same indices as of an array that long). Rank ``r`` of a class is
    its ``r``-th row in row order (0-based), so an engine can fetch the sample by rank
    (:func:`~sentinel_checks.engine.importance_sample.importance_sample`) without the labels.

    Parameters
    ----------
    n_risky, n_safe : int
        Risky and safe rows of validation.
    max_rows : int
        Most rows sampled (``[drift] importance_rows``).
    seed : int
        ``[gate] seed``.

    Returns
    -------
    (ndarray of int64, ndarray of int64)
        The ranks of the kept risky rows and of the kept safe rows, in draw order.

    Examples
    --------
    >>> y = np.array([True, False, False, True, False, False])
    >>> r, s = sample_ranks(2, 4, 4, seed=0)
    >>> bool((np.sort(np.r_[np.flatnonzero(y)[r], np.flatnonzero(~y)[s]]) == _rows(y, 4, 0)).all())
    True
    """
    rng = np.random.default_rng(seed)
    k = min(n_risky, max_rows // 2)
    risky = rng.choice(n_risky, size=k, replace=False)
    safe = rng.choice(n_safe, size=min(n_safe, max_rows - k), replace=False)
    return np.asarray(risky, dtype=np.int64), np.asarray(safe, dtype=np.int64)


def _native(estimator: Any, features: list[str]) -> np.ndarray | None:
    last = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    values = getattr(last, "feature_importances_", None)
    names = getattr(last, "feature_names_in_", None)
    if values is None or names is None or list(names) != list(features):
        return None
    return np.asarray(values, dtype=float)


def _normalised(features: list[str], values: np.ndarray, source: str) -> FeatureImportance:
    clipped = np.clip(np.nan_to_num(values, nan=0.0), 0.0, None)
    total = float(clipped.sum())
    if total <= 0:
        return FeatureImportance({}, f"none: every importance is ≤ 0 ({source})")
    return FeatureImportance({f: float(v / total) for f, v in zip(features, clipped, strict=True)}, source)
