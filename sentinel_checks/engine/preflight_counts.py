"""What the preflight (:mod:`~sentinel_checks.gate.preflight`) reads of the dataset's
values, counted in the engine on a table read where it lies: the label's values outside
the configured two and its missing values, and the columns holding exactly two values.

Only counts and a handful of values leave the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from sentinel_checks.engine.ibis_connection import ROW, whole_count
from sentinel_checks.engine.split_statistics import plain_value

if TYPE_CHECKING:
    from ibis.expr.types import Table

#: The rows :func:`~sentinel_checks.column_roles.two_valued_columns` looks at first.
HEAD_ROWS = 10_000


def label_values(table: Table, label: str, positive: Any, negative: Any) -> tuple[pd.Series, int, set[str]]:
    """The label's values other than ``positive`` / ``negative``, its missing values and
    its distinct values, as :func:`~sentinel_checks.gate.preflight_labels.label_values`
    reads them of the frame.

    Parameters
    ----------
    table : ibis Table with :data:`ROW`
    label : str
        ``[columns] label``, a column of ``table``.
    positive, negative : object
        ``[columns] positive`` / ``negative``; a value of another type than the column's
        equals nothing (as pandas' ``eq`` on the column).

    Returns
    -------
    tuple of (Series, int, set of str)
        The other values' row counts (``value_counts`` order: most rows first, ties by
        first row), the rows with no value (NULL, or NaN in a float column), and every
        distinct non-missing value as text.
    """
    from sentinel_checks.engine.columns import missing_count
    from sentinel_checks.engine.labels import levels
    from sentinel_checks.engine.split_checks import fits

    known = [v for v in (positive, negative) if fits(table[label].type(), [v])]
    counted = levels(table, label).sort_values("n", ascending=False, kind="stable")  # ties: first row
    values = counted["v"].tolist()
    other = [not any(bool(v == k) for k in known) for v in values]  # as values: 1 and "1" differ
    missing = missing_count(table, label)
    counts = pd.Series(
        counted["n"][other].astype("int64").to_numpy(),
        index=[v for v, o in zip(values, other, strict=True) if o],
    )
    return counts, missing, {str(v) for v in values}


def two_valued_columns(table: Table) -> list[str]:
    """The columns with exactly two non-missing values, at most two among the first
    :data:`HEAD_ROWS` rows (:func:`~sentinel_checks.column_roles.two_valued_columns`'
    rule and order), from two aggregates."""
    from sentinel_checks.column_roles import _LABEL_NAME

    names = [c for c in table.columns if c != ROW]
    head = table.filter(table[ROW] < HEAD_ROWS)
    first = head.aggregate(**{f"d{i}": plain_value(head, c).nunique() for i, c in enumerate(names)})
    whole = table.aggregate(**{f"d{i}": plain_value(table, c).nunique() for i, c in enumerate(names)})
    a, b = first.execute().iloc[0], whole.execute().iloc[0]
    found = [c for i, c in enumerate(names) if whole_count(a[f"d{i}"]) <= 2 and whole_count(b[f"d{i}"]) == 2]
    return sorted(found, key=lambda c: (not _LABEL_NAME.search(c), c))
