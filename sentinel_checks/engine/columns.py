"""Column expressions every engine statistic starts from: missing as pandas' ``isna``
counts it (and its count), and a Python or numpy scalar as an Ibis literal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.engine.ibis_connection import whole_count
from sentinel_checks.scalars import python_scalar

if TYPE_CHECKING:
    from ibis.expr.types import BooleanValue, Table, Value


def missing(table: Table, column: str) -> BooleanValue:
    """Whether ``column`` is missing in each row: NULL, or NaN in a float column (what
    pandas' ``isna`` counts; DuckDB and Spark hold NaN as a value).

    Returns
    -------
    ibis BooleanValue
        Never NULL.
    """
    value = table[column]
    if value.type().is_floating():
        return value.isnull() | value.isnan().fill_null(True)
    return value.isnull()


def missing_count(table: Table, column: str) -> int:
    """Rows whose ``column`` is :func:`missing`."""
    return whole_count(table.aggregate(n=missing(table, column).sum()).execute()["n"].iloc[0])


def literal(value: Any) -> Value:
    """``value`` as an Ibis literal (a numpy number as its Python number). A float enters
    SQL as decimal text: compare floats through
    :func:`~sentinel_checks.engine.ibis_connection.with_floats` instead."""
    import ibis

    return ibis.literal(python_scalar(value))
