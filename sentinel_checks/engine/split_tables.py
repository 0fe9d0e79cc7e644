"""train/val/test made in the engine from a table read where it lies.

The engine counterpart of :func:`~sentinel_checks.data.splits.build_splits` for the
two methods a filter expresses: ``method = "time"`` (half-open windows on the timestamp
column, the embargo left out after each boundary, then the entity purge as
:func:`~sentinel_checks.data.splits.purge_entity_overlap` does it: entity by entity,
val rows whose id train holds removed, then test rows whose id train or the purged
val holds) and ``method = "column"`` (the split column's three values). Each split
comes with the source's :data:`~sentinel_checks.engine.ibis_connection.ROW`, and is
renumbered 0..m-1 in the source's row order as it is held (:func:`number_rows`): the row's position in
the pandas split frame, which keeps the dataset's order; the source's position (the
pandas split frame's index label) is kept in :data:`SOURCE_ROW`.

The boundaries and the embargo come in already read in the column's units (the
pandas split reads them: :func:`~sentinel_checks.data.time_axis.boundary`); a float
boundary comes in as data (:func:`~sentinel_checks.engine.ibis_connection.with_floats`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.engine.columns import literal as _literal
from sentinel_checks.engine.ibis_connection import ROW, whole_count, with_floats
from sentinel_checks.engine.split_statistics import ids_shared_with, plain_value
from sentinel_checks.entities import EntityKey, entity_columns

if TYPE_CHECKING:
    from ibis.expr.types import BooleanValue, Table

SPLITS = ("train", "val", "test")
#: The row's position in the source (the dataset), kept by each split next to its renumbered
#: :data:`ROW`: the index label the pandas split frame gives the row (evidence lists it).
SOURCE_ROW = "__sentinel_source_row"


def time_windows(
    source: Table,
    column: str,
    *,
    val_start: pd.Timestamp | float,
    test_start: pd.Timestamp | float,
    end: pd.Timestamp | float | None = None,
    gap: pd.Timedelta | float = 0.0,
) -> dict[str, Table]:
    """train ``[.., val_start)``, val ``[val_start + gap, test_start)``, test
    ``[test_start + gap, end)``: the rows of each half-open window, before the entity
    purge (:func:`purge_entities`) and with the source's :data:`ROW` (not renumbered),
    what ``splits.purge`` counts the purge's cost against.

    Parameters
    ----------
    source : ibis Table, n rows, with :data:`ROW`
        The dataset (:func:`~sentinel_checks.engine.parquet_tables.table_from_parquet`,
        or a catalog table with its positions).
    column : str
        The time column (datetimes or numbers, no nulls: the pandas split refuses nulls first).
    val_start, test_start, end : Timestamp or float
        The boundaries in the column's units; ``end`` None: test is unbounded.
    gap : Timedelta or float
        The embargo in the column's units.

    Returns
    -------
    dict of str to ibis Table
        ``train``, ``val``, ``test``, each with the source's :data:`ROW`: purge them, then
        renumber and hold each (Spark: held as made first; :func:`number_rows`;
        :func:`~sentinel_checks.engine.held_table.hold_renumbered`).
    """
    rows, windows = _windows(source, column, val_start, test_start, end, gap)
    keep = [c for c in source.columns]
    return {name: rows.filter(window).select(*keep) for name, window in windows.items()}


def time_window_counts(
    source: Table,
    column: str,
    *,
    val_start: pd.Timestamp | float,
    test_start: pd.Timestamp | float,
    end: pd.Timestamp | float | None = None,
    gap: pd.Timedelta | float = 0.0,
) -> dict[str, int]:
    """The rows of each window of :func:`time_windows` (same arguments), counted in one
    aggregate: ``{"train": n, "val": n, "test": n}``, before the entity purge."""
    rows, windows = _windows(source, column, val_start, test_start, end, gap)
    counts = rows.aggregate(**{k: w.cast("int64").sum() for k, w in windows.items()}).to_pandas().iloc[0]
    return {k: whole_count(counts[k]) for k in windows}


def _windows(
    source: Table,
    column: str,
    val_start: Any,
    test_start: Any,
    end: Any,
    gap: Any,
) -> tuple[Table, dict[str, BooleanValue]]:
    cuts: dict[str, Any] = {"v": val_start, "vg": val_start + gap, "t": test_start, "tg": test_start + gap}
    if end is not None:
        cuts["e"] = end
    floats = {f"__sentinel_{k}": float(v) for k, v in cuts.items() if isinstance(v, float | np.floating)}
    rows = with_floats(source, **floats)

    def cut(key: str) -> Any:
        name = f"__sentinel_{key}"
        return rows[name] if name in floats else _literal(cuts[key])

    time = plain_value(rows, column)
    return rows, {
        "train": time < cut("v"),
        "val": (time >= cut("vg")) & (time < cut("t")),
        "test": (time >= cut("tg")) & (time < cut("e")) if end is not None else time >= cut("tg"),
    }


def split_by_column(source: Table, column: str, values: Mapping[str, Any]) -> dict[str, Table]:
    """The rows whose split column holds each split's value.

    Parameters
    ----------
    source : ibis Table with :data:`ROW`
    column : str
        ``[splits] column``.
    values : mapping of str to str, int, float or bool
        Per split (``train``, ``val``, ``test``) its value in ``column``
        (``[splits] train_value`` …).

    Returns
    -------
    dict of str to ibis Table
        As :func:`time_windows`, no purge.
    """
    return {name: source.filter(source[column] == _literal(values[name])) for name in SPLITS}


def source_positions(table: Table, positions: Sequence[int]) -> list[int]:
    """The source positions (:data:`SOURCE_ROW`) of the rows of a split at ``positions``
    (its :data:`ROW`), in that order; the positions go in as data.

    Raises
    ------
    KeyError
        ``table`` is not a split this module made (no :data:`SOURCE_ROW`).
    """
    import ibis
    import pyarrow as pa

    if SOURCE_ROW not in table.columns:
        raise KeyError(f"the table has no {SOURCE_ROW} column: not a split made in the engine")
    if not len(positions):
        return []
    wanted = ibis.memtable(pa.table({ROW: pa.array(list(positions), type=pa.int64())}))
    rows = table.select(ROW, SOURCE_ROW).semi_join(wanted, ROW).to_pyarrow().to_pandas()
    by_position = dict(zip(rows[ROW].tolist(), rows[SOURCE_ROW].tolist(), strict=True))
    return [int(by_position[p]) for p in positions]


def purge_entities(
    parts: dict[str, Table], entities: Sequence[EntityKey], *, releases: list[Callable[[], None]]
) -> dict[str, Table]:
    """Rows of an entity an earlier split holds, removed from the later splits.

    Entity by entity, in order: val loses the rows whose id train holds; test loses
    the rows whose id train or the purged val holds. A row with a missing id part
    (NULL or NaN) belongs to no entity and stays (an anti join never matches NULL).
    Equal to :func:`~sentinel_checks.data.splits.purge_entity_overlap`.

    Each step's purged val and test are held
    (:func:`~sentinel_checks.engine.held_table.hold`) before the next step reads them, so
    that no query holds more than one anti join's ids: in one query, the test split
    purged by two keys holds the distinct ids of both keys, of train and of val at once
    (at 100M rows on DuckDB it could not be held with a 2GB or 3GB memory limit;
    docs/benchmarks.md). A step's holds are released once the next step's are made.

    Parameters
    ----------
    parts : dict of str to ibis Table
        ``train``, ``val``, ``test`` (:func:`time_windows`), on one backend.
    entities : sequence of str or of lists of str
        The entity keys, in purge order; every column must be in each part.
    releases : list of callables
        The run's releases: the last step's release functions are appended (the caller
        releases them once it has held the splits), and so is any release that fails
        now (:func:`~sentinel_checks.engine.held_table.release_or_defer`).

    Returns
    -------
    dict of str to ibis Table
        ``train`` as given; ``val`` and ``test`` purged and held (as given when
        ``entities`` is empty).

    Raises
    ------
    KeyError
        An entity column is not in the parts (the gate checks this first, in pandas'
        words, when it plans the split in the engine).
    Exception
        The engine's own, when it cannot hold a step (on DuckDB: out of memory): what
        this call held is released first.
    """
    from sentinel_checks.engine.held_table import release_or_defer

    train, val, test = parts["train"], parts["val"], parts["test"]
    held: list[Callable[[], None]] = []  # this call's holds not yet released
    try:
        for key in entities:
            names = entity_columns(key)
            earlier = len(held)
            val = _held(_without_ids(val, ids_shared_with(val, [train], names), names), held)
            test = _held(_without_ids(test, ids_shared_with(test, [train, val], names), names), held)
            done, held[:earlier] = held[:earlier], []  # the new holds no longer read them
            release_or_defer(done, releases)
    except BaseException:
        release_or_defer(held, releases)  # the engine's error is the one to tell, not the cleanup's
        raise
    releases.extend(held)
    return {"train": train, "val": val, "test": test}


def _held(table: Table, held: list[Callable[[], None]]) -> Table:
    """``table`` held (:func:`~sentinel_checks.engine.held_table.hold`), its release in ``held``."""
    from sentinel_checks.engine.held_table import hold

    out, release = hold(table, prefix="sentinel_purge")
    held.append(release)
    return out


def _without_ids(table: Table, ids: Table, names: list[str]) -> Table:
    predicates = [plain_value(table, n) == ids[f"__sentinel_id{i}"] for i, n in enumerate(names)]
    return table.anti_join(ids, predicates)


def number_rows(table: Table) -> Table:
    """``table`` with :data:`ROW` renumbered 0..m-1 in its order, the old :data:`ROW` kept
    in :data:`SOURCE_ROW` (the columns in their order, then :data:`SOURCE_ROW`).

    The window orders only the positions (one int64 column) and the rows join back on
    them. A window ordered over whole rows sorts every column of the split (and, past
    the engine's memory limit, spills them): on a 7.4M-row train split on DuckDB with a
    1 GB limit, 28 s against 14 s (docs/benchmarks.md). ``table`` is read twice, once for
    each side of the join: run it on a filter over the files or on a held table
    (:func:`~sentinel_checks.engine.held_table.hold`; over an unheld purge, the engine
    would compute the purge twice).
    """
    import ibis

    rows = table.select(ROW)
    positions = rows.mutate(**{_POSITION: ibis.row_number().over(order_by=rows[ROW]).cast("int64")})
    joined = table.join(positions, ROW)
    return joined.mutate(**{SOURCE_ROW: joined[ROW], ROW: joined[_POSITION]}).drop(_POSITION)


#: The renumbered position while it is joined back (:func:`number_rows`).
_POSITION = "__sentinel_position"
