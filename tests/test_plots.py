"""The report's figures show what matters on the score shapes real risk models give:
most scores near 0, a threshold inside the first linear bin, a threshold near 1."""

from __future__ import annotations

import numpy as np
import pytest

from sentinel_checks.adapters import plots
from sentinel_checks.stats.calibration_cells import CalibrationCells


@pytest.fixture
def figures(monkeypatch):
    """Keep each figure open instead of saving it: the test reads its axes."""
    kept = []

    def keep(fig, path):
        fig.canvas.draw()
        kept.append(fig)
        return path

    monkeypatch.setattr(plots, "_save", keep)
    yield kept
    import matplotlib.pyplot as plt

    for fig in kept:
        plt.close(fig)


def _concentrated_scores(n: int = 4000, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.03
    scores = np.where(y, rng.beta(2, 20, n), rng.beta(0.5, 200, n))
    return y, scores


def test_the_threshold_in_the_first_bin_gets_a_zoomed_view_and_a_log_count_axis(figures, tmp_path):
    y, scores = _concentrated_scores()
    threshold = 0.017  # inside [0, 0.025), the first of 40 linear bins
    plots.score_histograms(CalibrationCells.from_arrays(y, scores), threshold, tmp_path / "s.png")
    fig = figures[0]
    assert fig.axes[0].get_yscale() == "log"
    zoomed = [ax for ax in [*fig.axes, *fig.axes[0].child_axes] if ax.get_xlim()[1] < 0.5]
    assert zoomed, "no zoomed view of the low scores"
    widths = [p.get_width() for p in zoomed[0].patches if p.get_width() > 0]
    assert widths and max(widths) <= threshold / 3  # the threshold is several bins from 0


def test_score_bars_drawn_from_the_counts_are_the_rows_histogram(figures, tmp_path):
    """The figure reads the rows grouped by score (what the engine brings back), not a
    per-row array; each bar is still the rows' own count, in both panels, and the zoom
    reaches the rows' 90th percentile (the cells' quantile is numpy's, bit for bit)."""
    y, scores = _concentrated_scores(seed=3)
    scores = np.round(scores, 3)  # ties: several rows per distinct score
    cells = CalibrationCells.from_arrays(y, scores)
    threshold = 0.004
    plots.score_histograms(cells, threshold, tmp_path / "s.png")
    fig = figures[0]
    ninetieth = float(np.quantile(scores, 0.9))
    assert cells.quantiles(np.array([0.9]))[0] == ninetieth
    upper = max(3 * threshold, ninetieth)
    for ax, edges in ((fig.axes[0], np.linspace(0, 1, 41)), (fig.axes[1], np.linspace(0, upper, 41))):
        heights = [p.get_height() for p in ax.patches]
        expected = [*np.histogram(scores[~y], edges)[0], *np.histogram(scores[y], edges)[0]]
        assert heights == [float(h) for h in expected]
    assert "grid" not in fig.axes[0].get_title()
    plots.score_histograms(cells, threshold, tmp_path / "g.png", grid=1024)
    assert "1/1024 grid" in figures[1].axes[0].get_title()


def test_the_reliability_diagram_spreads_concentrated_bins(figures, tmp_path):
    class Bins:
        mean_score = np.array([0.001, 0.002, 0.004, 0.006, 0.008, 0.01, 0.014, 0.02, 0.028, 0.4])
        observed_rate = np.array([0.0, 0.002, 0.003, 0.007, 0.009, 0.012, 0.015, 0.018, 0.03, 0.35])
        count = np.full(10, 400)
        ece = 0.004

    plots.reliability_diagram({"test": Bins()}, tmp_path / "r.png")
    ax = figures[0].axes[0]
    assert ax.get_xscale() in ("log", "logit")  # 9 of 10 bins under 0.03 are told apart


def test_the_pr_legend_is_off_the_curves_and_thresholds_keep_their_digits(figures, tmp_path):
    from sentinel_checks.stats.ranking import threshold_counts

    y, scores = _concentrated_scores()
    counts = threshold_counts(y, scores)
    plots.pr_curves({"candidate": (counts, 0.99993), "champion": (counts, 0.5)}, tmp_path / "p.png")
    fig = figures[0]
    ax = fig.axes[0]
    legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None] + list(fig.legends)
    assert len(legends) == 1
    legend = legends[0]
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("0.99993" in t for t in texts), texts
    box, axes_box = legend.get_window_extent(), ax.get_window_extent()
    assert box.y1 <= axes_box.y0 or box.x0 >= axes_box.x1  # below or beside the axes, not on them


def test_a_pr_curve_of_a_million_thresholds_is_drawn_on_a_few_thousand_points(figures, tmp_path):
    """At 100M rows a curve holds one point per distinct score (16M): drawn whole, the
    report step held gigabytes. Thinned to the figure's columns, with the same envelope."""
    from sentinel_checks.stats.ranking import threshold_counts

    rng = np.random.default_rng(0)
    y = rng.random(1_000_000) < 0.03
    scores = np.clip(rng.normal(np.where(y, 0.6, 0.3), 0.15), 0, 1)
    counts = threshold_counts(y, scores)
    assert len(counts.thresholds) > 500_000
    plots.pr_curves({"candidate": (counts, 0.5)}, tmp_path / "p.png")
    (line,) = [ln for ln in figures[0].axes[0].get_lines() if len(ln.get_xdata()) > 1]
    x, shown = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    assert len(x) <= 4 * plots.CURVE_COLUMNS
    precision = counts.tp / np.maximum(counts.tp + counts.fp, 1)
    assert shown.min() == precision.min() and shown.max() == precision.max()
    assert x[0] == counts.tp[0] / counts.positives and x[-1] == 1.0
