"""The one mapping of label values to "is risky" (``[columns] positive`` / ``negative``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.config import SentinelConfig
from sentinel_checks.errors import DataError


def binary_target(frame: pd.DataFrame, config: SentinelConfig, *, what: str = "dataset") -> np.ndarray:
    """The label column as a boolean array (True = risky), every row labelled.

    Parameters
    ----------
    frame : DataFrame, n rows
        Holds the ``[columns] label`` column.
    config : SentinelConfig
        Its ``columns`` give the label column and the positive/negative values.
    what : str
        Names the frame in error messages.

    Returns
    -------
    ndarray of bool, shape (n,)

    Raises
    ------
    DataError
        When the label column is missing, has nulls, or a value outside
        positive/negative (see :func:`risky_mask`).
    """
    col = config.columns
    if col.label not in frame.columns:
        raise DataError(f"{_origin(frame, what)}: label column {col.label!r} is missing")
    risky, _ = risky_mask(
        frame[col.label], positive=col.positive, negative=col.negative, where=_origin(frame, what)
    )
    return risky


def risky_mask(
    labels: pd.Series,
    *,
    positive: Any,
    negative: Any,
    where: str,
    allow_unlabelled: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The one mapping of label values to "is risky": ``labels == positive``.

    Parameters
    ----------
    labels : Series, n rows
        Label values (numbers, booleans or strings); its name is the column named in
        errors.
    positive, negative : scalar
        The risky and the safe value (``[columns] positive`` / ``negative``).
    where : str
        Where the labels come from, to start error messages.
    allow_unlabelled : bool, default False
        Accept nulls (labels not arrived yet): they are neither risky nor labelled.

    Returns
    -------
    risky : ndarray of bool, shape (n,)
        True where the label is ``positive``.
    labelled : ndarray of bool, shape (n,)
        True where the label is not null.

    Raises
    ------
    DataError
        On nulls (unless ``allow_unlabelled``) or on a value that is neither
        ``positive`` nor ``negative``.

    Examples
    --------
    >>> risky, labelled = risky_mask(
    ...     pd.Series(["fraud", "legit", None], name="label"),
    ...     positive="fraud", negative="legit", where="demo", allow_unlabelled=True,
    ... )
    >>> risky.tolist(), labelled.tolist()
    ([True, False, False], [True, True, False])
    """
    column = labels.name
    labelled = labels.notna().to_numpy(dtype=bool)
    if not allow_unlabelled and not labelled.all():
        raise DataError(f"{where}: label column {column!r} has {int((~labelled).sum())} null value(s)")
    is_pos = np.asarray(labels.eq(positive).fillna(False), dtype=bool) & labelled
    is_neg = np.asarray(labels.eq(negative).fillna(False), dtype=bool) & labelled
    other = labelled & ~(is_pos | is_neg)
    if other.any():
        values = pd.unique(labels[other])[:5].tolist()
        raise DataError(
            f"{where}: label column {column!r} has {int(other.sum())} value(s) "
            f"outside positive={positive!r} / negative={negative!r}, e.g. {values}"
        )
    return is_pos, labelled


def _origin(frame: pd.DataFrame, what: str) -> str:
    return str(frame.attrs.get("sentinel_origin", what))
