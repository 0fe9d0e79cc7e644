"""Rows picked by their rank within their class, joined by value to data drawn in numpy.

Three engine readings reproduce a pandas draw that depends only on the class counts and
on each row's rank within its class (risky or safe) in row order: the baselines' fitting
subsample (:mod:`~sentinel_checks.engine.baseline_rows`), permutation importance's sample
(:mod:`~sentinel_checks.engine.importance_sample`) and target leakage's cross-fitting
folds (:func:`~sentinel_checks.engine.encoding_statistics.with_folds`).
:func:`join_class_ranks` numbers each class's rows in the engine (``row_number`` over the
class, ordered by :data:`~sentinel_checks.engine.ibis_connection.ROW`, 0-based) and joins
them by value to the drawn (class, rank, ...) rows, uploaded as a small Arrow table —
sent as data, never as SQL text nor through an engine hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sentinel_checks.engine.ibis_connection import ROW
from sentinel_checks.engine.labels import risky as label_risky

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.expr.types import Table

#: The bool column :func:`join_class_ranks` adds: whether the row is risky.
RISKY = "__sentinel_risky"
#: The row's 0-based rank within its class (engine side and uploaded side).
RANK = "__sentinel_class_rank"


def rank_dtype(top: int) -> np.dtype:
    """int32 when every rank up to ``top`` fits in it (``top < 2**31``), else int64."""
    return np.dtype(np.int32) if top < 2**31 else np.dtype(np.int64)


def _keyed(
    safe_ranks: np.ndarray,
    risky_ranks: np.ndarray,
    columns: Mapping[str, tuple[pa.Array, pa.Array]],
) -> pa.Table:
    import pyarrow as pa

    safe = np.asarray(safe_ranks)
    risky = np.asarray(risky_ranks)
    top = max(int(safe.max(initial=0)), int(risky.max(initial=0)))
    dtype = rank_dtype(top)
    flags = np.zeros(len(safe) + len(risky), dtype=bool)
    flags[len(safe) :] = True
    data: dict[str, Any] = {
        RISKY: pa.array(flags, type=pa.bool_()),
        RANK: pa.array(np.concatenate([safe.astype(dtype, copy=False), risky.astype(dtype, copy=False)])),
    }
    for name, (safe_values, risky_values) in columns.items():
        data[name] = pa.concat_arrays([safe_values, risky_values])
    return pa.table(data)


def join_class_ranks(
    table: Table,
    *,
    label: str,
    positive: Any,
    safe_ranks: np.ndarray,
    risky_ranks: np.ndarray,
    columns: Mapping[str, tuple[pa.Array, pa.Array]] | None = None,
) -> Table:
    """The rows of ``table`` at the given ranks within their class, with :data:`RISKY`
    and the drawn ``columns`` joined by value.

    Parameters
    ----------
    table : ibis Table, n rows, with :data:`ROW` holding 0..n-1 and ``label``
        Its labels checked beforehand (every row ``positive`` or the negative value).
    label : str
        ``[columns] label``.
    positive : scalar
        ``[columns] positive``: a row is risky when its label equals it
        (:func:`~sentinel_checks.engine.labels.risky`).
    safe_ranks, risky_ranks : ndarray of int, shapes (s,), (r,)
        0-based ranks, in :data:`ROW` order, within the safe rows and within the risky
        rows; each distinct. Uploaded as int32 (int64 when a rank is 2**31 or more).
    columns : mapping of str to (pyarrow Array of s values, pyarrow Array of r values), optional
        Values drawn per listed rank (e.g. the cross-fitting fold), joined onto the
        rows; without it the rows are only filtered (a semi join).

    Returns
    -------
    ibis Table, one row per listed (class, rank) present in ``table``, in no order
        ``table``'s columns, :data:`RISKY` (bool), then ``columns``; :data:`RANK` is
        not kept.

    Raises
    ------
    ValueError
        ``columns`` values whose lengths differ from their ranks'.
    """
    import ibis

    columns = dict(columns or {})
    for name, (safe_values, risky_values) in columns.items():
        if len(safe_values) != len(safe_ranks) or len(risky_values) != len(risky_ranks):
            raise ValueError(
                f"column {name!r}: {len(safe_values)} + {len(risky_values)} values for "
                f"{len(safe_ranks)} + {len(risky_ranks)} ranks"
            )
    flagged = table.mutate(**{RISKY: label_risky(table, label, positive)})
    # the window ranks the (row, class) pairs alone and the picked rows join back on ROW:
    # ordered over whole rows it sorted every column (as split_tables.number_rows found)
    keys = flagged.select(ROW, RISKY)
    ranked = keys.mutate(
        **{RANK: ibis.row_number().over(group_by=keys[RISKY], order_by=keys[ROW]).cast("int64")}
    )
    keyed = ibis.memtable(_keyed(safe_ranks, risky_ranks, columns))
    on = [ranked[RISKY] == keyed[RISKY], ranked[RANK] == keyed[RANK].cast("int64")]
    picked = ranked.join(keyed, on).select(ROW, *columns)
    if not columns:
        return flagged.semi_join(picked, ROW).select(*table.columns, RISKY)
    return flagged.join(picked, ROW).select(*table.columns, RISKY, *columns)
