"""Runbook steps 10–12 and 15: may the candidate replace the champion?

``promotion.vs_champion`` judges a :class:`~sentinel_checks.stats.comparison.PairedComparison`
(both models on the same rows, paired Poisson-bootstrap intervals of every
difference) criterion by criterion. Each criterion with an interval is a
non-inferiority test: the null hypothesis is "the candidate is worse than the
champion by more than the margin", and the interval decides, with three outcomes:

- **FNR** (``fnr_non_inferior``), ``Δ = FNR(candidate) − FNR(champion)``, margin
  ``max_fnr_increase``: *fail* when shown worse beyond the margin (the whole interval
  above it, ``low > margin``), *pass* when shown no worse (``high ≤ margin``),
  *inconclusive* otherwise (the interval holds the margin);
- **precision** (``precision_non_inferior``), ``Δ = precision(candidate) −
  precision(champion)``, margin ``max_precision_drop``: fail when ``high < −drop``,
  pass when ``low ≥ −drop``, inconclusive otherwise;
- **the target metric** (``target_metric_improves``, PR-AUC or ROC-AUC lead), margin
  ``max_target_drop``: recorded as *shown better* (``low > min_target_lead``), *shown
  no worse* (``low ≥ −max_target_drop``), *shown worse* (``high < −max_target_drop``)
  or *neither*. By default (``require_improvement=False``) it is judged like the
  others — shown worse fails, neither is inconclusive — so an equal candidate is
  never blocked by the coin flip of a point lead. ``require_improvement=True`` asks
  for a demonstrable improvement: only *shown better* passes, *shown worse* fails,
  anything else is inconclusive;
- **no large val/test gap** — the quality suite's ``quality.val_test_gap`` verdict;
- optionally, the share of decisions that change (``max_flip_rate``, a plain count).

Every criterion also records its *finding* (``shown_better``, ``shown_no_worse``,
``shown_worse`` or ``neither``; FNR "better" means lower), its interval and the rows
it was computed on. The check fails when any criterion fails, is inconclusive when
none fails and one is inconclusive (``needed`` then holds the risky rows that would
settle every inconclusive criterion, :func:`~sentinel_checks.stats.power.rows_to_show_difference`),
and passes otherwise.

Confidence: the intervals are those of the comparison (two-sided, at
``comparison.confidence``). The gate builds the comparison at the promotion
family's coverage from the false-block budget divided over the 3 criteria
(:func:`sentinel_checks.gate.policy.promotion_confidence`; 99.67% with the
defaults), so a candidate equal to the champion is falsely blocked by this check
with probability at most the family's share of ``[gate] false_block_rate``.

The segments that drive an FNR regression travel as evidence.
"""

from __future__ import annotations

from sentinel_checks.checks.promotion_criteria import criteria_rows
from sentinel_checks.checks.promotion_text import (
    champion_hint,
    criterion_text,
    regressions_text,
    settle_text,
)
from sentinel_checks.options import RankMetric, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, at_fault
from sentinel_checks.stats.comparison import PairedComparison, segment_name
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import MAX_ROWS
from sentinel_checks.stats.tie_bounds import grid_note

VS_CHAMPION_ID = "promotion.vs_champion"


def check_vs_champion(
    comparison: PairedComparison,
    *,
    max_fnr_increase: float = 0.03,
    max_precision_drop: float = 0.02,
    target_metric: RankMetric = "pr_auc",
    max_target_drop: float = 0.01,
    min_target_lead: float = 0.0,
    require_improvement: bool = False,
    max_flip_rate: float | None = None,
    min_positives: int = 30,
    val_test_gap: CheckResult | None = None,
) -> CheckResult:
    """Judge the candidate against the champion on one split (see the module doc).

    Parameters
    ----------
    comparison : PairedComparison
        Both models on the same rows, with paired Poisson-bootstrap intervals of the
        differences (two-sided, at ``comparison.confidence``).
    max_fnr_increase : float
        Non-inferiority margin of ``FNR(candidate) − FNR(champion)`` (a difference of
        proportions of the risky rows).
    max_precision_drop : float
        Non-inferiority margin of the precision drop.
    target_metric : {"pr_auc", "roc_auc"}
        The ranking metric whose lead is recorded and judged.
    max_target_drop : float
        Non-inferiority margin of the target metric (metric units): a lead whose
        interval lies above ``−max_target_drop`` is shown no worse.
    min_target_lead : float
        The lead the lower end must exceed for *shown better*.
    require_improvement : bool
        True: only a candidate shown better passes the target criterion (neither and
        shown no worse are inconclusive); False: shown no worse suffices.
    max_flip_rate : float or None
        Largest share of decisions allowed to change (None: not judged).
    min_positives : int
        Fewest risky rows the comparison is judged on.
    val_test_gap : CheckResult or None
        The candidate's ``quality.val_test_gap`` verdict, judged as a criterion.

    Returns
    -------
    CheckResult
        ``promotion.vs_champion``: measured is the upper end of the interval of
        ``FNR(candidate) − FNR(champion)`` (in [-1, 1]); limit ``max_fnr_increase``;
        direction at most. Status fail / inconclusive / pass as the module doc says;
        the reason names the first failed (else the first inconclusive) criterion;
        ``needed`` = ``{"n_positive": risky rows}`` when inconclusive. Evidence: every
        criterion (finding, point, interval, limit, verdict, n, n_positive, needed),
        the segment regressions and McNemar's exact p-value. ``ERROR`` with fewer
        than ``min_positives`` risky rows, one class only (``Reason.TOO_FEW_POSITIVES``
        / ``Reason.ONE_CLASS``) or an undefined criterion and none failed
        (``Reason.UNDEFINED_METRIC``; a failed criterion decides: ``FAIL``).

    Raises
    ------
    ValueError
        When ``target_metric`` is not one of the allowed values.

    Notes
    -----
    Never raises for bad data: an undefined statistic is a CheckResult with status
    ``error``.

    References
    ----------
    Hanley, J. A. and MacGibbon, B. (2006). Computer Methods and Programs in
    Biomedicine 83(1); Chamandy, N. et al. (2012), Google technical report (the
    Poisson bootstrap).
    Wellek, S. (2010). Testing Statistical Hypotheses of Equivalence and
    Noninferiority, 2nd ed., CRC Press (non-inferiority decided on a confidence bound).
    Dunn, O. J. (1961). Multiple comparisons among means. JASA 56(293), 52–64
    (Bonferroni allocation).
    McNemar, Q. (1947). Psychometrika 12(2), 153–157.
    Saito, T. and Rehmsmeier, M. (2015). PLoS ONE 10(3), e0118432 (PR AUC);
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36 (ROC AUC).
    """
    check_option("target_metric", target_metric, RankMetric)
    c = comparison
    params = {"split": c.split, "target_metric": target_metric, "confidence": c.confidence}
    support = {"n": c.n, "n_positive": c.n_positive, "resamples": c.resamples, "bootstrap_cells": c.cells}
    if c.n_positive < min_positives or c.n_positive == c.n:
        what = "one class only" if c.n_positive in (0, c.n) else f"only {c.n_positive} risky row(s)"
        return CheckResult.undefined(
            VS_CHAMPION_ID,
            f"{c.split}: {what} (need ≥ {min_positives} and some safe rows): "
            "the two models cannot be compared",
            reason=Reason.TOO_FEW_POSITIVES if c.n_positive < c.n else Reason.ONE_CLASS,
            parameters=params,
            support=support,
            hint="Compare on a larger labelled sample (a longer test window or more labelled production).",
        )
    criteria = criteria_rows(
        c,
        max_fnr_increase=max_fnr_increase,
        max_precision_drop=max_precision_drop,
        target_metric=target_metric,
        max_target_drop=max_target_drop,
        min_target_lead=min_target_lead,
        require_improvement=require_improvement,
        max_flip_rate=max_flip_rate,
        val_test_gap=val_test_gap,
    )
    by_verdict = {
        v: [r["criterion"] for r in criteria if r["verdict"] == v] for v in ("error", "fail", "inconclusive")
    }
    fnr = c.delta["fnr"]
    regressions = [s for s in c.segments if s["measurable"] and s["fnr_change"] > max_fnr_increase]
    needed: dict[str, int] = {}
    if by_verdict["fail"]:  # decided: an undefined criterion beside it is said, not the status (trial)
        status, reason = Status.FAIL, Reason(by_verdict["fail"][0])
    elif by_verdict["error"]:
        status, reason = Status.ERROR, Reason.UNDEFINED_METRIC
    elif by_verdict["inconclusive"]:
        status, reason = Status.INCONCLUSIVE, Reason(by_verdict["inconclusive"][0])
        inconclusive = [r for r in criteria if r["verdict"] == "inconclusive"]
        open_rows = [
            r.get("needed", MAX_ROWS)
            for r in inconclusive
            if not r.get("grid_keeps_open") and "needed_elsewhere" not in r
        ]
        needed = {"n_positive": max(open_rows)} if open_rows else {}
    else:
        status, reason = Status.PASS, Reason.OK
    fnr_failed = status is Status.FAIL and "fnr_non_inferior" in by_verdict["fail"] and bool(regressions)
    cand, champ = c.candidate, c.champion
    message = (
        f"{c.split} ({c.n:,} rows, {c.n_positive:,} risky; {coverage_text(c.confidence)} paired intervals): "
        f"FNR {cand['fnr'].point:.3f} (candidate @ {c.thresholds['candidate']:.3f}) vs "
        f"{champ['fnr'].point:.3f} (champion @ {c.thresholds['champion']:.3f}); "
        + "; ".join(criterion_text(r) for r in criteria)
        + f"; {c.flips['changed']:,} decision(s) change ({c.flip_rate:.1%})"
        + (f" ({grid_note(c.grid)})" if c.grid else "")
    )
    if fnr_failed:  # every one, with its FNR (trial: the line named three "and 6 more")
        message += ". " + regressions_text(regressions)
    if status is Status.INCONCLUSIVE:
        # its own sentence (trial: after "N decision(s) change" a ": inconclusive" misread)
        message += f". The comparison is inconclusive: {settle_text(criteria, needed)}"
    champion_auc = champ["roc_auc"].point
    if champion_auc < 0.5:  # trial: a score column read with the wrong positive, compared silently
        message += (
            f". Note: the champion's scores rank risky rows below safe ones (ROC AUC {champion_auc:.3f}): "
            "is [columns] positive right for its score column or model?"
        )
    return CheckResult(
        id=VS_CHAMPION_ID,
        status=status,
        message=message,
        measured=fnr.high,
        limit=max_fnr_increase,
        direction=Direction.AT_MOST,
        reason=reason,
        support=support,
        needed=needed,
        evidence=(
            Evidence.capped("criteria", criteria),
            Evidence.capped(
                "segment_regressions",
                regressions,
                detail={"mcnemar_p": c.mcnemar_p, "flips": dict(c.flips), **c.grid_detail()},
            ),
        ),
        # failed on FNR: the segments whose FNR rose past the margin, the most risky rows
        # newly missed net of newly caught first, are named on the summary line (trial:
        # only promotion.md listed them)
        parameters={**params, **(at_fault([segment_name(r) for r in regressions]) if fnr_failed else {})},
        hint=champion_hint(c, status, by_verdict, needed, settle_text(criteria, needed)),
    )


def check_champion_missing(*, required: bool) -> CheckResult:
    """No champion configured: a skip with the reason, or a failure when one is required.

    Parameters
    ----------
    required : bool
        ``[promotion] require_champion``: True makes a missing champion a failure.

    Returns
    -------
    CheckResult
        Id ``promotion.vs_champion``, with ``Reason.NO_CHAMPION`` and no measured
        value: ``fail`` when ``required``, else ``skip``.

    Examples
    --------
    >>> check_champion_missing(required=False).status.value
    'skip'
    >>> check_champion_missing(required=True).status.value
    'fail'
    """
    if required:
        return CheckResult(
            id=VS_CHAMPION_ID,
            status=Status.FAIL,
            message="no [models.champion] configured, but [promotion] require_champion = true",
            reason=Reason.NO_CHAMPION,
            hint="Point [models.champion] at the model in production (a file or models:/name@champion).",
        )
    return CheckResult(
        id=VS_CHAMPION_ID,
        status=Status.SKIP,
        message="no [models.champion] configured: nothing to compare with (first model?)",
        reason=Reason.NO_CHAMPION,
    )
