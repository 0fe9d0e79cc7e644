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

import pandas as pd

from sentinel_checks.config.section import LabelValue
from sentinel_checks.engine.float_values import infinite
from sentinel_checks.engine.labels import risky as label_risky

if TYPE_CHECKING:
    from ibis.expr.types import Table


def monotone_auc(table: Table, column: str, *, label: str, positive: LabelValue) -> float:
    """Folded ROC AUC of one numeric, boolean or datetime feature against the label.

    Rows are grouped by value, each group counting its risky and safe rows; with the
    groups in ascending order and the safe rows below each group summed by windows
    partitioned by an order-preserving bin of the value (:data:`BINS`; an unpartitioned
    window would run in one Spark partition),
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
        missing = missing | value.isnan().fill_null(True) | infinite(value).fill_null(True)
    risky = label_risky(table, label, positive)
    rows = table.select(
        level=ibis.ifelse(missing, 0, 1), value=ibis.ifelse(missing, ibis.null(kind), value), risky=risky
    )
    groups = rows.group_by(["level", "value"]).aggregate(
        pos=rows.risky.cast("int64").sum(), neg=(~rows.risky).cast("int64").sum()
    )
    binned = groups.mutate(bin=_bins(groups, kind))
    # safe rows below each group = those of the bins below + those below it in its bin.
    # The cumulative windows are partitioned by bin, so Spark spreads them over its
    # executors; only the one over the bins' totals (at most BINS + 1 rows) is global.
    per_bin = binned.group_by("bin").aggregate(bin_neg=binned.neg.sum())
    offsets = per_bin.mutate(
        neg_before=per_bin.bin_neg.sum().over(ibis.cumulative_window(order_by=per_bin.bin)) - per_bin.bin_neg
    )
    # every group is one distinct (level, value): a cumulative window ends at its own group
    inside = ibis.cumulative_window(group_by=binned.bin, order_by=binned.value)
    ranked = binned.mutate(neg_upto=binned.neg.sum().over(inside)).join(offsets, "bin")
    twice_u = ranked.pos * (2 * (ranked.neg_before + ranked.neg_upto - ranked.neg) + ranked.neg)
    totals = ranked.aggregate(pos=ranked.pos.sum(), neg=ranked.neg.sum(), twice_u=twice_u.sum())
    row = totals.to_pandas().iloc[0]
    n_pos, n_neg = int(row["pos"] or 0), int(row["neg"] or 0)
    if n_pos == 0 or n_neg == 0:
        return math.nan
    auc = int(row["twice_u"]) / (2 * n_pos * n_neg)
    return max(auc, 1.0 - auc)


#: Bins of the AUC's cumulative count: equal-width over the feature's range.
BINS = 64


def _bins(groups: Any, kind: Any) -> Any:
    """An order-preserving bin of each group's value (int64): -1 for the missing level,
    0..BINS-1 by equal width over [min, max] of a float64 key that never decreases as
    the value grows (the number, a boolean as 0/1, a timestamp's epoch seconds; a date
    stays in bin 0). Rounding is monotone, so bins never reorder values; the AUC is
    exact whatever the bins (engines may even bin differently: DuckDB's epoch seconds
    keep fractions, Spark's truncate).
    """
    import ibis

    value = groups.value
    if kind.is_boolean():
        key = value.cast("int8").cast("float64")
    elif kind.is_timestamp():
        key = value.epoch_seconds().cast("float64")
    elif kind.is_date():
        key = ibis.literal(0.0)
    else:
        key = value.cast("float64")
    span = groups.aggregate(low=key.min(), high=key.max()).to_pandas().iloc[0]
    low, high = span["low"], span["high"]
    if pd.isna(low) or not float(high) > float(low):
        inner = ibis.literal(0, type="int64")
    else:
        scaled = ((key - float(low)) / (float(high) - float(low)) * BINS).floor()
        inner = ibis.least(scaled, BINS - 1).cast("int64")
    return ibis.ifelse(groups.level == 0, ibis.literal(-1, type="int64"), inner)
