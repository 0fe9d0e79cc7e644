"""Bounded, seeded samples drawn in the engine: the rows the pandas gate would sample.

A check that needs rows rather than counts (Evidently's drift report, fitting a
baseline) reads at most a bounded number of them. :func:`sample_table` picks, by
position (:data:`~sentinel_checks.engine.ibis_connection.ROW`, 0..n-1 in the split
frame's order), the rows :func:`~sentinel_checks.stats.sampling.bounded_sample` picks
from the pandas frame with the same seed, so the sample — and every figure computed
from it — is the same on pandas, DuckDB and Spark. Only the sampled rows leave the
engine: positions go in as data (a one-column Arrow table, semi-joined), never as
SQL text and never through an engine hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from sentinel_checks.engine.ibis_connection import ROW, whole_count
from sentinel_checks.stats.sampling import sample_positions

if TYPE_CHECKING:
    from ibis.expr.types import Table


def sample_table(
    table: Table, *, limit: int, seed: int, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """At most ``limit`` rows of ``table`` as a pandas frame, drawn with ``seed``.

    Parameters
    ----------
    table : ibis Table, n rows, with :data:`ROW` holding 0..n-1
        A split as the gate registers or makes it
        (:func:`~sentinel_checks.engine.ibis_connection.table_from_frame`,
        :mod:`~sentinel_checks.engine.split_tables`).
    limit : int
        Most rows returned.
    seed : int
        ``[gate] seed``: the seed :func:`~sentinel_checks.stats.sampling.bounded_sample` uses.
    columns : sequence of str, optional
        Columns to read (default: all but :data:`ROW` and a split's
        :data:`~.split_tables.SOURCE_ROW`).

    Returns
    -------
    DataFrame, shape (min(n, limit), len(columns))
        The sampled rows in :data:`ROW` order, indexed by their :data:`ROW` (as
        ``bounded_sample`` keeps the frame's index); text as Arrow-backed strings.

    Raises
    ------
    KeyError
        A column the table does not have, naming it and the table's columns.
    """
    import ibis
    import pyarrow as pa

    from sentinel_checks.engine.split_tables import SOURCE_ROW

    wanted = [c for c in table.columns if c not in (ROW, SOURCE_ROW)] if columns is None else list(columns)
    missing = [c for c in wanted if c not in table.columns]
    if missing or ROW not in table.columns:
        raise KeyError(f"column(s) {missing or [ROW]} not in the table (it has {sorted(table.columns)})")
    n = whole_count(table.count().execute())
    positions = sample_positions(n, limit, seed)
    rows = table.select(*wanted, ROW)
    if positions is not None:
        picked = ibis.memtable(pa.table({ROW: pa.array(positions, type=pa.int64())}))
        rows = rows.semi_join(picked, ROW)
    arrow = rows.order_by(ROW).to_pyarrow()
    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}
    frame = arrow.to_pandas(types_mapper=mapping.get)
    index = pd.Index(frame.pop(ROW).to_numpy(dtype="int64"))
    return frame.set_index(index)
