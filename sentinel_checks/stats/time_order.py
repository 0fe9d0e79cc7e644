"""What ``splits.time_order`` decides on: both splits' time ranges and the rows out of order.

:func:`time_order` counts them on pandas series; the engine's
:func:`~sentinel_checks.engine.split_statistics.time_order` counts the same on Ibis
tables and returns the same :class:`TimeOrder` (``tests/test_engine_parity.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sentinel_checks.stats.leakage import TimeRange, time_range


@dataclass(frozen=True)
class TimeOrder:
    """What ``splits.time_order`` decides on: both ranges and the rows out of order.

    ``later_too_early`` counts rows of the later split at or before the earlier
    split's end plus the gap (strictly before with a positive gap);
    ``earlier_too_late`` rows of the earlier split at or after the later split's
    start minus the gap. Both 0 when a side has no timestamps.
    """

    first: TimeRange
    second: TimeRange
    later_too_early: int
    earlier_too_late: int


def time_order(earlier: pd.Series, later: pd.Series, *, gap: pd.Timedelta | float) -> TimeOrder:
    """Time ranges of two splits and their rows out of order (every row read).

    Parameters
    ----------
    earlier : Series of datetime64 or numbers, shape (n,)
        Timestamps of the earlier split (missing values are not counted).
    later : Series of the same kind, shape (m,)
        Timestamps of the later split.
    gap : Timedelta or float
        The embargo in the column's units
        (:func:`~sentinel_checks.data.time_axis.embargo_gap`); with a positive gap a
        row exactly at the gap's edge is in order, with none a tie is out of order.

    Returns
    -------
    TimeOrder

    Examples
    --------
    >>> a = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-03"]))
    >>> b = pd.Series(pd.to_datetime(["2025-01-02", "2025-01-04"]))
    >>> o = time_order(a, b, gap=pd.Timedelta(0))
    >>> o.later_too_early, o.earlier_too_late
    (1, 1)
    """
    first, second = time_range(earlier), time_range(later)
    if first.n == 0 or second.n == 0:
        return TimeOrder(first, second, 0, 0)
    assert first.max is not None and second.min is not None
    # later rows at or before the earlier split's end (+ embargo), and earlier rows at or
    # after the later split's start (- embargo): strict when there is no embargo.
    late_cut, early_cut = first.max + gap, second.min - gap
    if gap > gap * 0:  # a zero of the gap's own kind (Timedelta or number)
        bad_later = int((later < late_cut).sum())
        bad_earlier = int((earlier > early_cut).sum())
    else:
        bad_later = int((later <= late_cut).sum())
        bad_earlier = int((earlier >= early_cut).sum())
    return TimeOrder(first, second, bad_later, bad_earlier)
