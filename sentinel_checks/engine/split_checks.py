"""What the pandas split refuses or reports, counted in the engine on a table read where it
lies: split values outside the configured three, timestamps finer than a microsecond, and
the rows (and risky rows) the entity purge took from val and test. Missing timestamps are
counted by :func:`~sentinel_checks.engine.columns.missing_count`.

Each returns counts or a handful of values; only those leave the engine. The gate session
(:class:`~sentinel_checks.gate.session_engine.SessionEngine`) turns them into the errors
:func:`~sentinel_checks.data.splits.build_splits` raises, in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sentinel_checks.engine.columns import literal, missing
from sentinel_checks.engine.ibis_connection import ROW, whole_count
from sentinel_checks.engine.labels import risky
from sentinel_checks.entities import PurgeLoss

if TYPE_CHECKING:
    from ibis.expr.types import Table


def row_count(table: Table) -> int:
    """Rows of ``table``."""
    return int(table.count().execute())


def value_at(table: Table, column: str, position: int) -> Any:
    """``column`` of the row at ``position`` (:data:`ROW`), as pandas reads it."""
    rows = table.filter(table[ROW] == position).select(column).execute()
    return rows[column].iloc[0]


def unknown_values(
    table: Table, column: str, known: Sequence[Any], *, limit: int = 5
) -> tuple[int, list[Any]]:
    """Rows whose ``column`` is missing or holds none of ``known``, and the first ``limit``
    such distinct values in row order (what ``pd.unique(values[~known])[:limit]`` lists).

    Returns
    -------
    tuple of (int, list)
        The count, and the values (``None`` for a missing one).
    """
    value = table[column]
    outside = missing(table, column) | ~value.isin([literal(v) for v in known]).fill_null(False)
    rows = table.filter(outside)
    count = row_count(rows)
    if not count:
        return 0, []
    first = rows.group_by(column).aggregate(__sentinel_first=rows[ROW].min())
    shown = first.order_by("__sentinel_first").limit(limit).execute()[column]
    return count, [None if v is None or v != v else v for v in shown.tolist()]


def finer_than_microseconds(table: Table) -> str | None:
    """The first datetime column holding a value with a sub-microsecond part, or None
    (:func:`~sentinel_checks.engine.ibis_connection.check_microseconds` on the frame)."""
    import ibis.expr.datatypes as dt

    for name in table.columns:
        kind = table[name].type()
        if not kind.is_timestamp() or (kind.scale or 0) <= 6:
            continue
        value = table[name]
        finer = (value.cast(dt.Timestamp(timezone=kind.timezone, scale=6)) != value).fill_null(False)
        if whole_count(table.aggregate(n=finer.sum()).execute()["n"].iloc[0]):
            return name
    return None


def purge_losses(
    before: Mapping[str, Table], after: Mapping[str, Table], *, label: str, positive: Any
) -> tuple[PurgeLoss, ...]:
    """What the entity purge cost val and test: rows, and risky rows (``label`` equal to
    ``positive``; a missing label is not risky), before and after; equal to
    :func:`~sentinel_checks.entities.purge_losses` on the pandas assignment.

    Parameters
    ----------
    before, after : mapping of str to ibis Table
        ``"val"`` and ``"test"`` before the purge (:func:`~.split_tables.time_windows`)
        and after it (:func:`~.split_tables.purge_entities`).
    label : str
        ``[columns] label``; positives are None when the table lacks it.
    positive : object
        ``[columns] positive``.
    """

    def counted(table: Table) -> tuple[int, int | None]:
        if label not in table.columns:
            return row_count(table), None
        out = table.aggregate(n=table.count(), risky=risky(table, label, positive).sum()).execute()
        return int(out["n"].iloc[0]), whole_count(out["risky"].iloc[0])

    losses = []
    for split in ("val", "test"):
        (rows_before, pos_before), (rows_after, pos_after) = counted(before[split]), counted(after[split])
        losses.append(PurgeLoss(split, rows_before, rows_after, pos_before, pos_after))
    return tuple(losses)


def fits(kind: Any, values: Sequence[Any]) -> bool:
    """Whether ``values`` compare with a column of Ibis type ``kind`` as pandas compares
    them (text with text, numbers with numbers, booleans with booleans)."""
    if kind.is_boolean():
        return all(isinstance(v, bool) for v in values)
    if kind.is_numeric():
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if kind.is_string():
        return all(isinstance(v, str) for v in values)
    return False
