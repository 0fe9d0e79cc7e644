"""Calibration from cells (rows grouped by score and label) equals the row-by-row
computation: the equal-mass bins' edges, counts and observed rates to the last bit, the
mean scores, ECE and Brier score to float summation order, on random data with ties
(scores rounded, so many rows share a score and quantile edges fall on tied values)."""

from __future__ import annotations

import numpy as np
import pytest

from sentinel_checks.stats.calibration_cells import CalibrationCells
from sentinel_checks.stats.ranking import threshold_counts


def row_by_row(y: np.ndarray, s: np.ndarray, n_bins: int, side: str = "right") -> dict[str, np.ndarray]:
    """The calibration bins as the textbook computes them, one row at a time: numpy's
    quantiles of the rows as edges (one bin per distinct score when there are few), each
    row in ``edges[i] <= s < edges[i+1]`` (top bin closed), per-bin means of the rows."""
    distinct = np.unique(s)
    if len(distinct) <= n_bins:
        lower = upper = distinct
        idx = np.array([int(np.flatnonzero(distinct == v)[0]) for v in s])
    else:
        edges = np.unique(np.quantile(s, np.linspace(0, 1, n_bins + 1)))
        idx = np.array(
            [min(max(int(np.searchsorted(edges, v, side=side)) - 1, 0), len(edges) - 2) for v in s]
        )
        lower, upper = edges[:-1], edges[1:]
    kept = [i for i in range(len(lower)) if (idx == i).any()]
    count = np.array([(idx == i).sum() for i in kept])
    mean = np.array([s[idx == i].mean() for i in kept])
    observed = np.array([y[idx == i].mean() for i in kept])
    ece = float(np.sum(count / len(s) * np.abs(mean - observed)))
    return {
        "lower": lower[kept],
        "upper": upper[kept],
        "count": count,
        "mean": mean,
        "observed": observed,
        "ece": ece,
        "brier": float(np.mean((s - y) ** 2)),
    }


def tied_sample(seed: int, n: int, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = np.round(rng.beta(0.6, 3.0, size=n), decimals)  # skewed: many ties near 0
    y = rng.random(n) < s
    return y, s


CASES = [
    (0, 2000, 2, 10),
    (1, 5000, 1, 10),  # ~10 distinct scores: one bin per score, or quantile bins on ties
    (2, 777, 3, 15),
    (3, 300, 2, 5),
    (4, 40, 1, 20),  # fewer distinct scores than bins
    (5, 1, 2, 10),
    (6, 1000, 0, 10),  # scores 0 and 1 only
]


@pytest.mark.parametrize(("seed", "n", "decimals", "n_bins"), CASES)
def test_bins_ece_and_brier_from_cells_equal_the_rows(seed, n, decimals, n_bins):
    y, s = tied_sample(seed, n, decimals)
    cells = CalibrationCells.from_arrays(y, s)
    assert cells.n == n and len(cells.score) == len(np.unique(s))
    want = row_by_row(y, s, n_bins)
    got = cells.bins(n_bins)
    np.testing.assert_array_equal(got.lower, want["lower"])
    np.testing.assert_array_equal(got.upper, want["upper"])
    np.testing.assert_array_equal(got.count, want["count"])
    np.testing.assert_array_equal(got.observed_rate, want["observed"])
    np.testing.assert_allclose(got.mean_score, want["mean"], rtol=1e-12, atol=0)
    assert got.ece == pytest.approx(want["ece"], rel=1e-12, abs=1e-15)
    assert cells.brier() == pytest.approx(want["brier"], rel=1e-12, abs=1e-15)
    # the engine's input (cumulative threshold counts) gives the same cells
    assert CalibrationCells.from_counts(threshold_counts(y, s)) == cells


def test_ties_reach_the_edges_so_the_closed_lower_edge_is_what_is_tested():
    """The comparison above would catch a bin rule off by one at a tie: on these samples
    a row equal to an inner edge goes to a different bin with the other side."""
    differs = 0
    for seed, n, decimals, n_bins in CASES:
        y, s = tied_sample(seed, n, decimals)
        if len(np.unique(s)) <= n_bins:
            continue
        right, left = row_by_row(y, s, n_bins), row_by_row(y, s, n_bins, side="left")
        differs += not np.array_equal(right["count"], left["count"])
    assert differs >= 3


def test_no_rows_give_no_bins_and_a_nan_brier():
    cells = CalibrationCells.from_arrays(np.array([], dtype=bool), np.array([], dtype=float))
    assert cells.n == 0 and len(cells.bins(10).count) == 0
    assert np.isnan(cells.brier())


def test_the_cell_bootstrap_has_the_per_row_poisson_bootstrap_distribution():
    """One Poisson(count) weight per cell is a Poisson(1) weight per row summed over the
    cell: the resampled ECE and Brier score have the same mean and spread (seeded, so
    the numbers differ; 2,000 resamples each: means within 0.15 standard deviations,
    standard deviations within 10%)."""
    y, s = tied_sample(11, 1500, 2)
    cells = CalibrationCells.from_arrays(y, s)
    n_bins, resamples = 10, 2000
    draws = cells.draws(n_bins=n_bins, resamples=resamples, seed=0)
    idx, lower, _ = cells.bin_index(n_bins)
    row_bin = idx[np.searchsorted(cells.score, s)]
    rng = np.random.default_rng(1)
    w = rng.poisson(1.0, size=(resamples, len(s))).astype(float)
    gaps = np.stack([np.bincount(row_bin, weights=wk * (y - s), minlength=len(lower)) for wk in w])
    per_row = np.c_[np.abs(gaps).sum(axis=1) / w.sum(axis=1), (w @ (s - y) ** 2) / w.sum(axis=1)]
    for column in (0, 1):
        a, b = draws[:, column], per_row[:, column]
        assert abs(a.mean() - b.mean()) < 0.15 * b.std()
        assert a.std() == pytest.approx(b.std(), rel=0.1)
