"""Split statistics on Ibis tables: time order and entity overlap.

The engine counterparts of :func:`~sentinel_checks.stats.leakage.time_range` and
:func:`~sentinel_checks.entities.shared_entities`, returning the same objects with the
same values (``tests/test_engine_parity.py``); row overlap is
:mod:`~sentinel_checks.engine.row_repeats`. Every row is read; only small aggregates
(counts, a min and a max, the shared ids) come back to Python.

Identity is decided by value joins, never by an engine's ``hash()``. SQL equality
never matches NULL: an entity id with a missing part belongs to no entity (rows
dropped before the join), as in the pandas version. A float NaN counts as missing
(:func:`plain_value`), as in pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.engine.columns import literal
from sentinel_checks.engine.ibis_connection import whole_count, with_floats
from sentinel_checks.entities import SEPARATOR, _integral
from sentinel_checks.result import EVIDENCE_CAP
from sentinel_checks.stats.leakage import SharedIds, TimeRange
from sentinel_checks.stats.time_order import TimeOrder

if TYPE_CHECKING:
    from ibis.expr.types import Table, Value


def plain_value(table: Table, column: str) -> Value:
    """``table[column]`` with a float NaN read as NULL (pandas counts both as missing).

    Raises
    ------
    KeyError
        ``column`` is not in ``table`` (the message names it).
    """
    import ibis

    if column not in table.columns:
        raise KeyError(f"column {column!r} is not in the table (columns: {', '.join(table.columns)})")
    value = table[column]
    if value.type().is_floating():
        return ibis.ifelse(value.isnan(), ibis.null(value.type()), value)
    return value


def time_range(table: Table, column: str, *, tz: str | None = None) -> TimeRange:
    """Count, minimum and maximum of the non-null values of a time column.

    Parameters
    ----------
    table : ibis Table
    column : str
        Datetimes (naive or with a time zone) or numbers (a period, a row position).
    tz : str, optional
        The column's time zone in pandas; DuckDB returns instants in UTC, Spark in its
        (UTC) session zone without a zone, and they are shown in this zone again (same
        instant either way).

    Returns
    -------
    TimeRange
        ``TimeRange(0, None, None)`` when every value is null.
    """
    value = plain_value(table, column)
    row = table.aggregate(n=value.count(), low=value.min(), high=value.max()).to_pandas().iloc[0]
    n = int(row["n"])
    if n == 0:
        return TimeRange(0, None, None)
    return TimeRange(n, _instant(row["low"], tz), _instant(row["high"], tz))


def _instant(value: Any, tz: str | None) -> Any:
    """An engine's minimum or maximum shown in the column's zone ``tz``.

    DuckDB returns a zoned column's instants in UTC with their zone; Spark returns them
    without a zone, in the session's time zone, which the gate sets to UTC
    (:mod:`~sentinel_checks.engine.spark_connection`), so a naive value is UTC here.
    """
    if isinstance(value, pd.Timestamp) and tz is not None:
        utc = value.tz_localize("UTC") if value.tzinfo is None else value
        return utc.tz_convert(tz)
    return value


def time_order(
    earlier: Table, later: Table, column: str, *, gap: pd.Timedelta | float, tz: str | None = None
) -> TimeOrder:
    """Time ranges of two splits and their rows out of order, as
    :func:`~sentinel_checks.checks.ordering.check_time_order` counts them.

    Parameters
    ----------
    earlier, later : ibis Table
    column : str
        The time column (datetimes or numbers), in both tables.
    gap : Timedelta or float
        The embargo, already read in the column's units
        (:func:`~sentinel_checks.data.time_axis.embargo_gap`).
    tz : str, optional
        The column's time zone in pandas (see :func:`time_range`).

    Returns
    -------
    TimeOrder
        Equal to :func:`~sentinel_checks.stats.time_order.time_order` on the same rows.
    """
    first, second = time_range(earlier, column, tz=tz), time_range(later, column, tz=tz)
    if first.n == 0 or second.n == 0:
        return TimeOrder(first, second, 0, 0)
    assert first.max is not None and second.min is not None
    later, late_cut = _with_cut(later, first.max + gap)
    earlier, early_cut = _with_cut(earlier, second.min - gap)
    late, early = plain_value(later, column), plain_value(earlier, column)
    if gap > gap * 0:  # a zero of the gap's own kind (Timedelta or number)
        too_early, too_late = late < late_cut, early > early_cut
    else:
        too_early, too_late = late <= late_cut, early >= early_cut
    bad_later = later.aggregate(k=too_early.cast("int64").sum()).to_pandas().iloc[0]["k"]
    bad_earlier = earlier.aggregate(k=too_late.cast("int64").sum()).to_pandas().iloc[0]["k"]
    return TimeOrder(first, second, whole_count(bad_later), whole_count(bad_earlier))


def _with_cut(table: Table, value: Any) -> tuple[Table, Any]:
    """``table`` and the cut to compare its time column with. A float cut comes in as
    data (:func:`~sentinel_checks.engine.ibis_connection.with_floats`): as a SQL literal
    DuckDB reads its decimal text as a DECIMAL and misses a row equal to it."""
    if isinstance(value, float | np.floating):
        table = with_floats(table, __sentinel_cut=float(value))
        return table, table["__sentinel_cut"]
    return table, literal(value)


def shared_entities(earlier: Table, later: Table, columns: Sequence[str]) -> SharedIds:
    """Entities (one id column or a composite id) present on both sides.

    Rows with any part of the id missing belong to no entity and are dropped first,
    so the equality join never meets a NULL. Distinct ids, shared ids
    (:func:`ids_shared_with`) and the ``later`` rows carrying one (a semi join) are counted
    in the engine, one query each; the shared ids are held
    (:func:`~sentinel_checks.engine.held_table.held`) while they are read. For one id
    column only the
    first :data:`~sentinel_checks.result.EVIDENCE_CAP` shared ids in value order come back
    (``SharedIds.n_shared`` the count), so a leaky split sharing millions of ids does not
    bring them to Python; likewise a composite id whose parts are text or integers, in
    the order of its ``a+b`` text (code point order, as pandas' path sorts it); a composite
    id with another part (a float, a date) has all its shared ids read back and ordered
    by their text as pandas prints them.

    Parameters
    ----------
    earlier, later : ibis Table
    columns : sequence of str
        The id column, or the columns of a composite id, in both tables.

    Returns
    -------
    SharedIds
        The counts and the first shared ids of
        :func:`~sentinel_checks.entities.shared_entities` on the same rows (for one
        column, or text and integer parts, ``shared`` is its ``shared[:EVIDENCE_CAP]``).
    """
    import ibis

    from sentinel_checks.engine.held_table import held

    names = list(columns)
    n_earlier = int(known_ids(earlier, names).count().to_pyarrow().as_py())
    n_later = int(known_ids(later, names).count().to_pyarrow().as_py())
    with held(ids_shared_with(later, [earlier], names)) as shared:  # read three times
        later_rows = _rows_carrying(later, shared, names)
        if len(names) == 1:  # the count, and the first ids in the order numpy sorts them
            n_shared = int(shared.count().to_pyarrow().as_py())
            key = shared.columns[0]
            first = shared.order_by(key).limit(EVIDENCE_CAP).to_pyarrow()
            first_ids = first.column(0).to_numpy(zero_copy_only=False)
            return SharedIds(n_earlier, n_later, np.sort(first_ids), later_rows, n_shared=n_shared)
        if all(shared[c].type().is_string() or shared[c].type().is_integer() for c in shared.columns):
            # a composite id of text and integers: its text is the same in the engine (an
            # integer cast to text as Python prints it), ordered there by code point as
            # Python's sorted() orders it; the count and the first ids come back, not all
            text = ibis.literal(SEPARATOR).join([shared[c].cast("string") for c in shared.columns])
            n_shared = int(shared.count().to_pyarrow().as_py())
            first = shared.select(key=text).order_by("key").limit(EVIDENCE_CAP).to_pyarrow()
            ids = np.asarray(first.column(0).to_pylist(), dtype=object)
            return SharedIds(n_earlier, n_later, ids, later_rows, n_shared=n_shared)
        # other parts (floats, dates, booleans): their text as pandas prints it, all read back
        found = shared.to_pandas()
    text = sorted(SEPARATOR.join(str(v) for v in row) for row in _integral(found).itertuples(index=False))
    return SharedIds(n_earlier, n_later, np.asarray(text, dtype=object), later_rows)


def rows_sharing_entities(table: Table, earlier: Sequence[Table], columns: Sequence[str]) -> int:
    """Rows of ``table`` whose entity id (every part present) occurs in a table of ``earlier``.

    What :func:`~sentinel_checks.engine.split_tables.purge_entities` drops from
    ``table``: with ``earlier`` = train and val, the rows the entity purge would take
    from test. Equal to ``shared_entities(pd.concat(earlier ids), table ids).later_rows``
    of :func:`~sentinel_checks.entities.shared_entities`.

    Takes and raises what :func:`ids_shared_with` does (``columns`` its ``names``);
    returns a row count, 0 when no id is shared.
    """
    names = list(columns)
    return _rows_carrying(table, ids_shared_with(table, earlier, names), names)


def _rows_carrying(table: Table, ids: Table, names: list[str]) -> int:
    """Rows of ``table`` whose id is one of ``ids`` (:func:`ids_shared_with`' columns); a semi join."""
    own = known_ids(table, names, distinct=False)
    keys = list(own.columns)
    return int(own.semi_join(ids, [own[k] == ids[k] for k in keys]).count().to_pyarrow().as_py())


def known_ids(table: Table, names: Sequence[str], *, distinct: bool = True) -> Table:
    """The id columns ``names`` of ``table`` as ``__sentinel_id0``… (NaN read as NULL),
    rows with a NULL part dropped: each distinct id once, or every row's (``distinct=False``).

    An Ibis expression (nothing runs): one column per name, each of the source column's
    type (floats with NaN as NULL: :func:`plain_value`). Raises KeyError naming a column
    ``table`` does not have."""
    ids = table.select(**{f"__sentinel_id{i}": plain_value(table, n) for i, n in enumerate(names)})
    ids = ids.drop_null(list(ids.columns))
    return ids.distinct() if distinct else ids


def ids_shared_with(table: Table, earlier: Sequence[Table], names: Sequence[str]) -> Table:
    """The distinct ids of ``table`` that a table of ``earlier`` holds too (none NULL), as
    :func:`known_ids` names them.

    The earlier tables' ids are matched against ``table``'s own distinct ids (a semi
    join whose hashed side is the later, smaller split), not gathered into one distinct
    set first: at 100M rows, train's 74.8M distinct session ids hashed for one join
    could not be held by DuckDB with a 2GB memory limit (docs/benchmarks.md).

    Parameters
    ----------
    table : ibis Table
        The later split.
    earlier : sequence of ibis Table
        The earlier splits, at least one, on ``table``'s backend; each id column of the
        same type in every table (their rows are unioned).
    names : sequence of str
        The id column, or the columns of a composite id.

    Returns
    -------
    ibis Table
        An expression (nothing runs): the shared ids, one row each, in :func:`known_ids`'
        columns.

    Raises
    ------
    ValueError
        ``earlier`` is empty.
    KeyError, IbisTypeError
        A column is missing, or the id columns' types differ between tables.
    """
    if not earlier:
        raise ValueError("ids_shared_with needs at least one earlier table")
    own = known_ids(table, names)
    rows = [known_ids(t, names, distinct=False) for t in earlier]
    ids = rows[0] if len(rows) == 1 else rows[0].union(*rows[1:], distinct=False)
    return ids.semi_join(own, [ids[k] == own[k] for k in own.columns]).distinct()


def missing_entities(table: Table, columns: Sequence[str]) -> int:
    """Rows whose id (one column, or any part of a composite id) is missing (NULL or NaN).

    Equal to ``missing_ids(...).sum()`` of :func:`~sentinel_checks.entities.missing_ids`
    on the same rows.
    """
    names = list(columns)
    total = int(table.count().to_pyarrow().as_py())
    return total - int(known_ids(table, names, distinct=False).count().to_pyarrow().as_py())
