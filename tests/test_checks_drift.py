"""Drift checks: planted drift is found and named; identical samples stay quiet."""

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.adapters.evidently_drift import ColumnDrift, column_drift
from sentinel_checks.checks.calibration_change import check_calibration_change
from sentinel_checks.checks.drift import (
    check_feature_drift,
    check_label_drift,
    check_score_drift,
    describe_shift,
    population_stability_index,
    prepare_drift_inputs,
)
from sentinel_checks.reasons import Reason
from sentinel_checks.result import Status

FEATURES = [f"f{i:02d}" for i in range(20)]


def samples(n=3000, *, seed=0, shifted=(), shift=1.0):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    cur = pd.DataFrame({f: rng.normal(shift if f in shifted else 0.0, size=n) for f in FEATURES})
    return ref, cur


def judge(ref, cur, features=FEATURES, **kw):
    inputs = prepare_drift_inputs(ref, cur, features)
    run = column_drift(
        inputs.reference, inputs.current, numerical=inputs.numerical, categorical=inputs.categorical
    )
    drifted = [c.column for c in run.columns if c.drifted]
    return check_feature_drift(
        run.columns,
        pair=("train", "production"),
        n_reference=len(ref),
        n_current=len(cur),
        descriptions={c: describe_shift(ref[c], cur[c]) for c in drifted},
        notes=inputs.notes,
        **kw,
    )


@pytest.mark.parametrize("k", [1, 3, 10])
def test_planted_drift_is_detected_and_named(k):
    shifted = FEATURES[:k]
    result = judge(*samples(shifted=shifted), max_share=0.3)
    named = {item["feature"] for item in result.evidence[0].items}
    assert named == set(shifted)
    assert result.measured == pytest.approx(k / 20)
    assert result.status is (Status.FAIL if k / 20 > 0.3 else Status.WARN)
    assert "median" in result.evidence[0].items[0]["shift"]


def test_a_critical_feature_fails_even_below_the_share():
    result = judge(*samples(shifted=["f07"]), max_share=0.5, critical=["f07"])
    assert result.status is Status.FAIL and "critical: f07" in result.message


def test_identical_distributions_stay_quiet_across_seeds():
    alarms = sum(judge(*samples(seed=seed), max_share=0.3).status is not Status.PASS for seed in range(20))
    assert alarms == 0  # false alarms over 20 seeds (Wasserstein on 3000 rows, threshold 0.1)


def test_small_samples_switch_to_p_values_and_record_the_direction():
    ref, cur = samples(n=300, shifted=["f00"])
    inputs = prepare_drift_inputs(ref, cur, FEATURES)
    run = column_drift(inputs.reference, inputs.current, numerical=inputs.numerical, categorical=[])
    by_column = {c.column: c for c in run.columns}
    assert by_column["f00"].direction == "p_value" and by_column["f00"].drifted
    assert "p_value" in by_column["f00"].method


def test_configured_method_and_threshold_per_column():
    ref, cur = samples(shifted=["f01"], shift=0.15)
    inputs = prepare_drift_inputs(ref, cur, ["f01", "f02"])
    run = column_drift(
        inputs.reference,
        inputs.current,
        numerical=["f01", "f02"],
        categorical=[],
        method="psi",
        per_column_threshold={"f01": 0.01},
    )
    by_column = {c.column: c for c in run.columns}
    assert by_column["f01"].method == "psi" and by_column["f01"].direction == "distance"
    assert by_column["f01"].threshold == 0.01
    assert by_column["f01"].drifted and not by_column["f02"].drifted


def test_edge_cases_constant_null_new_categories_datetime_bool_and_ids():
    rng = np.random.default_rng(3)
    n = 2000
    ref = pd.DataFrame(
        {
            "constant": 1.0,
            "empty": np.nan,
            "country": rng.choice(["US", "DE"], n),
            "seen_at": pd.Timestamp("2025-05-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
            "new_device": rng.random(n) < 0.1,
            "account_number": np.arange(n),
        }
    )
    cur = ref.copy()
    cur["country"] = rng.choice(["US", "DE", "BR"], n, p=[0.4, 0.3, 0.3])  # BR only in production
    cur["seen_at"] = cur["seen_at"] + pd.Timedelta(days=120)
    cur["account_number"] = np.arange(n) + n
    result = judge(ref, cur, features=list(ref.columns), max_share=0.9)
    drifted = {i["feature"] for i in result.evidence[0].items}
    assert {"country", "seen_at", "account_number"} <= drifted
    assert "constant" not in drifted and "new_device" not in drifted
    notes = result.evidence[0].detail["notes"]
    assert "empty" in notes and "account_number" in notes  # skipped, and "ids are not features"
    # seen_at moved 120 days past a 90-day range (normed Wasserstein ≈ 4.6) and the ids
    # moved by their whole range: severe effects fail on their own; country (JS 0.3) warns
    severe = {i["feature"] for i in result.evidence[0].items if i["severe"]}
    assert severe == {"seen_at", "account_number"}
    assert result.status is Status.FAIL
    assert "share of BR 0% → 30%" in next(
        i["shift"] for i in result.evidence[0].items if i["feature"] == "country"
    )


def test_tiny_samples_skip_unless_the_pair_is_required():
    columns = [ColumnDrift("a", "K-S p_value", 0.5, 0.05, "p_value")]
    skipped = check_feature_drift(
        columns, pair=("train", "production"), n_reference=5000, n_current=50, min_rows=200
    )
    assert skipped.status is Status.SKIP and "fewer than 200" in skipped.message
    required = check_feature_drift(
        columns, pair=("train", "production"), n_reference=5000, n_current=50, min_rows=200, required=True
    )
    assert required.status is Status.FAIL


def test_nan_drift_score_never_passes():
    columns = [ColumnDrift("a", "PSI", float("nan"), 0.1, "distance")]
    result = check_feature_drift(columns, pair=("train", "val"), n_reference=5000, n_current=5000)
    assert result.status is Status.ERROR and "undefined" in result.message


def test_demo_production_drifts_on_the_features_made_to_drift():
    from sentinel_checks.demo.data import FEATURES_BASE, generate

    log = generate(40_000, seed=1)
    train = log.offline[log.offline["request_ts"] < "2025-09-01"]
    result = judge(train, log.production, features=FEATURES_BASE, max_share=0.5)
    drifted = {i["feature"] for i in result.evidence[0].items}
    assert {"channel", "country", "amount"} <= drifted
    assert drifted <= {"channel", "country", "amount", "account_age_days"}


class TestLabelDrift:
    """drift.labels judges the odds ratio both ways and the absolute change, on intervals."""

    PAIR = ("test", "production")

    def test_a_real_prevalence_shift_fails(self):
        result = check_label_drift(150, 10_000, 320, 10_000, pair=self.PAIR)
        assert result.status is Status.FAIL and result.reason is Reason.PREVALENCE_SHIFT

    def test_a_halving_fails(self):
        # the examples: 2.15% → 0.93% and 7.1% → 3.2% passed the old relative limit
        for counts in [(215, 10_000, 93, 10_000), (71, 1_000, 32, 1_000)]:
            result = check_label_drift(*counts, pair=self.PAIR)
            assert result.status is Status.FAIL, result.message
            assert result.measured == pytest.approx(2.3, abs=0.05)  # odds ratio 0.43 either way

    def test_at_the_gates_own_coverage_a_halving_fails_on_enough_rows(self, gate_project):
        # the gate passes the budget's coverage (99.88% with the defaults), not 0.95
        from sentinel_checks.config import load_config
        from sentinel_checks.gate import policy

        limits = policy.label_drift(load_config(gate_project().config))
        assert limits["confidence"] > 0.997
        for counts in [(215, 20_000, 93, 20_000), (355, 5_000, 160, 5_000), (978, 36_306, 290, 21_592)]:
            result = check_label_drift(*counts, pair=self.PAIR, **limits)
            assert result.status is Status.FAIL, result.message
        # 7.1% → 3.2% on 1,000 rows a side: the data cannot tell at that coverage; it says so
        small = check_label_drift(71, 1_000, 32, 1_000, pair=self.PAIR, **limits)
        assert small.status is Status.INCONCLUSIVE and small.needed

    def test_a_halving_fails_on_the_demo_sized_production_sample(self):
        # demo: test 978 risky of 36,306; production 21,592 labelled rows
        assert check_label_drift(978, 36_306, 290, 21_592, pair=self.PAIR).status is Status.FAIL
        assert check_label_drift(978, 36_306, 1_160, 21_592, pair=self.PAIR).status is Status.FAIL

    def test_a_doubling_fails(self):
        assert check_label_drift(500, 10_000, 1_000, 10_000, pair=self.PAIR).status is Status.FAIL

    def test_a_rise_above_half_prevalence_fails(self):
        # 0.6 → 0.9: a relative limit of +100% could never catch it
        result = check_label_drift(600, 1_000, 900, 1_000, pair=self.PAIR)
        assert result.status is Status.FAIL and result.measured == pytest.approx(6.0)

    def test_a_stable_prevalence_passes(self):
        # demo-like 2.69% → 3.16%, and a flat prevalence near 0.5 (MA employment, car loan)
        assert check_label_drift(978, 36_306, 683, 21_592, pair=self.PAIR).status is Status.PASS
        assert check_label_drift(34_000, 68_000, 104_000, 208_000, pair=self.PAIR).status is Status.PASS

    def test_a_tiny_prevalence_that_triples_passes_on_the_absolute_limit(self):
        result = check_label_drift(10, 100_000, 30, 100_000, pair=self.PAIR)
        assert result.status is Status.PASS, result.message

    def test_a_small_sample_is_inconclusive_and_says_how_many_rows_would_settle_it(self):
        # 1% → 3% on 100 rows: could be chance, could be a tripling
        result = check_label_drift(1, 100, 3, 100, pair=self.PAIR)
        assert result.status is Status.INCONCLUSIVE and result.reason is Reason.TOO_FEW_ROWS
        assert set(result.needed) == {"n_test", "n_production"}
        assert result.needed["n_production"] > 100 and "needs" in result.message
        k = result.needed["n_production"] / 100
        settled = check_label_drift(
            round(k), result.needed["n_test"], round(3 * k), round(100 * k), pair=self.PAIR
        )
        assert settled.status is Status.FAIL, settled.message

    def test_a_stable_small_sample_is_settled_as_a_pass_at_the_needed_rows(self):
        result = check_label_drift(50, 1_000, 55, 1_000, pair=self.PAIR)
        assert result.status is Status.INCONCLUSIVE
        m = result.needed["n_production"]
        grown = check_label_drift(
            round(0.05 * m * 1.05), round(m * 1.05), round(0.055 * m * 1.05), round(m * 1.05), pair=self.PAIR
        )
        assert grown.status is Status.PASS, grown.message

    def test_empty_sample_is_an_error(self):
        assert check_label_drift(0, 0, 3, 100, pair=self.PAIR).status is Status.ERROR

    def test_a_zero_count_stays_finite(self):
        result = check_label_drift(0, 5_000, 200, 5_000, pair=self.PAIR)
        assert result.status is Status.FAIL and np.isfinite(result.measured)


class TestCalibrationDrift:
    """drift.calibration: the ECE increase test → production, judged on a bootstrap interval."""

    @staticmethod
    def calibrated(n, seed):
        rng = np.random.default_rng(seed)
        s = rng.beta(2, 5, n)
        return rng.uniform(size=n) < s, s

    def test_calibration_that_worsened_fails(self):
        y1, s1 = self.calibrated(10_000, 0)
        y2, s2 = self.calibrated(10_000, 1)
        result = check_calibration_change(y1, s1, y2, np.clip(s2 * 0.6, 0, 1))
        assert result.status is Status.FAIL and result.reason is Reason.CALIBRATION_DRIFT
        assert result.measured > 0.05

    def test_unchanged_calibration_passes(self):
        y1, s1 = self.calibrated(10_000, 0)
        y2, s2 = self.calibrated(10_000, 1)
        result = check_calibration_change(y1, s1, y2, s2)
        assert result.status is Status.PASS, result.message

    def test_a_small_production_sample_is_inconclusive_not_failed(self):
        # a calibrated model on 300 production rows: its ECE is inflated by noise
        y1, s1 = self.calibrated(10_000, 0)
        y2, s2 = self.calibrated(300, 3)
        result = check_calibration_change(y1, s1, y2, s2)
        assert result.status is Status.INCONCLUSIVE, result.message
        assert result.needed["n_production"] > 300 and "more rows" in result.message
        # one interval is judged without a Brier limit, and the message says which (trial)
        assert "the ECE change's interval holds its limit" in result.message, result.message
        assert "(not judged: [drift] max_brier_increase is unset)" in result.message
        # shown with its interval, as every other inconclusive check is (trial: the
        # estimate alone beside its limit)
        from sentinel_checks.reports.measures import measured_as

        low, high = result.evidence[0].detail["ece_change_interval"]
        assert low <= result.limit < high
        shown = measured_as(result)
        assert shown.startswith("ECE change ") and " interval " in shown, shown
        assert "lies inside the interval" in shown, shown

    def test_a_brier_decided_change_is_not_shown_on_the_ece_interval(self):
        y1, s1 = self.calibrated(10_000, 0)
        y2, s2 = self.calibrated(10_000, 1)
        from sentinel_checks.reports.judged_interval import judged_interval
        from sentinel_checks.reports.measures import measured_as

        ece_only = check_calibration_change(y1, s1, y2, s2)
        assert ece_only.status is Status.PASS and judged_interval(ece_only).kind is None
        # a Brier limit below any change: the Brier change decides, and is what is shown
        # (review: the failure read "ECE change: measured -0.0058 · limit ≤ 0.01")
        brier = check_calibration_change(y1, s1, y2, s2, max_brier_increase=-0.01)
        assert brier.status is Status.FAIL, brier.message
        shown = judged_interval(brier)
        assert shown.kind == "Brier change" and shown.limit == -0.01 and shown.low > -0.01
        assert measured_as(brier).startswith("Brier change "), measured_as(brier)
        assert "fails: its lower end" in measured_as(brier), measured_as(brier)

    def test_an_inconclusive_line_gives_each_row_count_once(self):
        import re

        from sentinel_checks.reports.gate_report import TestOutcome
        from sentinel_checks.reports.terminal import flagged_line

        y1, s1 = self.calibrated(300, 0)
        y2, s2 = self.calibrated(250, 3)
        result = check_calibration_change(y1, s1, y2, s2)
        assert result.status is Status.INCONCLUSIVE, result.message
        line = flagged_line(TestOutcome("t", "passed", "", result))
        counts = [n for n in re.findall(r"\b\d[\d,]*\b", line) if n.replace(",", "").isdigit()]
        rows = [f"{n:,}" for n in (*result.needed.values(), *result.support.values())]
        for n in rows:
            assert counts.count(n) == 1, (n, line)

    def test_inflated_scores_get_a_recalibration_hint(self):
        y1, s1 = self.calibrated(10_000, 0)
        y2, s2 = self.calibrated(10_000, 1)
        result = check_calibration_change(y1, s1, y2, np.sqrt(s2))  # class weighting inflates scores
        assert result.status is Status.FAIL
        assert "inflated" in result.hint and "CalibratedClassifierCV" in result.hint

    def test_a_brier_limit_is_judged_too(self):
        y1, s1 = self.calibrated(10_000, 0)
        y2, s2 = self.calibrated(10_000, 1)
        result = check_calibration_change(y1, s1, y2, s2, max_brier_increase=0.0)
        assert result.status is not Status.PASS and "Brier" in result.message

    def test_an_empty_sample_is_an_error(self):
        y1, s1 = self.calibrated(100, 0)
        assert check_calibration_change(y1, s1, y1[:0], s1[:0]).status is Status.ERROR


class TestScoreDrift:
    def test_shifted_scores_fail_on_psi_and_flagged_fraction(self):
        rng = np.random.default_rng(0)
        ref = rng.beta(1, 20, 20_000)
        cur = np.clip(ref * 3, 0, 1)
        result = check_score_drift(ref, cur, threshold=0.1, pair=("test", "production"))
        assert result.status is Status.FAIL
        assert "PSI" in result.message and "flagged fraction" in result.message

    def test_a_fail_on_the_flagged_fraction_alone_shows_that_number_not_the_psi(self):
        """Trial (stop 51): "drift.scores FAIL: score PSI: measured 0.09921 · limit ≤ 0.2",
        a figure within its limit; the flagged fraction had decided (41.1% → 33.0%)."""
        from sentinel_checks.reports.measures import measured_as

        rng = np.random.default_rng(2)
        ref = rng.random(20_000)
        cur = np.where(rng.random(20_000) < 0.2, rng.random(20_000) * 0.5, ref)  # ~10 points moved below 0.5
        result = check_score_drift(ref, cur, threshold=0.5, pair=("test", "production"))
        assert result.status is Status.FAIL and "PSI" not in result.message.split(";")[0], result.message
        shown = measured_as(result)
        assert shown.startswith("flagged fraction change: measured 9."), (
            shown
        )  # ~10 points, the interval's near end
        assert "limit ≤ 5%" in shown, shown
        nearer = np.where(rng.random(20_000) < 0.1, rng.random(20_000) * 0.5, ref)  # ~5 points: at the limit
        inconclusive = check_score_drift(ref, nearer, threshold=0.5, pair=("t", "p"))
        assert inconclusive.status is Status.INCONCLUSIVE
        assert measured_as(inconclusive).startswith("flagged fraction change"), measured_as(inconclusive)

    def test_stable_scores_pass(self):
        rng = np.random.default_rng(1)
        result = check_score_drift(
            rng.beta(1, 20, 20_000), rng.beta(1, 20, 20_000), threshold=0.1, pair=("t", "p")
        )
        assert result.status is Status.PASS

    def test_nan_scores_are_an_error(self):
        result = check_score_drift(
            np.array([0.1, np.nan]), np.array([0.1, 0.2]), threshold=0.1, pair=("t", "p")
        )
        assert result.status is Status.ERROR

    def test_psi_of_a_constant_reference(self):
        assert population_stability_index(np.zeros(10), np.zeros(10)) == 0.0
        assert population_stability_index(np.zeros(10), np.ones(10)) == float("inf")


def test_evidently_score_drift_is_reported_beside_psi():
    from sentinel_checks.adapters.evidently_drift import score_drift

    rng = np.random.default_rng(2)
    ref, cur = rng.beta(1, 20, 5000), np.clip(rng.beta(1, 20, 5000) * 2, 0, 1)
    drift = score_drift(ref, cur)
    assert drift is not None and drift.drifted and drift.direction == "distance"
    result = check_score_drift(ref, cur, threshold=0.1, pair=("test", "production"), evidently_score=drift)
    assert result.evidence[0].detail["evidently_method"] == drift.method
    assert "Evidently" in result.message
    assert score_drift(ref, np.array([np.nan])) is None


def test_high_cardinality_categories_are_lumped_and_drift_still_shows():
    """Thousands of levels (a free-text or id-like column): the reference's top levels are
    compared one by one and the rest lumped, so Evidently stays fast and the shift shows."""
    rng = np.random.default_rng(5)
    n = 20_000
    levels = np.array([f"merchant_{i}" for i in range(5_000)], dtype=object)
    weights = 1 / np.arange(1, 5_001)
    ref = pd.DataFrame({"merchant": rng.choice(levels, n, p=weights / weights.sum())})
    shifted = np.roll(weights, 40)  # the most frequent merchants change
    cur = pd.DataFrame({"merchant": rng.choice(levels, n, p=shifted / shifted.sum())})
    inputs = prepare_drift_inputs(ref, cur, ["merchant"])
    assert inputs.reference["merchant"].nunique() <= 201 and inputs.current["merchant"].nunique() <= 201
    assert "most frequent in the reference" in inputs.notes["merchant"]
    assert (inputs.current["merchant"] == "(other)").any()
    run = column_drift(inputs.reference, inputs.current, numerical=[], categorical=["merchant"])
    assert [c.column for c in run.columns if c.drifted] == ["merchant"]
