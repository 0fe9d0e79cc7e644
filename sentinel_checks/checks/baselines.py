"""``quality.baselines``: the candidate must not be shown worse than a simple baseline.

The hypothesis tested, for each baseline: "the candidate ranks risky rows worse than
the baseline by more than ``margin``" (a non-inferiority test on the lead
``metric(candidate) − metric(baseline)``, decided on the lead's paired
Poisson-bootstrap interval):

- **fail** — shown worse: the interval lies below ``−margin`` (``high < −margin``);
- **pass** — shown no worse: the interval lies at or above it (``low ≥ −margin``);
- **inconclusive** — the interval holds ``−margin``; ``needed`` gives the risky rows
  at which it would clear it (:func:`~sentinel_checks.stats.power.rows_to_show_difference`).

The stricter ``rule="better"`` asks the candidate to be shown *better* than every
baseline (``low > 0``): it passes only then, fails when shown worse as above, and
is inconclusive otherwise (a candidate that only ties a simple model is reported,
and blocks with ``[gate] block_inconclusive = ["quality.baselines"]``).

Confidence: Bonferroni over the k baselines — each two-sided interval is at
``1 − (1 − confidence) / k``, so a candidate as good as every baseline is falsely
failed with probability at most ``(1 − confidence) / 2`` over all of them. The check's
outcome is the worst over the baselines (fail, then inconclusive, then pass).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from sentinel_checks.checks.findings import FINDING_TEXT, lead_finding
from sentinel_checks.options import LeadBound, RankMetric, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.intervals import bootstrap_interval, coverage_text
from sentinel_checks.stats.paired_cells import paired_cell_leads
from sentinel_checks.stats.paired_rows import PairedRows
from sentinel_checks.stats.power import MAX_ROWS, rows_to_show_difference
from sentinel_checks.stats.tie_bounds import GRID_KEEPS_OPEN, grid_entry, grid_note

BASELINES_ID = "quality.baselines"

#: How the lead over a baseline is judged: not shown worse (default) or shown better.
BaselineRule = Literal["no_worse", "better"]

_ORDER = {Status.ERROR: 0, Status.FAIL: 1, Status.INCONCLUSIVE: 2, Status.PASS: 3}


def check_baselines(
    y: np.ndarray,
    candidate: np.ndarray,
    baselines: Mapping[str, np.ndarray],
    *,
    metric: RankMetric = "pr_auc",
    split: str = "test",
    margin: float = 0.01,
    rule: BaselineRule = "no_worse",
    bound: LeadBound = "bootstrap",
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> CheckResult:
    """The candidate against every simple baseline on ``metric`` (scores on the same rows).

    Parameters
    ----------
    y : numpy.ndarray of bool, shape (n,)
        True for a risky row.
    candidate : numpy.ndarray of float, shape (n,)
        The candidate's scores on those rows.
    baselines : Mapping[str, numpy.ndarray]
        Each baseline's scores on the same rows, by name.
    metric : {"pr_auc", "roc_auc"}
        The ranking metric compared.
    split : str
        The split's name.
    margin : float
        The deficit (metric units, ≥ 0) the candidate may have against a baseline
        before it counts as worse.
    rule : {"no_worse", "better"}
        ``"no_worse"``: pass when shown no worse than every baseline; ``"better"``:
        pass only when shown better than every baseline (see the module doc).
    bound : {"bootstrap", "point"}
        Judge the lead's two-sided paired Poisson-bootstrap interval, or the point
        lead alone (an interval of width zero: never inconclusive; for quick runs).
    confidence : float
        Family confidence over the baselines (each interval at ``1 − (1 − confidence) / k``).
    resamples : int
        Bootstrap resamples (``bound="bootstrap"`` only).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    CheckResult
        ``quality.baselines``: measured is the lower end of the lead's interval over the
        strongest baseline (metric units, a difference of two values in [0, 1]); limit
        ``−margin`` (``0`` with ``rule="better"``); direction at least. Status fail /
        inconclusive / pass as in the module doc; ``needed = {"n_positive": …}`` when
        inconclusive. Evidence: per baseline its value, lead, interval, finding and
        verdict. ``ERROR`` (``Reason.NO_BASELINES``, ``Reason.ONE_CLASS`` or
        ``Reason.UNDEFINED_METRIC``) without baselines, with one class only, or with no
        finite bootstrap lead.

    Raises
    ------
    ValueError
        When ``metric``, ``rule`` or ``bound`` is not one of the allowed values, or
        ``margin`` is negative.

    References
    ----------
    Hanley, J. A. and MacGibbon, B. (2006). Creating non-parametric bootstrap samples
    using Poisson frequencies. Computer Methods and Programs in Biomedicine 83(1).
    Chamandy, N., Muralidharan, O., Najmi, A. and Naidu, S. (2012). Estimating
    uncertainty for massive data streams. Google technical report.
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap, ch. 13
    (percentile intervals). Wellek, S. (2010). Testing Statistical Hypotheses of
    Equivalence and Noninferiority, 2nd ed. (non-inferiority on a confidence bound).
    Dunn, O. J. (1961). JASA 56(293), 52–64 (Bonferroni).
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36 (ROC AUC);
    Saito, T. and Rehmsmeier, M. (2015). PLoS ONE 10(3), e0118432 (PR AUC, computed
    as average precision).
    """
    _check_options(metric, rule, bound, margin)  # before the rows are grouped
    y = np.asarray(y, dtype=bool)
    rows = {name: PairedRows.from_arrays(y, candidate, s) for name, s in baselines.items()}
    return check_baselines_rows(
        rows,
        metric=metric,
        split=split,
        margin=margin,
        rule=rule,
        bound=bound,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        n=len(y),
        n_positive=int(y.sum()),
    )


def check_baselines_rows(
    rows: Mapping[str, PairedRows],
    *,
    metric: RankMetric = "pr_auc",
    split: str = "test",
    margin: float = 0.01,
    rule: BaselineRule = "no_worse",
    bound: LeadBound = "bootstrap",
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
    n: int | None = None,
    n_positive: int | None = None,
) -> CheckResult:
    """:func:`check_baselines` from counts: the one implementation both entries run.

    Parameters
    ----------
    rows : Mapping[str, PairedRows]
        Per baseline, the split's rows grouped by (label, candidate score, baseline
        score) (:class:`~sentinel_checks.stats.paired_rows.PairedRows`), from memory
        (:meth:`PairedRows.from_arrays`) or from an engine
        (:func:`sentinel_checks.engine.paired_statistics.paired_rows`, the candidate's
        and the baseline's scored tables joined on the row position).
    n, n_positive : int, optional
        The split's rows and risky rows (default: read off the first baseline's groups);
        given, they also name the split's class balance when there is no baseline.
    metric, split, margin, rule, bound, confidence, resamples, seed
        As :func:`check_baselines`.

    Returns
    -------
    CheckResult
        Equal to :func:`check_baselines` on the rows the groups were made of, field for
        field: each metric is scikit-learn's with the group counts as sample weights
        (integer cumulative sums: the same values, bit for bit, as on the rows), and the
        bootstrap resamples the same cells with the same draws
        (:func:`~sentinel_checks.stats.paired_cells.paired_cell_leads` with ``counts=``).

    Raises
    ------
    ValueError
        As :func:`check_baselines`; also when a baseline's groups hold other rows than
        ``n`` / ``n_positive`` (or the first baseline's) count.
    """
    _check_options(metric, rule, bound, margin)
    params = {"split": split, "metric": metric, "rule": rule}
    score = _METRICS[metric]
    if not rows:
        return CheckResult.undefined(BASELINES_ID, "no baselines to compare", reason=Reason.NO_BASELINES)
    first = next(iter(rows.values()))
    n = first.n if n is None else n
    n_pos = first.positives if n_positive is None else n_positive
    differ = [name for name, r in rows.items() if (r.n, r.positives) != (n, n_pos)]
    if differ:
        raise ValueError(
            f"the grouped rows of {differ[0]!r} are not the rows counted ({n} rows, {n_pos} risky): "
            "every baseline must be paired with the candidate on the same rows"
        )
    if n_pos in (0, n):
        return CheckResult.undefined(
            BASELINES_ID,
            f"{split}: one class only: {metric} undefined",
            reason=Reason.ONE_CLASS,
            parameters=params,
        )
    each = 1 - (1 - confidence) / len(rows)  # Bonferroni over the baselines
    limit = 0.0 if rule == "better" else -margin
    cand_value = score(first.y, first.a, first.counts)
    found: list[dict[str, Any]] = []
    cells = 0
    for name, r in sorted(rows.items()):
        value = score(r.y, r.b, r.counts)
        lead = score(r.y, r.a, r.counts) - value  # cand_value unless the engine grouped on a grid
        lo = hi = lead
        if bound == "bootstrap":
            leads, k = paired_cell_leads(
                r.y, r.a, r.b, metric=metric, resamples=resamples, seed=seed, counts=r.counts
            )
            cells = max(cells, k)
            lo, hi = bootstrap_interval(lead, leads, confidence=each)
        below, above = r.lead_widening(metric)
        lo, hi = lo - below, hi + above
        finding = lead_finding(lo, hi, margin=margin)
        found.append(
            {
                "baseline": name,
                "value": value,
                "lead": lead,
                "interval": [lo, hi],
                "finding": finding,
                **({"score_grid": grid_entry(r.grid, widened_by=[below, above])} if r.grid else {}),
                **_verdict(
                    finding, lead, lo, hi, rule=rule, limit=limit, n_positive=n_pos, widened=(below, above)
                ),
            }
        )
    worst = min(found, key=lambda r: (_ORDER[Status(r["verdict"])], r["interval"][0]))
    status = Status(worst["verdict"])
    open_rows = [r["needed"] for r in found if "needed" in r]
    needed = {"n_positive": max(open_rows)} if status is Status.INCONCLUSIVE and open_rows else {}
    pct = coverage_text(each)
    # each finding in words (trial: a bare ": neither"); "; " apart, as the items hold commas
    shown = "; ".join(
        f"{r['baseline']} {r['value']:.3f} (lead {r['lead']:+.3f}, {pct} CI "
        f"[{r['interval'][0]:+.3f}, {r['interval'][1]:+.3f}]: {FINDING_TEXT.get(r['finding'], r['finding'])})"
        for r in found
    )
    rule_text = (
        "must be shown better than every baseline (lower bound > 0), fails when shown worse by "
        f"more than {margin:.3f}"
        if rule == "better"
        else f"must not be shown worse than a baseline by more than {margin:.3f}"
    )
    message = f"{split}: candidate {metric} {cand_value:.3f} vs {shown}; {rule_text}"
    grids = sorted({r.grid for r in rows.values() if r.grid})
    if grids:  # the engine grouped the scores: say so, and that the intervals hold it
        message = f"{message} ({grid_note(grids[0])})"
    if status is Status.INCONCLUSIVE:
        message += f": inconclusive on {n_pos} risky rows; " + (
            f"settling it needs ≈ {'more than ' if needed['n_positive'] >= MAX_ROWS else ''}"
            f"{needed['n_positive']:,} risky rows"
            if needed
            else GRID_KEEPS_OPEN
        )
    reason = {
        Status.PASS: Reason.OK,
        Status.ERROR: Reason.UNDEFINED_METRIC,
    }.get(status, Reason.WORSE_THAN_BASELINE)
    return CheckResult(
        id=BASELINES_ID,
        status=status,
        message=message,
        measured=float(worst["interval"][0]),
        limit=limit,
        direction=Direction.AT_LEAST,
        reason=reason,
        support={
            "n": n,
            "n_positive": n_pos,
            "resamples": resamples if bound == "bootstrap" else 0,
            "bootstrap_cells": cells,
        },
        needed=needed,
        evidence=(
            Evidence.capped(
                "baselines",
                found,
                detail={"candidate": cand_value, "confidence_each": each, "margin": margin},
            ),
        ),
        parameters=params,
        hint=_hint(status, worst["baseline"]),
    )


def _check_options(metric: str, rule: str, bound: str, margin: float) -> None:
    check_option("metric", metric, RankMetric)
    check_option("rule", rule, BaselineRule)
    check_option("bound", bound, LeadBound)
    if not margin >= 0:
        raise ValueError(f"margin={margin!r}: the deficit allowed against a baseline must be ≥ 0")


def _verdict(
    finding: str,
    lead: float,
    lo: float,
    hi: float,
    *,
    rule: str,
    limit: float,
    n_positive: int,
    widened: tuple[float, float],
) -> dict[str, Any]:
    if finding == "undefined":
        return {"verdict": Status.ERROR.value}
    if finding == "shown_worse":
        return {"verdict": Status.FAIL.value}
    if finding == "shown_better" or (rule == "no_worse" and finding == "shown_no_worse"):
        return {"verdict": Status.PASS.value}
    half, fixed = (lead - lo, widened[0]) if lead >= limit else (hi - lead, widened[1])
    if fixed > 0 and abs(lead - limit) <= fixed:  # the grid alone holds the limit
        return {"verdict": Status.INCONCLUSIVE.value, "grid_keeps_open": True}
    return {
        "verdict": Status.INCONCLUSIVE.value,
        "needed": rows_to_show_difference(n_positive, lead, half, limit, fixed=fixed),
    }


def _hint(status: Status, baseline: str) -> str:
    if status is Status.PASS:
        return ""
    if status is Status.INCONCLUSIVE:
        return (
            f"The data cannot tell whether the candidate ranks risky requests as well as {baseline}: "
            "evaluate on more labelled rows, or ask whether its extra complexity buys anything."
        )
    if status is Status.ERROR:
        return "The lead over a baseline is undefined (no bootstrap resample had both classes)."
    return (
        f"A simple class-weighted model ({baseline}) ranks risky requests demonstrably better: the "
        "candidate's extra complexity buys nothing. Check its features, leakage and training before "
        "promoting."
    )


def _pr_auc(y: np.ndarray, s: np.ndarray, counts: np.ndarray) -> float:
    """scikit-learn's average precision of grouped rows (``counts`` as sample weights):
    equal, bit for bit, to :func:`~sentinel_checks.stats.ranking.pr_auc` on the rows."""
    from sklearn.metrics import average_precision_score

    return math.nan if not y.any() else float(average_precision_score(y, s, sample_weight=counts))


def _roc_auc(y: np.ndarray, s: np.ndarray, counts: np.ndarray) -> float:
    """scikit-learn's ROC AUC of grouped rows: equal, bit for bit, to
    :func:`~sentinel_checks.stats.ranking.roc_auc` on the rows."""
    from sklearn.metrics import roc_auc_score

    if y.all() or not y.any():
        return math.nan
    return float(roc_auc_score(y, s, sample_weight=counts))


_METRICS = {"pr_auc": _pr_auc, "roc_auc": _roc_auc}
