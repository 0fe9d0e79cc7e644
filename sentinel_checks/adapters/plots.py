"""matplotlib: the report's figures, drawn headless (Agg) into PNG files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np


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
    top = 0.0
    for name, b in bins.items():
        if len(b.count) == 0:
            continue
        ax.plot(b.mean_score, b.observed_rate, marker="o", label=f"{name} (ECE {b.ece:.3f})")
        top = max(top, float(np.max(b.mean_score)), float(np.max(b.observed_rate)))
    top = min(1.0, top * 1.05) or 1.0
    ax.plot([0, top], [0, top], color="grey", linestyle="--", label="perfectly calibrated")
    ax.set(xlabel="mean predicted risk (bin)", ylabel="observed risky rate", title="Reliability")
    ax.legend(loc="upper left")
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
    fig, ax = plt.subplots(figsize=(6, 5))
    for name, (counts, threshold) in curves.items():
        if counts.positives == 0:
            continue
        recall = counts.tp / counts.positives
        precision = counts.tp / np.maximum(counts.tp + counts.fp, 1)
        (line,) = ax.step(recall, precision, where="post", label=name)
        op = counts.at(threshold)
        ax.plot(
            [op.recall],
            [op.precision],
            marker="o",
            markersize=9,
            color=line.get_color(),
            label=f"{name} @ {threshold:.3g}: recall {op.recall:.2f}",
        )
    ax.set(xlabel="recall (risky)", ylabel="precision", title="Precision–recall, test", xlim=(0, 1.02))
    ax.legend(loc="upper right", fontsize=8)
    return _save(fig, path)


def score_histograms(y: np.ndarray, scores: np.ndarray, threshold: float, path: Path) -> Path:
    """Score densities of the safe and the risky class, the threshold marked.

    Parameters
    ----------
    y : ndarray of bool, shape (n,)
        Labels (True = risky).
    scores : ndarray of float, shape (n,)
        Risk scores in [0, 1].
    threshold : float
        The operating threshold.
    path : Path
        The PNG written; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    edges = np.linspace(0, 1, 41)
    ax.hist(scores[~y], bins=edges, alpha=0.6, density=True, label="safe")
    ax.hist(scores[y], bins=edges, alpha=0.6, density=True, label="risky")
    ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.3g}")
    ax.set(xlabel="score", ylabel="density", title="Scores by class, test")
    ax.legend()
    return _save(fig, path)


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


def monitor_trend(
    series: Mapping[str, tuple[list[int], list[float]]],
    *,
    title: str,
    labels: list[str],
    limit: Mapping[str, list[float]] | None,
    alerts: list[tuple[int, float]],
    path: Path,
) -> Path:
    """One metric over the monitored batches: a line per scope (overall thick), the alert
    limit per batch dashed, batches that alerted marked.

    Parameters
    ----------
    series : mapping of str to (list of int, list of float)
        Per scope (``"overall"``, segments), batch positions and the metric's values.
    title : str
        The figure's title.
    labels : list of str
        One tick label per batch.
    limit : mapping of str to list of float, or None
        Per scope, the alert limit at each batch.
    alerts : list of (int, float)
        Batch position and value of each alert.
    path : Path
        The PNG written; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for scope, (x, y) in series.items():
        ax.plot(
            x,
            y,
            marker="o",
            lw=2.5 if scope == "overall" else 1,
            label=scope,
            alpha=1 if scope == "overall" else 0.7,
        )
    for scope, values in (limit or {}).items():
        ax.plot(range(len(values)), values, ls="--", color="crimson", lw=1, label=f"alert limit ({scope})")
    if alerts:
        ax.scatter(
            [a[0] for a in alerts], [a[1] for a in alerts], marker="x", s=80, color="crimson", zorder=5
        )
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=7)
    ax.set(title=title)
    ax.legend(fontsize=7, loc="best")
    return _save(fig, path)
