"""matplotlib: the report's figures, drawn headless (Agg) into PNG files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentinel_checks.stats.calibration_cells import CalibrationCells


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def reliability_diagram(bins: Mapping[str, Any], path: Path) -> Path:
    """Observed risky rate against mean score per equal-mass bin, one line per split.

    Parameters
    ----------
    bins : mapping of str to CalibrationBins
        Per split name, the bins (``mean_score``, ``observed_rate``, ``count``, ``ece``).
    path : Path
        The PNG written; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    drawn = [(name, b) for name, b in bins.items() if len(b.count)]
    values = np.concatenate([np.asarray(b.mean_score, float) for _, b in drawn] or [np.zeros(0)])
    positive = values[values > 0]
    # equal-mass bins of a rare-event model sit near 0: on linear axes 9 of 10 overlap.
    # Spread them on log axes when the bins' mean scores span more than a factor 20.
    logged = positive.size >= 2 and float(positive.max()) / float(positive.min()) > 20
    low = float(positive.min()) / 2 if logged else 0.0
    top = 0.0
    for name, b in drawn:
        x, y = np.asarray(b.mean_score, float), np.asarray(b.observed_rate, float)
        if logged:  # a bin without risky rows is drawn on the bottom edge, hollow
            (line,) = ax.plot(x, np.where(y > 0, y, np.nan), marker="o", label=f"{name} (ECE {b.ece:.3f})")
            zero = y <= 0
            if zero.any():
                ax.plot(
                    x[zero],
                    np.full(zero.sum(), low),
                    marker="v",
                    ls="none",
                    mfc="none",
                    color=line.get_color(),
                )
        else:
            ax.plot(x, y, marker="o", label=f"{name} (ECE {b.ece:.3f})")
        top = max(top, float(np.max(x)), float(np.max(y)))
    top = min(1.0, top * 1.3) or 1.0
    ax.plot([low or 0, top], [low or 0, top], color="grey", linestyle="--", label="perfectly calibrated")
    if logged:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(low, top)
        ax.set_ylim(low / 2, top)
    title = "Reliability (log axes; ▽ = bin without risky rows)" if logged else "Reliability"
    ax.set(xlabel="mean predicted risk (equal-mass bin)", ylabel="observed risky rate", title=title)
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def pr_curves(curves: Mapping[str, tuple[Any, float]], path: Path) -> Path:
    """Precision–recall curve per model (from its ThresholdCounts) with its threshold marked.

    Parameters
    ----------
    curves : mapping of str to (ThresholdCounts, float)
        Per model name, its counts by threshold on test and its operating threshold;
        a model without risky rows is left out.
    path : Path
        The PNG written; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    shown = {name: c for name, c in curves.items() if c[0].positives}
    # the legend gets its own row under the axes: the curves fill the corners a legend would hide
    fig, (ax, key) = plt.subplots(
        2, 1, figsize=(6.4, 5.2 + 0.22 * len(shown)), height_ratios=(5, 0.35 + 0.25 * len(shown))
    )
    key.axis("off")
    handles = []
    for name, (counts, threshold) in shown.items():
        recall = counts.tp / counts.positives
        precision = counts.tp / np.maximum(counts.tp + counts.fp, 1)
        (line,) = ax.step(*thinned_curve(recall, precision), where="post", marker="none")
        op = counts.at(threshold)
        ax.plot([op.recall], [op.precision], marker="o", markersize=9, color=line.get_color())
        (handle,) = key.plot(
            [],
            [],
            marker="o",
            color=line.get_color(),
            label=f"{name}: threshold {threshold_text(threshold)}, recall {op.recall:.3f}, "
            + (f"precision {op.precision:.3f}" if np.isfinite(op.precision) else "nothing flagged"),
        )
        handles.append(handle)
    ax.set(xlabel="recall (risky)", ylabel="precision", title="Precision–recall, test (● operating point)")
    ax.set(xlim=(0, 1.02), ylim=(0, 1.02))
    key.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    return _save(fig, path)


#: Recall columns a drawn PR curve keeps its shape in (the figure is 640 pixels wide).
CURVE_COLUMNS = 2000


def thinned_curve(
    recall: np.ndarray, precision: np.ndarray, columns: int = CURVE_COLUMNS
) -> tuple[np.ndarray, np.ndarray]:
    """A PR curve's points as drawn: in each of ``columns`` equal slices of recall, its
    first and last point and its lowest and highest precision (at the slice's first
    recall), in recall order; the curve unchanged when it has fewer points than that.

    The figure shows the same envelope to the pixel; a curve of one point per distinct
    score (16M at 100M rows) no longer holds gigabytes in matplotlib's paths. The
    figures are pictures: every reported number comes from the exact counts.

    Parameters
    ----------
    recall : ndarray of float, shape (k,)
        Non-decreasing (thresholds in descending order).
    precision : ndarray of float, shape (k,)

    Returns
    -------
    tuple of two ndarrays, shape (m,) with m ≤ 4 · ``columns``

    Examples
    --------
    >>> r = np.linspace(0, 1, 100_001)
    >>> x, y = thinned_curve(r, 1 - r**2)
    >>> len(x) <= 8000, float(x[0]), float(x[-1]), float(y.min()), float(y.max())
    (True, 0.0, 1.0, 0.0, 1.0)
    """
    recall, precision = np.asarray(recall, dtype=float), np.asarray(precision, dtype=float)
    if len(recall) <= 4 * columns:
        return recall, precision
    column = np.minimum((recall * columns).astype(np.int64), columns - 1)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    ends = np.r_[starts[1:], len(recall)] - 1
    low, high = np.minimum.reduceat(precision, starts), np.maximum.reduceat(precision, starts)
    x = np.column_stack([recall[starts], recall[starts], recall[starts], recall[ends]]).ravel()
    y = np.column_stack([precision[starts], high, low, precision[ends]]).ravel()
    return x, y


def score_histograms(cells: CalibrationCells, threshold: float, path: Path, *, grid: int = 0) -> Path:
    """Score counts of the safe and the risky class (log axis), the threshold marked; when the
    threshold falls in the first bins of [0, 1], a second panel zooms on the scores up to a
    few times the threshold (or their 90th percentile).

    Drawn from the split's rows grouped by score (the cells every quality statistic reads),
    never from a per-row array: each distinct score counts its rows, so the bars equal a
    histogram of the rows. On a grid (scores grouped in the engine past ``[engine]
    max_threshold_groups``) each cell is drawn at its rows' mean score, and the title says so.

    Parameters
    ----------
    cells : CalibrationCells
        The split's risky and safe rows per distinct score (or grid cell), scores in [0, 1].
    threshold : float
        The operating threshold.
    path : Path
        The PNG written; its folder must exist.
    grid : int, default 0
        Cells per unit of score when the engine grouped the scores; 0 when exact.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    edges = np.linspace(0, 1, 41)
    zoom = threshold < 3 * edges[1]  # the threshold falls in the first bins of [0, 1]
    fig, axes = plt.subplots(1, 2 if zoom else 1, figsize=(10.5 if zoom else 6.4, 4.2), squeeze=False)
    ax = axes[0][0]
    _class_histograms(ax, cells, edges)
    ax.set_yscale("log")  # the risky class is rare: a linear axis hides it
    ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold_text(threshold)}")
    grouped = f" (scores on a 1/{grid} grid)" if grid else ""
    ax.set(xlabel="score", ylabel="rows (log)", title=f"Scores by class, test{grouped}")
    ax.legend(loc="upper right", fontsize=8)
    if zoom:  # a second panel on the scores up to a few times the threshold (or their 90th percentile)
        ninetieth = float(cells.quantiles(np.array([0.9]))[0]) if cells.n else 0.0
        upper = min(1.0, max(3 * threshold, ninetieth)) or float(edges[1])
        near = axes[0][1]
        _class_histograms(near, cells, np.linspace(0, upper, 41))
        near.set_xlim(0, upper)
        near.set_yscale("log")
        near.axvline(threshold, color="black", linestyle="--")
        near.set(xlabel="score", title=f"Zoom: scores 0 to {upper:.3g}")
    return _save(fig, path)


def _class_histograms(ax: Any, cells: CalibrationCells, edges: np.ndarray) -> None:
    """Rows of the safe and the risky class in ``edges`` (rows outside are left out)."""
    ax.hist(cells.score, bins=edges, weights=cells.safe, alpha=0.6, label="safe")
    ax.hist(cells.score, bins=edges, weights=cells.risky, alpha=0.6, label="risky")


def threshold_text(threshold: float) -> str:
    """A threshold with the digits that tell it apart from its neighbours (0.99993, not 1).

    Examples
    --------
    >>> threshold_text(0.99993), threshold_text(0.5), threshold_text(0.017041777)
    ('0.99993', '0.5', '0.017042')
    """
    return f"{threshold:.5g}" if threshold >= 0.01 else f"{threshold:.3g}"


def training_curves(log: Any, *, epoch: str, series: list[str], path: Path) -> Path:
    """One line per column of the training log against the epoch.

    Parameters
    ----------
    log : DataFrame
        The training log, one row per epoch.
    epoch : str
        The epoch column (``[training] epoch``).
    series : list of str
        The columns drawn (e.g. the train and validation loss).
    path : Path
        The PNG written; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for column in series:
        ax.plot(log[epoch], log[column], label=column)
    ax.set(xlabel=epoch, ylabel="loss", title="Training curves")
    ax.legend()
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    plt = _pyplot()
    fig.tight_layout()
    # a fixed Software tag and no date keep the PNG bytes the same for the same figure
    fig.savefig(path, dpi=90, metadata={"Software": "gradient-sentinel"})
    plt.close(fig)
    return path
