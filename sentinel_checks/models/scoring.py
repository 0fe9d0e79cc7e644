"""Scores of the risky class from a loaded model (or a score column)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.errors import ModelLoadError
from sentinel_checks.models.loading import LoadedModel

#: Rows scored per predict_proba call.
SCORE_CHUNK = 250_000


def positive_column(estimator: Any, positive: Any) -> int:
    """Which ``predict_proba`` column is the risky class, from the model's ``classes_``.

    A model trained on labels ``["risky", "safe"]`` has the risky class first: taking
    column 1 blindly would score the safe class.

    Parameters
    ----------
    estimator : object
        A fitted classifier; without ``classes_``, column 1 is assumed.
    positive : scalar
        The risky label (``[columns] positive``); ``True`` and ``1`` are tried next.

    Returns
    -------
    int
        0 or 1.

    Raises
    ------
    ModelLoadError
        The model is not binary, or none of its classes is the positive label.
    """
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return 1
    listed = list(np.asarray(classes).tolist())
    if len(listed) != 2:
        raise ModelLoadError(f"the model knows {len(listed)} classes {listed}; a binary model is needed")
    for candidate in (positive, True, 1):
        if candidate in listed:
            return listed.index(candidate)
    raise ModelLoadError(f"the model's classes {listed} do not include the positive label {positive!r}")


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
        The risky label (``[columns] positive``).

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
    return proba[:, positive_column(model.estimator, positive)]
