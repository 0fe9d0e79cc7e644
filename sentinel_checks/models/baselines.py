"""The simple models a candidate must beat, trained on the same clean train split.

Baseline A: class-weighted logistic regression (one-hot categoricals, imputed and
scaled numbers). Baseline B: small class-weighted gradient-boosted trees
(depth 3, 100 iterations). Both are plain scikit-learn and seeded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sentinel_checks.errors import DataError
from sentinel_checks.models.loading import LoadedModel

BASELINE_NAMES = ("baseline_logistic_regression", "baseline_small_boosted_trees")


def _columns(frame: pd.DataFrame, features: list[str]) -> tuple[list[str], list[str]]:
    numeric, categorical = [], []
    for f in features:
        dtype = frame[f].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            numeric.append(f)
        elif not pd.api.types.is_datetime64_any_dtype(dtype):
            categorical.append(f)
    return numeric, categorical


def _encoder(numeric: list[str], categorical: list[str], *, scale: bool) -> ColumnTransformer:
    numbers = make_pipeline(SimpleImputer(strategy="median"), *([StandardScaler()] if scale else []))
    categories = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="(missing)"),
        OneHotEncoder(handle_unknown="ignore", max_categories=50, sparse_output=False),
    )
    return ColumnTransformer([("numbers", numbers, numeric), ("categories", categories, categorical)])


BASELINE_KINDS = {"baseline_logistic_regression": "logistic", "baseline_small_boosted_trees": "boosting"}


def fit_baselines(
    train: pd.DataFrame,
    y: np.ndarray,
    *,
    features: list[str],
    seed: int,
    max_rows: int | None = 50_000,
) -> dict[str, LoadedModel]:
    """Fit both baselines (class-weighted) on ``train``; returns them ready to score like any model.

    A train split larger than ``max_rows`` is subsampled (stratified by the label,
    seeded) for fitting: baselines are reference points, and their evaluation still
    uses every test row. Each baseline is fitted once (the gate session keeps them).
    The 50,000-row default bounds the fit cost at every size (on the demo's 155,545
    train rows it takes about a third of the CPU, with the same verdicts).

    Parameters
    ----------
    train : DataFrame, n rows
        The train split; holds every column of ``features``.
    y : ndarray of bool, shape (n,)
        The label of each row (True = risky).
    features : list of str
        The columns fitted on; numeric columns are imputed (and scaled for the
        logistic model), the others one-hot encoded.
    seed : int
        Seeds the subsample and the boosted trees (``[gate] seed``).
    max_rows : int or None, default 50,000
        At most this many train rows are used for fitting (``[quality]
        baseline_max_train_rows``); None fits on every row.

    Returns
    -------
    dict of str to LoadedModel
        ``baseline_logistic_regression`` and ``baseline_small_boosted_trees``.

    Raises
    ------
    DataError
        The train split has one class only.
    """
    return {
        name: fit_simple_model(
            train,
            y,
            kind=kind,
            name=name,
            features=features,
            class_weight="balanced",
            seed=seed,
            max_rows=max_rows,
        )
        for name, kind in BASELINE_KINDS.items()
    }


def fit_simple_model(
    train: pd.DataFrame,
    y: np.ndarray,
    *,
    kind: str,
    name: str,
    features: list[str],
    class_weight: str | None,
    seed: int,
    max_rows: int | None = None,
) -> LoadedModel:
    """One simple model: ``kind`` ``"logistic"`` (one-hot, imputed, scaled; logistic
    regression) or ``"boosting"`` (depth 3, 100 iterations of histogram boosting).

    Parameters
    ----------
    train : DataFrame, n rows
        The rows fitted on; holds every column of ``features``.
    y : ndarray of bool, shape (n,)
        The label of each row (True = risky).
    kind : {"logistic", "boosting"}
        The model family.
    name : str
        The model's role and identity (``"baseline:<name>"``).
    features : list of str
        The columns fitted on.
    class_weight : {"balanced", None}
        Passed to the estimator.
    seed : int
        Seeds the subsample and the boosted trees.
    max_rows : int, optional
        Subsample (stratified, seeded) to at most this many rows before fitting.

    Returns
    -------
    LoadedModel
        The fitted pipeline, scoring a frame of ``features`` like a loaded model.

    Raises
    ------
    DataError
        ``y`` has one class only.
    ValueError
        ``kind`` is unknown.
    """
    y = np.asarray(y, dtype=bool)
    if len(np.unique(y)) < 2:
        raise DataError("the train split has one class: baselines cannot be trained")
    if max_rows is not None and len(train) > max_rows:
        keep = fitting_positions(y, max_rows=max_rows, seed=seed)
        train, y = train.iloc[keep], y[keep]
    numeric, categorical = _columns(train, features)
    if kind == "logistic":
        estimator: object = LogisticRegression(max_iter=1000, class_weight=class_weight)
    elif kind == "boosting":
        estimator = HistGradientBoostingClassifier(
            max_depth=3, max_iter=100, class_weight=class_weight, early_stopping=False, random_state=seed
        )
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    model = Pipeline(
        [("encode", _encoder(numeric, categorical, scale=kind == "logistic")), ("model", estimator)]
    )
    model.fit(_as_model_input(train, numeric, categorical), y.astype(int))
    # fitted on the risky mask as 0/1: class 1 is risky whatever the label's values
    estimator = _Reframe(model, numeric, categorical)
    return LoadedModel(name, estimator, None, f"baseline:{name}", tuple(features), positive_class=1)


def _as_model_input(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    x = frame[numeric + categorical].copy()
    for c in numeric:
        x[c] = pd.to_numeric(x[c], errors="coerce").astype(float)
    for c in categorical:
        x[c] = x[c].astype("string").astype(object).where(x[c].notna(), np.nan)
    return x


class _Reframe:
    """Presents a baseline as a model scoring the configured feature frame."""

    def __init__(self, model: Pipeline, numeric: list[str], categorical: list[str]) -> None:
        self.model = model
        self.numeric = numeric
        self.categorical = categorical
        self.classes_ = np.array([0, 1])

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict_proba(_as_model_input(frame, self.numeric, self.categorical)))


def fitting_positions(y: np.ndarray, *, max_rows: int, seed: int) -> np.ndarray:
    """The train rows a baseline is fitted on when the split holds more than ``max_rows``.

    scikit-learn's stratified, seeded draw:
    ``train_test_split(np.arange(n), train_size=max_rows, stratify=y, random_state=seed)``.

    Parameters
    ----------
    y : ndarray of bool, shape (n,)
        The label of each train row (True = risky); ``n > max_rows``.
    max_rows : int
        Rows drawn (``[quality] baseline_max_train_rows``).
    seed : int
        ``[gate] seed``.

    Returns
    -------
    ndarray of int64, shape (max_rows,)
        Row positions, ascending.

    Raises
    ------
    ValueError
        As scikit-learn raises it: a class has one row, or ``max_rows`` or the rows
        left out are fewer than the classes.
    """
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(np.arange(len(y)), train_size=max_rows, stratify=y, random_state=seed)
    return np.sort(keep)


def fitting_ranks(safe: int, risky: int, *, max_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fitting_positions` from the class counts alone: which safe and which risky
    rows are drawn, as ranks within their class (0 = the class's first row by position).

    ``StratifiedShuffleSplit`` (scikit-learn 1.9, ``_iter_indices``) splits each class's
    positions, ascending, and takes those at ``permutation(count)[:n_i]``, with ``n_i``
    from ``_approximate_mode`` and every draw from one ``RandomState(seed)`` in the order
    below; the rows drawn therefore depend only on the class counts and on each row's
    rank within its class, which an engine computes (``row_number`` over the class,
    ordered by position). ``tests/test_engine_baselines.py`` checks the ranks against
    :func:`fitting_positions` over many counts, sizes and seeds (a scikit-learn that
    draws otherwise fails it).

    Memory: the permutation of each class is drawn whole, as scikit-learn draws it:
    8 bytes per train row of the larger class (int64), once per run.

    Parameters
    ----------
    safe, risky : int
        Safe and risky rows of the train split (``safe + risky > max_rows``).
    max_rows : int
        Rows drawn (``[quality] baseline_max_train_rows``).
    seed : int
        ``[gate] seed``.

    Returns
    -------
    (safe_ranks, risky_ranks) : two ndarrays of int64, ascending
        Their lengths sum to ``max_rows``.

    Raises
    ------
    ValueError
        As :func:`fitting_positions` (the same conditions, in scikit-learn's words); a
        class with no row (the caller reports one class first).
    """
    from sklearn.utils import check_random_state
    from sklearn.utils.extmath import _approximate_mode

    counts = np.array([safe, risky], dtype=np.int64)
    n_train, n_test = max_rows, int(counts.sum()) - max_rows
    if counts.min() < 2:
        raise ValueError(
            "The least populated classes in y have only 1 member, which is too few. The minimum "
            "number of groups for any class cannot be less than 2. Classes with too few members "
            f"are: {[bool(i) for i in np.flatnonzero(counts < 2)]}"
        )
    for what, size in (("train_size", n_train), ("test_size", n_test)):
        if size < 2:
            raise ValueError(f"The {what} = {size} should be greater or equal to the number of classes = 2")
    rng = check_random_state(seed)
    n_i = _approximate_mode(counts, n_train, rng)
    _approximate_mode(counts - n_i, n_test, rng)  # the held-out rows' share: drawn to keep the stream
    safe_ranks, risky_ranks = (np.sort(rng.permutation(counts[i])[: n_i[i]]).astype(np.int64) for i in (0, 1))
    return safe_ranks, risky_ranks
