"""``[data] engine = "duckdb"`` measures model quality in the engine: each model scores
each split once there, the counts behind every threshold statistic are grouped
there, and every ``quality.*`` and ``promotion.*`` result equals the pandas one
(status, measured, evidence, every field) on clean data and on a planted fault."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import sentinel_checks.engine.quality_statistics as engine_quality
import sentinel_checks.engine.scores as engine_scores
from sentinel_checks.config import load_config
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from sentinel_checks.models.baselines import BASELINE_NAMES
from sentinel_checks.result import Status
from tests.conftest import BASE_CONFIG

DATA = '[data]\npath = "data/requests.parquet"\n'
CHAMPION = """
[models.champion]
path = "models/champion.skops"
features = ["amount", "account_age_days", "ip_risk"]

[promotion]
splits = ["test", "production"]
bootstrap_resamples = 60
"""
CHAMPION_FEATURES = ["amount", "account_age_days", "ip_risk"]


class EngineCalled(Exception):
    """Raised by a patched engine function: proves the step asked the engine."""


def _raise(*args, **kwargs):
    raise EngineCalled


@pytest.fixture
def champion_project(gate_project, small_log, tmp_path):
    """A project whose champion is a logistic regression on three features (scored
    from its file, batch by batch in the engine) and whose candidate is the score column."""
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    (tmp_path / "models").mkdir(exist_ok=True)
    frame = small_log.offline
    model = LogisticRegression(max_iter=500).fit(frame[CHAMPION_FEATURES], frame["label"].eq("risky"))
    sio.dump(model, tmp_path / "models" / "champion.skops")

    def make(engine: str, *, offline=None, production=None, extra: str = "") -> GateSession:
        text = BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n') + CHAMPION + extra
        project = gate_project(config_text=text, offline=offline, production=production)
        return GateSession(load_config(project.config))

    return make


def _quality_results(s: GateSession) -> list[tuple]:
    results = [steps.threshold(s), steps.too_good(s), steps.val_test_gap(s), steps.baselines(s)]
    for split in ("test", "production"):
        results += [
            steps.recall(s, split),
            steps.precision(s, split),
            steps.ranking(s, split),
            steps.calibration(s, split),
            steps.vs_champion(s, split),
        ]
        results += [steps.segments(s, column, split) for column in s.config.columns.segments]
    for role in ("candidate", "champion"):
        results += [steps.model_scores(s, role, split) for split in ("val", "test", "production")]
    return [
        (r.id, r.status, r.measured, r.limit, r.message, r.support, r.evidence, r.parameters, r.needed)
        for r in results
    ]


@pytest.mark.parametrize("statistic", ["threshold_counts", "score_table"])
def test_a_quality_step_asks_the_engine_only_when_configured(champion_project, monkeypatch, statistic):
    module = engine_quality if statistic == "threshold_counts" else engine_scores
    monkeypatch.setattr(module, statistic, _raise)
    duckdb = champion_project("duckdb")
    with pytest.raises(EngineCalled):
        steps.recall(duckdb, "test") if statistic == "threshold_counts" else steps.model_scores(
            duckdb, "champion", "test"
        )
    pandas = champion_project("pandas")
    steps.recall(pandas, "test")
    steps.model_scores(pandas, "champion", "test")  # the engine is not asked
    assert "engine_tables" not in pandas._cache


def test_each_model_scores_each_split_once_in_the_engine(champion_project, monkeypatch):
    calls: list[str] = []
    score_table = engine_scores.score_table

    def counting(*args, **kwargs):
        calls.append(kwargs["name"])
        return score_table(*args, **kwargs)

    monkeypatch.setattr(engine_scores, "score_table", counting)
    session = champion_project("duckdb")
    _quality_results(session)
    assert sorted(calls) == sorted(
        f"__sentinel_scores_{role}_{split}"
        for role in ("candidate", "champion", *BASELINE_NAMES)  # the baselines score in the engine too
        for split in ("val", "test", "production")
    )


def test_quality_and_promotion_are_the_same_on_both_engines_on_clean_data(champion_project):
    pandas = _quality_results(champion_project("pandas"))
    duckdb = _quality_results(champion_project("duckdb"))
    assert {r[0] for r in pandas} >= {"quality.recall", "quality.auc", "promotion.vs_champion"}
    statuses = {r[0]: r[1] for r in pandas}
    assert statuses["quality.recall"] is Status.PASS and statuses["quality.auc"] is Status.PASS
    assert [r[:3] for r in duckdb] == [r[:3] for r in pandas]
    assert duckdb == pandas


def test_quality_fails_the_same_on_both_engines_on_a_weak_candidate(champion_project, small_log):
    """The candidate's score is a noisy copy of itself: ranking and recall fail, and
    the champion now wins, identically on both engines."""
    offline = small_log.offline.copy()
    noise = np.random.default_rng(5).random(len(offline))
    offline["score"] = 0.15 * offline["score"] + 0.85 * noise
    results = {
        engine: _quality_results(champion_project(engine, offline=offline)) for engine in ("pandas", "duckdb")
    }
    failed = {r[0] for r in results["duckdb"] if r[1] is Status.FAIL}
    assert {"quality.auc", "promotion.vs_champion"} <= failed
    assert results["duckdb"] == results["pandas"]


def test_a_nan_score_in_the_engine_is_the_pandas_data_error(champion_project, small_log):
    from sentinel_checks.errors import DataError

    offline = small_log.offline.copy()
    offline.loc[offline.index[-5:], "score"] = np.nan  # the last rows: in test
    messages = {}
    for engine in ("pandas", "duckdb"):
        with pytest.raises(DataError) as raised:
            steps.recall(champion_project(engine, offline=offline), "test")
        messages[engine] = str(raised.value)
    assert re.search(r"candidate scores on test: 5 of [\d,]+ labelled row\(s\) are NaN", messages["pandas"])
    assert messages["duckdb"] == messages["pandas"]


def test_engine_table_serves_the_splits_and_the_production_sample(champion_project):
    from sentinel_checks.engine.ibis_connection import frame_from_table

    duckdb = champion_project("duckdb")
    assert duckdb.engine_table("test") is duckdb.engine_tables["test"]
    production = frame_from_table(duckdb.engine_table("production"))
    expected = duckdb.production.reset_index(drop=True)
    assert list(production.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(production, expected, check_dtype=False)
    assert duckdb.engine_table("production") is duckdb.engine_table("production")  # registered once
    assert champion_project("pandas").engine_table("production") is None


GRID = "\n[engine]\nmax_threshold_groups = 64\n"


def test_past_max_threshold_groups_every_decision_stays_exact(champion_project):
    """``[engine] max_threshold_groups`` below the distinct scores: each model's counts come
    back on a grid (at most 64 groups). Every decision at a threshold
    (the chosen threshold, recall, precision, segments, the champion comparison, the scores'
    checks) equals the exact run's; the AUCs and calibration say the scores were grouped
    (message and gate.json's ``score_grid``) and hold the exact run's verdict."""
    session = champion_project("duckdb", extra=GRID)
    gridded = _quality_results(session)
    exact = _quality_results(champion_project("duckdb"))
    val = session.evaluation("candidate").splits["val"].counts
    assert val.grid and len(val.thresholds) <= 64
    assert session.evaluation("candidate").splits["test"].counts.grid  # test too, split at the threshold
    decided = {"quality.threshold", "quality.recall", "quality.precision", "quality.segments", "model.scores"}
    decided |= {"promotion.vs_champion", "quality.baselines"}
    assert [r[:4] for r in gridded if r[0] in decided] == [r[:4] for r in exact if r[0] in decided]
    grouped = {"quality.too_good", "quality.val_test_gap", "quality.auc", "quality.calibration"}
    for grid_result, exact_result in zip(gridded, exact, strict=True):
        if grid_result[0] not in grouped:
            continue
        # the exact verdict, or inconclusive where only a finer grid would settle it: never
        # a pass where the exact run does not pass, never a failure where it does not fail
        assert grid_result[1] == exact_result[1] or (
            grid_result[1] is Status.INCONCLUSIVE and "max_threshold_groups" in grid_result[4]
        ), (grid_result[0], grid_result[4])
        assert "grouped in the engine on a 1/" in grid_result[4]
        if grid_result[0] != "quality.too_good":
            assert grid_result[6][0].detail["score_grid"]["grid"] == 32  # 64 groups at most


def test_past_max_threshold_groups_a_weak_candidate_still_fails(champion_project, small_log):
    offline = small_log.offline.copy()
    noise = np.random.default_rng(5).random(len(offline))
    offline["score"] = 0.15 * offline["score"] + 0.85 * noise
    results = _quality_results(champion_project("duckdb", offline=offline, extra=GRID))
    failed = {r[0] for r in results if r[1] is Status.FAIL}
    assert {"quality.auc", "promotion.vs_champion"} <= failed


def test_the_quality_figures_never_read_a_split_row_by_row(champion_project, monkeypatch, tmp_path):
    """With an engine the reports drew scores.png from each test row read back (labels,
    scores and segments: 16.5M rows at 100M, the peak at the end of the run) and the
    reliability diagram asked ``len(y)``. Both now read the counts: a row reader that
    raises leaves every quality figure drawn."""
    import sentinel_checks.gate.session_evaluation as session_evaluation
    from sentinel_checks.reports.quality import write_quality_reports

    monkeypatch.setattr(session_evaluation, "_reader", lambda *args, **kwargs: _raise)
    session = champion_project("duckdb", extra=GRID)
    _quality_results(session)  # every quality and promotion step: none reads rows either
    failures: list[str] = []
    written = write_quality_reports(tmp_path / "reports", session.evaluations, n_bins=10, failures=failures)
    assert failures == []
    assert {"scores.png", "reliability.png", "pr_curve.png", "threshold.json"} <= set(written)


def test_invalid_production_scores_stop_production_checks_alone_on_both_engines(champion_project, small_log):
    """NaN scores on labelled production rows: the test split is judged as without them,
    production's quality checks raise the same DataError on both engines, and
    model.scores on production fails (a model fault, named)."""
    from sentinel_checks.errors import DataError

    production = small_log.production.copy()
    labelled = production.index[production["label"].notna()]
    production.loc[labelled[:3], "score"] = np.nan
    told, judged = {}, {}
    for engine in ("pandas", "duckdb"):
        s = champion_project(engine, production=production)
        judged[engine] = [steps.recall(s, "test").status, steps.vs_champion(s, "test").status]
        production_checks = [
            *[(step, ("production",)) for step in (steps.recall, steps.precision, steps.ranking)],
            (steps.calibration, ("production",)),
            (steps.vs_champion, ("production",)),
            (steps.calibration_drift, ()),
            *[(steps.segments, (c, "production")) for c in s.config.columns.segments],
        ]
        messages = set()
        for step, args in production_checks:  # every reader of production's evaluation refuses it
            with pytest.raises(DataError) as raised:
                step(s, *args)
            messages.add(str(raised.value))
        (told[engine],) = messages
        assert steps.model_scores(s, "candidate", "production").status is Status.FAIL
    assert re.match(r"candidate scores on production: 3 of [\d,]+ labelled row\(s\) are NaN", told["pandas"])
    assert told["duckdb"] == told["pandas"] and judged["duckdb"] == judged["pandas"]
