"""``drift.calibration``: did calibration get worse from test to production (calibration drift)?"""

from __future__ import annotations

import math

import numpy as np

from sentinel_checks.checks.calibration import (
    CALIBRATION_HINT,
    ceiling_on_draws,
    combine,
    grid_text,
    merged_bins_text,
    verdict_text,
)
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.calibration_cells import CalibrationCells
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.tie_bounds import grid_entry

CALIBRATION_DRIFT_ID = "drift.calibration"

#: Mean score above this multiple of the prevalence: the scores look inflated (class weighting).
INFLATED_SCORES = 1.5


def _hint(mean_score: float, prevalence: float) -> str:
    if prevalence > 0 and mean_score > INFLATED_SCORES * prevalence:
        return (
            f"The mean score {mean_score:.3f} is {mean_score / prevalence:.1f}× the prevalence "
            f"{prevalence:.3f}: the scores look inflated, typically by class weighting. Recalibrate "
            "on held-out validation data (CalibratedClassifierCV(method='isotonic', cv='prefit') or "
            "sigmoid), or train without class weights / reweight the scores back to the prevalence."
        )
    return (
        "Calibration worsened on production: the relation between score and risk moved "
        "(prevalence or feature drift). Recalibrate on recent labelled data. " + CALIBRATION_HINT
    )


def check_calibration_change(
    y_reference: np.ndarray,
    scores_reference: np.ndarray,
    y_current: np.ndarray,
    scores_current: np.ndarray,
    *,
    pair: tuple[str, str] = ("test", "production"),
    max_ece_increase: float = 0.01,
    max_brier_increase: float | None = None,
    n_bins: int = 10,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> CheckResult:
    """Calibration drift: the ECE (and optionally the Brier score) rose by at most a limit.

    Hypothesis: the expected calibration error on the current sample exceeds the
    reference's by more than ``max_ece_increase``. The two samples are independent;
    each is Poisson-bootstrapped on its own (bins fixed per sample, seeds ``seed`` and
    ``seed + 1``) and the check judges the **basic bootstrap interval** of the
    difference ``ECE_current − ECE_reference``, which corrects much of the upward bias
    a smaller current sample would add to its ECE.

    * ``PASS`` — the interval lies at or below the limit (shown not materially worse);
    * ``FAIL`` — it lies entirely above (shown worse);
    * ``INCONCLUSIVE`` — it holds the limit; ``needed`` gives the current rows that
      would settle it (both samples scaled alike).

    With ``max_brier_increase`` the Brier increase is judged too, both must pass, and
    each interval has confidence ``1 − (1 − confidence)/2`` (Bonferroni).

    The default 0.01 is measured on NannyML's synthetic car loan data (risk score
    ``1 − y_pred_proba``, risky = not repaid, test = the last 10,000 reference rows
    by time, 10 equal-mass bins): production ids < 75,000 (stable) move the ECE
    0.0259 → 0.0284 (+0.0025, 95% CI −0.0015 to +0.0073: pass); ids ≥ 75,000
    (covariate shift) 0.0259 → 0.0439 (+0.0179, CI +0.0131 to +0.0233: fail). A limit
    of 0.02 could not fail that shift on 25,000 labelled rows.

    Parameters
    ----------
    y_reference, y_current : array_like of bool or {0, 1}, shape (n,) and (m,)
        True (1) where the row is risky.
    scores_reference, scores_current : array_like of float, shape (n,) and (m,)
        Predicted probabilities of the risky class, in [0, 1].
    pair : (str, str), default ("test", "production")
        Names of the two samples.
    max_ece_increase : float, default 0.01
        Largest ECE increase (probability units) that passes.
    max_brier_increase : float or None, default None
        Largest Brier increase (squared probability units); not judged when None
        (the Brier score also moves with the prevalence, not only with calibration).
    n_bins : int, default 10
        Calibration bins per sample (:func:`~sentinel_checks.stats.calibration.bin_index`).
    confidence : float, default 0.95
        Coverage of the two-sided intervals (before the Bonferroni split).
    resamples : int, default 200
        Bootstrap resamples per sample.
    seed : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    CheckResult
        ``drift.calibration``: measured is the ECE increase (probability units), limit
        ``max_ece_increase``, direction at most; reason ``Reason.CALIBRATION_DRIFT``
        on a fail. ``ERROR`` (``Reason.EMPTY``) when a sample has no rows.

    Notes
    -----
    Never raises for bad data.

    References
    ----------
    Davis, S. E., Lasko, T. A., Chen, G., Siew, E. D. and Matheny, M. E. (2017).
    Calibration drift in regression and machine learning models for acute kidney
    injury. JAMIA 24(6). Davison and Hinkley (1997), §5.2 (basic interval).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = rng.uniform(0, 1, 4000)
    >>> y = rng.uniform(0, 1, 4000) < s
    >>> check_calibration_change(y[:2000], s[:2000], y[2000:], s[2000:]).status.value
    'pass'
    >>> check_calibration_change(y[:2000], s[:2000], y[2000:], 0.2 + 0.6 * s[2000:]).status.value
    'fail'
    """
    return check_calibration_change_cells(
        CalibrationCells.from_arrays(
            np.asarray(y_reference, dtype=float), np.asarray(scores_reference, dtype=float)
        ),
        CalibrationCells.from_arrays(
            np.asarray(y_current, dtype=float), np.asarray(scores_current, dtype=float)
        ),
        pair=pair,
        max_ece_increase=max_ece_increase,
        max_brier_increase=max_brier_increase,
        n_bins=n_bins,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
    )


def check_calibration_change_cells(
    reference: CalibrationCells,
    current: CalibrationCells,
    *,
    pair: tuple[str, str] = ("test", "production"),
    max_ece_increase: float = 0.01,
    max_brier_increase: float | None = None,
    n_bins: int = 10,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
    grids: tuple[int, int] = (0, 0),
) -> CheckResult:
    """:func:`check_calibration_change` from each sample's rows grouped by (score, label).

    Every figure (ECE, Brier score, their bootstrap, the current mean score and
    prevalence) is computed from the cells
    (:class:`~sentinel_checks.stats.calibration_cells.CalibrationCells`), so the result
    is the same whether the cells come from per-row arrays
    (:meth:`~CalibrationCells.from_arrays`) or from threshold counts grouped in the
    engine or in memory (:meth:`~CalibrationCells.from_counts`): no per-row array is read.

    Parameters
    ----------
    reference, current : CalibrationCells
        The reference (test) and current (labelled production) samples' cells.
    pair, max_ece_increase, max_brier_increase, n_bins, confidence, resamples, seed
        As :func:`check_calibration_change`.
    grids : (int, int)
        Cells per unit of score of the reference's and the current sample's grid when the
        engine grouped that sample's scores
        (:func:`~sentinel_checks.checks.calibration.check_calibration_cells`); 0 when
        exact. Bins of whole cells can merge, and an ECE over fewer bins can only be lower.
        So, judged on the ECE alone (the Brier score has no bins): a pass with fewer than
        ``n_bins`` bins on a gridded current sample is ``INCONCLUSIVE``
        (``Reason.SCORE_GRID``, no ``needed``: more rows cannot settle it, a finer grid
        can); a failure with merged bins on a gridded reference stands (failing closed)
        and its message says the rise may be overstated. Bins a sample lacks because its
        exact scores are few are never blamed on a grid.

    Returns
    -------
    CheckResult
        As :func:`check_calibration_change`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = rng.uniform(0, 1, 4000)
    >>> y = rng.uniform(0, 1, 4000) < s
    >>> a = CalibrationCells.from_arrays(y[:2000], s[:2000])
    >>> b = CalibrationCells.from_arrays(y[2000:], s[2000:])
    >>> by_rows = check_calibration_change(y[:2000], s[:2000], y[2000:], s[2000:])
    >>> check_calibration_change_cells(a, b) == by_rows
    True
    """
    ref, cur = pair
    params = {"pair": f"{ref}→{cur}"}
    grid = min((g for g in grids if g), default=0)  # the coarser, for the message
    n1, n2 = reference.n, current.n
    support = {f"n_{ref}": n1, f"n_{cur}": n2}
    if n1 == 0 or n2 == 0:
        return CheckResult.undefined(
            CALIBRATION_DRIFT_ID,
            f"{ref}→{cur}: a sample has no labelled scored rows",
            reason=Reason.EMPTY,
            parameters=params,
            support=support,
        )
    bins1, bins2 = reference.bins(n_bins), current.bins(n_bins)
    ece1, ece2 = bins1.ece, bins2.ece
    brier1, brier2 = reference.brier(), current.brier()
    draws1 = reference.draws(n_bins=n_bins, resamples=resamples, seed=seed)
    draws2 = current.draws(n_bins=n_bins, resamples=resamples, seed=seed + 1)
    diff = draws2 - draws1  # independent samples: the difference of independent draws
    level = 1 - (1 - confidence) / (2 if max_brier_increase is not None else 1)
    d_ece = ece2 - ece1
    low, high, ece_status, ece_rows = ceiling_on_draws(
        d_ece, diff[:, 0], max_ece_increase, confidence=level, n=n2, floor=-math.inf
    )
    # bins of whole grid cells can merge, and an ECE over merged bins can only be lower:
    # merged on a gridded current sample, a pass of the ECE proves nothing
    merged_current = bool(grids[1]) and len(bins2.count) < n_bins
    merged_reference = bool(grids[0]) and len(bins1.count) < n_bins
    grid_open = merged_current and ece_status is Status.PASS
    if grid_open:
        ece_status = Status.INCONCLUSIVE
    statuses, settle = [ece_status], [ece_rows]
    parts = [
        f"ECE {ece1:.4f} → {ece2:.4f} (change {d_ece:+.4f}, "
        f"{coverage_text(level)} CI {low:+.4f} to {high:+.4f}; "
        f"limit +{max_ece_increase:.4f})"
    ]
    d_brier = brier2 - brier1
    b_low = b_high = math.nan
    if max_brier_increase is not None:
        b_low, b_high, brier_status, brier_rows = ceiling_on_draws(
            d_brier, diff[:, 1], max_brier_increase, confidence=level, n=n2, floor=-math.inf
        )
        statuses.append(brier_status)
        settle.append(brier_rows)
        parts.append(
            f"Brier {brier1:.4f} → {brier2:.4f} (change {d_brier:+.4f}, CI {b_low:+.4f} to {b_high:+.4f}; "
            f"limit +{max_brier_increase:.4f})"
        )
    else:  # shown, not judged (trial: "an interval holds its limit" read as two intervals)
        parts.append(f"Brier {brier1:.4f} → {brier2:.4f} (not judged: [drift] max_brier_increase is unset)")
    status = combine(statuses)
    needed: dict[str, int] = {}
    verdict = verdict_text(status)
    merged = status is Status.INCONCLUSIVE and grid_open
    if merged:
        verdict = merged_bins_text(len(bins2.count), n_bins, cur)
    elif status is Status.INCONCLUSIVE:
        k = max(r for r, st in zip(settle, statuses, strict=True) if st is Status.INCONCLUSIVE) / n2
        needed = {
            f"n_{ref}": max(n1, math.ceil(k * n1)),
            f"n_{cur}": max(n2 + 1, math.ceil(k * n2)),
        }
        # the row counts are in ``support`` / ``needed``, which the reports show once
        which = "the ECE change's interval" if max_brier_increase is None else "an interval"
        verdict = f"{which} holds its limit: inconclusive; more rows of both samples would settle it"
    if status is Status.FAIL and statuses[0] is Status.FAIL and merged_reference:
        verdict += (
            f" (the grid left {len(bins1.count)} of {n_bins} bins of {ref}, which can only lower its "
            "ECE: the rise may be overstated; a larger [engine] max_threshold_groups gives a finer grid)"
        )
    mean_score = float(current.count @ current.score) / n2
    prevalence = float(current.risky.sum()) / n2
    return CheckResult(
        id=CALIBRATION_DRIFT_ID,
        status=status,
        message=f"{ref}→{cur}: "
        + "; ".join(parts)
        + (f" ({grid_text(grid)})" if grid else "")
        + f": {verdict}",
        measured=d_ece,
        limit=max_ece_increase,
        direction=Direction.AT_MOST,
        reason=Reason.SCORE_GRID
        if merged
        else {
            Status.FAIL: Reason.CALIBRATION_DRIFT,
            Status.INCONCLUSIVE: Reason.TOO_FEW_ROWS,
            Status.ERROR: Reason.UNDEFINED_METRIC,
        }.get(status, Reason.OK),
        support=support,
        evidence=(
            Evidence.capped(
                "calibration_change",
                [],
                total=0,
                detail={
                    "ece": [ece1, ece2],
                    "bins": [len(bins1.count), len(bins2.count)],  # non-empty bins of each sample
                    "ece_change_interval": [low, high],
                    "brier": [brier1, brier2],
                    "brier_change_interval": [b_low, b_high],
                    "brier_limit": max_brier_increase,  # None: the Brier change is not judged
                    "mean_score_current": mean_score,
                    "prevalence_current": prevalence,
                    "confidence": level,
                    **({"score_grid": grid_entry(grid)} if grid else {}),
                },
            ),
        ),
        parameters=params,
        hint=_hint(mean_score, prevalence),
        needed=needed,
    )
