"""Where a lead's interval puts a candidate: shown better, shown no worse, shown worse, or neither.

Shared by ``promotion.vs_champion`` (candidate vs champion) and ``quality.baselines``
(candidate vs a simple model): both decide non-inferiority on an interval.
"""

from __future__ import annotations

import math

#: Findings of a criterion, as the decision record writes them.
SHOWN_BETTER, SHOWN_NO_WORSE = "shown_better", "shown_no_worse"
SHOWN_WORSE, NEITHER = "shown_worse", "neither"

#: Each finding in words, as the messages say it.
FINDING_TEXT = {
    SHOWN_BETTER: "shown better",
    SHOWN_NO_WORSE: "shown no worse",
    SHOWN_WORSE: "shown worse",
    # the interval holds the margin (trial: "neither shown no worse nor worse" read as a riddle)
    NEITHER: "the interval holds the margin: neither shown within it nor beyond it",
}


def lead_finding(low: float, high: float, *, margin: float, better_than: float = 0.0) -> str:
    """Where the interval ``[low, high]`` of a lead (higher is better) puts the candidate.

    Parameters
    ----------
    low, high : float
        The ends of the lead's interval (candidate − other, metric units).
    margin : float
        Non-inferiority margin, ≥ 0: a lead shown above ``−margin`` is no worse.
    better_than : float, default 0.0
        The lead the lower end must exceed for *shown better*.

    Returns
    -------
    str
        ``"shown_better"`` (``low > better_than``), ``"shown_worse"`` (``high < −margin``),
        ``"shown_no_worse"`` (``low ≥ −margin``) or ``"neither"``, checked in that order;
        ``"undefined"`` when a bound is not finite.

    Examples
    --------
    >>> lead_finding(0.01, 0.05, margin=0.02)
    'shown_better'
    >>> lead_finding(-0.01, 0.03, margin=0.02)
    'shown_no_worse'
    >>> lead_finding(-0.04, 0.03, margin=0.02)
    'neither'
    >>> lead_finding(-0.09, -0.03, margin=0.02)
    'shown_worse'
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "undefined"
    if low > better_than:
        return SHOWN_BETTER
    if high < -margin:
        return SHOWN_WORSE
    return SHOWN_NO_WORSE if low >= -margin else NEITHER
