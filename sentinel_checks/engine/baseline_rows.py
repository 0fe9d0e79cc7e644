"""The train rows the baselines are fitted on, drawn in the engine.

The pandas gate fits the baselines on a stratified, seeded subsample of the train
split (:func:`~sentinel_checks.models.baselines.fitting_positions`, scikit-learn's
``train_test_split``). Which rows it draws depends only on the class counts and on
each row's rank within its class
(:func:`~sentinel_checks.models.baselines.fitting_ranks`), so the engine ranks the
rows of each class by :data:`~sentinel_checks.engine.ibis_connection.ROW` and keeps
those whose (class, rank) was drawn: a value join with the drawn ranks, brought in
as data (:func:`~sentinel_checks.engine.class_rank.join_class_ranks`), never an
engine hash. Only the drawn rows leave the engine, in ``ROW`` order: the rows, in
the order, the pandas path fits on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.engine.class_rank import join_class_ranks
from sentinel_checks.engine.ibis_connection import ROW

if TYPE_CHECKING:
    from ibis.expr.types import Table


def fitting_rows(
    table: Table,
    *,
    columns: Sequence[str],
    label: str,
    positive: Any,
    ranks: tuple[np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    """The rows of ``table`` drawn for fitting, with ``columns``, in :data:`ROW` order.

    Parameters
    ----------
    table : ibis Table, n rows, with :data:`ROW` holding 0..n-1
        The train split in the engine; its labels already checked (every row
        ``positive`` or the negative value, none NULL).
    columns : sequence of str
        Columns read (the baseline features and the label).
    label : str
        The label column.
    positive : scalar
        The risky label value (``[columns] positive``).
    ranks : (safe_ranks, risky_ranks) or None
        Ranks within each class drawn (:func:`~sentinel_checks.models.baselines.fitting_ranks`);
        ``None`` reads every row.

    Returns
    -------
    DataFrame, one row per drawn row, the columns ``columns``
        Indexed by the row's :data:`ROW`; text as Python strings (object), as the
        scored batches hand them to a model
        (:func:`~sentinel_checks.engine.scores.score_table`).

    Raises
    ------
    KeyError
        A column is not in the table (named, with the table's columns).
    """
    wanted = list(dict.fromkeys(columns))
    missing = [c for c in [*wanted, ROW, label] if c not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the table (it has {sorted(table.columns)})")
    rows = table.select(*wanted, ROW) if label in wanted else table.select(*wanted, label, ROW)
    if ranks is not None:
        safe_ranks, risky_ranks = ranks
        rows = join_class_ranks(
            rows, label=label, positive=positive, safe_ranks=safe_ranks, risky_ranks=risky_ranks
        )
    rows = rows.select(*wanted, ROW)
    frame = rows.order_by(ROW).to_pyarrow().to_pandas()
    index = pd.Index(frame.pop(ROW).to_numpy(dtype="int64"))
    return frame.set_index(index)
