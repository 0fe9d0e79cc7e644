"""One model's threshold counts past ``max_groups``: grouped on a grid in the engine
(engine/threshold_grid.py).

Continuous scores give about one distinct score per row, so the exact counts grow
with the data (the driver's memory at 10⁸ rows). Past ``[engine]
max_threshold_groups`` the scores are grouped on a 1/grid grid, split at the known
thresholds, each cell standing for its smallest score. Here, against the rows: at
most ``max_groups`` groups leave the engine; every listed threshold and every split
value has its exact counts; a threshold inside a cell is refused, not guessed; the
threshold chosen for a target recall (both rules, and the one suggested beside a
fixed threshold) is the exact one once the cells are split at the k-th largest risky
score; the true AUCs lie in the
tie bounds; and through the gate every decision at the operating threshold equals
the exact run's while ``quality.auc`` and ``quality.calibration`` say the scores were
grouped, a weak model still failing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.quality_statistics import ScoredColumns, scored_rows, threshold_counts
from sentinel_checks.engine.threshold_grid import risky_score_at_rank
from sentinel_checks.errors import DataError
from sentinel_checks.models.thresholds import caught_needed, choose_threshold_on_counts
from sentinel_checks.stats.confusion import Confusion
from sentinel_checks.stats.ranking import threshold_counts as exact_counts
from sentinel_checks.stats.tie_bounds import tie_bounds

COLUMNS = ScoredColumns(score="s", label="label", positive=1, negative=0)


def _frame(n: int = 5000, seed: int = 0) -> pd.DataFrame:
    """Continuous scores with a block of ties (a tree's leaf), 10% risky."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.1
    s = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.6 * y - 1.5)))
    s[:300] = 0.3125  # tied rows
    return pd.DataFrame({"label": y.astype(int), "s": s})


def _table(frame: pd.DataFrame):
    return table_from_frame(connect_duckdb(threads=1), frame, name="scored")


def _truth(frame: pd.DataFrame, t: float) -> Confusion:
    y, s = frame["label"].to_numpy() == 1, frame["s"].to_numpy()
    hit = s >= t
    return Confusion(
        tp=int((y & hit).sum()), fp=int((~y & hit).sum()), fn=int((y & ~hit).sum()), tn=int((~y & ~hit).sum())
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _frame()


def test_few_distinct_scores_come_back_exact(frame: pd.DataFrame) -> None:
    counts = threshold_counts(_table(frame), COLUMNS, max_groups=len(frame))
    exact = exact_counts(frame["label"].to_numpy(), frame["s"].to_numpy())
    assert counts.grid == 0
    assert np.array_equal(counts.thresholds, exact.thresholds) and np.array_equal(counts.tp, exact.tp)


def test_past_max_groups_the_finest_grid_the_bound_allows_is_used(frame: pd.DataFrame) -> None:
    """Scores in [0, 1] fall in at most grid + 1 cells, each split adds a group: the grid is
    the largest power of two with grid + 1 + splits <= max_groups, so a larger bound always
    gives a finer grid."""
    counts = threshold_counts(_table(frame), COLUMNS, split_at=(0.2,), max_groups=300)
    assert counts.grid == 256 and len(counts.thresholds) <= 300
    finer = threshold_counts(_table(frame), COLUMNS, split_at=(0.2,), max_groups=600)
    assert finer.grid == 512 and len(counts.thresholds) < len(finer.thresholds) <= 600
    assert (counts.positives, counts.negatives) == (
        int(frame["label"].sum()),
        int((frame["label"] == 0).sum()),
    )


def test_scores_of_exactly_0_and_1_and_thresholds_on_cell_edges_are_exact() -> None:
    rng = np.random.default_rng(1)
    s = np.concatenate([np.zeros(40), np.ones(40), rng.random(3000), np.full(30, 0.5), np.full(30, 0.25)])
    frame = pd.DataFrame({"label": (rng.random(len(s)) < 0.2).astype(int), "s": s})
    counts = threshold_counts(_table(frame), COLUMNS, split_at=(0.375,), max_groups=100)
    assert counts.grid == 64
    for t in (0.0, 1.0, 0.5, 0.25, 0.375, 1 / 64, 63 / 64, 1.5, -0.1):
        assert counts.exact_at(t)
        assert counts.at(t) == _truth(frame, t), t


@pytest.mark.parametrize("lower_bound", [False, True])
def test_the_fewest_caught_rows_meeting_the_rule_is_the_first_tp_meeting_it(lower_bound: bool) -> None:
    from sentinel_checks.models.thresholds import recall_rule_met

    for positives in [*range(1, 60), 97, 1000, 12_345]:
        for target in (0.1, 1 / 3, 0.5, 2 / 3, 0.8, 0.8000001, 0.95, 0.99, 1.0):
            met = recall_rule_met(np.arange(positives + 1), positives, target, lower_bound, 0.95)
            expected = int(np.argmax(met)) if met.any() else None
            got = caught_needed(positives, target_recall=target, use_lower_bound=lower_bound)
            assert got == expected, (positives, target)


def test_every_listed_threshold_and_split_value_is_exact(frame: pd.DataFrame) -> None:
    cut = float(frame["s"].quantile(0.77))  # a value inside a cell
    counts = threshold_counts(_table(frame), COLUMNS, split_at=(cut,), max_groups=300)
    assert counts.grid
    for t in [*counts.thresholds.tolist(), cut]:
        assert counts.exact_at(t)
        assert counts.at(t) == _truth(frame, t), t


def test_a_threshold_inside_a_cell_is_refused_not_guessed(frame: pd.DataFrame) -> None:
    counts = threshold_counts(_table(frame), COLUMNS, max_groups=300)
    inside = [t for t in np.linspace(0.01, 0.99, 997) if not counts.exact_at(float(t))]
    assert inside  # continuous scores: most values fall inside a cell
    for t in inside[:50]:
        with pytest.raises(ValueError, match="falls inside a cell"):
            counts.at(float(t))
    # where it answers, it is right
    for t in np.linspace(0.01, 0.99, 97):
        if counts.exact_at(float(t)):
            assert counts.at(float(t)) == _truth(frame, float(t))


@pytest.mark.parametrize("target", [0.5, 0.8, 0.9, 0.95, 1.0])
@pytest.mark.parametrize("lower_bound", [False, True])
def test_split_at_the_kth_risky_score_the_choice_is_the_exact_choice(
    frame: pd.DataFrame, target: float, lower_bound: bool
) -> None:
    table = _table(frame)
    rule = {"target_recall": target, "use_lower_bound": lower_bound}
    exact = choose_threshold_on_counts(exact_counts(frame["label"].to_numpy(), frame["s"].to_numpy()), **rule)
    gridded = threshold_counts(table, COLUMNS, max_groups=200)
    first = choose_threshold_on_counts(gridded, **rule)
    assert first.threshold <= exact.threshold < first.threshold + 1 / gridded.grid  # the same cell only
    k = caught_needed(gridded.positives, **rule)
    if k is None:  # the target cannot be met: the lowest score, exact on any grid
        assert first.threshold == exact.threshold == frame["s"].min() and not exact.reached
        return
    chosen = risky_score_at_rank(scored_rows(table, COLUMNS), k, gridded)
    assert chosen == exact.threshold
    split = threshold_counts(table, COLUMNS, split_at=(chosen,), max_groups=200)
    choice = choose_threshold_on_counts(split, **rule)
    assert split.grid and choice.threshold == exact.threshold
    assert choice.validation == exact.validation == _truth(frame, exact.threshold)


def test_the_threshold_suggested_beside_a_fixed_one_is_exact_when_split_there(frame: pd.DataFrame) -> None:
    table = _table(frame)
    fixed = 0.2
    exact = choose_threshold_on_counts(
        exact_counts(frame["label"].to_numpy(), frame["s"].to_numpy()), target_recall=0.85, fixed=fixed
    )
    gridded = threshold_counts(table, COLUMNS, split_at=(fixed,), max_groups=200)
    first = choose_threshold_on_counts(gridded, target_recall=0.85, fixed=fixed)
    assert first.validation == exact.validation  # exact at the fixed threshold
    chosen = risky_score_at_rank(
        scored_rows(table, COLUMNS), caught_needed(gridded.positives, target_recall=0.85), gridded
    )
    split = threshold_counts(table, COLUMNS, split_at=(fixed, chosen), max_groups=200)
    assert choose_threshold_on_counts(split, target_recall=0.85, fixed=fixed).suggested == exact.suggested


def test_the_kth_risky_score_counts_ties_row_by_row() -> None:
    frame = pd.DataFrame({"label": [1, 1, 1, 0, 1], "s": [0.9, 0.5, 0.5, 0.95, 0.1]})
    table = _table(frame)
    rows = scored_rows(table, COLUMNS)
    for counts in (threshold_counts(table, COLUMNS), threshold_counts(table, COLUMNS, max_groups=2)):
        assert [risky_score_at_rank(rows, k, counts) for k in (1, 2, 3, 4)] == [0.9, 0.5, 0.5, 0.1]
        for k in (0, 5):
            with pytest.raises(ValueError, match="outside the 4 risky rows"):
                risky_score_at_rank(rows, k, counts)


def test_the_kth_risky_score_on_every_rank_of_continuous_scores(frame: pd.DataFrame) -> None:
    table = _table(frame)
    gridded = threshold_counts(table, COLUMNS, max_groups=200)
    risky = np.sort(frame.loc[frame["label"] == 1, "s"].to_numpy())[::-1]
    rows = scored_rows(table, COLUMNS)
    for k in (1, 2, len(risky) // 3, len(risky) // 2, len(risky) - 1, len(risky)):
        assert risky_score_at_rank(rows, k, gridded) == risky[k - 1]


def test_the_true_aucs_lie_in_the_tie_bounds(frame: pd.DataFrame) -> None:
    gridded = threshold_counts(_table(frame), COLUMNS, max_groups=64)
    bounds = tie_bounds(gridded)
    y, s = frame["label"].to_numpy(), frame["s"].to_numpy()
    low, _, high = bounds.roc_auc
    assert low <= roc_auc_score(y, s) <= high and high - low > 0
    low, _, high = bounds.pr_auc
    assert low <= average_precision_score(y, s) <= high


def test_scores_no_grid_can_bound_are_a_data_error() -> None:
    frame = _frame(n=400).assign(s=np.linspace(-1e6, 1e6, 400))
    with pytest.raises(DataError, match=r"more than 100 groups even on a grid of width 1/1: are the scores"):
        threshold_counts(_table(frame), COLUMNS, max_groups=100)


@pytest.mark.spark
@pytest.mark.slow
def test_spark_groups_on_the_same_grid_as_duckdb(spark_session, frame) -> None:
    import ibis

    spark = ibis.pyspark.connect(spark_session)
    duck = threshold_counts(_table(frame), COLUMNS, split_at=(0.2,), max_groups=300)
    table = table_from_frame(spark, frame, name="scored_grid")
    other = threshold_counts(table, COLUMNS, split_at=(0.2,), max_groups=300)
    rows = scored_rows(table, COLUMNS)
    k = caught_needed(other.positives, target_recall=0.8)
    assert risky_score_at_rank(rows, k, other) == risky_score_at_rank(
        scored_rows(_table(frame), COLUMNS), k, duck
    )
    assert other.grid == duck.grid
    assert all(np.array_equal(getattr(other, f), getattr(duck, f)) for f in ("thresholds", "tp", "fp"))


def test_a_close_auc_call_on_a_coarse_grid_is_inconclusive_and_asks_for_a_finer_grid() -> None:
    """``quality.auc``: on exact scores the interval clears the floor; the grid's widening
    alone holds it open, so it is inconclusive (``score_grid``), asking for a finer grid,
    not for rows; far from the floor the grid changes nothing."""
    from sentinel_checks.checks.auc import check_auc
    from sentinel_checks.reasons import Reason
    from sentinel_checks.result import Status
    from sentinel_checks.stats.tie_bounds import TieBounds

    common = {"prevalence": 0.1, "split": "test", "min_pr_auc_skill": 0.1, "n": 100_000, "n_positive": 10_000}
    ties = TieBounds(roc_auc=(0.78, 0.80, 0.82), pr_auc=(0.49, 0.50, 0.51))
    exact = check_auc(0.80, 0.50, min_roc_auc=0.79, **common)
    assert exact.status is Status.PASS
    gridded = check_auc(0.80, 0.50, min_roc_auc=0.79, ties=ties, grid=16, **common)
    assert gridded.status is Status.INCONCLUSIVE and gridded.reason is Reason.SCORE_GRID
    assert gridded.needed == {} and "raise [engine] max_threshold_groups" in gridded.message
    assert gridded.evidence[0].detail["score_grid"]["roc_auc_range"] == [0.78, 0.80, 0.82]
    assert check_auc(0.80, 0.50, min_roc_auc=0.70, ties=ties, grid=16, **common).status is Status.PASS
    assert check_auc(0.80, 0.50, min_roc_auc=0.90, ties=ties, grid=16, **common).status is Status.FAIL


def test_rows_are_asked_for_only_when_rows_can_settle_a_gridded_auc_call() -> None:
    """The review's two counter-examples: a widening past the margin cannot be settled by
    rows (even with few rows, where the interval is wide anyway); a widening short of it
    can, and the rows asked for leave the grid's part aside."""
    from sentinel_checks.checks.auc import check_auc
    from sentinel_checks.reasons import Reason
    from sentinel_checks.result import Status
    from sentinel_checks.stats.power import rows_to_show_difference
    from sentinel_checks.stats.tie_bounds import TieBounds

    floors = {"prevalence": 0.1, "split": "test", "min_roc_auc": 0.79, "min_pr_auc_skill": 0.1, "grid": 16}
    wide = TieBounds(roc_auc=(0.78, 0.80, 0.82), pr_auc=(0.5, 0.5, 0.5))
    few = check_auc(0.80, 0.5, n=3000, n_positive=300, ties=wide, **floors)
    assert few.status is Status.INCONCLUSIVE and few.reason is Reason.SCORE_GRID and few.needed == {}
    narrow = TieBounds(roc_auc=(0.793, 0.80, 0.807), pr_auc=(0.5, 0.5, 0.5))
    many = check_auc(0.80, 0.5, n=200_000, n_positive=20_000, ties=narrow, **floors)
    assert many.status is Status.INCONCLUSIVE and many.reason is Reason.TOO_FEW_POSITIVES
    low = many.evidence[0].detail["roc_auc_interval"][0]
    assert many.needed["n_positive"] == rows_to_show_difference(20_000, 0.80, 0.80 - low, 0.79, fixed=0.007)
    assert many.needed["n_positive"] > 20_000


def test_the_val_test_auc_drop_is_widened_by_the_grid() -> None:
    from sentinel_checks.checks.gap import check_val_test_gap

    val = {
        "recall": 0.8,
        "precision": 0.3,
        "roc_auc": 0.90,
        "tp": 8000,
        "n_positive": 10_000,
        "n_negative": 90_000,
    }
    test = {**val, "roc_auc": 0.88}
    val["flagged"] = test["flagged"] = 26_000
    exact = check_val_test_gap(val, test, max_gap=0.1, max_auc_gap=0.05)
    grid = {"score_grid": 16.0, "roc_auc_below": 0.02, "roc_auc_above": 0.03}
    wide = check_val_test_gap({**val, **grid}, {**test, **grid}, max_gap=0.1, max_auc_gap=0.05)
    e_low, e_high = exact.evidence[0].detail["intervals"]["roc_auc"]
    w_low, w_high = wide.evidence[0].detail["intervals"]["roc_auc"]
    assert w_low == pytest.approx(e_low - 0.05) and w_high == pytest.approx(e_high + 0.05)
    assert exact.status.value == "pass" and wide.status.value == "inconclusive"  # upper end holds 0.05
    assert wide.reason.value == "score_grid" and wide.needed == {}  # the 0.03 widening reaches the margin
    grid_detail = wide.evidence[0].detail["score_grid"]
    assert grid_detail == {"grid": 16, "cell_width": 1 / 16, "roc_auc_widened_by": [0.05, 0.05]}
    assert "1/16 grid" in wide.message and "grid" not in exact.message


def test_calibration_says_its_scores_were_grouped_and_judges_their_mean_scores() -> None:
    """The review's planted fault: scores 0.03 above the true risk. Cells standing for their
    smallest score made it look better calibrated on a coarse grid (ECE 0.023, a pass at
    0.027, where the rows give 0.031, a fail); at their rows' mean score the bins' means are
    the rows' own and the verdict is the exact one."""
    from sentinel_checks.checks.calibration import check_calibration_cells
    from sentinel_checks.stats.calibration_cells import CalibrationCells

    rng = np.random.default_rng(7)
    risk = rng.uniform(0.02, 0.6, 200_000)
    frame = pd.DataFrame({"label": (rng.random(len(risk)) < risk).astype(int), "s": risk + 0.03})
    counts = threshold_counts(_table(frame), COLUMNS, max_groups=64)
    assert counts.grid == 32
    limits = {"split": "test", "max_ece": 0.027, "resamples": 50}
    result = check_calibration_cells(CalibrationCells.from_counts(counts), grid=counts.grid, **limits)
    exact = check_calibration_cells(
        CalibrationCells.from_arrays(frame["label"].to_numpy(), frame["s"].to_numpy()), **limits
    )
    assert f"1/{counts.grid} grid" in result.message and "grid" not in exact.message
    assert result.evidence[0].detail["score_grid"]["grid"] == counts.grid
    assert exact.status.value == result.status.value == "fail"
    assert result.measured == pytest.approx(exact.measured, abs=0.003)


def test_counts_of_other_rows_are_refused_when_finding_the_kth_risky_score(frame: pd.DataFrame) -> None:
    gridded = threshold_counts(_table(frame), COLUMNS, max_groups=200)
    fewer = frame[~((frame["label"] == 1) & (frame["s"] > frame["s"].quantile(0.5)))]  # risky rows dropped
    with pytest.raises(ValueError, match="the scored table changed"):
        risky_score_at_rank(scored_rows(_table(fewer), COLUMNS), 1, gridded)


def test_a_pass_on_bins_the_grid_merged_is_inconclusive_and_a_failure_stands() -> None:
    """The trial's finding: on a coarse grid, scores crowded near 0 fill 2 or 3 cells, so
    the 10 calibration bins merge into 2 or 3; an ECE over merged bins can only be lower,
    so a pass there proves nothing (inconclusive, ``score_grid``), a failure stands."""
    from sentinel_checks.checks.calibration import check_calibration_cells
    from sentinel_checks.reasons import Reason
    from sentinel_checks.stats.calibration_cells import CalibrationCells

    rng = np.random.default_rng(11)
    risk = rng.beta(0.5, 20, 100_000)  # mostly below 0.05: two or three 1/32 cells
    calibrated = pd.DataFrame({"label": (rng.random(len(risk)) < risk).astype(int), "s": risk})
    counts = threshold_counts(_table(calibrated), COLUMNS, max_groups=64)
    cells = CalibrationCells.from_counts(counts)
    result = check_calibration_cells(cells, split="test", grid=counts.grid, max_ece=0.05, resamples=50)
    assert len(cells.bins(10).count) < 10
    assert result.status.value == "inconclusive" and result.reason is Reason.SCORE_GRID
    assert "the grid left" in result.message and result.needed == {}
    # the measured line names the grid, not an interval that does not hold the limit (trial)
    from sentinel_checks.reports.measures import measured_as

    shown = measured_as(result)
    assert "lies inside the interval" not in shown and "score grid" in shown, shown
    exact = check_calibration_cells(
        CalibrationCells.from_arrays(calibrated["label"], calibrated["s"]), split="test"
    )
    assert exact.status.value == "pass"
    over = calibrated.assign(s=np.clip(calibrated["s"] * 3 + 0.05, 0, 1))  # far too high: fails anyway
    counts = threshold_counts(_table(over), COLUMNS, max_groups=64)
    failed = check_calibration_cells(
        CalibrationCells.from_counts(counts), split="test", grid=counts.grid, max_ece=0.05, resamples=50
    )
    assert failed.status.value == "fail"


def test_an_open_val_test_gap_in_the_champion_comparison_asks_for_what_settles_it() -> None:
    """The trial's finding: an inconclusive val/test gap folded into ``promotion.vs_champion``
    carried no row count, so the comparison asked for "more than 100,000,000 risky rows"."""
    from sentinel_checks.checks.promotion_criteria import _gap_row
    from sentinel_checks.checks.promotion_text import settle_text
    from sentinel_checks.reasons import Reason
    from sentinel_checks.result import CheckResult, Direction, Status

    def gap(reason: Reason, needed: dict[str, int]) -> CheckResult:
        return CheckResult(
            id="quality.val_test_gap",
            status=Status.INCONCLUSIVE,
            message="gap",
            measured=0.01,
            limit=0.05,
            direction=Direction.AT_MOST,
            reason=reason,
            needed=needed,
        )

    by_grid = _gap_row(gap(Reason.SCORE_GRID, {}))
    assert by_grid["grid_keeps_open"] and "needed" not in by_grid
    assert "raise [engine] max_threshold_groups" in settle_text([by_grid], {})
    by_rows = _gap_row(gap(Reason.TOO_FEW_ROWS, {"val_n_positive": 900, "test_n_positive": 800}))
    assert by_rows["needed"] == 800
    by_flagged = _gap_row(gap(Reason.TOO_FEW_ROWS, {"val_flagged": 900, "test_flagged": 800}))
    assert "needed" not in by_flagged and "see quality.val_test_gap" in settle_text([by_flagged], {})
    assert "100,000,000" not in settle_text([by_flagged], {})


def _drift_cells(frame: pd.DataFrame, max_groups: int):
    from sentinel_checks.stats.calibration_cells import CalibrationCells

    counts = threshold_counts(_table(frame), COLUMNS, max_groups=max_groups)
    return CalibrationCells.from_counts(counts), counts.grid


def test_calibration_drift_on_bins_the_grid_merged_is_inconclusive_not_a_pass() -> None:
    """Planted fault: production scores crowded below 0.03 and reversed against the risk
    within it (score 0.03 − risk). On a 1/32 grid they fill one cell, so its one bin's mean
    score equals its risky rate and the ECE change looks like nothing: a pass. The rows'
    own 10 bins show the miscalibration (a failure). Merged bins on the current sample
    make the pass inconclusive (``score_grid``), with no rows asked for."""
    from sentinel_checks.checks.calibration_change import check_calibration_change_cells
    from sentinel_checks.reasons import Reason
    from sentinel_checks.stats.calibration_cells import CalibrationCells

    rng = np.random.default_rng(5)
    risk = rng.uniform(0.0, 0.6, 50_000)
    test = pd.DataFrame({"label": (rng.random(len(risk)) < risk).astype(int), "s": risk})
    prod_risk = rng.uniform(0.0, 0.03, 50_000)
    prod = pd.DataFrame(
        {"label": (rng.random(len(prod_risk)) < prod_risk).astype(int), "s": 0.03 - prod_risk}
    )
    reference, _ = _drift_cells(test, 1 << 20)
    current, grid = _drift_cells(prod, 64)
    assert grid == 32 and len(current.bins(10).count) == 1
    limits = {"max_ece_increase": 0.005, "resamples": 50}
    exact = check_calibration_change_cells(
        reference, CalibrationCells.from_arrays(prod["label"], prod["s"]), **limits
    )
    assert exact.status.value == "fail"
    without_rule = check_calibration_change_cells(reference, current, **limits)
    assert without_rule.status.value == "pass"  # what the grid alone would have said
    result = check_calibration_change_cells(reference, current, grids=(0, grid), **limits)
    assert result.status.value == "inconclusive" and result.reason is Reason.SCORE_GRID
    assert "the grid left 1 of 10 bins of production" in result.message and result.needed == {}
    assert result.evidence[0].detail["bins"][1] == 1


def test_calibration_drift_failures_stand_on_merged_bins_and_only_a_gridded_sample_is_blamed() -> None:
    """Merged bins understate an ECE. On the reference (test) that overstates the rise: the
    failure stands (failing closed) and says so; merged on the current sample a failure
    stands too (the true rise is larger still). A Brier failure has no bins and stands
    (review: it had become inconclusive). An exact sample with few distinct scores is not
    a grid's doing (review: a real failure had become inconclusive when the other sample
    was gridded): its pass or failure stands."""
    from sentinel_checks.checks.calibration_change import check_calibration_change_cells
    from sentinel_checks.reasons import Reason
    from sentinel_checks.stats.calibration_cells import CalibrationCells

    rng = np.random.default_rng(6)
    low = rng.uniform(0.0, 0.03, 50_000)
    reversed_low = pd.DataFrame({"label": (rng.random(len(low)) < low).astype(int), "s": 0.03 - low})
    risk = rng.uniform(0.0, 0.6, 50_000)
    calibrated = pd.DataFrame({"label": (rng.random(len(risk)) < risk).astype(int), "s": risk})
    limits = {"max_ece_increase": 0.005, "resamples": 50}
    merged_ref, grid = _drift_cells(reversed_low, 64)
    exact_cur, _ = _drift_cells(reversed_low.assign(s=lambda f: f["s"] + 0.01), 1 << 20)
    failed = check_calibration_change_cells(merged_ref, exact_cur, grids=(grid, 0), **limits)
    assert failed.status.value == "fail" and failed.reason is Reason.CALIBRATION_DRIFT
    assert "bins of test" in failed.message and "overstated" in failed.message
    over = calibrated.assign(s=np.clip(calibrated["s"] * 0.1 + 0.3, 0, 1))  # far too high everywhere
    exact_ref, _ = _drift_cells(calibrated, 1 << 20)
    merged_cur, grid = _drift_cells(over.assign(s=lambda f: f["s"].clip(0.3, 0.33)), 64)
    assert len(merged_cur.bins(10).count) < 10
    stands = check_calibration_change_cells(exact_ref, merged_cur, grids=(0, grid), **limits)
    assert stands.status.value == "fail" and stands.reason is Reason.CALIBRATION_DRIFT
    passed = check_calibration_change_cells(
        merged_ref, exact_ref, grids=(grid, 0), max_ece_increase=0.02, resamples=50
    )
    assert passed.status.value == "pass" and passed.reason is Reason.OK
    # the Brier score has no bins: its failure stands beside a merged current sample
    cur_low = rng.uniform(0.0, 0.03, 50_000)
    flipped = pd.DataFrame({"label": (rng.random(len(cur_low)) > cur_low).astype(int), "s": cur_low})
    merged_flip, grid = _drift_cells(flipped, 64)
    ref_low, _ = _drift_cells(reversed_low.assign(s=lambda f: 0.03 - f["s"]), 1 << 20)
    brier = check_calibration_change_cells(
        ref_low, merged_flip, grids=(0, grid), max_ece_increase=1.0, max_brier_increase=0.01, resamples=50
    )
    assert brier.status.value == "fail", brier.message
    # few exact scores on test (6 values), production gridded: a real ECE failure stands
    levels = rng.choice([0.05, 0.1, 0.2, 0.3, 0.4, 0.5], 50_000)
    few = CalibrationCells.from_arrays((rng.random(len(levels)) < levels).astype(int), levels)
    assert len(few.bins(10).count) == 6
    bad_cur, grid = _drift_cells(calibrated.assign(s=lambda f: np.clip(f["s"] + 0.2, 0, 1)), 64)
    real = check_calibration_change_cells(few, bad_cur, grids=(0, grid), **limits)
    assert real.status.value == "fail" and "bins of test" not in real.message
