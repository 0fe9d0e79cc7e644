"""The validation rows permutation importance is measured on, drawn in the engine.

:func:`~sentinel_checks.models.importance.importance_shares` keeps, of the validation
frame, the rows :func:`~sentinel_checks.models.importance.sample_ranks` picks by rank
within their class (risky, safe), a draw that depends on the class counts only.
:func:`importance_sample` numbers each class's rows in :data:`ROW` order in the engine
(``row_number`` over the class, a window), semi-joins the picked (class, rank) pairs
— sent as data, a small Arrow table, never as SQL text nor through an engine hash
(:func:`~sentinel_checks.engine.class_rank.join_class_ranks`) —
and reads back only those rows: the same rows, in the same order, as
``frame.iloc[rows]`` in pandas. Only the sample (at most ``[drift] importance_rows``
rows) leaves the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.engine.class_rank import RISKY, join_class_ranks
from sentinel_checks.engine.ibis_connection import ROW

if TYPE_CHECKING:
    from ibis.expr.types import Table


def importance_sample(
    table: Table,
    *,
    label: str,
    positive: Any,
    features: Sequence[str],
    risky_ranks: np.ndarray,
    safe_ranks: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of ``table`` at the given ranks within their class, with their labels.

    Parameters
    ----------
    table : ibis Table, n rows, with :data:`ROW` holding 0..n-1
        The validation split; its label holds only ``positive`` and the negative value
        (checked beforehand: :meth:`~sentinel_checks.gate.session_engine.SessionEngine.engine_label_counts`).
    label : str
        ``[columns] label``.
    positive : scalar
        ``[columns] positive``: a row is risky when its label equals it.
    features : sequence of str
        The columns read (the model's features).
    risky_ranks, safe_ranks : ndarray of int
        0-based ranks within the risky rows and within the safe rows, in :data:`ROW`
        order (:func:`~sentinel_checks.models.importance.sample_ranks`).

    Returns
    -------
    (DataFrame, ndarray of bool)
        The sampled rows' ``features`` in :data:`ROW` order, indexed by their
        :data:`ROW`, text as Arrow-backed strings (as
        :func:`~sentinel_checks.engine.samples.sample_table` reads them); and True for
        the risky ones, shape (m,), m = ``len(risky_ranks) + len(safe_ranks)``.

    Raises
    ------
    KeyError
        A column the table does not have, naming it.
    """
    import pyarrow as pa

    wanted = list(features)
    missing = [c for c in [*wanted, label, ROW] if c not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the table (it has {sorted(table.columns)})")
    picked = join_class_ranks(
        table, label=label, positive=positive, safe_ranks=safe_ranks, risky_ranks=risky_ranks
    )
    rows = picked.select(*wanted, RISKY, ROW).order_by(ROW)
    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}
    frame = rows.to_pyarrow().to_pandas(types_mapper=mapping.get)
    index = pd.Index(frame.pop(ROW).to_numpy(dtype="int64"))
    risky = frame.pop(RISKY).to_numpy(dtype=bool)
    return frame.set_index(index), risky
