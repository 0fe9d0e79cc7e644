"""``quality.calibration``: reliability of the scores (ECE, Brier), judged on bootstrap intervals.

The statistics and their bootstrap draws are computed in
:mod:`sentinel_checks.stats.calibration`; this check judges their intervals against
the limits.
"""

from __future__ import annotations

import math

import numpy as np

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge_interval
from sentinel_checks.stats.calibration import basic_interval
from sentinel_checks.stats.calibration_cells import CalibrationCells
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.tie_bounds import grid_entry

CALIBRATION_ID = "quality.calibration"

CALIBRATION_HINT = (
    "Scores do not mean what they say: calibrate on held-out data (isotonic or sigmoid, "
    "e.g. CalibratedClassifierCV), especially after class weighting or a prevalence shift."
)


def combine(statuses: list[Status]) -> Status:
    """One status from several criteria that must all hold: error, fail, inconclusive, pass."""
    for status in (Status.ERROR, Status.FAIL, Status.INCONCLUSIVE):
        if status in statuses:
            return status
    return Status.PASS


def half_facing(estimate: float, low: float, high: float, limit: float) -> float:
    """The half of an interval between the estimate and the limit (for the rows needed)."""
    return (high - estimate) if estimate <= limit else (estimate - low)


def ceiling_on_draws(
    estimate: float, draws: np.ndarray, limit: float, *, confidence: float, n: int, floor: float = 0.0
) -> tuple[float, float, Status, int]:
    """One "at most ``limit``" criterion judged on the basic bootstrap interval of its draws.

    Parameters
    ----------
    estimate : float
        The statistic on the sample (an ECE, a Brier score, or a change of one).
    draws : ndarray of float, shape (resamples,)
        Its bootstrap draws.
    limit : float
        The ceiling.
    confidence : float
        Two-sided coverage of the interval.
    n : int
        Rows the interval was computed on (the unit of the rows needed).
    floor : float, default 0.0
        Smallest value a bound may take (``-inf`` for a change).

    Returns
    -------
    (low, high, status, rows) : tuple
        The interval, its three-way status against ``limit``
        (:func:`~sentinel_checks.result.judge_interval`) and the rows at which it
        would clear the limit (:func:`~sentinel_checks.stats.power.rows_to_show_difference`).
    """
    low, high = basic_interval(estimate, draws, confidence=confidence, floor=floor)
    status = judge_interval(low, high, limit, Direction.AT_MOST)
    rows = rows_to_show_difference(n, estimate, half_facing(estimate, low, high, limit), limit)
    return low, high, status, rows


def verdict_text(status: Status) -> str:
    """The closing words of a calibration message for a settled status ("" when inconclusive)."""
    return {Status.PASS: "pass", Status.FAIL: "fail", Status.ERROR: "a bound is undefined: error"}.get(
        status, ""
    )


def check_calibration(
    y: np.ndarray,
    scores: np.ndarray,
    *,
    split: str,
    max_ece: float = 0.05,
    max_brier: float | None = None,
    n_bins: int = 10,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> CheckResult:
    """Calibration on one split: the ECE (and optionally the Brier score) shown at or below limits.

    Hypothesis: the scores' expected calibration error exceeds ``max_ece``. The ECE of
    a finite sample is biased upward (noise in each bin adds to ``|observed −
    predicted|``), so a calibrated model on a small test set can exceed the limit by
    chance; the check judges the **basic bootstrap interval** (Poisson bootstrap,
    bins held fixed), which reflects the resamples around the estimate and so
    corrects much of that bias (:func:`~sentinel_checks.stats.calibration.basic_interval`).

    * ``PASS`` — the interval lies at or below the limit (shown calibrated enough);
    * ``FAIL`` — it lies entirely above (shown miscalibrated);
    * ``INCONCLUSIVE`` — it holds the limit; ``needed`` gives the rows that would settle it.

    With ``max_brier`` the Brier score's interval is judged the same way and both
    criteria must pass; each interval then has confidence ``1 − (1 − confidence)/2``
    (Bonferroni), so the false-block chance stays at most ``(1 − confidence)/2`` one-sided.
    Measured (``benchmarks/label_and_calibration.py --simulate``, 200 samples per
    cell, 10 bins, confidence 0.95): calibrated scores fail 0/200 at 500 and 2,000
    rows and 5/200 at 200 rows with prevalence 0.5; scores off by 0.08 fail 69/200 at
    500 rows (3 pass) and 168/200 at 2,000 rows (none pass).

    Parameters
    ----------
    y : array_like of bool or {0, 1}, shape (n,)
        True (1) where the row is risky.
    scores : array_like of float, shape (n,)
        Predicted probabilities of the risky class, in [0, 1].
    split : str
        The split's name.
    max_ece : float, default 0.05
        ECE limit, in probability units.
    max_brier : float or None, default None
        Brier limit (squared probability units); none when None.
    n_bins : int, default 10
        Equal-mass bins; with at most ``n_bins`` distinct scores one bin per score
        (:func:`~sentinel_checks.stats.calibration.bin_index`).
    confidence : float, default 0.95
        Coverage of the two-sided intervals (before the Bonferroni split).
    resamples : int, default 200
        Bootstrap resamples.
    seed : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    CheckResult
        ``quality.calibration``: measured is the ECE, limit ``max_ece`` — or the Brier
        score and ``max_brier`` when the Brier criterion alone sets a fail or an
        inconclusive status (``parameters["criterion"]``: ``"ECE"`` or ``"Brier
        score"``, also said in the message); reason
        ``Reason.MISCALIBRATED`` on a fail, ``Reason.TOO_FEW_ROWS`` when inconclusive,
        ``ERROR`` (``Reason.EMPTY``) without scored rows or with a non-finite statistic.

    Notes
    -----
    Never raises for bad data: an undefined statistic is a CheckResult with status ``error``.

    References
    ----------
    Naeini et al. (2015), AAAI, and Guo et al. (2017), ICML (expected calibration
    error); Brier, G. W. (1950), Monthly Weather Review 78(1); Davison, A. C. and
    Hinkley, D. V. (1997), Bootstrap Methods and their Application, §5.2 (basic interval).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = rng.uniform(0, 1, 5000)
    >>> y = rng.uniform(0, 1, 5000) < s
    >>> check_calibration(y, s, split="test").status.value
    'pass'
    >>> check_calibration(y, 0.3 + 0.4 * s, split="test").status.value
    'fail'
    """
    cells = CalibrationCells.from_arrays(np.asarray(y, dtype=float), np.asarray(scores, dtype=float))
    return check_calibration_cells(
        cells,
        split=split,
        max_ece=max_ece,
        max_brier=max_brier,
        n_bins=n_bins,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
    )


def grid_text(grid: int) -> str:
    """How a calibration result says its scores were grouped on a grid in the engine.

    >>> grid_text(1024).split(":")[0]
    'scores grouped in the engine on a 1/1024 grid'
    """
    return (
        f"scores grouped in the engine on a 1/{grid} grid: bins of whole cells, each at its rows' "
        "mean score; a larger [engine] max_threshold_groups gives a finer grid"
    )


def merged_bins_text(bins_left: int, n_bins: int, sample: str = "") -> str:
    """The verdict of a calibration result whose grid merged its bins (``Reason.SCORE_GRID``).

    >>> merged_bins_text(3, 10)[:40]
    'inconclusive: the grid left 3 of 10 bins'
    """
    of = f" of {sample}" if sample else ""
    return (
        f"inconclusive: the grid left {bins_left} of {n_bins} bins{of} "
        "(more rows cannot settle it: raise [engine] max_threshold_groups for a finer grid)"
    )


def check_calibration_cells(
    cells: CalibrationCells,
    *,
    split: str,
    max_ece: float = 0.05,
    max_brier: float | None = None,
    n_bins: int = 10,
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
    grid: int = 0,
) -> CheckResult:
    """:func:`check_calibration` on the rows grouped by (score, label): the one implementation.

    Parameters
    ----------
    cells : CalibrationCells
        Per distinct score its risky and safe rows: from the rows
        (:meth:`CalibrationCells.from_arrays`) or from the threshold counts, grouped in
        the engine or in memory (:meth:`CalibrationCells.from_counts`).
    split, max_ece, max_brier, n_bins, confidence, resamples, seed
        As :func:`check_calibration`.
    grid : int
        Cells per unit of score when the engine grouped the scores on a grid
        (:mod:`~sentinel_checks.engine.threshold_grid`: each cell at its rows' mean
        score, so each bin's mean score is the rows' own, and the bins hold whole
        cells); 0 when the cells are the distinct scores. The message and the evidence
        (``score_grid``) say so. The Brier score is then that of the cells' mean scores,
        within ``2 / grid`` of the rows' (each score moves by less than a cell's width).
        When the cells leave fewer than ``n_bins`` bins, a pass becomes inconclusive
        (``Reason.SCORE_GRID``): merging bins can only lower the ECE.

    Returns
    -------
    CheckResult
        As :func:`check_calibration`; equal for equal cells, whichever engine counted them.
    """
    params = {"split": split}
    n = cells.n
    bins = cells.bins(n_bins)
    ece, brier_score = bins.ece, cells.brier()
    if n == 0 or not math.isfinite(ece) or not math.isfinite(brier_score):
        return CheckResult.undefined(
            CALIBRATION_ID, f"{split}: no scored rows to calibrate", reason=Reason.EMPTY, parameters=params
        )
    level = 1 - (1 - confidence) / (2 if max_brier is not None else 1)
    draws = cells.draws(n_bins=n_bins, resamples=resamples, seed=seed)
    ece_low, ece_high, ece_status, ece_rows = ceiling_on_draws(
        ece, draws[:, 0], max_ece, confidence=level, n=n
    )
    statuses, settle = [ece_status], [ece_rows]
    # the bins are the ECE's (the Brier score is per row): named beside it, not after the Brier
    parts = [
        f"ECE {ece:.4f} over {len(bins.count)} bins ({coverage_text(level)} CI "
        f"{ece_low:.4f}–{ece_high:.4f}; limit {max_ece:.4f})"
    ]
    brier_low = brier_high = math.nan
    if max_brier is not None:
        brier_low, brier_high, brier_status, brier_rows = ceiling_on_draws(
            brier_score, draws[:, 1], max_brier, confidence=level, n=n
        )
        statuses.append(brier_status)
        settle.append(brier_rows)
        parts.append(
            f"Brier {brier_score:.4f} ({coverage_text(level)} CI {brier_low:.4f}–{brier_high:.4f}; "
            f"limit {max_brier:.4f})"
        )
    else:
        parts.append(f"Brier {brier_score:.4f}")
    status = combine(statuses)
    needed: dict[str, int] = {}
    verdict = verdict_text(status)
    # bins of whole grid cells can merge (scores crowded into few cells): a coarser
    # partition can only lower the ECE, so a pass on fewer bins than asked proves nothing
    # (a failure stands)
    merged = bool(grid) and len(bins.count) < n_bins and status is Status.PASS
    if merged:
        status = Status.INCONCLUSIVE
        verdict = merged_bins_text(len(bins.count), n_bins)
    elif status is Status.INCONCLUSIVE:
        m = max(r for r, st in zip(settle, statuses, strict=True) if st is Status.INCONCLUSIVE)
        needed = {"n": m}
        verdict = f"an interval holds its limit: inconclusive; settling it needs ≈ {m:,} rows (has {n:,})"
    worst = sorted(bins.rows(), key=lambda r: -abs(r["observed_rate"] - r["mean_score"]))
    # the criterion that decided: the Brier score when it alone sets the status, so measured
    # and limit never read as within while the status is a fail (or inconclusive)
    by_brier = max_brier is not None and statuses[0] is not status
    criterion = "Brier score" if by_brier else "ECE"
    if len(statuses) > 1 and status is not Status.PASS:
        verdict += f" (decided by the {criterion})"
    return CheckResult(
        id=CALIBRATION_ID,
        status=status,
        message=f"{split}: " + "; ".join([*parts, *([grid_text(grid)] if grid else [])]) + f": {verdict}",
        measured=brier_score if by_brier else ece,
        limit=max_brier if by_brier and max_brier is not None else max_ece,
        direction=Direction.AT_MOST,
        reason=Reason.SCORE_GRID
        if merged
        else {
            Status.FAIL: Reason.MISCALIBRATED,
            Status.INCONCLUSIVE: Reason.TOO_FEW_ROWS,
            Status.ERROR: Reason.UNDEFINED_METRIC,
        }.get(status, Reason.OK),
        support={"n": n, "bins": len(bins.count)},
        evidence=(
            Evidence.capped(
                "worst_bins",
                worst,
                detail={
                    "ece_interval": [ece_low, ece_high],
                    "brier": brier_score,
                    "brier_interval": [brier_low, brier_high],
                    "confidence": level,
                    **({"score_grid": grid_entry(grid)} if grid else {}),
                },
            ),
        ),
        parameters={**params, "criterion": criterion},
        hint=CALIBRATION_HINT,
        needed=needed,
    )
