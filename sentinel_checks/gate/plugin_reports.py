"""The plugin's reporting half: each gate test's outcome recorded as pytest reports it,
``gate.json`` / ``gate.md`` written when the session finishes, and the terminal summary
printed after pytest's own (so the verdict is the last line)
(:mod:`sentinel_checks.reports.terminal`: by runbook phase, every warning and
inconclusive result, the verdict) naming them.

These hooks are registered through :mod:`sentinel_checks.gate.plugin` (the ``pytest11``
entry point), which imports them; this module is not a plugin of its own.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Generator
from pathlib import Path

import pytest

from sentinel_checks.errors import INPUT_ERRORS, SentinelError
from sentinel_checks.gate.engine_setup import out_of_memory_text
from sentinel_checks.gate.engine_stop import stopped_info
from sentinel_checks.gate.plugin_state import STATE, is_gate_item
from sentinel_checks.gate.plugin_state import state_of as _state
from sentinel_checks.gate.pytest_run import EXIT_USAGE, clash_message, inputs_inside


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not is_gate_item(item):
        return report
    from sentinel_checks.gate.waivers import waived

    shipped = getattr(getattr(item, "function", None), "__module__", "").startswith("sentinel_checks.suites")
    result = _state(item.config).results.get(item.nodeid)
    waiver = waived(report, call, result, shipped=shipped)
    if waiver is not None:  # a marker or a caught assert: pytest counts it failed too
        report.outcome, report.longrepr = "failed", waiver
        if hasattr(report, "wasxfail"):
            del report.wasxfail
    _skip_at_the_test(item, report)
    excinfo = call.excinfo
    sentinel_error = excinfo is not None and excinfo.errisinstance(SentinelError)
    if excinfo is not None and sentinel_error:
        # A bad input is the user's to fix: show the message (not pandas' stack, nor the
        # class name: "ConfigError:" is no word of the user's)
        report.longrepr = str(excinfo.value)
    input_error = excinfo is not None and excinfo.errisinstance(INPUT_ERRORS)
    # A library failure inside a step (not a judged check, not an assert of a team's own
    # test) is an error, recorded in the same words as the in-process runner records it.
    judged = (pytest.fail.Exception, pytest.skip.Exception, AssertionError, SentinelError)
    crashed = excinfo is not None and not excinfo.errisinstance(judged)
    told = _last_line(f"{excinfo.typename}: {excinfo.value}") if excinfo is not None and crashed else None
    engine, spill = _engine(item)
    memory = None
    if excinfo is not None and crashed:
        memory = out_of_memory_text(excinfo.value, engine, spill_folder_set=spill)
    if memory is not None:  # the engine's memory: the user's setting to fix (exit 2), not DuckDB's stack
        report.longrepr = told = memory
        input_error = True
    _record_outcome(
        item,
        report,
        sentinel_error=sentinel_error or crashed,
        input_error=input_error,
        message=told,
        # why a marker did not waive a recorded failed check, for gate.json and gate.md
        waiver=_last_line(waiver).strip() if waiver is not None and result is not None else "",
    )
    if report.failed and (sentinel_error or crashed):
        _stop_if_engine_ended(item)
    return report


def _stop_if_engine_ended(item: pytest.Item) -> None:
    """After a gate test's error: when Spark's driver JVM has ended, record the later gate
    tests as not run (one entry) and stop the session after this test
    (:func:`~sentinel_checks.gate.engine_stop.engine_ended_stop`); pytest prints
    ``shouldfail`` between "!" rules. The exit code follows the report's verdict: 2
    (setup error), or 1 when a check had already failed on its own."""
    from sentinel_checks.gate.engine_stop import engine_ended_stop

    session = item.session
    if session.shouldfail:
        return
    items = session.items
    later = items[items.index(item) + 1 :] if item in items else []
    stop = engine_ended_stop(item.nodeid, [i.nodeid for i in later if is_gate_item(i)])
    if stop is not None:
        _state(item.config).outcomes[stop.nodeid] = stop
        session.shouldfail = f"sentinel: {stop.message}"


def _record_unfinished(session: pytest.Session, exitstatus: int) -> None:
    """Record the collected gate tests that never ran (Ctrl-C, a CI timeout's SIGINT,
    ``-x``) as one error entry (:func:`~sentinel_checks.gate.engine_stop.unfinished_stop`),
    unless a Spark stop already named them."""
    from sentinel_checks.gate.engine_stop import NOT_RUN, unfinished_stop
    from sentinel_checks.gate.run_record import SETUP_NODE
    from sentinel_checks.gate.suite_integrity import replaced_stop

    state = _state(session.config)
    if session.config.option.collectonly:  # --collect-only runs none
        return
    stopped = any(n.startswith(SETUP_NODE) for n in state.outcomes)  # the preflight ran no check
    replaced = None if stopped else replaced_stop(list(state.replaced.values()))
    if replaced is not None:
        state.outcomes[replaced.nodeid] = replaced
    if NOT_RUN in state.outcomes:
        return
    remaining = [i.nodeid for i in session.items if is_gate_item(i) and i.nodeid not in state.outcomes]
    fix = "Run it again to the end."
    if state.usage_error:
        why = f"pytest refused its command line: {state.usage_error}"
        fix = "Fix pytest's options (those after `--` for `sentinel gate`) and run it again."
    elif exitstatus == pytest.ExitCode.INTERRUPTED:
        why = "the run was interrupted (Ctrl-C, or a CI job's timeout or cancellation)"
    elif session.shouldfail or session.shouldstop:
        why = f"pytest stopped early ({session.shouldfail or session.shouldstop})"
    else:
        why = "pytest ended before them"
    stop = unfinished_stop(remaining, why, fix, input_error=bool(state.usage_error))
    if stop is not None:
        state.outcomes[stop.nodeid] = stop


def _engine(item: pytest.Item) -> tuple[str | None, bool]:
    """``[data] engine`` of the run's config, once loaded, and whether DuckDB's
    ``temp_directory`` is set (words an engine out of memory)."""
    state = item.config.stash.get(STATE, None)
    loaded = state.loaded if state is not None else None
    if loaded is None:
        return None, False
    from sentinel_checks.gate.engine_setup import memory_setting

    return memory_setting(loaded)


def _skip_at_the_test(item: pytest.Item, report: pytest.TestReport) -> None:
    """A skip raised inside the library (a fixture or step with nothing to judge) is
    reported at the test that skipped, as pytest does for a skip marker: ``-ra``'s
    "SKIPPED [3] suites/test_drift.py:41: …", not a path into the installed package
    (``../../../site-packages/sentinel_checks/gate/plugin_fixtures.py:82``)."""
    longrepr = report.longrepr
    if not report.skipped or hasattr(report, "wasxfail") or not isinstance(longrepr, tuple):
        return
    path, line, _ = item.reportinfo()
    if line is not None:
        report.longrepr = (os.fspath(path), line + 1, longrepr[2])


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def _record_outcome(
    item: pytest.Item,
    report: pytest.TestReport,
    *,
    sentinel_error: bool = False,
    input_error: bool = False,
    message: str | None = None,
    waiver: str = "",
) -> None:
    """What the reports say of a gate test. A SentinelError (raised while a fixture or a
    step loads an input) or a library failure inside a step is an ``error``, like a
    failing fixture, not a judged ``failed``; ``input_error`` (a config, data or
    model-file error) makes it exit 2. ``message``: the words to record instead of the
    last line of pytest's report; ``waiver``: why pytest's count of it was overruled
    (:mod:`~sentinel_checks.gate.waivers`)."""
    from sentinel_checks.reports.gate_report import TestOutcome

    state = _state(item.config)
    previous = state.outcomes.get(item.nodeid)
    if report.when == "call" or report.failed or (report.skipped and report.when == "setup"):
        if report.failed:
            outcome = "failed" if report.when == "call" and not sentinel_error else "error"
        else:
            outcome = "skipped" if report.skipped else "passed"
        if previous is not None and previous.outcome in ("failed", "error"):
            return  # a teardown pass does not undo a failure
        state.outcomes[item.nodeid] = TestOutcome(
            item.nodeid,
            outcome,
            _short(report) if message is None else message,
            state.results.get(item.nodeid),
            input_error=input_error and report.failed,
            waiver=waiver,
        )


def _short(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    text = str(report.longrepr or "")
    return text.strip().splitlines()[-1] if text.strip() else ""


@pytest.hookimpl(tryfirst=True, specname="pytest_sessionfinish")  # before junitxml writes junit.xml
def pytest_sessionfinish_junit_not_run(session: pytest.Session, exitstatus: int) -> None:
    """The checks a stopped or interrupted run left unrun, as one errored test case of
    ``junit.xml`` (``sentinel run`` / ``checks left unrun``, its message gate.json's), so a
    CI's test view does not show only the checks that ran, all green (trial)."""
    from _pytest.junitxml import xml_key

    from sentinel_checks.gate.engine_stop import NOT_RUN, UNFINISHED
    from sentinel_checks.gate.suite_integrity import REPLACED

    state = session.config.stash.get(STATE, None)
    xml = session.config.stash.get(xml_key, None)
    if state is None or xml is None or hasattr(session.config, "workerinput"):
        return
    _record_unfinished(session, exitstatus)
    stops = [
        state.outcomes.get(REPLACED),  # a team function replaced a shipped check (review: all green)
        state.outcomes.get(UNFINISHED) or state.outcomes.get(NOT_RUN),  # NOT_RUN: Spark's driver ended
    ]
    for stop in (s for s in stops if s is not None):
        location = ("sentinel run", None, stop.nodeid.partition("::")[2])
        xml.pytest_runtest_logreport(
            pytest.TestReport(stop.nodeid, location, {}, "failed", stop.message, "setup")
        )
        xml.pytest_runtest_logreport(pytest.TestReport(stop.nodeid, location, {}, "passed", None, "teardown"))


@pytest.hookimpl(trylast=True)  # after pytest's junitxml wrote junit.xml: gate.md links it when it exists
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from sentinel_checks.gate.artefacts import run_files_in, write_gate_reports
    from sentinel_checks.gate.run_record import SETUP_NODE, gate_run
    from sentinel_checks.reports.terminal import artifact_line, pytest_count_line, summary_lines

    config = session.config
    state = config.stash.get(STATE, None)
    if state is None:
        return
    if not state.outcomes and state.config_option is None:
        return  # not a gate run (e.g. the library's own tests)
    # With --sentinel-config given, a report is always written, so a stale gate.json
    # from an earlier run is never mistaken for this one (verdict "no_checks" here).
    if hasattr(config, "workerinput"):  # pytest-xdist worker: the controller writes
        return
    cfg = state.loaded
    if not state.refused:  # the config may never have loaded: its own path is still an input
        inputs = cfg.input_files() if cfg is not None else [Path(str(state.config_option))]
        clash = inputs_inside(state.reports_dir, inputs)
        state.refused = clash_message(state.reports_dir, clash) if clash else state.foreign
    if state.refused:  # write nothing: an input could be overwritten
        state.summary = "gate ERROR, no report written: " + state.refused
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        return
    _record_unfinished(session, exitstatus)
    outcomes = list(state.outcomes.values())  # in the order collected (the drift tests ran last)
    outcomes.sort(key=lambda o: state.order.get(o.nodeid, len(state.order)))
    run = gate_run(
        cfg,
        outcomes,
        coverage={"suites": sorted(state.suites), "deselected": state.deselected},
        session=state.session,
        run_info={"started": state.started, "pytest_exitstatus": int(exitstatus)},
        config_path=str(state.config_option or state.found or ""),
        identity=state.data_identity,
    )
    if state.unchecked:  # what the preflight's problems kept from being checked, as the CLI's
        run = dataclasses.replace(run, notes=(*run.notes, *state.unchecked))
    if run.verdict == "setup_error":  # the model was not judged: exit 2, as `sentinel gate` does
        session.exitstatus = EXIT_USAGE
        # run.json records the status the process exits with, not pytest's own (0: no test failed)
        stopped = any(o.nodeid.startswith(SETUP_NODE) for o in run.outcomes)
        info = {**run.run_info, "pytest_exitstatus": EXIT_USAGE} | (
            {"stopped_by": "preflight"} if stopped else {}
        )
        run = dataclasses.replace(run, run_info=info)
    elif run.verdict == "fail" and session.exitstatus == pytest.ExitCode.OK:
        # a failed check pytest counted as xfailed or passed (a team's marker): the gate
        # blocks, so the process exits 1 as for any failure (trial: it exited 0)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        info = {**run.run_info, "pytest_exitstatus": int(pytest.ExitCode.TESTS_FAILED)}
        run = dataclasses.replace(run, run_info=info)
    stop = stopped_info(run.outcomes)
    if stop:
        run = dataclasses.replace(run, run_info={**run.run_info, **stop})
    _, note = write_gate_reports(run, state.session, state.reports_dir)  # gate.md last: it links them
    *phases, verdict = summary_lines(run)
    # the run's files are listed, the folder's other entries named after them: CI uploads the folder
    counted = pytest_count_line(run.outcomes)  # pytest passes an inconclusive test: say so once
    told = [
        note + artifact_line(state.reports_dir, run_files_in(state.reports_dir)),
        *([counted] if counted else []),
    ]
    # the run's notes (the data read through pandas, not where it lies: trial, only in gate.json)
    noted = [f"note: {n}" for n in run.notes if not n.startswith("(not checked)")]
    state.summary = "\n".join([*phases, *noted, *told, verdict])


@pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_sessionfinish")
def pytest_sessionfinish_print_summary(
    session: pytest.Session, exitstatus: int
) -> Generator[None, None, None]:
    """The gate's summary, printed after everything pytest prints at the end of a run.

    pytest's terminal reporter prints its short test summary (``-ra``: "FAILED …",
    "SKIPPED …") from its own ``pytest_terminal_summary`` wrapper, *after* every
    plugin's ``pytest_terminal_summary``, and then the stats line ("22 failed, 25
    passed in 38 s") from its ``pytest_sessionfinish`` wrapper. This outermost
    ``pytest_sessionfinish`` wrapper (``tryfirst``) runs its second half after both, so
    the gate's verdict is the last line a person reads; :func:`pytest_sessionfinish`
    (inside it) has composed the summary by then.
    """
    result = yield
    state = session.config.stash.get(STATE, None)
    terminal = session.config.pluginmanager.get_plugin("terminalreporter")
    if state is None or not state.summary or terminal is None:
        return result
    terminal.write_sep("-", "sentinel")
    *lines, last = state.summary.splitlines()
    for line in lines:
        terminal.write_line(line)
    passed = last.startswith("gate PASS")
    terminal.write_line(last, bold=True, green=passed, red=not passed)
    return result
