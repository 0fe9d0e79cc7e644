"""The label column counted in the engine: which rows are risky, and the label's values
checked as :func:`~sentinel_checks.data.labels.risky_mask` checks them, in its words.

The distinct values are grouped in the engine (with their row count and first row,
:data:`~sentinel_checks.engine.ibis_connection.ROW`); only those groups leave it, and they
are compared with ``[columns] positive`` / ``negative`` by pandas' ``eq``, so a value of
another type than the column's equals nothing, as on the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sentinel_checks.engine.columns import literal, missing_count
from sentinel_checks.engine.ibis_connection import ROW
from sentinel_checks.errors import DataError

if TYPE_CHECKING:
    import pandas as pd
    from ibis.expr.types import BooleanValue, Table


def risky(table: Table, label: str, positive: Any) -> BooleanValue:
    """Whether each row's ``label`` equals ``positive`` (a missing label is not risky).

    Raises
    ------
    Exception
        Ibis refuses to compare the column with ``positive`` (e.g. text with a number):
        callers that accept any config check :func:`~.split_checks.fits` first or name it.
    """
    return (table[label] == literal(positive)).fill_null(False)


def levels(table: Table, label: str) -> pd.DataFrame:
    """The distinct present values of ``label`` (a float NaN is missing, as in pandas),
    with their rows and first row, in first-row order.

    Returns
    -------
    DataFrame
        Columns ``v`` (the value), ``n`` (int64 rows), ``first`` (int64 :data:`ROW`), one
        row per distinct value, sorted by ``first``.
    """
    from sentinel_checks.engine.split_statistics import plain_value

    value = plain_value(table, label)
    present = table.filter(value.notnull()).select(v=value, r=table[ROW])
    groups = present.group_by("v").aggregate(n=present.count(), first=present.r.min())
    out = groups.order_by("first").execute()
    return out.astype({"n": "int64", "first": "int64"})


def label_counts(
    table: Table, label: str, *, positive: Any, negative: Any, where: str, allow_unlabelled: bool = False
) -> tuple[int, int]:
    """(risky rows, labelled rows) of ``table``, its label checked as
    :func:`~sentinel_checks.data.labels.risky_mask` checks it, same words.

    Parameters
    ----------
    table : ibis Table, n rows, with :data:`ROW`
    label : str
        ``[columns] label``, a column of ``table``.
    positive, negative : object
        ``[columns] positive`` / ``negative``.
    where : str
        Where the rows come from, to start error messages.
    allow_unlabelled : bool, default False
        Accept missing labels (not arrived yet): neither risky nor labelled.

    Returns
    -------
    tuple of (int, int)

    Raises
    ------
    DataError
        A missing label (NULL or NaN) unless ``allow_unlabelled``, or a value neither
        ``positive`` nor ``negative``: counted, with the first five such values in row order.
    """
    nulls = missing_count(table, label)
    if nulls and not allow_unlabelled:
        raise DataError(f"{where}: label column {label!r} has {nulls} null value(s)")
    found = levels(table, label)
    values, rows = found["v"], found["n"].to_numpy(dtype=np.int64)
    is_pos = values.eq(positive).fillna(False).to_numpy(dtype=bool)
    other = ~(is_pos | values.eq(negative).fillna(False).to_numpy(dtype=bool))
    if other.any():
        shown = values[other].tolist()[:5]
        raise DataError(
            f"{where}: label column {label!r} has {int(rows[other].sum())} value(s) "
            f"outside positive={positive!r} / negative={negative!r}, e.g. {shown}"
        )
    return int(rows[is_pos].sum()), int(rows.sum())
