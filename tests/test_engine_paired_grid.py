"""Paired scores past ``max_groups``: grouped on a grid in the engine (engine/paired_statistics.py).

With continuous scores on millions of rows the exact (label, score, score) groups are
about one per row; past ``max_groups`` each model's score is grouped on a 1/grid grid,
split at its threshold, each cell standing for its smallest score. Here, against the
exact rows: at most ``max_groups`` groups leave the engine; every decision at the
thresholds is exact; every curve point is a real score with its exact counts; the
rows' true AUCs and AUC leads lie inside the widened intervals; a planted worse
candidate still fails ``quality.baselines`` and ``promotion.vs_champion`` and a sound
one passes; and a close call becomes inconclusive instead of passing. Spark groups
exactly as DuckDB (``-m spark``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks.baselines import check_baselines_rows
from sentinel_checks.engine import paired_statistics
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.quality_statistics import ScoredColumns
from sentinel_checks.errors import DataError
from sentinel_checks.result import Status
from sentinel_checks.stats.comparison import compare_paired_rows
from sentinel_checks.stats.paired_rows import PairedRows
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.ranking import pr_auc, roc_auc, threshold_counts

COLUMNS = ScoredColumns(score="a", label="label", positive=1, negative=0)
THRESHOLDS = (0.5, 0.45)


def _frame(n: int = 6000, seed: int = 0, noise: tuple[float, float] = (0.4, 0.4)) -> pd.DataFrame:
    """Continuous scores (every row its own group), 10% risky: one risk signal read by
    both models, each through its own noise (``noise``: the candidate's, the other's;
    the noisier model is the worse one)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.1
    z = rng.normal(size=n) + 1.5 * y - 1.5
    a = 1 / (1 + np.exp(-(z + noise[0] * rng.normal(size=n))))
    b = 1 / (1 + np.exp(-(z + noise[1] * rng.normal(size=n))))
    return pd.DataFrame({"label": y.astype(int), "a": a, "b": b})


def _joined(frame: pd.DataFrame, con=None):
    con = con or connect_duckdb(threads=1)
    cand = table_from_frame(con, frame[["label", "a"]], name="cand")
    champ = table_from_frame(con, frame[["b"]], name="champ")
    return paired_statistics.joined_scores(cand, champ, COLUMNS, champion_score="b")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def gridded(frame: pd.DataFrame) -> PairedRows:
    return paired_statistics.paired_rows(_joined(frame), thresholds=THRESHOLDS, max_groups=1500)


def test_few_groups_come_back_exact(frame: pd.DataFrame) -> None:
    rows = paired_statistics.paired_rows(_joined(frame), thresholds=THRESHOLDS, max_groups=len(frame))
    exact = PairedRows.from_arrays(
        frame["label"].to_numpy(bool), frame["a"].to_numpy(), frame["b"].to_numpy()
    )
    assert rows.grid == 0
    assert all(np.array_equal(getattr(rows, f), getattr(exact, f)) for f in ("y", "a", "b", "counts"))


def test_too_many_groups_are_put_on_the_finest_grid_that_fits(gridded: PairedRows, frame) -> None:
    assert 0 < len(gridded.counts) <= 1500
    assert gridded.grid in paired_statistics.GRIDS
    finer = paired_statistics.GRIDS[paired_statistics.GRIDS.index(gridded.grid) - 1]
    assert finer > gridded.grid  # a finer grid exists and did not fit
    wider = paired_statistics.paired_rows(_joined(frame), thresholds=THRESHOLDS, max_groups=5000)
    assert wider.grid > gridded.grid
    assert (gridded.n, gridded.positives) == (len(frame), int(frame["label"].sum()))


def test_every_decision_at_the_thresholds_is_exact(gridded: PairedRows, frame: pd.DataFrame) -> None:
    exact = PairedRows.from_arrays(
        frame["label"].to_numpy(bool), frame["a"].to_numpy(), frame["b"].to_numpy()
    )
    settings = {"split": "test", "candidate_threshold": THRESHOLDS[0], "champion_threshold": THRESHOLDS[1]}
    on_grid = compare_paired_rows(gridded, resamples=50, **settings)
    reference = compare_paired_rows(exact, resamples=50, **settings)
    for role in ("candidate", "champion"):
        for metric in ("recall", "fnr", "precision", "flagged_fraction"):
            assert getattr(on_grid, role)[metric] == getattr(reference, role)[metric]
    assert on_grid.flips == reference.flips and on_grid.mcnemar_p == reference.mcnemar_p
    assert on_grid.delta["fnr"].point == reference.delta["fnr"].point
    assert on_grid.grid == gridded.grid and reference.grid == 0
    assert "score_grid" in on_grid.to_dict() and "score_grid" not in reference.to_dict()


@pytest.mark.parametrize("model", ["candidate", "champion"])
def test_every_curve_point_is_a_real_score_with_its_exact_counts(gridded, frame, model) -> None:
    y, s = frame["label"].to_numpy(), frame["a" if model == "candidate" else "b"].to_numpy()
    grid_counts, exact = gridded.threshold_counts(model), threshold_counts(y, s)
    assert len(grid_counts.thresholds) < len(exact.thresholds)
    assert np.isin(grid_counts.thresholds, s).all()
    for t, tp, fp in zip(grid_counts.thresholds, grid_counts.tp, grid_counts.fp, strict=True):
        assert (tp, fp) == (int(((s >= t) & (y == 1)).sum()), int(((s >= t) & (y == 0)).sum()))


def test_the_true_aucs_and_leads_lie_inside_the_widened_intervals(gridded, frame) -> None:
    y, a, b = frame["label"].to_numpy(), frame["a"].to_numpy(), frame["b"].to_numpy()
    c = compare_paired_rows(
        gridded,
        split="test",
        candidate_threshold=THRESHOLDS[0],
        champion_threshold=THRESHOLDS[1],
        resamples=50,
    )
    for metric, exact in (("roc_auc", roc_auc), ("pr_auc", pr_auc)):
        truth = {"candidate": exact(y, a), "champion": exact(y, b)}
        for role in ("candidate", "champion"):
            below, above = c.tie_ranges[role][metric]
            point = getattr(c, role)[metric].point
            assert point - below <= truth[role] <= point + above
            assert below > 0 and above > 0  # continuous scores: the grid does tie rows
        below, above = gridded.lead_widening(metric)
        lead = truth["candidate"] - truth["champion"]
        assert c.delta[metric].point - below <= lead <= c.delta[metric].point + above
        bootstrap = compare_paired_rows(
            PairedRows(gridded.y, gridded.a, gridded.b, gridded.counts),  # the same groups, unwidened
            split="test",
            candidate_threshold=THRESHOLDS[0],
            champion_threshold=THRESHOLDS[1],
            resamples=50,
        ).delta[metric]
        assert c.delta[metric].low == pytest.approx(bootstrap.low - below)
        assert c.delta[metric].high == pytest.approx(bootstrap.high + above)


def _baselines(noise: tuple[float, float], max_groups: int) -> tuple[PairedRows, object]:
    frame = _frame(n=20_000, seed=5, noise=noise)
    rows = paired_statistics.paired_rows(_joined(frame), max_groups=max_groups)
    result = check_baselines_rows({"logistic": rows}, metric="pr_auc", margin=0.02, resamples=100, seed=0)
    return rows, result


def test_a_sound_candidate_passes_and_a_worse_one_fails_on_the_grid() -> None:
    sound_rows, sound = _baselines((0.2, 1.5), max_groups=3000)
    worse_rows, worse = _baselines((2.5, 0.2), max_groups=3000)
    assert sound_rows.grid and worse_rows.grid
    assert sound.status is Status.PASS, sound.message
    assert worse.status is Status.FAIL, worse.message
    item = worse.evidence[0].items[0]
    assert item["score_grid"] == worse_rows.grid and min(item["widened_by"]) > 0
    assert f"1/{worse_rows.grid} grid" in worse.message


def test_a_coarse_grid_makes_a_close_call_inconclusive_not_a_pass() -> None:
    """The same sound candidate on a grid so coarse that ties could hide a 0.02 deficit."""
    rows, result = _baselines((0.2, 1.5), max_groups=60)
    assert rows.grid <= 16
    below, _ = rows.lead_widening("pr_auc")
    assert below > 0.02
    assert result.status is Status.INCONCLUSIVE, result.message
    # the rows it asks for leave the grid's part aside: more rows do not shrink it
    (finding,) = result.evidence[0].items
    lo, _ = finding["interval"]
    n_pos = rows.positives
    half = finding["lead"] - lo
    assert finding["needed"] == rows_to_show_difference(n_pos, finding["lead"], half, -0.02, fixed=below)
    assert finding["needed"] > rows_to_show_difference(n_pos, finding["lead"], half, -0.02)


def test_scores_no_grid_can_bound_are_a_data_error() -> None:
    frame = _frame(n=400)
    frame["a"] = np.linspace(-1e6, 1e6, len(frame))  # not probabilities: ~2e6 unit cells
    con = connect_duckdb(threads=1)
    joined = paired_statistics.joined_scores(
        table_from_frame(con, frame[["label", "a"]], name="cand"),
        table_from_frame(con, frame[["b"]], name="champ"),
        COLUMNS,
        champion_score="b",
    )
    with pytest.raises(DataError, match=r"more than 100 groups even on a grid of width 1/1: are the scores"):
        paired_statistics.paired_rows(joined, max_groups=100)


@pytest.mark.spark
@pytest.mark.slow
def test_spark_groups_on_the_same_grid_as_duckdb(spark_session, frame) -> None:
    import ibis

    duck = paired_statistics.paired_rows(_joined(frame), thresholds=THRESHOLDS, max_groups=1500)
    spark = paired_statistics.paired_rows(
        _joined(frame, ibis.pyspark.connect(spark_session)), thresholds=THRESHOLDS, max_groups=1500
    )
    assert spark.grid == duck.grid
    assert all(np.array_equal(getattr(spark, f), getattr(duck, f)) for f in ("y", "a", "b", "counts"))


def test_vs_champion_on_a_coarse_grid_asks_for_rows_beyond_the_grids_part(frame: pd.DataFrame) -> None:
    """``promotion.vs_champion``'s target-metric criterion on a 1/16-ish grid: inconclusive,
    its widened interval holding the margin, and the rows it asks for computed with the
    grid's part taken off (more rows do not shrink it)."""
    from sentinel_checks.checks.promotion import check_vs_champion

    rows = paired_statistics.paired_rows(_joined(frame), thresholds=THRESHOLDS, max_groups=200)
    c = compare_paired_rows(
        rows, split="test", candidate_threshold=THRESHOLDS[0], champion_threshold=THRESHOLDS[1], resamples=50
    )
    result = check_vs_champion(c, max_target_drop=0.01, max_fnr_increase=1.0, max_precision_drop=1.0)
    (target,) = [r for r in result.evidence[0].items if r["criterion"] == "target_metric_improves"]
    below, above = c.delta_widening("pr_auc")
    assert below > 0.01 and above > 0.01
    assert target["verdict"] == "inconclusive"
    assert target["low"] < -0.01 < target["high"]
    half, fixed = (
        (target["measured"] - target["low"], below)
        if target["measured"] >= -0.01
        else (target["high"] - target["measured"], above)
    )
    expected = rows_to_show_difference(c.n_positive, target["measured"], half, -0.01, fixed=fixed)
    assert target["needed"] == expected
    assert "grid: intervals widened" in result.message
    assert result.evidence[1].detail["score_grid"]["grid"] == rows.grid  # gate.json says so too
