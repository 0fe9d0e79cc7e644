"""Float predicates written so that every Ibis backend compiles them the same way."""

from __future__ import annotations

from typing import Any

import numpy as np


def infinite(value: Any) -> Any:
    """Whether a float column's value is +inf or -inf: ``|value|`` above the largest finite float.

    Ibis 12 compiles ``isinf()`` for PySpark to ``FALSE OR FALSE`` (its infinity literals
    are lost), so Spark would count ±inf as ordinary values; this comparison reads the
    same on DuckDB and Spark.

    Parameters
    ----------
    value : ibis FloatingValue
        A float64 column expression.

    Returns
    -------
    ibis BooleanValue
        True for ±inf, False for finite values and NaN, NULL for NULL.
    """
    import ibis

    return value.abs() > ibis.literal(float(np.finfo(np.float64).max))


def undefined(value: Any) -> Any:
    """Whether ``value`` (a float64 column expression) is NULL, NaN or ±inf (:func:`infinite`):
    a score no statistic can use. An ibis BooleanValue, never NULL."""
    return value.isnull() | value.isnan().fill_null(True) | infinite(value).fill_null(True)
