"""``drift.labels``: has the prevalence of the risky class moved between two samples?"""

from __future__ import annotations

import math

from scipy.stats import norm

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge_interval
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import MAX_ROWS, rows_to_show_difference
from sentinel_checks.stats.prevalence import log_odds_ratio_interval
from sentinel_checks.stats.proportion_difference import newcombe_interval

LABELS_ID = "drift.labels"


def _abs_interval(low: float, high: float) -> tuple[float, float]:
    """The interval of ``|x|`` from the interval ``[low, high]`` of ``x``."""
    top = max(abs(low), abs(high))
    return (0.0 if low <= 0.0 <= high else min(abs(low), abs(high))), top


def check_label_drift(
    reference_positives: int,
    reference_n: int,
    current_positives: int,
    current_n: int,
    *,
    pair: tuple[str, str],
    max_odds_ratio: float = 1.5,
    max_abs_change: float = 0.002,
    confidence: float = 0.95,
) -> CheckResult:
    """Prevalence of the risky class in two samples: shown stable, shown shifted, or undecided.

    Hypothesis: the shift is *material*, i.e. the odds of the risky class moved by
    more than a factor ``max_odds_ratio`` either way (``|log OR| > log max_odds_ratio``)
    **and** the prevalence moved by more than ``max_abs_change`` (absolute). The odds
    ratio is symmetric — a halving and a doubling are judged alike, at any base
    prevalence (a rise from 0.6 to 0.9 is an odds ratio of 6) — and the absolute
    limit keeps a tiny prevalence that triples (0.01% → 0.03%) from failing.

    Each measure has a two-sided interval at ``confidence``: Woolf's interval of the
    log odds ratio and Newcombe's hybrid score interval of the difference.

    * ``FAIL`` — both intervals lie entirely beyond their limits (shown material);
    * ``PASS`` — either interval lies entirely within its limit (shown immaterial);
    * ``INCONCLUSIVE`` — otherwise; the message and ``needed`` give the current-sample
      rows that would settle it if the prevalences stayed where they are.

    False block: with a stable prevalence (or one exactly at a limit) a fail needs
    both intervals beyond, so its chance is at most the one-sided
    ``(1 - confidence) / 2`` (2.5% at 0.95; an intersection–union test needs no
    multiplicity correction), per configured pair.

    Parameters
    ----------
    reference_positives : int
        Risky rows in the reference sample.
    reference_n : int
        Rows in the reference sample.
    current_positives : int
        Risky rows in the current sample.
    current_n : int
        Rows in the current sample.
    pair : (str, str)
        Names of the reference and current samples.
    max_odds_ratio : float, default 1.5
        Largest factor by which the odds of the risky class may move, either way
        (``> 1``); 1.5 passes 2.7% → 3.2% and fails a halving or doubling on a few
        hundred risky rows.
    max_abs_change : float, default 0.002
        Largest absolute prevalence change (proportion; 0.002 = 0.2 percentage points)
        that is immaterial whatever the odds ratio.
    confidence : float, default 0.95
        Coverage of both two-sided intervals.

    Returns
    -------
    CheckResult
        Id ``drift.labels``. Measured: the criterion that decided, named in
        ``parameters["criterion"]`` and the message: the odds-ratio fold change
        ``exp(|log OR|)`` (≥ 1, unitless) against ``max_odds_ratio`` (``"odds ratio"``;
        a fail, an inconclusive or a pass shown by the odds ratio), or, for a pass
        shown by the change alone, ``|change|`` (proportion) against ``max_abs_change``
        (``"prevalence change"``); direction at most. The
        prevalences, the log odds ratio and difference with their intervals are in
        the evidence.

    Raises
    ------
    ValueError
        ``max_odds_ratio`` is not above 1.

    Notes
    -----
    Never raises for bad data: an empty sample is a CheckResult with status ``error``.

    References
    ----------
    Woolf, B. (1955), Annals of Human Genetics 19(3) (log odds ratio interval);
    Newcombe, R. G. (1998), Statistics in Medicine 17(8), method 10 (difference);
    Berger, R. L. (1982), Technometrics 24(4) (intersection–union tests).

    Examples
    --------
    >>> check_label_drift(500, 10_000, 520, 10_000, pair=("test", "production")).status.value
    'pass'
    >>> check_label_drift(500, 10_000, 250, 10_000, pair=("test", "production")).status.value
    'fail'
    >>> check_label_drift(5, 100, 10, 100, pair=("test", "production")).status.value
    'inconclusive'
    """
    if not max_odds_ratio > 1:
        raise ValueError(f"max_odds_ratio must be above 1, got {max_odds_ratio!r}")
    ref, cur = pair
    params: dict[str, str] = {"pair": f"{ref}→{cur}"}
    support = {
        f"n_{ref}": reference_n,
        f"positives_{ref}": reference_positives,
        f"n_{cur}": current_n,
        f"positives_{cur}": current_positives,
    }
    counts = (reference_positives, reference_n, current_positives, current_n)
    if reference_n == 0 or current_n == 0:
        return CheckResult.undefined(
            LABELS_ID,
            f"{ref}→{cur}: an empty sample",
            reason=Reason.EMPTY,
            parameters=params,
            support=support,
        )
    log_or, or_low, or_high, se = log_odds_ratio_interval(*counts, confidence=confidence)
    ref_pos, ref_n, cur_pos, cur_n = counts
    diff, d_low, d_high = newcombe_interval(cur_pos, cur_n, ref_pos, ref_n, confidence=confidence)
    log_limit = math.log(max_odds_ratio)
    by_odds = judge_interval(*_abs_interval(or_low, or_high), log_limit, Direction.AT_MOST)
    by_diff = judge_interval(*_abs_interval(d_low, d_high), max_abs_change, Direction.AT_MOST)
    if Status.ERROR in (by_odds, by_diff):
        status = Status.ERROR
    elif Status.PASS in (by_odds, by_diff):
        status = Status.PASS
    elif by_odds is by_diff is Status.FAIL:
        status = Status.FAIL
    else:
        status = Status.INCONCLUSIVE
    p1, p2 = reference_positives / reference_n, current_positives / current_n
    pct = coverage_text(confidence)
    figures = (
        f"{ref}→{cur}: prevalence {p1:.2%} → {p2:.2%}: odds ratio {math.exp(log_or):.2f} "
        f"({pct} CI {math.exp(or_low):.2f}–{math.exp(or_high):.2f}; limit ×/÷{max_odds_ratio:g}), "
        f"change {diff * 100:+.2f} pp ({pct} CI {d_low * 100:+.2f} to {d_high * 100:+.2f}; "
        f"limit ±{max_abs_change * 100:.2f} pp)"
    )
    needed: dict[str, int] = {}
    verdict = {
        Status.PASS: "shown within a limit: pass",
        Status.FAIL: "shown beyond both limits: fail",
        Status.ERROR: "undefined: error",
    }.get(status, "")
    if status is Status.INCONCLUSIVE:
        z = float(norm.ppf(0.5 + confidence / 2))
        # both samples grown in proportion; the interval narrows as 1/sqrt(rows)
        within_k: list[float] = []  # criteria whose estimate is within: settling one passes
        beyond_k: list[float] = []  # criteria whose estimate is beyond: all must settle to fail
        if by_odds is Status.INCONCLUSIVE:
            k = rows_to_show_difference(current_n, abs(log_or), z * se, log_limit) / current_n
            (within_k if abs(log_or) <= log_limit else beyond_k).append(k)
        if by_diff is Status.INCONCLUSIVE:
            half = (d_high - diff) if (diff >= 0) == (abs(diff) <= max_abs_change) else (diff - d_low)
            k = rows_to_show_difference(current_n, abs(diff), half, max_abs_change) / current_n
            (within_k if abs(diff) <= max_abs_change else beyond_k).append(k)
        k = min(within_k) if within_k else max(beyond_k)
        needed = {
            f"n_{ref}": int(min(MAX_ROWS, max(reference_n, math.ceil(k * reference_n)))),
            f"n_{cur}": int(min(MAX_ROWS, max(current_n + 1, math.ceil(k * current_n)))),
        }
        verdict = (
            f"an interval holds its limit: inconclusive; settling it at these prevalences needs "
            f"≈ {needed[f'n_{ref}']:,} {ref} and {needed[f'n_{cur}']:,} {cur} rows "
            f"(has {reference_n:,} and {current_n:,})"
        )
    shifted = status is Status.FAIL
    # the criterion that decided: a pass on the change alone is measured and limited by the
    # change, so measured and limit never read as beyond while the status is a pass
    by_change = status is Status.PASS and by_odds is not Status.PASS
    criterion = "prevalence change" if by_change else "odds ratio"
    if status in (Status.PASS, Status.FAIL):
        decided = "both criteria" if status is Status.FAIL else f"the {criterion}"
        verdict += f" (decided by {decided.replace('prevalence change', 'change in prevalence')})"
    return CheckResult(
        id=LABELS_ID,
        status=status,
        message=f"{figures}: {verdict}",
        measured=abs(diff) if by_change else math.exp(abs(log_or)),
        limit=max_abs_change if by_change else max_odds_ratio,
        direction=Direction.AT_MOST,
        reason=Reason.PREVALENCE_SHIFT
        if shifted
        else (Reason.TOO_FEW_ROWS if status is Status.INCONCLUSIVE else Reason.OK),
        support=support,
        evidence=(
            Evidence.capped(
                "prevalence",
                [],
                total=0,
                detail={
                    "reference": p1,
                    "current": p2,
                    "log_odds_ratio": log_or,
                    "log_odds_ratio_interval": [or_low, or_high],
                    "log_odds_ratio_se": se,
                    "difference": diff,
                    "difference_interval": [d_low, d_high],
                    "confidence": confidence,
                },
            ),
        ),
        parameters={**params, "criterion": criterion},
        hint=(
            "The share of risky requests moved: thresholds and calibration chosen on old data "
            "no longer hold. Re-choose the threshold on recent labelled data and recalibrate."
        ),
        needed=needed,
    )
