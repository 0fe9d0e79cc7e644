"""Scores of the risky class from a loaded model (or a score column)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.errors import ModelLoadError
from sentinel_checks.models.loading import LoadedModel
from sentinel_checks.scalars import python_scalar

#: Rows scored per predict_proba call.
SCORE_CHUNK = 250_000


def positive_column(estimator: Any, positive: Any, *, positive_class: Any = None, role: str = "model") -> int:
    """Which ``predict_proba`` column is the risky class, from the model's ``classes_``.

    A model trained on labels ``["risky", "safe"]`` has the risky class first: taking
    column 1 blindly would score the safe class. Classes are matched strictly by kind:
    a boolean is not a number (``0 in [False, True]`` is true in Python, and a model
    trained on "is risky" with labels risky = 0 would then be scored on P(safe)), and a
    string is not a number; numpy scalars count as their Python kind. One reading is
    allowed across kinds: a boolean model's ``True`` is the risky class when the risky
    label is truthy (``1``, ``"risky"``), since ``label == positive`` and
    ``label.astype(bool)`` then agree; with ``positive = 0`` they do not, and the
    model's ``positive_class`` must say.

    Parameters
    ----------
    estimator : object
        A fitted classifier; without ``classes_``, column 1 is assumed.
    positive : scalar
        The risky label (``[columns] positive``).
    positive_class : scalar, optional
        The model class that is risky (``[models.<role>] positive_class``); when given,
        it alone decides.
    role : str, optional
        The model's role, for error messages.

    Returns
    -------
    int
        0 or 1.

    Raises
    ------
    ModelLoadError
        The model is not binary; ``positive_class`` is not one of its classes; or no
        class has the kind and value of ``positive`` (the message names the model, its
        classes and the key that settles it).

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> model = DummyClassifier().fit([[0], [1]], [False, True])
    >>> positive_column(model, False), positive_column(model, 0, positive_class=True)
    (0, 1)
    """
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return 1
    listed = [python_scalar(c) for c in np.asarray(classes, dtype=object).tolist()]
    shown = " and ".join(_shown(c) for c in listed)
    if len(listed) != 2:
        raise ModelLoadError(
            f"the {role} model knows {len(listed)} classes ({shown}); a binary model is needed"
        )
    if positive_class is not None:
        index = _strict_index(listed, positive_class)
        if index is None:
            raise ModelLoadError(
                f"[models.{role}] positive_class = {_shown(positive_class)} is not one of the "
                f"model's classes {shown} (booleans, numbers and strings differ)"
            )
        return index
    index = _strict_index(listed, positive)
    if index is not None:
        return index
    if {_kind(c) for c in listed} == {"bool"} and _kind(positive) != "bool" and bool(positive):
        # A boolean target built from a truthy risky label ("label == positive" or
        # "label.astype(bool)") makes True the risky class either way; with a falsy one
        # (positive = 0) the two readings disagree, so that case is refused below.
        return listed.index(True)
    if {_kind(c) for c in listed} != {_kind(positive)}:
        raise ModelLoadError(
            f"the {role} model's classes {shown} are not of the kind of the risky label "
            f"([columns] positive = {_shown(positive)}), so which column is risky is ambiguous; "
            f"set [models.{role}] positive_class to the model class that means risky: "
            + " or ".join(f"positive_class = {_shown(c)}" for c in listed)
        )
    raise ModelLoadError(
        f"the {role} model's classes {shown} do not include the positive label {_shown(positive)}; "
        f"set [columns] positive or [models.{role}] positive_class"
    )


def _kind(value: Any) -> str:
    value = python_scalar(value)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else type(value).__name__


def _strict_index(classes: list[Any], wanted: Any) -> int | None:
    wanted = python_scalar(wanted)
    for i, c in enumerate(classes):
        if _kind(c) == _kind(wanted) and c == wanted:
            return i
    return None


def _shown(value: Any) -> str:
    value = python_scalar(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"'{value}'" if isinstance(value, str) else str(value)


def risk_scores(model: LoadedModel, frame: pd.DataFrame, *, features: list[str], positive: Any) -> np.ndarray:
    """The probability of the risky class for every row of ``frame``.

    Parameters
    ----------
    model : LoadedModel
        The model, or the column holding its scores.
    frame : DataFrame, n rows
        Holds ``features`` (or the score column).
    features : list of str
        The columns passed to ``predict_proba``, in this order.
    positive : scalar
        The risky label (``[columns] positive``); the model's own ``positive_class``,
        when set, names its risky class instead.

    Returns
    -------
    ndarray of float64, shape (n,)
        The scores, as given (not yet checked to be finite and in [0, 1]).

    Raises
    ------
    ModelLoadError
        The score column or a feature is missing, ``predict_proba`` raises or does not
        return shape (n, 2), or the risky class cannot be found.
    """
    if model.score_column is not None:
        if model.score_column not in frame.columns:
            raise ModelLoadError(
                f"[models.{model.role}] score_column {model.score_column!r} is not in the data"
            )
        return frame[model.score_column].to_numpy(dtype=float, na_value=np.nan)
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise ModelLoadError(f"{model.role}: feature column(s) {missing} are not in the data")
    assert model.estimator is not None  # a LoadedModel has an estimator or a score column
    try:
        # in chunks: a pipeline's encoded copy of millions of rows is GiBs of floats
        proba = np.concatenate(
            [
                np.asarray(
                    model.estimator.predict_proba(frame.iloc[i : i + SCORE_CHUNK][features]), dtype=np.float64
                )
                for i in range(0, len(frame), SCORE_CHUNK)
            ]
            or [np.empty((0, 2))]
        )
    except Exception as exc:  # the user's model: any exception is a scoring failure
        raise ModelLoadError(
            f"{model.role} model ({model.identity[:23]}) cannot score the configured features: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if proba.ndim != 2 or proba.shape[0] != len(frame) or proba.shape[1] != 2:
        raise ModelLoadError(
            f"{model.role}: predict_proba returned shape {proba.shape} for {len(frame)} rows; "
            "a binary model returns two columns (safe, risky)"
        )
    column = positive_column(model.estimator, positive, positive_class=model.positive_class, role=model.role)
    return proba[:, column]
