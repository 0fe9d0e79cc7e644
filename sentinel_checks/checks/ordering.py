"""``splits.time_order``: every later-split timestamp after every earlier-split one.

The time column may hold datetimes, numbers (a year, a period index) or row positions
(``@row``): gaps and the embargo are then in the column's units.
"""

from __future__ import annotations

import pandas as pd

from sentinel_checks.checks.guards import empty_side
from sentinel_checks.data.time_axis import Gap, embargo_gap, gap_text
from sentinel_checks.formatting import duration, gap_words, rows
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.scalars import python_scalar
from sentinel_checks.stats.time_order import TimeOrder, time_order

CHECK_ID = "splits.time_order"
HINT = (
    "Split by time, not at random: put rows before a boundary in train and after it in "
    "val/test ([splits] method = 'time'), and add an embargo if labels mature late."
)


def check_time_order(
    earlier: pd.Series,
    later: pd.Series,
    *,
    pair: tuple[str, str],
    embargo: str | float | pd.Timedelta = "0s",
) -> CheckResult:
    """Every timestamp of ``later`` must be after every one of ``earlier`` (plus ``embargo``).

    "After" is strict: a timestamp equal to the earlier split's last one is out of
    order, since rows at the same instant cannot be told apart in production. The
    measured value is the number of offending rows (in both splits); the limit is 0.

    Parameters
    ----------
    earlier : pandas.Series of datetime64 or numbers, shape (n,)
        Timestamps of the earlier split (e.g. train); numbers are periods (a year, a
        period index, a row position), in the units of the column.
    later : pandas.Series, shape (m,)
        Timestamps of the later split (e.g. val), of the same kind.
    pair : (str, str)
        Names of the earlier and later splits.
    embargo : str, number or pandas.Timedelta, default "0s"
        Gap required between the end of ``earlier`` and the start of ``later``: a
        duration (e.g. ``"7D"``) for datetimes, a number of the column's units for
        numbers; with a positive embargo, a row exactly at the gap's edge is in order.

    Returns
    -------
    CheckResult
        Id ``splits.time_order``. Measured: the count of rows out of order (int, as
        float; rows of ``later`` too early plus rows of ``earlier`` too late);
        limit 0; direction at most. The observed gap is in the evidence.

    Raises
    ------
    ConfigError
        When ``embargo`` is not in the column's units (a duration on numbers, a number
        other than 0 on datetimes) or cannot be read.

    Notes
    -----
    Never raises for bad data otherwise: a split with no timestamps is a
    CheckResult with status ``error``.

    Examples
    --------

    >>> a = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-02"]))
    >>> b = pd.Series(pd.to_datetime(["2025-01-03"]))
    >>> check_time_order(a, b, pair=("train", "val")).status.value
    'pass'
    >>> check_time_order(b, a, pair=("train", "val")).measured
    3.0
    """
    gap = embargo_gap(embargo, earlier)
    return judge_time_order(time_order(earlier, later, gap=gap), pair=pair, gap=gap, column=earlier.name)


def judge_time_order(order: TimeOrder, *, pair: tuple[str, str], gap: Gap, column: object) -> CheckResult:
    """``splits.time_order`` judged from counts already made, by pandas
    (:func:`~sentinel_checks.stats.time_order.time_order`) or the engine
    (:func:`~sentinel_checks.engine.split_statistics.time_order`).

    Parameters
    ----------
    order : TimeOrder
        Both splits' time ranges and their rows out of order, counted with ``gap``.
    pair : (str, str)
        Names of the earlier and later splits.
    gap : Timedelta or float
        The embargo in the column's units (:func:`~sentinel_checks.data.time_axis.embargo_gap`).
    column : str
        The time column's name, for the units of the gaps shown.

    Returns
    -------
    CheckResult
        As :func:`check_time_order`.
    """
    params = {"pair": f"{pair[0]}→{pair[1]}", "embargo": _length(gap, column) if gap > gap * 0 else "none"}
    first, second = order.first, order.second
    support = {f"n_{pair[0]}": first.n, f"n_{pair[1]}": second.n}
    empty = empty_side(
        CHECK_ID, pair, (first.n, second.n), of="timestamps", parameters=params, support=support
    )
    if empty is not None:
        return empty
    assert first.max is not None and second.min is not None
    bad_later, bad_earlier = order.later_too_early, order.earlier_too_late
    offending = bad_later + bad_earlier
    raw_gap = second.min - first.max
    observed_gap = _length(raw_gap, column, signed=True)
    starts = _starts(pair, raw_gap, column)
    status = Status.PASS if offending == 0 else Status.FAIL
    window = Evidence.capped(
        "overlap_window",
        [],
        total=offending,
        detail={
            f"{pair[0]}_max": python_scalar(first.max),
            f"{pair[1]}_min": python_scalar(second.min),
            "observed_gap": observed_gap,
            f"{pair[1]}_rows_too_early": bad_later,
            f"{pair[0]}_rows_too_late": bad_earlier,
        },
    )
    if status is Status.PASS:
        message = f"{starts} (embargo {params['embargo']}): 0 rows out of order"
    else:
        message = (
            f"{rows(offending)} out of order between {pair[0]} and {pair[1]}: {starts} "
            f"({pair[0]} ends {first.max}, {pair[1]} starts {second.min}; embargo {params['embargo']}); "
            f"{rows(bad_later, pair[1] + ' rows')} too early, {rows(bad_earlier, pair[0] + ' rows')} too late"
        )
    return CheckResult(
        id=CHECK_ID,
        status=status,
        message=message,
        measured=float(offending),
        limit=0.0,
        direction=Direction.AT_MOST,
        reason=Reason.OK if status is Status.PASS else Reason.TIME_OVERLAP,
        support=support,
        evidence=(window,),
        parameters=params,
        hint=HINT,
    )


def _length(gap: Gap, column: object, *, signed: bool = False) -> str:
    """A gap in words: a duration in days/hours (``"7 days"``), else in the column's units."""
    if isinstance(gap, pd.Timedelta):
        return ("-" if signed and gap < pd.Timedelta(0) else "") + duration(gap)
    return gap_text(gap, column)


def _starts(pair: tuple[str, str], gap: Gap, column: object) -> str:
    """``"val starts 123 days before train ends"`` (the gap's sign said in words)."""
    if isinstance(gap, pd.Timedelta):
        return gap_words(pair[1], pair[0], gap)
    amount = float(gap)
    return gap_words(pair[1], pair[0], amount, gap_text(abs(amount), column).partition(" ")[2])
