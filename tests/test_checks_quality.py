"""Each quality check fails on a planted fault and passes on a sound model."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from sentinel_checks.checks.quality import (
    check_auc,
    check_baselines,
    check_calibration,
    check_precision,
    check_recall,
    check_segments,
    check_threshold,
    check_val_test_gap,
)
from sentinel_checks.checks.training import check_training_curves
from sentinel_checks.models.thresholds import choose_threshold
from sentinel_checks.reasons import Reason
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.result import Status
from sentinel_checks.stats.intervals import wilson_interval
from sentinel_checks.stats.power import rows_to_show_proportion
from sentinel_checks.stats.ranking import (
    Confusion,
    brier,
    calibration_bins,
    pr_auc,
    roc_auc,
    threshold_counts,
)


def world(n=30_000, seed=0, prevalence_shift=0.0):
    """Risky requests: 3% of traffic, learnable from three features; a country column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    country = rng.choice(["US", "BR", "DE"], n)
    logit = -4.0 + prevalence_shift + 1.6 * x[:, 0] + 1.0 * x[:, 1] + 0.5 * x[:, 2]
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(x, columns=["a", "b", "c"]).assign(country=country), y


@pytest.fixture(scope="module")
def data():
    train, y_train = world(seed=1)
    val, y_val = world(seed=2)
    test, y_test = world(seed=3)
    return train, y_train, val, y_val, test, y_test


def fit(model, frame, y):
    return model.fit(frame[["a", "b", "c"]], y)


def scores(model, frame):
    return model.predict_proba(frame[["a", "b", "c"]])[:, 1]


class TestRecall:
    def test_unweighted_model_at_0_5_fails_the_floor(self, data):
        train, y_train, val, y_val, test, y_test = data
        model = fit(LogisticRegression(), train, y_train)  # no class weights
        c = threshold_counts(y_test, scores(model, test)).at(0.5)
        result = check_recall(c, split="test", threshold=0.5, min_recall=0.75)
        assert result.status is Status.FAIL
        assert result.reason is Reason.RECALL_BELOW_FLOOR
        assert result.support["n_positive"] == y_test.sum()

    def test_threshold_chosen_for_recall_passes(self, data):
        train, y_train, val, y_val, test, y_test = data
        model = fit(LogisticRegression(class_weight="balanced"), train, y_train)
        choice = choose_threshold(y_val, scores(model, val), target_recall=0.85)
        c = threshold_counts(y_test, scores(model, test)).at(choice.threshold)
        assert check_threshold(choice, test=c).status is Status.PASS
        assert (
            check_recall(c, split="test", threshold=choice.threshold, min_recall=0.75).status is Status.PASS
        )

    def test_point_estimate_vs_the_interval(self):
        c = Confusion(tp=33, fp=10, fn=7, tn=500)  # recall 0.825 on 40 positives
        point = check_recall(c, split="t", threshold=0.3, min_recall=0.75, bound="point")
        assert point.status is Status.PASS and point.measured == pytest.approx(0.825)
        wilson = check_recall(c, split="t", threshold=0.3, min_recall=0.75, bound="wilson")
        # 95% CI [0.68, 0.91] holds the floor: the data cannot tell
        assert wilson.status is Status.INCONCLUSIVE and wilson.reason is Reason.TOO_FEW_POSITIVES
        assert wilson.needed == {"n_positive": rows_to_show_proportion(0.825, 0.75)}

    def test_a_recall_shown_below_the_floor_fails(self):
        c = Confusion(tp=120, fp=10, fn=80, tn=500)  # 0.60 on 200: CI [0.53, 0.67]
        result = check_recall(c, split="test", threshold=0.3, min_recall=0.75)
        assert result.status is Status.FAIL and result.reason is Reason.RECALL_BELOW_FLOOR
        assert result.measured < 0.75 and not result.needed  # measured: the upper bound

    def test_the_issue_example_is_inconclusive_with_the_rows_that_would_settle_it(self):
        # 130 risky rows, recall 0.80 (the threshold's target) vs the floor 0.75
        result = check_recall(Confusion(104, 400, 26, 9000), split="test", threshold=0.3, min_recall=0.75)
        assert result.status is Status.INCONCLUSIVE
        assert result.needed == {"n_positive": 289}
        assert "130 risky row(s)" in result.message and "needs ≈ 289 risky rows" in result.message
        assert result.passed  # inconclusive lets the gate pass unless [gate] block_inconclusive says so

    @pytest.mark.parametrize("n_positive", [30, 47, 130, 289, 1000, 10_000])
    @pytest.mark.parametrize("target", [0.75, 0.80, 0.9])
    def test_a_recall_equal_to_the_target_never_fails_the_floor(self, n_positive, target):
        # consistency by construction: min_recall <= target_recall is enforced by the config;
        # the Wilson interval holds its estimate, so recall = target is pass or inconclusive
        tp = round(target * n_positive)
        c = Confusion(tp, 50, n_positive - tp, 5000)
        for floor in (0.75, min(0.75, target), target):
            for bound in ("wilson", "point"):
                r = check_recall(c, split="test", threshold=0.3, min_recall=floor, bound=bound)
                if tp / n_positive >= floor:
                    assert r.status is not Status.FAIL, (n_positive, target, floor, bound, r.message)

    def test_too_few_positives_fails_never_passes(self):
        # 10 of 15 risky rows: the interval [0.42, 0.85] holds the floor 0.75, but 15 rows are
        # fewer than recall is measured on: "cannot be measured" blocks, it is not "cannot tell"
        result = check_recall(
            Confusion(10, 3, 5, 300), split="t", threshold=0.3, min_recall=0.75, min_positives=30
        )
        assert result.status is Status.FAIL and result.reason is Reason.TOO_FEW_POSITIVES
        assert not result.passed
        assert "fewer than the 30" in result.message
        none_caught = check_recall(Confusion(0, 3, 20, 300), split="t", threshold=0.3, min_recall=0.75)
        assert none_caught.status is Status.FAIL

    def test_too_few_positives_pass_only_when_even_they_show_the_floor_met(self):
        # 15 of 15 caught: the Wilson lower end (0.80) is above a 0.5 floor on these few rows
        result = check_recall(
            Confusion(15, 3, 0, 300), split="t", threshold=0.3, min_recall=0.5, min_positives=30
        )
        assert result.status is Status.PASS, result.message

    def test_no_risky_row_is_an_error(self):
        result = check_recall(Confusion(0, 3, 0, 300), split="t", threshold=0.3, min_recall=0.1)
        assert result.status is Status.ERROR and result.reason is Reason.TOO_FEW_POSITIVES


def test_threshold_fixed_at_0_5_that_misses_the_target_fails(data):
    train, y_train, val, y_val, *_ = data
    model = fit(LogisticRegression(), train, y_train)
    choice = choose_threshold(y_val, scores(model, val), target_recall=0.8, fixed=0.5)
    result = check_threshold(choice)
    assert result.status is Status.FAIL
    assert "highest threshold reaching it is" in result.message


def test_threshold_that_no_score_reaches_leaves_precision_undefined():
    c = threshold_counts(np.array([1, 0, 0]), np.array([0.2, 0.1, 0.3])).at(0.9)
    result = check_precision(c, split="test", threshold=0.9, min_precision=0.1)
    assert result.status is Status.ERROR and result.reason is Reason.NOTHING_FLAGGED
    # 0 of 1 risky row: the interval [0, 0.79] holds 0.5: never a pass
    recall = check_recall(c, split="test", threshold=0.9, min_recall=0.5, min_positives=1)
    assert recall.status is Status.INCONCLUSIVE


def test_precision_floor():
    ok = check_precision(Confusion(80, 120, 20, 800), split="test", threshold=0.2, min_precision=0.3)
    bad = check_precision(Confusion(80, 920, 20, 0), split="test", threshold=0.2, min_precision=0.3)
    assert ok.status is Status.PASS and bad.status is Status.FAIL
    small = check_precision(Confusion(12, 18, 20, 900), split="test", threshold=0.2, min_precision=0.3)
    assert small.status is Status.INCONCLUSIVE  # 0.40 on 30 flagged: CI [0.25, 0.58]
    assert small.needed == {"flagged": rows_to_show_proportion(0.4, 0.3)}
    assert "flagged rows" in small.message
    point = check_precision(
        Confusion(12, 18, 20, 900), split="test", threshold=0.2, min_precision=0.3, bound="point"
    )
    assert point.status is Status.PASS


def test_auc_floors(data):
    train, y_train, val, y_val, test, y_test = data
    model = fit(LogisticRegression(class_weight="balanced"), train, y_train)
    s = scores(model, test)
    prevalence = y_test.mean()
    sizes = {"n": len(y_test), "n_positive": int(y_test.sum())}
    good = check_auc(
        roc_auc(y_test, s),
        pr_auc(y_test, s),
        prevalence=prevalence,
        split="test",
        min_roc_auc=0.7,
        min_pr_auc_skill=0.1,
        **sizes,
    )
    noise = np.random.default_rng(0).random(len(s))
    bad = check_auc(
        roc_auc(y_test, noise),
        pr_auc(y_test, noise),
        prevalence=prevalence,
        split="test",
        min_roc_auc=0.7,
        min_pr_auc_skill=0.1,
        **sizes,
    )
    assert good.status is Status.PASS and bad.status is Status.FAIL
    one_class = check_auc(
        float("nan"), float("nan"), prevalence=0.0, split="test", min_roc_auc=0.7, min_pr_auc_skill=0.1
    )
    assert one_class.status is Status.ERROR


def test_a_perfect_ranking_passes_at_any_prevalence():
    # the old floor (AP ≥ 2 x prevalence) could not be met at prevalence ≥ 0.5
    for prevalence in (0.01, 0.3, 0.51, 0.9):
        r = check_auc(1.0, 1.0, prevalence=prevalence, split="test", min_roc_auc=0.7, min_pr_auc_skill=0.1)
        assert r.status is Status.PASS, r.message


def test_the_measured_value_is_the_criterion_that_decided():
    # ROC 0.90 passes; AP 0.06 at prevalence 0.05 is a skill of 0.011 < 0.1: the skill decides
    r = check_auc(
        0.90,
        0.06,
        prevalence=0.05,
        split="test",
        min_roc_auc=0.7,
        min_pr_auc_skill=0.1,
        n=20_000,
        n_positive=1_000,
    )
    assert r.status is Status.FAIL and r.reason is Reason.AUC_BELOW_FLOOR
    assert r.limit == 0.1 and r.measured == pytest.approx((0.06 - 0.05) / 0.95)
    assert r.evidence[0].detail["decided_by"] == "pr_auc_skill"
    assert "ROC AUC 0.900" in r.message and "skill 0.011" in r.message
    # both pass: the one nearer its floor (on the [floor, 1] scale) is shown
    r = check_auc(
        0.75,
        0.9,
        prevalence=0.05,
        split="test",
        min_roc_auc=0.7,
        min_pr_auc_skill=0.1,
        n=20_000,
        n_positive=1_000,
    )
    assert r.status is Status.PASS and r.limit == 0.7 and r.measured < 0.75  # the lower bound


def test_roc_auc_on_few_rows_is_inconclusive_with_the_rows_that_would_settle_it():
    # ROC 0.76 vs 0.70 on 40 risky rows: Hanley-McNeil 95% CI ≈ [0.68, 0.84]
    r = check_auc(
        0.76,
        0.5,
        prevalence=0.04,
        split="test",
        min_roc_auc=0.7,
        min_pr_auc_skill=0.1,
        n=1_000,
        n_positive=40,
    )
    assert r.status is Status.INCONCLUSIVE and r.reason is Reason.TOO_FEW_POSITIVES
    assert r.needed["n_positive"] > 40 and r.needed["n"] == pytest.approx(
        r.needed["n_positive"] / 0.04, abs=1
    )
    bigger = check_auc(
        0.76,
        0.5,
        prevalence=0.04,
        split="test",
        min_roc_auc=0.7,
        min_pr_auc_skill=0.1,
        n=round(r.needed["n"] * 1.05),
        n_positive=round(r.needed["n_positive"] * 1.05),
    )
    assert bigger.status is Status.PASS  # the computed size does settle it
    worse = check_auc(
        0.60,
        0.5,
        prevalence=0.04,
        split="test",
        min_roc_auc=0.7,
        min_pr_auc_skill=0.1,
        n=25_000,
        n_positive=1_000,
    )
    assert worse.status is Status.FAIL and worse.measured < 0.7  # the upper bound


def _summary(recall, precision, auc, n_positive, n_negative):
    tp = round(recall * n_positive)
    return {
        "recall": tp / n_positive,
        "precision": precision,
        "roc_auc": auc,
        "tp": tp,
        "n_positive": n_positive,
        "n_negative": n_negative,
        "flagged": round(tp / precision),
    }


def test_val_test_gap():
    val = _summary(0.82, 0.30, 0.91, 2_000, 60_000)
    fine = _summary(0.80, 0.35, 0.90, 2_000, 60_000)  # test better on precision: fine
    overfit = _summary(0.60, 0.28, 0.84, 2_000, 60_000)
    assert check_val_test_gap(val, fine, max_gap=0.1, max_auc_gap=0.05).status is Status.PASS
    result = check_val_test_gap(val, overfit, max_gap=0.1, max_auc_gap=0.05)
    assert result.status is Status.FAIL and result.reason is Reason.OVERFIT_TO_VALIDATION
    assert set(result.evidence[0].items) == {"recall", "roc_auc"}
    assert result.measured > 0.1  # the lower bound of the recall drop
    assert (
        check_val_test_gap(val, {**fine, "recall": float("nan")}, max_gap=0.1, max_auc_gap=0.05).status
        is Status.ERROR
    )
    counts_missing = check_val_test_gap(
        {"recall": 0.8, "precision": 0.3, "roc_auc": 0.9}, fine, max_gap=0.1, max_auc_gap=0.05
    )
    assert counts_missing.status is Status.ERROR and "validation.tp" in counts_missing.message


def test_val_test_gap_on_a_small_test_is_inconclusive_not_a_chance_failure():
    # a sound model: recall 0.80 on validation, 0.68 on 130 risky test rows — a drop of 0.12 that
    # a 130-row test produces by chance (SE ≈ 0.04): not shown above 0.10
    val = _summary(0.80, 0.30, 0.90, 130, 4_000)
    test = _summary(0.68, 0.30, 0.89, 130, 4_000)
    result = check_val_test_gap(val, test, max_gap=0.1, max_auc_gap=0.05)
    assert result.status is Status.INCONCLUSIVE and result.reason is Reason.TOO_FEW_ROWS
    assert result.evidence[0].detail["decided_by"] == "recall"
    assert set(result.needed) == {"val_n_positive", "test_n_positive"}
    assert result.needed["test_n_positive"] > 130
    # the same drop on many more rows is shown above the limit
    big = check_val_test_gap(
        _summary(0.80, 0.30, 0.90, 30_000, 900_000),
        _summary(0.68, 0.30, 0.89, 30_000, 900_000),
        max_gap=0.1,
        max_auc_gap=0.05,
    )
    assert big.status is Status.FAIL


def test_squashed_scores_fail_calibration(data):
    train, y_train, val, y_val, test, y_test = data
    model = fit(LogisticRegression(), train, y_train)  # unweighted logistic: calibrated
    s = scores(model, test)
    good = check_calibration(y_test, s, split="test", max_ece=0.02)
    squashed = 0.3 + 0.4 * s
    bad = check_calibration(y_test, squashed, split="test", max_ece=0.02)
    assert good.status is Status.PASS, good.message
    assert bad.status is Status.FAIL and bad.reason is Reason.MISCALIBRATED
    capped = check_calibration(y_test, s, split="test", max_ece=0.02, max_brier=0.001)
    assert capped.status is Status.FAIL and "Brier" in capped.message
    assert brier(y_test, s) > 0.001


class TestCalibrationOnABound:
    """quality.calibration judges the ECE's basic bootstrap interval, not the biased point."""

    @staticmethod
    def calibrated(n, seed, a=2.0, b=2.0):
        rng = np.random.default_rng(seed)
        s = rng.beta(a, b, n)
        return rng.uniform(size=n) < s, s

    def test_a_calibrated_model_on_a_small_test_set_is_not_failed(self):
        # 200 rows at prevalence 0.5: the plug-in ECE is ~0.08, above the 0.05 limit, by noise alone
        failed = 0
        for seed in range(20):
            y, s = self.calibrated(200, seed)
            result = check_calibration(y, s, split="test")
            failed += result.status is Status.FAIL
        assert failed <= 2
        y, s = self.calibrated(200, 0)
        assert calibration_bins(y, s).ece > 0.05  # the point estimate alone would have failed
        result = check_calibration(y, s, split="test")
        assert result.status is Status.INCONCLUSIVE, result.message
        assert result.needed["n"] > 200 and "needs" in result.message

    def test_a_miscalibrated_model_on_a_small_test_set_fails(self):
        y, s = self.calibrated(1_000, 0)
        result = check_calibration(y, np.clip(s + 0.15, 0, 1), split="test")
        assert result.status is Status.FAIL and result.reason is Reason.MISCALIBRATED

    def test_a_calibrated_model_on_a_large_test_set_passes(self):
        y, s = self.calibrated(20_000, 0)
        assert check_calibration(y, s, split="test").status is Status.PASS

    def test_discrete_scores_get_one_bin_per_value(self):
        # a score table with 3 values: quantile edges are [0.1, 0.5, 0.9], which would merge 0.5 and 0.9
        rng = np.random.default_rng(0)
        s = rng.choice([0.1, 0.5, 0.9], size=20_000, p=[0.6, 0.25, 0.15])
        y = rng.uniform(size=20_000) < s
        bins = calibration_bins(y, s)
        assert bins.count.size == 3 and bins.mean_score.tolist() == pytest.approx([0.1, 0.5, 0.9])
        assert check_calibration(y, s, split="test").status is Status.PASS
        wrong = np.where(s == 0.9, 0.3, s)  # the top value is badly miscalibrated (0.3 for a rate 0.9)
        result = check_calibration(y, wrong, split="test")
        assert result.status is Status.FAIL, result.message

    def test_hard_zero_one_scores_are_judged_per_value_not_on_the_overall_means(self):
        # issue 16 item 14: hard 0/1 scores whose overall mean matches the label rate (|mean gap| ≈ 0.01)
        # but each value is far off: P(risky | 1) = 0.7, P(risky | 0) ≈ 0.13 -> ECE over the two values ≈ 0.19
        rng = np.random.default_rng(0)
        s = (rng.uniform(size=2_000) < 0.3).astype(float)
        y = np.where(s == 1, rng.uniform(size=2_000) < 0.7, rng.uniform(size=2_000) < 0.09 / 0.7)
        assert abs(s.mean() - y.mean()) < 0.02  # one collapsed bin would have passed
        bins = calibration_bins(y, s)
        assert bins.count.size == 2
        expected = sum(abs(y[s == v].mean() - v) * np.mean(s == v) for v in (0.0, 1.0))
        assert bins.ece == pytest.approx(expected)
        result = check_calibration(y, s, split="test")
        assert result.status is Status.FAIL and result.support["bins"] == 2
        # the bins are the ECE's, named beside it (they read as the Brier score's, after it)
        assert re.search(r"ECE [0-9.]+ over 2 bins \(", result.message), result.message
        assert not re.search(r"Brier [0-9.]+ over", result.message), result.message

    def test_no_rows_is_an_error(self):
        assert check_calibration(np.array([]), np.array([]), split="test").status is Status.ERROR


def test_a_country_whose_risk_was_never_seen_fails_segments_while_overall_recall_passes():
    rng = np.random.default_rng(5)
    n = 40_000
    country = rng.choice(["US", "DE", "BR"], n, p=[0.45, 0.45, 0.10])
    x = rng.normal(size=n)
    # in BR risk comes from a pattern (z) the model never saw: its training had no risky BR rows
    z = rng.normal(size=n)
    logit = np.where(country == "BR", -3.0 + 2.5 * z, -3.5 + 2.5 * x)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    scores_ = 1 / (1 + np.exp(-(-3.5 + 2.5 * x)))  # the model knows x only
    threshold = choose_threshold(y[country != "BR"], scores_[country != "BR"], target_recall=0.8).threshold
    overall = threshold_counts(y, scores_).at(threshold)
    assert check_recall(overall, split="test", threshold=threshold, min_recall=0.6).status is Status.PASS
    result = check_segments(country, y, scores_ >= threshold, column="country", split="test", min_recall=0.5)
    assert result.status is Status.FAIL
    assert result.evidence[0].items[0]["segment"] == "BR"


def test_segments_with_one_class_are_not_judged_and_none_judged_is_an_error():
    country = np.array(["US"] * 100 + ["BR"] * 100)
    y = np.r_[np.ones(50, bool), np.zeros(50, bool), np.zeros(100, bool)]  # BR: no risky rows
    flagged = y.copy()
    result = check_segments(
        country, y, flagged, column="country", split="test", min_recall=0.5, min_positives=20
    )
    assert result.status is Status.PASS and "BR" in result.evidence[0].detail["not_judged"]
    none = check_segments(
        country, y, flagged, column="country", split="test", min_recall=0.5, min_positives=60
    )
    assert none.status is Status.ERROR


def test_a_small_segment_fails_only_when_shown_below_the_floor():
    # 8 risky rows: too few to judge on a point estimate, enough to show 0 of 8 is below 0.5
    country = np.array(["US"] * 400 + ["MX"] * 100)
    y = np.r_[np.ones(100, bool), np.zeros(300, bool), np.ones(8, bool), np.zeros(92, bool)]
    blind = y & (country == "US")  # nothing flagged in MX
    result = check_segments(country, y, blind, column="country", split="test", min_recall=0.5)
    assert result.status is Status.FAIL
    worst = result.evidence[0].items[0]
    assert worst["segment"] == "MX" and worst["basis"] == "upper bound" and worst["judged"] < 0.5
    # the summary line names the segment below the floor (only a failure names one)
    assert result.parameters["failing"] == ["MX"]
    assert measured_as(result).endswith(" · failing: MX"), measured_as(result)
    # 4 of 8 caught: not shown below, not measurable: listed as not judged, the check passes on US
    half = blind | (y & (country == "MX") & (np.arange(500) < 404))
    ok = check_segments(country, y, half, column="country", split="test", min_recall=0.5)
    assert ok.status is Status.PASS and ok.evidence[0].detail["not_judged"] == ["MX"]
    assert "failing" not in ok.parameters and "failing:" not in measured_as(ok)


def test_segment_point_rule_is_stable_where_the_lower_bound_is_a_coin_toss():
    # a segment at recall 0.68 with 45 risky rows (the demo's MX in an 80% resample)
    rng = np.random.default_rng(0)
    country = np.array(["US"] * 1000 + ["MX"] * 1000)
    y = np.r_[np.ones(200, bool), np.zeros(800, bool), np.ones(45, bool), np.zeros(955, bool)]
    fails = {"point": 0, "wilson": 0}
    unsure = 0
    for _ in range(200):
        flagged = y & (rng.random(len(y)) < 0.68)
        for bound in fails:
            r = check_segments(
                country, y, flagged, column="country", split="test", min_recall=0.5, bound=bound
            )
            fails[bound] += r.status is Status.FAIL
            unsure += r.status is Status.INCONCLUSIVE
    assert fails["point"] <= 4  # P(recall < 0.5 | 0.68, 45) ≈ 0.6%
    # on the interval a segment fails only when shown below the floor: a sound segment on
    # 45 risky rows is never failed, it is inconclusive when its interval holds the floor
    assert fails["wilson"] == 0
    assert unsure >= 40


def test_segments_with_missing_values():
    seg = np.array(["US", None, "US", None] * 50, dtype=object)
    y = np.ones(200, bool)
    result = check_segments(seg, y, y, column="country", split="test", min_recall=0.5)
    assert {r["segment"] for r in result.evidence[0].items} == {"US", "(missing)"}


class TestBaselines:
    def test_candidate_that_beats_the_baselines_passes(self, data):
        train, y_train, val, y_val, test, y_test = data
        cand = scores(fit(HistGradientBoostingClassifier(random_state=0), train, y_train), test)
        weak = scores(
            fit(LogisticRegression(), train[["c"]].assign(a=0, b=0), y_train), test.assign(a=0, b=0)
        )
        result = check_baselines(y_test, cand, {"one_feature": weak}, resamples=100)
        assert result.status is Status.PASS and result.measured > 0
        assert result.evidence[0].items[0]["finding"] == "shown_better"
        assert check_baselines(y_test, cand, {"one_feature": weak}, rule="better", resamples=100).passed

    def test_candidate_worse_than_a_baseline_fails(self, data):
        train, y_train, val, y_val, test, y_test = data
        good = scores(fit(LogisticRegression(class_weight="balanced"), train, y_train), test)
        noisy = good + np.random.default_rng(0).normal(0, 0.5, len(good))
        result = check_baselines(y_test, noisy, {"logistic": good}, resamples=100)
        assert result.status is Status.FAIL and result.reason is Reason.WORSE_THAN_BASELINE
        row = result.evidence[0].items[0]
        assert row["finding"] == "shown_worse" and row["interval"][1] < -0.01

    def test_a_near_twin_of_a_baseline_is_not_blocked_for_not_beating_it(self, data):
        train, y_train, val, y_val, test, y_test = data
        a = scores(fit(LogisticRegression(class_weight="balanced"), train, y_train), test)
        b = scores(fit(LogisticRegression(class_weight="balanced", C=0.5), train, y_train), test)
        tied = check_baselines(y_test, a, {"twin": b}, margin=0.0, resamples=50)
        lo, hi = tied.evidence[0].items[0]["interval"]
        assert lo < 0 <= hi or lo <= 0 < hi  # a zero lead: its interval holds the limit 0
        assert tied.status is Status.INCONCLUSIVE and tied.passed  # the old rule failed it
        assert tied.needed["n_positive"] > int(y_test.sum())
        assert "settling it needs ≈" in tied.message
        # the finding in words, not a bare ": neither" (trial)
        assert "]: the interval holds the margin: neither shown within it nor beyond it)" in tied.message
        # the default deficit allowed (0.01): shown no worse than its twin
        assert check_baselines(y_test, a, {"twin": b}, resamples=50).status is Status.PASS
        # the stricter rule asks for a lead shown above 0: a twin cannot show one
        strict = check_baselines(y_test, a, {"twin": b}, rule="better", resamples=50)
        assert strict.status is Status.INCONCLUSIVE
        with pytest.raises(ValueError, match="must be ≥ 0"):
            check_baselines(y_test, a, {"twin": b}, margin=-0.01, resamples=50)

    def test_few_risky_rows_are_inconclusive_with_the_rows_that_would_settle_it(self, data):
        *_, test, y_test = data
        rng = np.random.default_rng(3)
        y = np.zeros(600, dtype=bool)
        y[:40] = True
        a = y * 1.0 + rng.normal(0, 1, 600)
        b = y * 1.0 + rng.normal(0, 1, 600)
        result = check_baselines(y, a, {"b": b}, resamples=100)
        assert result.status is Status.INCONCLUSIVE
        row = result.evidence[0].items[0]
        assert row["finding"] == "neither" and row["needed"] == result.needed["n_positive"] > 40

    def test_each_baseline_gets_a_bonferroni_share_of_the_confidence(self, data):
        *_, test, y_test = data
        rng = np.random.default_rng(5)
        a, b, c = (rng.random(len(y_test)) for _ in range(3))
        result = check_baselines(y_test, a, {"b": b, "c": c}, resamples=50)
        assert result.evidence[0].detail["confidence_each"] == pytest.approx(0.975)
        assert "97.5% CI" in result.message

    def test_reproducible_with_a_seed(self, data):
        *_, test, y_test = data
        rng = np.random.default_rng(4)
        a, b = rng.random(len(y_test)), rng.random(len(y_test))
        r1 = check_baselines(y_test, a, {"b": b}, resamples=50, seed=7)
        r2 = check_baselines(y_test, a, {"b": b}, resamples=50, seed=7)
        assert r1.to_dict() == r2.to_dict()


class TestTrainingCurves:
    def log(self, n=60, **overrides):
        epochs = np.arange(1, n + 1)
        train = 1.0 / np.sqrt(epochs)
        val = 1.05 / np.sqrt(epochs) + 0.02
        frame = pd.DataFrame({"epoch": epochs, "train_loss": train, "val_loss": val})
        for column, values in overrides.items():
            frame[column] = values
        return frame

    def test_healthy_curves_pass(self):
        assert check_training_curves(self.log()).status is Status.PASS

    def test_val_loss_rising_for_20_epochs_fails(self):
        frame = self.log()
        rise = frame["val_loss"].to_numpy().copy()
        rise[40:] = rise[39] + 0.01 * np.arange(1, 21)
        result = check_training_curves(frame.assign(val_loss=rise))
        assert result.status is Status.FAIL and "overfitting" in result.message
        # the summary line names the problem (trial: "measured 1 problem(s)" alone)
        assert " · failing: overfitting: validation loss rose for 20 epoch(s)" in measured_as(result)
        assert "failing" not in check_training_curves(frame).parameters  # nothing named on a pass

    def test_nan_loss_fails(self):
        frame = self.log()
        frame.loc[30, "train_loss"] = np.nan
        result = check_training_curves(frame)
        assert result.status is Status.FAIL and "NaN" in result.message

    def test_spike_fails(self):
        frame = self.log()
        frame.loc[25, "val_loss"] = 5.0
        result = check_training_curves(frame)
        assert result.status is Status.FAIL and "spikes" in result.message

    def test_flat_and_mediocre_is_underfitting(self):
        frame = self.log(train_loss=0.69, val_loss=0.69).assign(val_auc=0.55)
        result = check_training_curves(frame, val_metric="val_auc", min_val_metric=0.7)
        assert result.status is Status.FAIL and "underfitting" in result.message

    def test_early_stopping_must_keep_the_best_epoch(self):
        frame = self.log()
        best = int(frame["epoch"][frame["val_loss"].idxmin()])
        assert check_training_curves(frame, selected_epoch=best).status is Status.PASS
        result = check_training_curves(frame, selected_epoch=best - 20)
        assert result.status is Status.FAIL and "early stopping kept epoch" in result.message

    def test_missing_columns_and_short_logs_are_errors(self):
        assert check_training_curves(self.log().drop(columns="val_loss")).status is Status.ERROR
        assert check_training_curves(self.log(n=2)).status is Status.ERROR


class TestSegmentsOnTheInterval:
    """``segment_bound = "wilson"``: three outcomes per segment, Bonferroni over the segments."""

    @staticmethod
    def frame(mx_positives, mx_caught, us_positives=400, us_caught=360):
        country = np.array(["US"] * 2000 + ["MX"] * 2000)
        y = np.zeros(4000, bool)
        y[:us_positives] = True
        y[2000 : 2000 + mx_positives] = True
        flagged = np.zeros(4000, bool)
        flagged[:us_caught] = True
        flagged[2000 : 2000 + mx_caught] = True
        return country, y, flagged

    def run(self, *counts):
        country, y, flagged = self.frame(*counts)
        return check_segments(
            country, y, flagged, column="country", split="test", min_recall=0.5, bound="wilson"
        )

    def test_a_segment_shown_below_fails(self):
        result = self.run(200, 60)  # MX 0.30 on 200 risky rows
        assert result.status is Status.FAIL and result.evidence[0].items[0]["segment"] == "MX"

    def test_sound_segments_pass(self):
        result = self.run(200, 150)  # MX 0.75, US 0.90
        assert result.status is Status.PASS and not result.needed

    def test_a_small_segment_holding_the_floor_is_inconclusive_with_its_needed_rows(self):
        result = self.run(30, 18)  # MX 0.60 on 30 risky rows
        assert result.status is Status.INCONCLUSIVE and result.reason is Reason.TOO_FEW_POSITIVES
        mx = result.evidence[0].items[0]
        each = 1 - 0.05 / 2  # two segments with risky rows: Bonferroni
        assert result.evidence[0].detail["confidence_each"] == pytest.approx(each)
        assert mx["segment"] == "MX" and mx["status"] == "inconclusive"
        assert mx["needed"] == rows_to_show_proportion(0.6, 0.5, confidence=each)
        assert result.needed == {"segment_n_positive": mx["needed"]}
        assert result.support["segment_n_positive"] == 30
        assert f"needs ≈ {mx['needed']}" in result.message

    def test_bonferroni_widens_each_interval(self):
        # MX 0.633 on 60 risky rows: the lower bound clears 0.5 at 95% but not at 97.5%
        low95, _ = wilson_interval(38, 60, confidence=0.95)
        low975, _ = wilson_interval(38, 60, confidence=0.975)
        assert low975 < 0.5 <= low95
        assert self.run(60, 38).status is Status.INCONCLUSIVE
