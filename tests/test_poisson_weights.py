"""The bootstrap's Poisson weights follow Poisson(count) exactly (issue 18, speed).

The table sampler replaces ``Generator.poisson`` in the cell bootstraps; these tests
pin that its draws have the Poisson law: the mass the table gives each value equals
the Poisson(1) probability, a large seeded sample passes a goodness-of-fit test in the
body and the tail, cells of several rows draw Poisson(count), and a seed gives the
same weights.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sentinel_checks.stats import poisson_weights as pw


def test_the_table_gives_each_value_its_poisson_probability():
    """The mass of every value: 2⁻¹⁶ per table entry, the split entries' share of each step."""
    size = pw._SIZE
    mass = np.bincount(pw._TABLE[~pw._SPLIT], minlength=len(pw._CDF) + 1)[: len(pw._CDF)] / size
    lower = np.r_[0.0, pw._CDF[:-1]]
    for v in np.flatnonzero(pw._SPLIT):
        lo, hi = v / size, (v + 1) / size
        mass += np.clip(np.minimum(pw._CDF, hi) - np.maximum(lower, lo), 0, None)
    expected = stats.poisson.pmf(np.arange(len(pw._CDF)), 1.0)
    np.testing.assert_allclose(mass, expected, rtol=0, atol=1e-15)
    assert pw._SPLIT.sum() < 16  # few entries need the remaining bits


def test_one_row_weights_pass_a_goodness_of_fit_test_in_the_body_and_the_tail():
    w = pw.poisson_weights(np.random.default_rng(11), None, 40, 50_000)
    assert w.shape == (40, 50_000) and w.dtype == np.float64
    values = np.minimum(w.ravel(), 8).astype(int)
    observed = np.bincount(values, minlength=9)
    expected = np.r_[stats.poisson.pmf(np.arange(8), 1.0), stats.poisson.sf(7, 1.0)] * w.size
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_the_tail_is_drawn_at_its_poisson_mass():
    """k ≥ 7 lies inside the table's last entry: only the remaining bits reach k ≥ 8."""
    w = pw.poisson_weights(np.random.default_rng(12), None, 200, 50_000)
    for k in (7, 8):
        mean = stats.poisson.sf(k - 1, 1.0) * w.size
        assert abs((w >= k).sum() - mean) < 4 * np.sqrt(mean), k


class _Fixed:
    """A stand-in generator: the given 16-bit values, then the given fractions."""

    def __init__(self, v: np.ndarray, fractions: np.ndarray) -> None:
        self.v, self.fractions = v, fractions

    def integers(self, low, high, size, dtype):
        return self.v.astype(dtype).reshape(size)

    def random(self, n):
        return self.fractions[:n]


def test_a_split_entry_inverts_the_cdf_at_its_remaining_bits():
    split = np.flatnonzero(pw._SPLIT)
    fractions = np.linspace(0.0, 0.999999, 41)
    v = np.repeat(split, len(fractions))
    f = np.tile(fractions, len(split))
    drawn = pw.poisson_weights(_Fixed(v, f), None, 1, len(v))[0]
    expected = stats.poisson.ppf((v + f) / pw._SIZE, 1.0)
    # ppf gives the least k with F(k) >= u; the sampler the least k with F(k) > u (equal off the steps)
    off_step = ~np.isin((v + f) / pw._SIZE, pw._CDF)
    np.testing.assert_array_equal(drawn[off_step], expected[off_step])


def test_cells_of_several_rows_draw_poisson_of_their_count():
    counts = np.array([1, 2, 3, 12])
    w = pw.poisson_weights(np.random.default_rng(5), counts, 200_000, len(counts))
    for j, c in enumerate(counts):
        values = w[:, j].astype(int)
        top = int(stats.poisson.ppf(0.999, c))
        observed = np.bincount(np.minimum(values, top), minlength=top + 1)
        expected = np.r_[stats.poisson.pmf(np.arange(top), c), stats.poisson.sf(top - 1, c)] * len(values)
        assert stats.chisquare(observed, expected).pvalue > 1e-3, c


def test_a_seed_gives_the_same_weights_and_another_seed_others():
    first = pw.poisson_weights(np.random.default_rng(3), np.array([1, 2, 1]), 50, 3)
    again = pw.poisson_weights(np.random.default_rng(3), np.array([1, 2, 1]), 50, 3)
    other = pw.poisson_weights(np.random.default_rng(4), np.array([1, 2, 1]), 50, 3)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_single_columns(n):
    assert pw.poisson_weights(np.random.default_rng(0), np.ones(n, dtype=int), 4, n).shape == (4, n)


@pytest.mark.parametrize("counts", [[1, 0, 2], [1, 0.3, 2], [1, 2]])
def test_counts_other_than_whole_rows_are_refused(counts):
    with pytest.raises(ValueError, match="whole numbers of at least 1"):
        pw.poisson_weights(np.random.default_rng(0), np.array(counts), 4, 3)


def test_the_draws_are_the_same_in_threads_or_not(monkeypatch):
    """The two halves of a block's Poisson(c - 1) columns come from two spawned streams:
    whether they were drawn in threads changes nothing (any machine, any core count)."""
    counts = np.array([3, 1, 7, 2, 2, 40, 1, 5])
    monkeypatch.setattr(pw, "THREADED_DRAWS", 10**12)
    alone = pw.poisson_weights(np.random.default_rng(9), counts, 3000, len(counts))
    monkeypatch.setattr(pw, "THREADED_DRAWS", 0)
    threaded = pw.poisson_weights(np.random.default_rng(9), counts, 3000, len(counts))
    assert np.array_equal(alone, threaded)


def test_threaded_halves_draw_independent_poisson_columns(monkeypatch):
    monkeypatch.setattr(pw, "THREADED_DRAWS", 0)
    counts = np.array([4, 4, 4, 4])  # halves [4, 4] and [4, 4]: one stream each
    w = pw.poisson_weights(np.random.default_rng(11), counts, 100_000, len(counts))
    assert not np.array_equal(w[:, 0], w[:, 2]) and not np.array_equal(w[:, 1], w[:, 3])
    assert abs(np.corrcoef(w[:, 0], w[:, 2])[0, 1]) < 0.02  # the streams are not alike
    for j in range(4):
        values = w[:, j].astype(int)
        top = int(stats.poisson.ppf(0.999, 4))
        observed = np.bincount(np.minimum(values, top), minlength=top + 1)
        expected = np.r_[stats.poisson.pmf(np.arange(top), 4), stats.poisson.sf(top - 1, 4)] * len(values)
        assert stats.chisquare(observed, expected).pvalue > 1e-3, j
