"""The drift worker (:mod:`sentinel_checks.gate.drift_worker`): Evidently's runs in a second
process give every drift result the gate's own process gives, on pandas and on DuckDB,
pages included; a worker that cannot start, ends, or raises gives way to the same call
in the gate's process; the drift suite runs last and the reports keep the suites' order."""

from __future__ import annotations

import importlib
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.errors import DataError
from sentinel_checks.gate import drift_worker
from sentinel_checks.gate.cache import NotConfigured
from sentinel_checks.gate.session import GateSession
from tests.conftest import BASE_CONFIG
from tests.test_engine_drift import DATA, DRIFT, PAIRS, _drift_results

#: The score pairs of PAIRS, each an Evidently score run.
PAIRS_SCORED = ["val:test", "test:production"]


@pytest.fixture
def sessions(gate_project, monkeypatch):
    """``make(engine)``: a session computing drift here and one with a started worker."""
    monkeypatch.setattr(drift_worker, "ENABLED", True)
    monkeypatch.setattr(drift_worker, "cores", lambda: 2)  # the rule, whatever this machine has
    made: list[GateSession] = []

    def make(
        engine: str, extra: str = "[gate]\ndrift_process = true\n", candidate: str = ""
    ) -> tuple[GateSession, GateSession]:
        text = BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n').replace(DRIFT, DRIFT + PAIRS)
        if candidate:
            text = text.replace('[models.candidate]\nscore_column = "score"\n', candidate)
        config = load_config(gate_project(config_text=text, extra=extra).config)
        here, there = GateSession(config), GateSession(config)
        there.start_drift_worker()
        made.extend([here, there])
        return here, there

    yield make
    for s in made:
        s.close()


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_the_worker_gives_every_drift_result_and_page_the_gate_process_gives(sessions, engine, tmp_path):
    here, there = sessions(engine)
    assert there.drift_worker is not None and here.drift_worker is None
    there.prefetch_feature_drift()  # the plugin's order: handed over, then read by the tests
    assert set(there._drift_pending) == {"train_vs_production", "val_vs_test"}
    assert there._importance_pending is not None  # the score column's: no row to read
    assert _drift_results(there) == _drift_results(here)  # features, segments, labels, scores
    assert there._drift_pending == {} and there._importance_pending is None
    assert there.feature_importance() == here.feature_importance()
    runs = [r for r in there.drift_runs.values() if r is not None]
    # every run came from the worker (its page rendered there), none was made here instead
    assert runs and all(isinstance(r.snapshot, drift_worker.WorkerSnapshot) for r in runs)
    # + the score drifts (the score column's importance needs no call: its own test below)
    assert there.drift_worker.answered == len(runs) + len(PAIRS_SCORED)
    assert not [n for n in there.engine_notes if "drift worker" in n]
    assert there.drift_runs.keys() == here.drift_runs.keys()
    assert [k for k, r in there.drift_runs.items() if r is None] == [
        k for k, r in here.drift_runs.items() if r is None
    ]
    for key, run in there.drift_runs.items():
        if run is None:  # under [drift] min_segment_rows: no page on either side
            continue
        page = tmp_path / "worker" / f"{key}.html"
        run.save_html(page)
        own = here.drift_runs[key].save_html(tmp_path / "here" / f"{key}.html")
        text = page.read_text()
        assert (
            text.lstrip().startswith("<!DOCTYPE html>") and len(text) > 100_000
        )  # Evidently's page, its scripts inline
        for column in run.columns:  # each measured column is on the page, as on the gate's own
            assert (column.column in text) == (column.column in own.read_text())
    worker = there.drift_worker
    there.close()
    assert there.drift_worker is None and worker._process.poll() is not None


@pytest.mark.parametrize("ends", [False, True], ids=["answers", "ends"])
def test_permutation_importance_in_the_worker_equals_the_gate_process(sessions, small_model, tmp_path, ends):
    from sentinel_checks.adapters.skops_io import dump
    from tests.conftest import SOUND_FEATURES

    dump(small_model[0], tmp_path / "model.skops")  # calibrated boosting: no feature_importances_
    candidate = f'[models.candidate]\npath = "{tmp_path / "model.skops"}"\ntrusted = true\nfeatures = {SOUND_FEATURES!r}\n'
    here, there = sessions("pandas", extra="[gate]\ndrift_process = true\n", candidate=candidate)
    there.prefetch_feature_drift()
    pending = there._importance_pending
    assert isinstance(pending, drift_worker.PendingCall) and pending.request is not None
    if ends:
        there.drift_worker._process.kill()
    assert there.feature_importance() == here.feature_importance()
    assert there.feature_importance().shares and "permutation" in there.feature_importance().source


@pytest.mark.parametrize("ends", [False, True], ids=["answers", "ends"])
def test_the_baselines_fitted_in_the_worker_equal_the_gate_process(sessions, ends):
    here, there = sessions("pandas")
    # the plugin's call when the baselines test was collected
    there.prefetch_feature_drift([], baselines=True)
    pending = there._baselines_pending
    assert isinstance(pending, drift_worker.PendingCall) and pending.request is not None
    assert there._drift_pending == {}  # no pair chosen: only the fit was handed over
    if ends:
        there.drift_worker._process.kill()
    test = here.splits.test
    for name, mine in here.baseline_evaluations.items():
        theirs = there.baseline_evaluations[name]
        assert (theirs.threshold, theirs.confusion("test")) == (mine.threshold, mine.confusion("test"))
        features = here.model(name).feature_list(here.features)
        scores = here.model(name).estimator.predict_proba(test[features])
        np.testing.assert_array_equal(there.model(name).estimator.predict_proba(test[features]), scores)
    assert there._baselines_pending is None
    told = [n for n in there.engine_notes if "drift worker could not answer" in n]
    assert (there.drift_worker.answered, len(told)) == ((0, 1) if ends else (1, 0))


def test_only_the_rows_the_baselines_fit_on_travel_and_give_the_same_fit(sessions):
    from sentinel_checks.models.baselines import fit_baselines

    _, there = sessions("pandas", extra="[gate]\ndrift_process = true\n")
    quality = there.config.quality.model_copy(update={"baseline_max_train_rows": 1000})
    there.config = there.config.model_copy(update={"quality": quality})
    there.prefetch_feature_drift([], baselines=True)
    pending = there._baselines_pending
    sent, labels = pending.args
    assert len(sent) == len(labels) == 1000 < len(there.splits.train)  # the draw, made here
    assert pending.kwargs["max_rows"] is None and list(sent.columns) == quality.baseline_features
    train, y = there.splits.train, there.split_labels["train"]
    direct = fit_baselines(train, y, features=quality.baseline_features, seed=0, max_rows=1000)
    test = there.splits.test[quality.baseline_features]
    for name, model in direct.items():  # the old call on the whole split: the same baselines
        np.testing.assert_array_equal(
            there.model(name).estimator.predict_proba(test), model.estimator.predict_proba(test)
        )
    assert there.drift_worker.answered == 1


def test_a_train_split_of_one_class_sends_nothing_and_fails_as_without_the_worker(sessions):
    here, there = sessions("pandas")
    for session in (here, there):  # every train label made safe: the fit cannot be made
        labels = session.split_labels  # cached once: the fit reads this array
        labels["train"][:] = False
    there.prefetch_feature_drift([], baselines=True)
    assert there._baselines_pending is None  # nothing handed over: the test raises it here
    for session in (here, there):
        with pytest.raises(DataError, match="train split has one class"):
            _ = session.baseline_evaluations
    assert not [n for n in there.engine_notes if "drift worker" in n]  # gate.json as without it


def test_an_engine_keeps_the_baselines_fit_in_the_gate_process(sessions):
    _, there = sessions("duckdb")  # DuckDB's threads already use the second core
    there.prefetch_feature_drift([], baselines=True)
    assert there._baselines_pending is None and there._drift_pending == {}
    assert there.baseline_evaluations and there.drift_worker.answered == 0


def test_no_baselines_fit_is_handed_over_when_baselines_are_off(sessions):
    _, there = sessions("pandas")
    quality = there.config.quality.model_copy(update={"baselines": False})
    there.config = there.config.model_copy(update={"quality": quality})
    there.prefetch_feature_drift([], baselines=True)
    assert there._baselines_pending is None  # the test says why ([quality] baselines = false)
    with pytest.raises(NotConfigured, match="baselines = false"):
        _ = there.baseline_evaluations


def test_a_worker_that_ends_mid_run_gives_way_to_the_same_call_here(sessions):
    here, there = sessions("pandas")
    there.prefetch_feature_drift()
    there.drift_worker.result(there._drift_pending["train_vs_production"].request)  # one answered
    there.drift_worker._process.kill()  # the next run, and all after it, are made here
    assert _drift_results(there) == _drift_results(here)
    told = [n for n in there.engine_notes if "drift worker could not answer" in n]
    assert told == [
        "[gate] drift_process: the drift worker could not answer (the drift worker process "
        "ended); the call was made in the gate's process on the same inputs"
    ]


def test_only_the_pairs_chosen_are_handed_over_and_close_does_not_wait_for_them(sessions):
    _, there = sessions("pandas")
    there.prefetch_feature_drift(["val:test"])  # e.g. the other pair deselected with -k
    assert set(there._drift_pending) == {"val_vs_test"}
    worker = there.drift_worker
    there.close()  # the queued run and the importance are not waited for
    assert worker._process.returncode is not None and there._drift_pending == {}


@pytest.mark.parametrize("executable", ["/nonexistent/python", "/bin/false"])
def test_a_worker_that_cannot_start_changes_nothing(sessions, monkeypatch, executable):
    monkeypatch.setattr(sys, "executable", executable)
    here, there = sessions("pandas")
    assert (there.drift_worker is None) == (executable == "/nonexistent/python")
    there.prefetch_feature_drift()
    assert _drift_results(there) == _drift_results(here)


@pytest.mark.parametrize(
    ("engine", "setting", "started"),
    [
        ("pandas", None, True),  # "auto": the gate's process leaves the second core idle
        ("duckdb", None, True),  # "auto": faster at 1M and 10M rows (docs/benchmarks.md)
        ("duckdb", "false", False),
        ("spark", None, False),  # "auto": Spark's JVM runs beside the gate (no session started)
        ("pandas", "false", False),
    ],
)
def test_the_worker_starts_as_drift_process_says(sessions, engine, setting, started):
    _, there = sessions(engine, extra="" if setting is None else f"[gate]\ndrift_process = {setting}\n")
    assert (there.drift_worker is not None) is started


@pytest.mark.parametrize(("setting", "noted"), [("true", True), ('"auto"', False)])
def test_a_worker_asked_for_by_name_on_one_core_is_noted(sessions, monkeypatch, setting, noted):
    monkeypatch.setattr(drift_worker, "cores", lambda: 1)  # e.g. under taskset -c 0
    _, there = sessions("pandas", extra=f"[gate]\ndrift_process = {setting}\n")
    function = SimpleNamespace(__module__=drift_worker.DRIFT_SUITE, __name__=drift_worker.FEATURE_TEST)
    drift = SimpleNamespace(
        nodeid="d", function=function, callspec=SimpleNamespace(params={"sentinel_feature_pair": "train:val"})
    )
    assert there.worker_for([_item("q", "sentinel_checks.suites.test_quality")]) is None
    assert not there.engine_notes  # no drift test collected: nothing to say
    assert there.worker_for([drift]) is None and there.drift_worker is None
    told = [n for n in there.engine_notes if n.startswith("[gate] drift_process")]
    expected = "[gate] drift_process = true: no drift worker (this process may run on one core); "
    assert told == ([expected + "the drift step runs in the gate's process"] if noted else [])


@pytest.mark.parametrize("value", ['"sometimes"', '"yes"', "1", '"Auto"'])
def test_drift_process_takes_a_bool_or_auto_only(gate_project, value):
    from sentinel_checks.errors import ConfigError

    with pytest.raises(ConfigError) as raised:  # trial: "yes" and 1 were read as true, silently
        load_config(gate_project(extra=f"[gate]\ndrift_process = {value}\n").config)
    told = [line for line in str(raised.value).splitlines() if line.startswith("  [gate]")]
    assert told == [
        f'  [gate] drift_process: {value.replace(chr(34), chr(39))} is not one of true, false, "auto"'
    ]


def test_an_error_in_the_worker_is_told_and_the_call_is_made_again_here(monkeypatch):
    monkeypatch.setattr(drift_worker, "ENABLED", True)
    worker = drift_worker.DriftWorker.start()
    assert worker is not None
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0] * 20})
    try:
        call = dict(reference=frame, current=frame, numerical=["x"], categorical=[], no_such_argument=1)
        with pytest.raises(drift_worker.WorkerUnavailable, match="TypeError: .*no_such_argument"):
            worker.result(worker.submit("column_drift", call))
        with pytest.raises(drift_worker.WorkerUnavailable, match="could not be sent"):
            worker.result(worker.submit("column_drift", {"reference": lambda: None}))
        with pytest.raises(drift_worker.WorkerUnavailable, match="ZeroDivisionError"):
            worker.result(worker.submit("call", divmod, (1, 0), {}))
        ok = worker.result(worker.submit("score_drift", frame["x"].to_numpy(), frame["x"].to_numpy()))
        assert ok.column == "score" and ok.drifted is False  # the worker still answers after both
    finally:
        worker.close()


def test_an_error_in_the_worker_is_raised_by_the_same_call_made_here(sessions):
    from sentinel_checks.gate.session_evidently import PreparedDrift

    _, there = sessions("pandas")
    call = {"reference": pd.DataFrame({"x": [1.0]}), "current": pd.DataFrame({"x": [1.0]}), "bogus": 1}
    with pytest.raises(TypeError, match="bogus"):  # the real error, not the worker's text
        there.run_drift(PreparedDrift(inputs=None, call=call, rows=(1, 1), sides=(None, None)))
    assert [n for n in there.engine_notes if "TypeError" in n and "bogus" in n]


def _item(nodeid: str, module: str) -> SimpleNamespace:
    return SimpleNamespace(nodeid=nodeid, function=SimpleNamespace(__module__=module))


def test_the_feature_pairs_handed_over_are_those_collected():
    def test(name: str, module: str = drift_worker.DRIFT_SUITE, **params: str) -> SimpleNamespace:
        function = SimpleNamespace(__module__=module, __name__=name)
        return SimpleNamespace(nodeid=name, function=function, callspec=SimpleNamespace(params=params))

    items = [
        test("test_features_have_not_drifted", sentinel_feature_pair="train:test"),
        test("test_features_have_not_drifted_within_segments", sentinel_feature_pair="train:val"),
        test("test_features_have_not_drifted", module="test_drift", sentinel_feature_pair="val:test"),
        test("test_features_have_not_drifted", sentinel_feature_pair="train:production"),
        test("test_features_have_not_drifted", sentinel_feature_pair="train:test"),
    ]
    assert drift_worker.feature_pairs_collected(items) == ["train:test", "train:production"]
    assert drift_worker.feature_pairs_collected(items[1:3]) == []


def test_the_baselines_fit_is_handed_over_only_when_its_shipped_test_was_collected():
    def test(name: str, module: str) -> SimpleNamespace:
        return SimpleNamespace(nodeid=name, function=SimpleNamespace(__module__=module, __name__=name))

    shipped = test(drift_worker.BASELINES_TEST, drift_worker.QUALITY_SUITE)
    own = test(drift_worker.BASELINES_TEST, "test_quality")  # a user's test of the same name
    other = test("test_recall_floor_holds", drift_worker.QUALITY_SUITE)
    assert drift_worker.baselines_collected([other, shipped])
    assert not drift_worker.baselines_collected([other, own])
    # the names are those of the shipped tests (a rename would stop the hand-over quietly)
    assert callable(getattr(importlib.import_module(drift_worker.QUALITY_SUITE), drift_worker.BASELINES_TEST))
    assert callable(getattr(importlib.import_module(drift_worker.DRIFT_SUITE), drift_worker.FEATURE_TEST))


def test_the_drift_suite_runs_last_and_the_order_before_is_kept():
    items = [
        _item("a", "sentinel_checks.suites.test_data_contract"),
        _item("d1", drift_worker.DRIFT_SUITE),
        _item("own", "test_drift"),  # a user's own test in suites/test_drift.py stays in place
        _item("d2", drift_worker.DRIFT_SUITE),
        _item("q", "sentinel_checks.suites.test_quality"),
    ]
    order = drift_worker.drift_last(items)
    assert [i.nodeid for i in items] == ["a", "own", "q", "d1", "d2"]
    assert order == {"a": 0, "d1": 1, "own": 2, "d2": 3, "q": 4}
    assert drift_worker.drift_last(items[:3]) is None  # nothing of the drift suite: nothing moved
