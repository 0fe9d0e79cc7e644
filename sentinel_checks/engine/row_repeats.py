"""Row overlap on Ibis tables: rows of one split equal to rows of another, the rows of a
split repeating each other, and the columns unique per row.

The engine counterparts of :func:`~sentinel_checks.stats.row_repeats.row_repeats` and
:func:`~sentinel_checks.stats.row_repeats.unique_per_row`, returning the same objects
with the same values (``tests/test_engine_parity.py``). Rows are compared by value
(``IS NOT DISTINCT FROM``: a missing value matches a missing value, a float NaN counts
as missing), never by an engine's ``hash()``; only the positions of repeated rows and
counts come back to Python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sentinel_checks.engine.ibis_connection import ROW, whole_count
from sentinel_checks.engine.split_statistics import plain_value
from sentinel_checks.stats.row_repeats import RowRepeats

if TYPE_CHECKING:
    from ibis.expr.types import Table


def row_repeats(
    earlier: Table,
    later: Table,
    columns: Sequence[str],
    *,
    within: Callable[[], int] | None = None,
) -> RowRepeats:
    """Rows of ``later`` equal to a row of ``earlier`` over ``columns`` (missing equals
    missing), and rows of ``earlier`` another of its rows repeats.

    Parameters
    ----------
    earlier : ibis Table, n rows
    later : ibis Table, m rows, with the row positions :data:`ROW`
        (:func:`~sentinel_checks.engine.ibis_connection.table_from_frame`).
    columns : sequence of str
        The columns compared, in both tables; none compares nothing (every row of
        ``later`` repeats a non-empty ``earlier``, as the pandas version).
    within : callable, optional
        Gives :func:`repeats_within` of ``earlier`` over ``columns`` (a session asks it
        once per split and columns: train is the earlier split of two pairs); default
        computes it. Either way it runs when ``within`` is first read, not here.

    Returns
    -------
    RowRepeats
        Equal to :func:`~sentinel_checks.stats.row_repeats.row_repeats`; ``mask`` has
        shape (m,), in ``later``'s row order.

    Raises
    ------
    ValueError
        ``later`` has no :data:`ROW` column (a parquet scan has no row positions).
    """
    if ROW not in later.columns:
        raise ValueError(f"row_repeats needs the row positions of the later split (column {ROW})")
    names = list(columns)
    m = int(later.count().to_pyarrow().as_py())
    n = int(earlier.count().to_pyarrow().as_py())
    mask = np.zeros(m, dtype=bool)
    if not names:
        mask[:] = n > 0
        return RowRepeats(mask, int(mask.sum()), n if n > 1 else 0)
    left = later.select(ROW, **{name: plain_value(later, name) for name in names})
    # a semi join keeps each left row once however many right rows match: no DISTINCT
    right = earlier.select(**{name: plain_value(earlier, name) for name in names})
    # SQL equality never matches NULL; IS NOT DISTINCT FROM matches missing with missing
    predicates = [left[name].identical_to(right[name]) for name in names]
    positions = left.semi_join(right, predicates).select(ROW).to_pyarrow().column(0).to_numpy()
    mask[positions] = True
    return RowRepeats(mask, int(mask.sum()), within or (lambda: repeats_within(earlier, names)))


def repeats_within(table: Table, columns: Sequence[str]) -> int:
    """Rows of ``table`` whose values over ``columns`` another of its rows has (missing
    equals missing): the ``within`` of :class:`~sentinel_checks.stats.row_repeats.RowRepeats`.

    Parameters
    ----------
    table : ibis Table, n rows
    columns : sequence of str
        At least one column of ``table``.

    Returns
    -------
    int
        The rows in groups of two or more equal rows (one ``GROUP BY`` over every row).
    """
    import ibis

    names = list(columns)
    groups = table.select(**{name: plain_value(table, name) for name in names}).group_by(names)
    sizes = groups.aggregate(k=ibis._.count())
    within = sizes.filter(sizes.k > 1).aggregate(total=sizes.k.sum()).to_pandas().iloc[0]["total"]
    return whole_count(within)


def unique_per_row(table: Table, columns: Sequence[str]) -> list[str]:
    """The columns of ``table`` unique per row by
    :func:`~sentinel_checks.stats.row_repeats.unique_per_row`'s rule, from engine counts
    (one aggregate: the rows and each float column's non-missing values that are infinite
    or not whole; a second: the distinct non-missing values of the columns left).

    Parameters
    ----------
    table : ibis Table, n rows
    columns : sequence of str
        The columns looked at, each in ``table``.

    Returns
    -------
    list of str
        Equal to the pandas rule on the frame: in the order of ``columns``; empty when
        ``table`` has fewer than ``UNIQUE_MIN_ROWS`` rows; booleans and floats holding a
        fractional or infinite value never listed.
    """
    from sentinel_checks.stats.row_repeats import UNIQUE_MIN_ROWS, UNIQUE_SHARE

    looked = [c for c in columns if not table[c].type().is_boolean()]
    measures: dict[str, Any] = {"__sentinel_n": table.count()}
    for i, name in enumerate(looked):
        value = plain_value(table, name)
        if value.type().is_floating():
            # x % 1, not floor(x) != x: Ibis' floor casts to int64, which an infinite or
            # huge value overflows (DuckDB raised on a column holding inf; parity test)
            fractional = value.notnull() & (value.isinf() | (value % 1 != 0))
            measures[f"__sentinel_f{i}"] = fractional.fill_null(False).sum()
    counts = table.aggregate(**measures).execute().iloc[0]
    n = whole_count(counts["__sentinel_n"])
    if n < UNIQUE_MIN_ROWS:
        return []
    # a measurement (a float holding a fraction), copied with its event, is never listed:
    # its distinct values are not counted (10M rows: the costliest of the counts)
    counted = [c for i, c in enumerate(looked) if not whole_count(counts.get(f"__sentinel_f{i}", 0))]
    if not counted:
        return []
    # NaN as NULL: pandas' nunique drops both
    distinct = (
        table.aggregate(
            **{f"__sentinel_d{i}": plain_value(table, c).nunique() for i, c in enumerate(counted)}
        )
        .execute()
        .iloc[0]
    )
    return [c for i, c in enumerate(counted) if whole_count(distinct[f"__sentinel_d{i}"]) >= UNIQUE_SHARE * n]
