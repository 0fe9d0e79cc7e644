"""Rows picked by their rank within their class, joined by value to data drawn in numpy.

Three engine readings reproduce a pandas draw that depends only on the class counts and
on each row's rank within its class (risky or safe) in row order: the baselines' fitting
subsample (:mod:`~sentinel_checks.engine.baseline_rows`), permutation importance's sample
(:mod:`~sentinel_checks.engine.importance_sample`) and target leakage's cross-fitting
folds (:func:`~sentinel_checks.engine.encoding_statistics.with_folds`).
:func:`join_class_ranks` numbers each class's rows in the engine (``row_number`` over the
class, ordered by :data:`~sentinel_checks.engine.ibis_connection.ROW`, 0-based) and joins
them by value to the drawn (class, rank, ...) rows, uploaded as a small Arrow table —
sent as data, never as SQL text nor through an engine hash. A digit drawn for *every*
row of a class (the folds) goes up packed instead (:func:`join_class_digits`): one text
of :data:`DIGITS_PER_ROW` digits per block of ranks, each row reading its own digit. One
uploaded row per table row made Spark hold the whole table on the driver's heap as Java
rows, several copies of it (about 110 bytes a row each: 1.49M ``UnsafeRow`` for 600k train
rows at 1M, out of heap with a 512m driver; at 10M with a 4g one). Blocks of 1,024: a
row's digit is found by scanning its block's text (DuckDB's ``substring`` counts
characters), so longer blocks cost more per row (8,192: target leakage 3.2 → 4.8 s at 1M
rows on DuckDB; 1,024: 3.6 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sentinel_checks.engine.ibis_connection import ROW
from sentinel_checks.engine.labels import risky as label_risky

if TYPE_CHECKING:
    from ibis.expr.types import Table

#: The bool column :func:`join_class_ranks` adds: whether the row is risky.
RISKY = "__sentinel_risky"
#: The row's 0-based rank within its class (engine side and uploaded side).
RANK = "__sentinel_class_rank"
#: Digits packed in one uploaded text by :func:`join_class_digits` (a block of ranks).
DIGITS_PER_ROW = 1024
_BLOCK, _DIGITS = "__sentinel_block", "__sentinel_digits"


def rank_dtype(top: int) -> np.dtype:
    """int32 when every rank up to ``top`` fits in it (``top < 2**31``), else int64."""
    return np.dtype(np.int32) if top < 2**31 else np.dtype(np.int64)


def _ranked(table: Table, label: str, positive: Any) -> tuple[Table, Table]:
    """(``table`` with :data:`RISKY`, its (:data:`ROW`, :data:`RISKY`, :data:`RANK`) pairs).

    The window ranks the (row, class) pairs alone and the picked rows join back on ROW:
    ordered over whole rows it sorted every column (as split_tables.number_rows found)."""
    import ibis

    flagged = table.mutate(**{RISKY: label_risky(table, label, positive)})
    keys = flagged.select(ROW, RISKY)
    rank = ibis.row_number().over(group_by=keys[RISKY], order_by=keys[ROW]).cast("int64")
    return flagged, keys.mutate(**{RANK: rank})


def join_class_ranks(
    table: Table,
    *,
    label: str,
    positive: Any,
    safe_ranks: np.ndarray,
    risky_ranks: np.ndarray,
) -> Table:
    """The rows of ``table`` at the given ranks within their class, with :data:`RISKY`.

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

    Returns
    -------
    ibis Table, one row per listed (class, rank) present in ``table``, in no order
        ``table``'s columns and :data:`RISKY` (bool).
    """
    import ibis
    import pyarrow as pa

    safe, risky = np.asarray(safe_ranks), np.asarray(risky_ranks)
    dtype = rank_dtype(max(int(safe.max(initial=0)), int(risky.max(initial=0))))
    flags = np.zeros(len(safe) + len(risky), dtype=bool)
    flags[len(safe) :] = True
    ranks = np.concatenate([safe.astype(dtype, copy=False), risky.astype(dtype, copy=False)])
    keyed = ibis.memtable(pa.table({RISKY: pa.array(flags, type=pa.bool_()), RANK: pa.array(ranks)}))
    flagged, ranked = _ranked(table, label, positive)
    on = [ranked[RISKY] == keyed[RISKY], ranked[RANK] == keyed[RANK].cast("int64")]
    picked = ranked.join(keyed, on).select(ROW)
    return flagged.semi_join(picked, ROW).select(*table.columns, RISKY)


def join_class_digits(
    table: Table,
    *,
    label: str,
    positive: Any,
    safe_digits: np.ndarray,
    risky_digits: np.ndarray,
    name: str,
) -> Table:
    """Every row of ``table`` with :data:`RISKY` and ``name``: the digit drawn for its rank
    within its class, ``safe_digits[rank]`` or ``risky_digits[rank]``.

    The digits go up as text, :data:`DIGITS_PER_ROW` to an uploaded row keyed by (class,
    block of ranks); a row reads the character at ``rank % DIGITS_PER_ROW`` of its block's
    text (about one byte per table row uploaded, in n / :data:`DIGITS_PER_ROW` rows).

    Parameters
    ----------
    table : ibis Table, n rows, with :data:`ROW` holding 0..n-1 and ``label``
        Its labels checked beforehand (every row ``positive`` or the negative value).
    label, positive
        As :func:`join_class_ranks`.
    safe_digits, risky_digits : ndarray of int, shapes (s,), (r,)
        One value in 0..9 per rank of each class, in :data:`ROW` order; ``s`` and ``r``
        the classes' row counts in ``table``.
    name : str
        The column added (int8).

    Returns
    -------
    ibis Table, n rows, in no order
        ``table``'s columns, :data:`RISKY` (bool), ``name`` (int8).

    Raises
    ------
    ValueError
        A digit outside 0..9.
    """
    import ibis
    import pyarrow as pa

    blocks: dict[str, list[Any]] = {RISKY: [], _BLOCK: [], _DIGITS: []}
    for risky, digits in ((False, np.asarray(safe_digits)), (True, np.asarray(risky_digits))):
        if digits.size and (digits.min() < 0 or digits.max() > 9):
            raise ValueError(f"{name}: digits must be 0..9, got {digits.min()}..{digits.max()}")
        text = (digits.astype(np.uint8) + ord("0")).tobytes().decode("ascii")
        for block, start in enumerate(range(0, len(text), DIGITS_PER_ROW)):
            blocks[RISKY].append(risky)
            blocks[_BLOCK].append(block)
            blocks[_DIGITS].append(text[start : start + DIGITS_PER_ROW])
    uploaded = ibis.memtable(
        pa.table(
            {
                RISKY: pa.array(blocks[RISKY], type=pa.bool_()),
                _BLOCK: pa.array(blocks[_BLOCK], type=pa.int64()),
                _DIGITS: pa.array(blocks[_DIGITS], type=pa.string()),
            }
        )
    )
    flagged, ranked = _ranked(table, label, positive)
    ranked = ranked.mutate(**{_BLOCK: ranked[RANK] // DIGITS_PER_ROW})
    on = [ranked[RISKY] == uploaded[RISKY], ranked[_BLOCK] == uploaded[_BLOCK]]
    joined = ranked.join(uploaded, on)
    digit = joined[_DIGITS].substr(joined[RANK] % DIGITS_PER_ROW, 1).cast("int8")
    picked = joined.select(ROW, **{name: digit})
    return flagged.join(picked, ROW).select(*table.columns, RISKY, name)
