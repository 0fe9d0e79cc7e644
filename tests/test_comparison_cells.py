"""The paired champion bootstrap resamples bucketed counts, not rows (issue 18).

Rows with the same label, decisions and slot of each model's score among the risky
scores form a cell; a Poisson bootstrap of rows gives each cell a Poisson(count)
weight (a sum of independent Poisson(1) draws), so resampling the cells draws the
same distribution for every metric (each an exact function of the cells). These
tests pin: far fewer units than rows are resampled when risky rows are rare; the
intervals equal those of a row-by-row Poisson bootstrap (a brute-force reference
kept here) within the bootstrap's own Monte Carlo error; planted cases keep their
findings; every draw is exactly the row-level metric under the drawn weights.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from sentinel_checks.stats.comparison import compare_paired
from sentinel_checks.stats.intervals import bootstrap_interval
from sentinel_checks.stats.paired_cells import paired_cell_bootstrap
from sentinel_checks.stats.ranking import RankedScores


def _pair(seed: int, n: int, *, cand_sep: float = 2.5, champ_sep: float = 2.5, prevalence: float = 0.05):
    """Labels and two models' scores with shared and own noise (paired, correlated)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < prevalence
    latent = rng.normal(0, 1, n)
    cand = 1 / (1 + np.exp(-(0.7 * latent + 0.7 * rng.normal(0, 1, n) + cand_sep * y - 3)))
    champ = 1 / (1 + np.exp(-(0.7 * latent + 0.7 * rng.normal(0, 1, n) + champ_sep * y - 3)))
    return y, cand, champ


def _row_bootstrap(y, a, b, ta, tb, *, resamples, seed):
    """Brute-force reference: every row weighted by its own Poisson(1) draw, the same
    weights for both models, each metric by scikit-learn with ``sample_weight``."""
    rng = np.random.default_rng(seed + 1000)
    fa, fb = a >= ta, b >= tb
    out = {m: np.empty(resamples) for m in ("fnr", "precision", "roc_auc", "pr_auc")}
    for i in range(resamples):
        w = rng.poisson(1.0, len(y)).astype(float)
        fnr = [1 - np.sum(w * y * f) / np.sum(w * y) for f in (fa, fb)]
        prec = [np.sum(w * y * f) / np.sum(w * f) for f in (fa, fb)]
        out["fnr"][i] = fnr[0] - fnr[1]
        out["precision"][i] = prec[0] - prec[1]
        out["roc_auc"][i] = roc_auc_score(y, a, sample_weight=w) - roc_auc_score(y, b, sample_weight=w)
        out["pr_auc"][i] = average_precision_score(y, a, sample_weight=w) - average_precision_score(
            y, b, sample_weight=w
        )
    return out


def _compare(y, a, b, ta, tb, *, resamples=400, confidence=0.95, seed=0):
    return compare_paired(
        y,
        a,
        b,
        split="test",
        candidate_threshold=ta,
        champion_threshold=tb,
        resamples=resamples,
        confidence=confidence,
        seed=seed,
    )


def test_the_bootstrap_resamples_far_fewer_cells_than_rows():
    y, a, b = _pair(1, 60_000, prevalence=0.01)
    c = _compare(y, a, b, 0.1, 0.1, resamples=50)
    cells = c.to_dict()["bootstrap"]["cells"]
    # label x candidate slot x champion slot x decisions: far fewer than the 60,000 rows
    assert 0 < cells <= 30_000
    assert c.to_dict()["bootstrap"]["unit"] == "cells"


@pytest.mark.parametrize(
    ("seed", "cand_sep", "champ_sep"),
    [(2, 2.5, 2.5), (3, 1.5, 2.5)],  # equal models; candidate clearly worse
)
def test_intervals_equal_the_row_bootstrap_within_monte_carlo_error(seed, cand_sep, champ_sep):
    y, a, b = _pair(seed, 4000, cand_sep=cand_sep, champ_sep=champ_sep)
    ta, tb = float(np.quantile(a[y], 0.2)), float(np.quantile(b[y], 0.2))
    resamples = 400
    c = _compare(y, a, b, ta, tb, resamples=resamples)
    ref = _row_bootstrap(y, a, b, ta, tb, resamples=resamples, seed=seed)
    for metric, draws in ref.items():
        new = c.delta[metric]
        low, high = bootstrap_interval(new.point, draws, confidence=0.95)
        ref_half, new_half = (high - low) / 2, (new.high - new.low) / 2
        # the ends of a 95% percentile interval from 400 draws move by ~10-15% of the
        # half-width between seeds: allow 30% for either end
        assert new_half == pytest.approx(ref_half, rel=0.30), metric
        assert abs(new.low - low) <= 0.30 * ref_half, metric
        assert abs(new.high - high) <= 0.30 * ref_half, metric


def test_a_clearly_worse_candidate_is_shown_worse_and_an_equal_one_is_neither():
    y, a, b = _pair(4, 20_000, cand_sep=1.2, champ_sep=2.5)
    tb = float(np.quantile(b[y], 0.2))
    worse = _compare(y, a, b, 0.2, tb)  # the candidate's threshold misses far more risky rows
    assert worse.delta["fnr"].low > 0
    assert worse.delta["pr_auc"].high < 0 and worse.delta["roc_auc"].high < 0

    y, a, b = _pair(5, 20_000)
    t = float(np.quantile(a[y], 0.2))
    equal = _compare(y, a, b, t, t)
    for metric in ("fnr", "precision", "roc_auc", "pr_auc"):
        assert equal.delta[metric].low < 0 < equal.delta[metric].high, metric


def decision_row_weights(drawn, y, fa, fb, i):
    """Resample ``i``'s weights of :func:`decision_draws` given to one row of each
    (label, flag_a, flag_b): every FNR and precision of the rows under them."""
    w = np.zeros(len(y))
    key = y.astype(int) * 4 + fa.astype(int) * 2 + fb.astype(int)
    for k in np.unique(key):
        w[np.flatnonzero(key == k)[0]] = drawn.decisions[i, k]
    return w


@pytest.mark.parametrize("digits", [1, None])  # 11 distinct scores (ties); continuous scores
def test_each_draw_is_the_row_metric_under_the_drawn_weights(digits):
    rng = np.random.default_rng(6)
    n = 3000
    y = rng.random(n) < 0.1
    a = np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1)
    b = np.clip(rng.normal(0.35 + 0.2 * y, 0.2), 0, 1)
    if digits is not None:
        a, b = np.round(a, digits), np.round(b, digits)
    fa, fb = a >= 0.5, b >= 0.4
    draws, cells = paired_cell_bootstrap(y, a, b, fa, fb, resamples=25, seed=3, return_cells=True)
    ra, rb = RankedScores(y, a), RankedScores(y, b)
    for i in range(25):
        # give each cell's drawn count to one of its rows: every statistic of the cells
        w = np.zeros(n)
        w[cells.first_row] = cells.weights[i]
        wd = decision_row_weights(cells, y, fa, fb, i)  # FNR and precision: their own draws
        wdp = wd * y
        for k, (flag, r) in enumerate(((fa, ra), (fb, rb))):
            assert draws["fnr"][i, k] == pytest.approx(1 - (wdp @ flag) / wdp.sum(), abs=1e-12)
            assert draws["precision"][i, k] == pytest.approx((wdp @ flag) / (wd @ flag), abs=1e-12)
            assert draws["roc_auc"][i, k] == pytest.approx(r.roc_auc(w), abs=1e-12)
            assert draws["pr_auc"][i, k] == pytest.approx(r.pr_auc(w), abs=1e-12)


def test_the_baseline_lead_is_resampled_on_cells_and_matches_the_row_bootstrap():
    from sentinel_checks.checks.quality import check_baselines

    y, a, b = _pair(7, 4000, cand_sep=2.5, champ_sep=2.3)
    result = check_baselines(y, a, {"b": b}, metric="pr_auc", confidence=0.95, resamples=400, seed=0)
    assert 0 < result.support["bootstrap_cells"] < len(y)
    row = result.evidence[0].items[0]
    low, high = row["interval"]
    ref = _row_bootstrap(y, a, b, 0.5, 0.5, resamples=400, seed=7)["pr_auc"]
    ref_low, ref_high = bootstrap_interval(row["lead"], ref, confidence=0.95)
    half = (ref_high - ref_low) / 2
    assert abs(low - ref_low) <= 0.30 * half and abs(high - ref_high) <= 0.30 * half


def test_decision_draws_have_the_row_bootstraps_spread():
    """FNR and precision drawn on the eight (label, decisions) cells: the per-row Poisson
    bootstrap's distribution (its mean and spread over 4,000 resamples), paired."""
    from sentinel_checks.stats.paired_cells import decision_draws
    from sentinel_checks.stats.poisson_weights import poisson_weights

    rng = np.random.default_rng(11)
    n = 3000
    y = rng.random(n) < 0.1
    fa = np.where(y, rng.random(n) < 0.8, rng.random(n) < 0.1)
    fb = np.where(rng.random(n) < 0.9, fa, ~fa)
    draws, _ = decision_draws(y, fa, fb, np.ones(n, dtype=np.int64), 4000, seed=3)
    w = poisson_weights(np.random.default_rng(5), None, 4000, n)
    caught_a, caught_b = w @ (y & fa), w @ (y & fb)
    fnr_rows = np.stack([1 - caught_a / (w @ y), 1 - caught_b / (w @ y)], axis=1)
    prec_rows = np.stack([caught_a / (w @ fa), caught_b / (w @ fb)], axis=1)
    for k, rows in ((0, fnr_rows), (1, prec_rows)):
        ours = draws[:, :, k]
        assert np.allclose(ours.mean(axis=0), rows.mean(axis=0), atol=0.004)
        assert np.allclose(ours.std(axis=0), rows.std(axis=0), rtol=0.08)
        diff_ours, diff_rows = ours[:, 0] - ours[:, 1], rows[:, 0] - rows[:, 1]
        assert diff_ours.std() == pytest.approx(diff_rows.std(), rel=0.08)  # paired: same covariance
    point_fnr = 1 - (y & fa).sum() / y.sum()
    assert draws[:, 0, 0].mean() == pytest.approx(point_fnr, abs=0.004)
