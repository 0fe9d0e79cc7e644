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
