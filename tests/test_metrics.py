import math

import numpy as np
import pytest
from sklearn.metrics import precision_recall_curve

from sentinel_checks.models.thresholds import choose_threshold
from sentinel_checks.stats.ranking import calibration_bins, threshold_counts, wilson_interval


def test_threshold_counts_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.random(2000) < 0.1
    s = np.round(rng.random(2000) * 0.5 + 0.4 * y, 2)  # rounded: many ties
    counts = threshold_counts(y, s)
    precision, recall, thresholds = precision_recall_curve(y, s)
    for p, r, t in zip(precision[:-1], recall[:-1], thresholds, strict=True):
        c = counts.at(t)
        assert c.recall == pytest.approx(r) and c.precision == pytest.approx(p)


def test_threshold_between_and_beyond_scores():
    counts = threshold_counts(np.array([1, 0, 1]), np.array([0.9, 0.5, 0.2]))
    assert counts.at(0.95).tp == 0 and counts.at(0.95).precision != counts.at(0.95).precision  # NaN
    assert counts.at(0.6).tp == 1
    assert counts.at(0.0).recall == 1.0


def test_threshold_counts_reject_nan_scores():
    with pytest.raises(ValueError, match="NaN"):
        threshold_counts(np.array([1, 0]), np.array([0.5, np.nan]))


def test_wilson_bounds():
    lo, hi = wilson_interval(0, 50)
    assert lo == pytest.approx(0.0, abs=1e-12) and 0 < hi < 0.1
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    assert wilson_interval(np.array([36]), 40)[0][0] == wilson_interval(36, 40)[0]


def test_calibration_bins_are_equal_mass_and_ece_detects_squashing():
    rng = np.random.default_rng(1)
    p = rng.random(20_000)
    y = rng.random(20_000) < p
    good = calibration_bins(y, p, n_bins=10)
    assert good.count.min() > 1800 and good.ece < 0.02
    squashed = calibration_bins(y, 0.4 + 0.2 * p, n_bins=10)
    assert squashed.ece > 0.15


def test_choose_threshold_is_the_highest_meeting_the_target():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    s = np.array([0.9, 0.8, 0.6, 0.3, 0.7, 0.5, 0.2, 0.1])
    choice = choose_threshold(y, s, target_recall=0.75)
    assert choice.threshold == 0.6 and choice.reached
    assert choice.validation.recall == 0.75


def test_lower_bound_rule_needs_a_lower_threshold():
    rng = np.random.default_rng(2)
    y = rng.random(3000) < 0.05
    s = rng.random(3000) * 0.6 + 0.4 * y
    plain = choose_threshold(y, s, target_recall=0.8)
    strict = choose_threshold(y, s, target_recall=0.8, use_lower_bound=True)
    assert strict.threshold < plain.threshold
    assert wilson_interval(strict.validation.tp, strict.validation.positives)[0] >= 0.8


def test_unreachable_target_flags_everything_and_says_so():
    y = np.array([1] * 5 + [0] * 50)
    s = np.linspace(0, 1, 55)
    choice = choose_threshold(y, s, target_recall=0.99, use_lower_bound=True)  # 5 positives: LB < 0.99
    assert not choice.reached and choice.threshold == s.min()


def test_fixed_threshold_reports_the_one_the_target_would_choose():
    y = np.array([1, 1, 0, 0])
    s = np.array([0.4, 0.3, 0.2, 0.1])
    choice = choose_threshold(y, s, target_recall=1.0, fixed=0.5)
    assert choice.rule == "fixed" and not choice.reached and choice.suggested == 0.3


def test_ties_move_together():
    y = np.array([1, 0, 1, 0])
    s = np.array([0.5, 0.5, 0.5, 0.1])
    choice = choose_threshold(y, s, target_recall=0.5)
    assert choice.threshold == 0.5 and choice.validation.fp == 1


def test_no_positives_cannot_choose():
    with pytest.raises(ValueError, match="no risky rows"):
        choose_threshold(np.zeros(10), np.linspace(0, 1, 10), target_recall=0.8)
    assert math.isnan(threshold_counts(np.zeros(3), np.array([0.1, 0.2, 0.3])).at(0.2).recall)


def test_weighted_sorted_metrics_match_scikit_learn_with_unit_weights():
    from sentinel_checks.stats.ranking import RankedScores, pr_auc, roc_auc

    rng = np.random.default_rng(3)
    y = rng.random(3000) < 0.1
    s = np.round(rng.random(3000) * 0.6 + 0.3 * y, 2)  # ties
    ranked = RankedScores(y, s)
    ones = np.ones(len(y))
    assert ranked.pr_auc(ones) == pytest.approx(pr_auc(y, s))
    assert ranked.roc_auc(ones) == pytest.approx(roc_auc(y, s))
    assert ranked.roc_auc() == ranked.roc_auc(ones)
    counts = threshold_counts(y, s)
    tp, fp = ranked.counts(ones)
    assert np.array_equal(tp, counts.tp) and np.array_equal(fp, counts.fp)


def test_paired_cell_leads_are_centred_on_the_lead_and_seeded():
    from sentinel_checks.stats.paired_cells import paired_cell_leads
    from sentinel_checks.stats.ranking import pr_auc

    rng = np.random.default_rng(4)
    y = rng.random(5000) < 0.1
    good = rng.random(5000) + 0.5 * y
    weak = rng.random(5000) + 0.2 * y
    leads, _ = paired_cell_leads(y, good, weak, metric="pr_auc", resamples=300, seed=1)
    assert np.median(leads) == pytest.approx(pr_auc(y, good) - pr_auc(y, weak), abs=0.02)
    again, _ = paired_cell_leads(y, good, weak, metric="pr_auc", resamples=300, seed=1)
    assert np.array_equal(leads, again)


def test_integer_weights_count_like_repeated_rows():
    from sentinel_checks.stats.ranking import RankedScores, roc_auc

    rng = np.random.default_rng(5)
    y = rng.random(400) < 0.3
    s = np.round(rng.random(400) + 0.3 * y, 1)  # ties
    w = rng.poisson(1.0, 400)
    repeated = threshold_counts(np.repeat(y, w), np.repeat(s, w))
    ranked = RankedScores(y, s)
    tp, fp = ranked.counts(w.astype(float))
    kept = np.isin(ranked.thresholds, repeated.thresholds)  # scores whose rows all drew 0 vanish
    assert np.array_equal(tp[kept], repeated.tp) and np.array_equal(fp[kept], repeated.fp)
    assert ranked.roc_auc(w.astype(float)) == pytest.approx(roc_auc(np.repeat(y, w), np.repeat(s, w)))


def test_one_poisson_bootstrap_is_seeded_and_paired():
    from sentinel_checks.stats.ranking import poisson_bootstrap

    draws = poisson_bootstrap(lambda w: [w.sum(), 2 * w.sum()], 50, resamples=4, seed=7)
    assert draws.shape == (4, 2) and np.array_equal(draws[:, 1], 2 * draws[:, 0])
    assert np.array_equal(draws, poisson_bootstrap(lambda w: [w.sum(), 2 * w.sum()], 50, resamples=4, seed=7))
    assert poisson_bootstrap(lambda w: w.sum(), 50, resamples=0, seed=7).shape == (0, 0)


def test_label_mapping_is_one_function():
    import pandas as pd

    from sentinel_checks.data.io import risky_mask
    from sentinel_checks.errors import DataError

    labels = pd.Series(["fraud", "legit", None], name="y")
    with pytest.raises(DataError, match="label column 'y' has 1 null value"):
        risky_mask(labels, positive="fraud", negative="legit", where="here")
    with pytest.raises(DataError, match="outside positive='fraud' / negative='legit'"):
        risky_mask(pd.Series(["fraud", "maybe"], name="y"), positive="fraud", negative="legit", where="here")
    risky, labelled = risky_mask(
        labels, positive="fraud", negative="legit", where="here", allow_unlabelled=True
    )
    assert risky.tolist() == [True, False, False] and labelled.tolist() == [True, True, False]
