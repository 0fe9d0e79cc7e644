"""``quality.baselines`` on a DuckDB session reading a parquet directory where it lies: the
fitting sample is drawn in the engine (class counts + rank within class), the baselines
score val/test/production there and their evaluations are built from counts; nothing per
row of a split or of production is read into pandas, and the result equals the pandas
session's field for field (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from sentinel_checks.checks.baselines import check_baselines_rows
from sentinel_checks.engine.baseline_rows import fitting_rows
from sentinel_checks.engine.ibis_connection import ROW, connect_duckdb, table_from_frame
from sentinel_checks.gate import steps
from sentinel_checks.gate.session_data import SessionData
from sentinel_checks.models.baselines import fitting_positions, fitting_ranks
from sentinel_checks.models.evaluation import SplitScores
from sentinel_checks.result import Status
from sentinel_checks.stats.intervals import bootstrap_interval
from sentinel_checks.stats.paired_cells import paired_cell_leads
from sentinel_checks.stats.paired_rows import PairedRows
from sentinel_checks.stats.ranking import pr_auc, roc_auc
from tests.test_engine_lazy_splits import COLUMN, fields, frame, sessions

PRODUCTION = """
[production]
path = "production.parquet"
"""


def _ranks_to_positions(y: np.ndarray, ranks: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    by_class = (np.flatnonzero(~y), np.flatnonzero(y))
    return np.sort(np.r_[by_class[0][ranks[0]], by_class[1][ranks[1]]])


@pytest.mark.parametrize("seed", [0, 1, 7, 123])
@pytest.mark.parametrize(
    ("n", "share", "max_rows"), [(1500, 0.2, 1000), (5003, 0.03, 1000), (2000, 0.5, 1998)]
)
def test_ranks_from_class_counts_are_scikit_learns_stratified_draw(seed, n, share, max_rows):
    y = np.random.default_rng(seed + n).random(n) < share
    keep, _ = train_test_split(np.arange(n), train_size=max_rows, stratify=y, random_state=seed)
    ranks = fitting_ranks(int((~y).sum()), int(y.sum()), max_rows=max_rows, seed=seed)
    assert np.array_equal(_ranks_to_positions(y, ranks), np.sort(keep))
    assert np.array_equal(fitting_positions(y, max_rows=max_rows, seed=seed), np.sort(keep))


@pytest.mark.parametrize(("safe", "risky", "max_rows"), [(1500, 1, 1000), (1000, 10, 1009), (1000, 10, 1)])
def test_ranks_refuse_what_scikit_learn_refuses_in_its_words(safe, risky, max_rows):
    y = np.r_[np.zeros(safe, bool), np.ones(risky, bool)]
    with pytest.raises(ValueError) as theirs:
        train_test_split(np.arange(len(y)), train_size=max_rows, stratify=y, random_state=0)
    with pytest.raises(ValueError) as mine:
        fitting_ranks(safe, risky, max_rows=max_rows, seed=0)
    assert str(mine.value).split(":")[0] == str(theirs.value).split(":")[0]


def test_fitting_rows_are_the_drawn_rows_in_row_order():
    rng = np.random.default_rng(3)
    n = 2500
    data = pd.DataFrame(
        {"x": rng.normal(size=n), "label": np.where(rng.random(n) < 0.1, "risky", "safe"), ROW: np.arange(n)}
    )
    # the table's physical order differs from ROW: the ranks follow ROW, not the scan
    shuffled = data.rename(columns={ROW: "pos"}).sample(frac=1.0, random_state=1)
    registered = table_from_frame(connect_duckdb(), shuffled, name="rows")
    table = registered.drop(ROW).rename({ROW: "pos"})  # ROW: the original positions, scanned shuffled
    y = data["label"].eq("risky").to_numpy()
    ranks = fitting_ranks(int((~y).sum()), int(y.sum()), max_rows=1000, seed=5)
    got = fitting_rows(table, columns=["x", "label"], label="label", positive="risky", ranks=ranks)
    want = data.iloc[fitting_positions(y, max_rows=1000, seed=5)][["x", "label"]]
    assert got.index.tolist() == want.index.tolist()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


def test_check_from_grouped_rows_gives_the_values_and_draws_of_the_rows():
    """The grouped entry's values are scikit-learn's on the rows, bit for bit, and its interval
    is the bootstrap of the rows (the same cells, the same draws)."""
    rng = np.random.default_rng(0)
    n = 4000
    y = rng.random(n) < 0.1
    candidate = np.round(rng.random(n) * 0.6 + 0.3 * y, 2)  # ties: groups hold several rows
    baselines = {"a": np.round(rng.random(n) * 0.5 + 0.35 * y, 2), "b": rng.random(n)}
    for metric, on_rows in (("pr_auc", pr_auc), ("roc_auc", roc_auc)):
        grouped = {k: PairedRows.from_arrays(y, candidate, s) for k, s in baselines.items()}
        assert len(grouped["a"].counts) < 0.7 * n  # really grouped
        result = check_baselines_rows(grouped, metric=metric, resamples=60, seed=2)
        (evidence,) = result.evidence
        assert evidence.detail["candidate"] == on_rows(y, candidate)
        each = evidence.detail["confidence_each"]
        for row in evidence.items:
            s = baselines[row["baseline"]]
            assert row["value"] == on_rows(y, s)
            lead = on_rows(y, candidate) - on_rows(y, s)
            leads, _ = paired_cell_leads(y, candidate, s, metric=metric, resamples=60, seed=2)
            assert row["interval"] == list(bootstrap_interval(lead, leads, confidence=each))
    # groups of other rows than the counted ones are refused, not judged
    other = {"a": PairedRows.from_arrays(y[:-1], candidate[:-1], baselines["a"][:-1])}
    with pytest.raises(ValueError, match="not the rows counted"):
        check_baselines_rows(other, metric="pr_auc", n=n, n_positive=int(y.sum()))
    mixed = {"a": grouped["a"], "b": PairedRows.from_arrays(y[1:], candidate[1:], baselines["b"][1:])}
    with pytest.raises(ValueError, match="'b'"):
        check_baselines_rows(mixed, metric="pr_auc")


# ----------------------------------------------------------------------------- gate sessions


def _data(plant: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Offline rows and a labelled production sample. ``plant="pass"``: the candidate's score
    column ranks risky rows far better than the features allow; ``"fail"``: the score is
    noise while ``amount`` separates the classes (a baseline beats the candidate)."""
    data = frame(n=3000, seed=4)
    rng = np.random.default_rng(9)
    risky = data["label"].eq("risky").to_numpy()
    if plant == "pass":
        data["score"] = np.clip(0.15 + 0.7 * risky + rng.normal(0, 0.1, len(data)), 0, 1)
    else:
        data["amount"] = data["amount"] + 400.0 * risky
        data["score"] = rng.random(len(data))
    production = data[data["split"] == "test"].drop(columns=["split"]).reset_index(drop=True)
    return data, production


def _sessions(tmp_path, plant: str, max_rows: int):
    data, production = _data(plant)
    production.to_parquet(tmp_path / "production.parquet", index=False)
    extra = PRODUCTION + f"\n[quality]\nbaseline_max_train_rows = {max_rows}\n"
    by_pandas, by_duckdb = sessions(tmp_path, data, COLUMN, extra=extra)
    return by_pandas, by_duckdb


def _forbid_rows(monkeypatch) -> None:
    def refuse(self, *args, **kwargs):
        raise AssertionError("a per-row pandas input was read")

    for name in ("dataset", "splits", "split_labels", "production"):
        monkeypatch.setattr(SessionData, name, property(refuse))
    monkeypatch.setattr(SessionData, "frame", refuse)
    for name in ("y", "scores", "segments"):  # no evaluation's rows read back from the engine either
        monkeypatch.setattr(SplitScores, name, property(refuse))


@pytest.mark.parametrize("max_rows", [1000, 50_000])  # train ≈ 1,800 rows: subsampled, and not
@pytest.mark.parametrize(("plant", "status"), [("pass", Status.PASS), ("fail", Status.FAIL)])
def test_baselines_equal_pandas_without_reading_rows_into_pandas(
    tmp_path, monkeypatch, plant, status, max_rows
):
    by_pandas, by_duckdb = _sessions(tmp_path, plant, max_rows)
    want = steps.baselines(by_pandas)
    assert want.status is status, want.message
    assert by_pandas.splits.train.shape[0] > 1000  # the 1,000-row bound subsamples
    pandas_models = {k: by_pandas.model(k) for k in by_pandas.baseline_evaluations}

    _forbid_rows(monkeypatch)
    got = steps.baselines(by_duckdb)
    assert fields(got) == fields(want)
    assert by_duckdb.materialized() == []
    # the same rows in the same order: the same fitted baselines, coefficient for coefficient
    for name, model in pandas_models.items():
        mine = by_duckdb.model(name).estimator.model
        theirs = model.estimator.model
        if name == "baseline_logistic_regression":
            assert np.array_equal(mine[-1].coef_, theirs[-1].coef_)
            assert np.array_equal(mine[-1].intercept_, theirs[-1].intercept_)
        else:
            assert [p.tolist() for p in _tree_values(mine[-1])] == [
                p.tolist() for p in _tree_values(theirs[-1])
            ]
    # and the same evaluations (counts, thresholds) on val, test and production
    for name, ev in by_pandas.baseline_evaluations.items():
        mine = by_duckdb.baseline_evaluations[name]
        assert mine.choice == ev.choice
        assert set(mine.splits) == set(ev.splits) == {"val", "test", "production"}
        for split, scored in ev.splits.items():
            c, d = scored.counts, mine.splits[split].counts
            assert np.array_equal(c.thresholds, d.thresholds) and np.array_equal(c.tp, d.tp)
            assert np.array_equal(c.fp, d.fp)
    assert set(by_duckdb.evaluations) >= set(by_pandas.baseline_evaluations)
    assert set(by_duckdb.models) == {"candidate"}  # baselines are not recorded as loaded models


def _tree_values(model) -> list[np.ndarray]:
    return [node.nodes["value"] for trees in model._predictors for node in trees]


def test_engine_baselines_name_a_missing_baseline_feature(tmp_path, monkeypatch):
    from sentinel_checks.errors import DataError

    by_pandas, by_duckdb = _sessions(tmp_path, "pass", 50_000)
    for s in (by_pandas, by_duckdb):
        object.__setattr__(s.config.quality, "baseline_features", ["amount", "nope"])
    with pytest.raises(DataError, match="'nope' not in the data"):
        steps.baselines(by_pandas)
    _forbid_rows(monkeypatch)
    with pytest.raises(DataError, match="'nope' not in the data"):
        steps.baselines(by_duckdb)
