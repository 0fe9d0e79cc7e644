"""The share of missing values per feature, reference vs current, judged on an interval.

Part of ``drift.features``: a feature whose values go missing in production (a broken
join, an upstream field renamed) is a drift the distance tests do not see, since they
compare the values that are there.

Hypothesis per feature: the missing share rose by at most ``max_increase`` (absolute,
current − reference). The Newcombe hybrid score interval of the difference of two
independent proportions (Newcombe 1998, method 10; statsmodels
``confint_proportions_2indep(method="newcomb")``) at a Bonferroni confidence of
``1 − (1 − confidence) / k`` over the ``k`` features compared decides:

- ``fail``: the whole interval is above ``max_increase`` (shown to rise beyond it);
- ``inconclusive``: the interval holds ``max_increase`` (too few rows to tell);
- ``warn``: the interval is above 0 but within the limit (a real, smaller rise);
- ``pass``: otherwise (no rise shown);
- ``fail``: every value missing on one side and not the other (a column that vanished
  or only now appears: "merchant_risk: missing in every train row, present in val");
  there is no interval to draw, the share is 1 on one side by construction;
- ``error``: a side with no rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from sentinel_checks.result import Status
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.proportion_difference import newcombe_interval


@dataclass(frozen=True)
class MissingShare:
    """One feature's missing counts on both sides, and the judged rise."""

    column: str
    missing_reference: int
    n_reference: int
    missing_current: int
    n_current: int
    low: float = math.nan  # interval of current - reference share
    high: float = math.nan
    status: Status = Status.PASS
    needed: int = 0  # rows a side that would settle an inconclusive rise

    @property
    def shares(self) -> tuple[float, float]:
        """(reference share, current share), each in [0, 1]."""
        n_ref, n_cur = max(self.n_reference, 1), max(self.n_current, 1)
        return self.missing_reference / n_ref, self.missing_current / n_cur

    @property
    def one_sided(self) -> bool:
        """Missing in every row of one side and not of the other."""
        a_all = self.missing_reference == self.n_reference > 0
        b_all = self.missing_current == self.n_current > 0
        return a_all != b_all

    def describe(self, pair: tuple[str, str] = ("reference", "current")) -> str:
        """E.g. ``"amount missing 1.0% → 25.0% (+24.0 pts, CI [+23.1, +24.9])"``, or
        ``"amount: missing in every train row, present in val"`` (``pair``: the sample names)."""
        if self.one_sided:
            empty, full = pair if self.missing_reference == self.n_reference else pair[::-1]
            return f"{self.column}: missing in every {empty} row, present in {full}"
        a, b = self.shares
        text = f"{self.column} missing {a:.1%} → {b:.1%}"
        if math.isfinite(self.low):
            text += f" ({(b - a) * 100:+.1f} pts, CI [{self.low * 100:+.1f}, {self.high * 100:+.1f}])"
        return text


def missing_counts(
    reference: pd.DataFrame, current: pd.DataFrame, features: list[str]
) -> dict[str, tuple[int, int, int, int]]:
    """Missing values per feature on every row of both frames.

    Parameters
    ----------
    reference, current : pandas.DataFrame
        The two samples; each holds every name in ``features``.
    features : list of str
        The feature columns.

    Returns
    -------
    dict of str to (int, int, int, int)
        ``(missing in reference, rows of reference, missing in current, rows of current)``.
    """
    n_ref, n_cur = len(reference), len(current)
    return {f: (int(reference[f].isna().sum()), n_ref, int(current[f].isna().sum()), n_cur) for f in features}


def judge_missing(
    counts: Mapping[str, tuple[int, int, int, int]],
    *,
    max_increase: float = 0.10,
    confidence: float = 0.95,
) -> list[MissingShare]:
    """Judge the rise of each feature's missing share (see the module docstring).

    Parameters
    ----------
    counts : Mapping[str, (int, int, int, int)]
        Per feature, from :func:`missing_counts`.
    max_increase : float, default 0.10
        Largest rise of the missing share (absolute, in [0, 1]) that passes.
    confidence : float, default 0.95
        Family-wise confidence over the features (Bonferroni: each interval at
        ``1 − (1 − confidence) / k``).

    Returns
    -------
    list of MissingShare
        One per feature, with its interval and status.
    """
    alpha = (1 - confidence) / max(len(counts), 1)
    out = []
    for column, (m_ref, n_ref, m_cur, n_cur) in counts.items():
        item = MissingShare(column, m_ref, n_ref, m_cur, n_cur)
        if n_ref == 0 or n_cur == 0:
            out.append(replace(item, status=Status.ERROR))
            continue
        a_all, b_all = m_ref == n_ref, m_cur == n_cur
        if a_all != b_all:
            out.append(replace(item, status=Status.FAIL))
            continue
        if a_all and b_all:  # null on both sides: skipped by the distance tests, noted there
            out.append(item)
            continue
        estimate, low, high = newcombe_interval(m_cur, n_cur, m_ref, n_ref, confidence=1 - alpha)
        if low > max_increase:
            status, needed = Status.FAIL, 0
        elif high > max_increase:
            half = (low - estimate) if estimate > max_increase else (high - estimate)
            status, needed = (
                Status.INCONCLUSIVE,
                rows_to_show_difference(min(n_ref, n_cur), estimate, abs(half), max_increase),
            )
        elif low > 0:
            status, needed = Status.WARN, 0
        else:
            status, needed = Status.PASS, 0
        out.append(replace(item, low=low, high=high, status=status, needed=needed))
    return out
