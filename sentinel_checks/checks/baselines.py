"""``quality.baselines``: the candidate's lead over every simple baseline on a ranking metric."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sentinel_checks.options import LeadBound, RankMetric, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.ranking import paired_bootstrap_leads

BASELINES_ID = "quality.baselines"


def check_baselines(
    y: np.ndarray,
    candidate: np.ndarray,
    baselines: Mapping[str, np.ndarray],
    *,
    metric: RankMetric = "pr_auc",
    split: str = "test",
    margin: float = 0.0,
    bound: LeadBound = "bootstrap",
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> CheckResult:
    """The candidate's lead over every simple baseline on ``metric`` (scores on the same rows).

    With ``bound="bootstrap"`` the lead over each baseline gets a paired (Poisson)
    bootstrap interval (the same resampled rows for both models), and the check passes only when
    the lower end reaches ``margin``: the candidate demonstrably beats every simple
    model. ``bound="point"`` judges the point lead. Measured: the judged lead over the
    strongest baseline.

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
        The lead (in metric units) the candidate must reach over every baseline.
    bound : {"bootstrap", "point"}
        Judge the lower end of the two-sided paired Poisson-bootstrap interval of the
        lead at ``confidence``, or the point lead.
    confidence : float
        Coverage of the two-sided bootstrap interval.
    resamples : int
        Bootstrap resamples (``bound="bootstrap"`` only).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    CheckResult
        ``quality.baselines``: measured is the judged lead over the strongest baseline
        (metric units, a difference of two values in [0, 1]); limit ``margin``;
        direction at least. With ``bound="bootstrap"`` the message's "95% lower
        bound" is the lower end of the two-sided 95% percentile interval, i.e. a
        one-sided 97.5% bound. ``ERROR`` (``Reason.NO_BASELINES`` or
        ``Reason.ONE_CLASS``) without baselines or with one class only.

    Raises
    ------
    ValueError
        When ``metric`` or ``bound`` is not one of the allowed values.

    References
    ----------
    Hanley, J. A. and MacGibbon, B. (2006). Creating non-parametric bootstrap samples
    using Poisson frequencies. Computer Methods and Programs in Biomedicine 83(1).
    Chamandy, N., Muralidharan, O., Najmi, A. and Naidu, S. (2012). Estimating
    uncertainty for massive data streams. Google technical report.
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap, ch. 13
    (percentile intervals). See
    :func:`~sentinel_checks.stats.ranking.paired_bootstrap_leads`.
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36 (ROC AUC);
    Saito, T. and Rehmsmeier, M. (2015). PLoS ONE 10(3), e0118432 (PR AUC, computed
    as average precision).
    """
    check_option("metric", metric, RankMetric)
    check_option("bound", bound, LeadBound)
    params = {"split": split, "metric": metric}
    y = np.asarray(y, dtype=bool)
    score = _METRICS[metric]
    if not baselines:
        return CheckResult.undefined(BASELINES_ID, "no baselines to compare", reason=Reason.NO_BASELINES)
    if y.all() or not y.any():
        return CheckResult.undefined(
            BASELINES_ID,
            f"{split}: one class only: {metric} undefined",
            reason=Reason.ONE_CLASS,
            parameters=params,
        )
    base_values = {name: score(y, s) for name, s in baselines.items()}
    cand_value = score(y, candidate)
    rows: list[dict[str, Any]] = []
    for name, s in sorted(baselines.items()):
        lead = cand_value - base_values[name]
        lo = hi = lead
        if bound == "bootstrap":
            leads = paired_bootstrap_leads(
                y, candidate, np.asarray(s), metric=metric, resamples=resamples, seed=seed
            )
            alpha = (1 - confidence) / 2
            lo, hi = (float(v) for v in np.quantile(leads, [alpha, 1 - alpha]))
        judged = lo if bound == "bootstrap" else lead
        rows.append(
            {
                "baseline": name,
                "value": base_values[name],
                "lead": lead,
                "interval": [lo, hi],
                "judged": judged,
            }
        )
    worst = min(rows, key=lambda r: r["judged"])
    status = Status.PASS if worst["judged"] >= margin else Status.FAIL
    shown = ", ".join(
        f"{r['baseline']} {r['value']:.3f} (lead {r['lead']:+.3f}, {confidence:.0%} CI "
        f"[{r['interval'][0]:+.3f}, {r['interval'][1]:+.3f}])"
        for r in rows
    )
    rule = f"{confidence:.0%} lower bound of the lead" if bound == "bootstrap" else "lead"
    return CheckResult(
        id=BASELINES_ID,
        status=status,
        message=(
            f"{split}: candidate {metric} {cand_value:.3f} vs {shown}; judged on the {rule}, ≥ {margin:+.3f}"
        ),
        measured=float(worst["judged"]),
        limit=margin,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if status is Status.PASS else Reason.WORSE_THAN_BASELINE,
        support={
            "n": len(y),
            "n_positive": int(y.sum()),
            "resamples": resamples if bound == "bootstrap" else 0,
        },
        evidence=(Evidence.capped("baselines", rows, detail={"candidate": cand_value}),),
        parameters=params,
        hint=(
            "A simple class-weighted model ranks risky requests better: the candidate's extra "
            "complexity buys nothing. Check its features, leakage and training before promoting."
        ),
    )


def _pr_auc(y: np.ndarray, s: np.ndarray) -> float:
    from sentinel_checks.stats.ranking import pr_auc

    return pr_auc(y, s)


def _roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    from sentinel_checks.stats.ranking import roc_auc

    return roc_auc(y, s)


_METRICS = {"pr_auc": _pr_auc, "roc_auc": _roc_auc}
