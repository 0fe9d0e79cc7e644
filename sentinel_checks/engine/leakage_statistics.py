"""Univariate leakage statistics on Ibis tables: the count-based ROC AUC of one feature.

The engine counterpart of the monotone reading of
:func:`~sentinel_checks.stats.univariate.feature_association`
(:func:`~sentinel_checks.stats.leakage.symmetric_auc` of
:func:`~sentinel_checks.stats.leakage.numeric_view`), computed from counts so that
nothing per row leaves the engine.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sentinel_checks.config.section import LabelValue

if TYPE_CHECKING:
    from ibis.expr.types import Table


def monotone_auc(table: Table, column: str, *, label: str, positive: LabelValue) -> float:
    """Folded ROC AUC of one numeric, boolean or datetime feature against the label.

    Rows are grouped by value, each group counting its risky and safe rows; with the
    groups in ascending order and the safe rows below each group summed by a window,
    the Mann–Whitney count is ``U = Σ risky_g · (safe_below_g + safe_g / 2)`` (ties
    count one half, exactly), and ``AUC = U / (risky · safe)``. Missing values (NULL,
    NaN and ±inf for floats) are one level below the minimum, as in
    :func:`~sentinel_checks.stats.leakage.numeric_view`. ``U`` is summed in integers
    (twice U, so halves stay whole), so the result is exact up to the final division.

    Parameters
    ----------
    table : ibis Table, n rows
    column : str
        A numeric, boolean or datetime column.
    label : str
        The label column; a row is risky where it equals ``positive``.
    positive : bool, int, float or str
        The risky class's label value.

    Returns
    -------
    float
        ``max(AUC, 1 - AUC)`` in [0.5, 1]; NaN when the rows hold one class only.

    Raises
    ------
    KeyError
        ``column`` or ``label`` is not in the table.
    TypeError
        ``column`` holds text or another non-ordered kind (read it as categories).

    References
    ----------
    Mann, H. B. and Whitney, D. R. (1947). Ann. Math. Statist. 18(1), 50–60;
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36.
    """
    import ibis

    for name in (column, label):
        if name not in table.columns:
            raise KeyError(f"column {name!r} is not in the table (columns: {', '.join(table.columns)})")
    value = table[column]
    kind = value.type()
    if not (kind.is_numeric() or kind.is_boolean() or kind.is_timestamp() or kind.is_date()):
        raise TypeError(f"column {column!r} holds {kind}, not numbers, booleans or datetimes")
    missing = value.isnull()
    if kind.is_floating():
        missing = missing | value.isnan().fill_null(True) | _infinite(value).fill_null(True)
    risky = (table[label] == ibis.literal(positive)).fill_null(False)
    rows = table.select(
        level=ibis.ifelse(missing, 0, 1), value=ibis.ifelse(missing, ibis.null(kind), value), risky=risky
    )
    groups = rows.group_by(["level", "value"]).aggregate(
        pos=rows.risky.cast("int64").sum(), neg=(~rows.risky).cast("int64").sum()
    )
    # every group is one distinct (level, value): a cumulative window ends at its own group
    window = ibis.cumulative_window(order_by=[groups.level, groups.value])
    ranked = groups.mutate(neg_upto=groups.neg.sum().over(window))
    twice_u = ranked.pos * (2 * (ranked.neg_upto - ranked.neg) + ranked.neg)
    totals = ranked.aggregate(pos=ranked.pos.sum(), neg=ranked.neg.sum(), twice_u=twice_u.sum())
    row = totals.to_pandas().iloc[0]
    n_pos, n_neg = int(row["pos"] or 0), int(row["neg"] or 0)
    if n_pos == 0 or n_neg == 0:
        return math.nan
    auc = int(row["twice_u"]) / (2 * n_pos * n_neg)
    return max(auc, 1.0 - auc)


def _infinite(value: Any) -> Any:
    """``value`` is +inf or -inf, written portably: ``|value|`` above the largest finite float.

    Ibis 12 compiles ``isinf()`` for PySpark to ``FALSE OR FALSE`` (its infinity literals
    are lost), so Spark would count ±inf as ordinary values; this reads the same on
    every engine.
    """
    import ibis

    return value.abs() > ibis.literal(float(np.finfo(np.float64).max))
