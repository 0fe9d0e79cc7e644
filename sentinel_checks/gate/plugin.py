"""The pytest plugin: options, session-scoped fixtures, the ``gate`` recorder and reports.

Registered through the ``pytest11`` entry point, so installing the package is enough.
It stays light: the config is read only when a gate fixture is first used, and
pandas, pandera and scikit-learn are imported inside fixtures.

Fixtures (all session-scoped, computed once; in :mod:`.plugin_fixtures`):

``sentinel_config``        the validated :class:`~sentinel_checks.config.SentinelConfig`
``sentinel_dataset``       the offline dataset, timestamps parsed
``sentinel_features``      the feature column names
``sentinel_splits``        train/val/test (:class:`~sentinel_checks.data.splits.Splits`)
``sentinel_split_labels``  per split, the label as a boolean array (True = risky)
``sentinel_production``    the production sample (skips when none is configured)
``sentinel_candidate``     the candidate model (:class:`~sentinel_checks.models.loading.LoadedModel`)
``sentinel_champion``      the champion model (skips when none is configured)

and, per test, ``gate``: ``gate.check(result)`` records a CheckResult for the reports
and passes, skips or fails the test with measured vs limit, evidence and a fix.

This module holds the options, the preflight that stops a run before any check, the
report header and the session's close. The reporting hooks (outcomes, ``gate.json`` at
session end, the terminal line) are in :mod:`.plugin_reports` and the per-session state
in :mod:`.plugin_state`; this module imports the hooks, so the entry point registers
them with the rest, and registers :mod:`.plugin_fixtures` when pytest configures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import warnings
from collections.abc import Generator
from pathlib import Path

import pytest

from sentinel_checks.engine.pyspark_warnings import ignore_pyspark_warnings
from sentinel_checks.errors import SentinelError
from sentinel_checks.gate.plugin_fixtures import load_config_of as _load
from sentinel_checks.gate.plugin_fixtures import session_of as _session
from sentinel_checks.gate.plugin_reports import (
    pytest_runtest_makereport as pytest_runtest_makereport,
)
from sentinel_checks.gate.plugin_reports import pytest_sessionfinish as pytest_sessionfinish
from sentinel_checks.gate.plugin_reports import (
    pytest_sessionfinish_junit_not_run as pytest_sessionfinish_junit_not_run,
)
from sentinel_checks.gate.plugin_reports import (
    pytest_sessionfinish_print_summary as pytest_sessionfinish_print_summary,
)
from sentinel_checks.gate.plugin_state import GATE_FIXTURES as GATE_FIXTURES
from sentinel_checks.gate.plugin_state import STATE as STATE
from sentinel_checks.gate.plugin_state import GateState as GateState
from sentinel_checks.gate.plugin_state import is_gate_item
from sentinel_checks.gate.plugin_state import state_of as _state
from sentinel_checks.gate.pytest_run import foreign_refusal


def _reports_dir(value: str) -> Path:
    import argparse

    if not value.strip():
        raise argparse.ArgumentTypeError("--sentinel-reports needs a folder name")
    return Path(value)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sentinel", "Gradient Sentinel gate")
    group.addoption(
        "--sentinel-config",
        action="store",
        default=None,
        metavar="PATH",
        help="gate configuration (sentinel.toml or a pyproject.toml with [tool.sentinel]); "
        "default: $SENTINEL_CONFIG, then ./sentinel.toml, then ./pyproject.toml",
    )
    group.addoption(
        "--sentinel-reports",
        action="store",
        default="reports",
        type=_reports_dir,
        metavar="DIR",
        help="folder for gate.json and gate.md (default: ./reports)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """The run's state; the fixtures, the ``gate`` recorder and the suites' parametrization
    (:mod:`.plugin_fixtures`) registered as a plugin of their own."""
    from sentinel_checks.gate import plugin_fixtures

    if not config.pluginmanager.is_registered(plugin_fixtures):
        config.pluginmanager.register(plugin_fixtures, "sentinel_checks.gate.plugin_fixtures")
    reports = Path(config.getoption("--sentinel-reports"))
    if not reports.is_absolute():
        reports = Path(config.invocation_params.dir) / reports
    config.stash[STATE] = GateState(
        config_option=config.getoption("--sentinel-config"),
        reports_dir=reports,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        foreign=foreign_refusal(reports),  # before any file is written there (junit.xml)
    )


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Gate tests left out with -k/-m: a report of a partial gate must say so."""
    if items:
        state = items[0].config.stash.get(STATE, None)
        if state is not None:
            state.deselected += sum(1 for i in items if is_gate_item(i))
            state.deselected_names.update((i.path.name, i.name) for i in items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """A gate check ignores two warnings of PySpark's
    (:func:`~sentinel_checks.engine.pyspark_warnings.ignore_pyspark_warnings`): the
    ResourceWarning of a result socket the garbage collector closes (as an error it failed
    the check and kept every Spark query's plan alive) and the UserWarning a failed Arrow
    collect gives before raising the Java error (as an error it hid that error). Set
    inside pytest's own filters (its wrapper runs first), so they win over the project's
    ``filterwarnings``, ``-W`` and marks; the project's own tests keep them."""
    if not is_gate_item(item):
        return (yield)
    with warnings.catch_warnings():
        ignore_pyspark_warnings()
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    """pytest's UsageError while collecting (``-m nothing`` with ``--strict-markers``),
    kept as the reason the collected gate tests did not run (trial: the entry said
    "pytest ended before them … Run it again to the end")."""
    try:
        return (yield)
    except pytest.UsageError as error:
        state = session.config.stash.get(STATE, None)
        if state is not None:
            state.usage_error = str(error).rstrip(".")
        raise


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselect: a deselected check is not replaced
def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Shipped checks a suite file did not collect as shipped: recorded as an error at
    the end (:mod:`~sentinel_checks.gate.suite_integrity`; trial: a team test named like a
    shipped check replaced it, and the gate passed)."""
    state = session.config.stash.get(STATE, None)
    if state is not None:
        from sentinel_checks.gate.suite_integrity import replaced_checks

        state.replaced = replaced_checks(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Which suite files the gate ran (by file name), for the report's coverage."""
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    for item in session.items:
        if is_gate_item(item):
            state.suites.add(item.path.name)
    if state.suites and not session.config.option.collectonly:
        with contextlib.suppress(SentinelError):  # an invalid config: the preflight says why
            # the drift worker starts while the preflight loads; with one, drift runs last
            state.order = _session(session.config).worker_for(session.items) or {}
        if not _preflight(session.config):
            _stop(session)
            return
        _count_left_out(session, state)
        if state.order:
            _session(session.config).hand_over(session.items)


def _count_left_out(session: pytest.Session, state: GateState) -> None:
    """Shipped tests of the suite files that ran, neither run nor deselected with -k/-m
    (a node id given, an edited import, a hook that dropped items): counted with the
    deselected, a partial gate (:func:`~.suite_integrity.left_out`)."""
    from sentinel_checks.gate.suite_integrity import left_out

    kept = {(i.path.name, i.name) for i in session.items} | state.deselected_names
    # a replaced check is an error already, not a deselected one (trial)
    state.deselected += left_out(_session(session.config).config, state.suites, kept, set(state.replaced))


def _stop(session: pytest.Session) -> None:
    """Run no test, and say so in a plain line: not ``pytest.exit``, whose reason pytest
    prints as "_pytest.outcomes.Exit: …". pytest prints ``shouldfail`` between "!" rules;
    the exit code (2) is set when the reports are written (a ``setup_error`` verdict)."""
    session.items.clear()
    state = session.config.stash.get(STATE, None)
    if state is not None:  # no suite ran: gate.json's coverage says so, as `sentinel gate`'s (trial)
        state.suites.clear()
    session.shouldfail = "sentinel: setup problems (listed above); fix them and run again"


def _preflight(config: pytest.Config) -> bool:
    """Setup mistakes stop the session before any gate test, all listed once, exit 2.

    The session the preflight loads (data, models) is the one the fixtures use. Each
    problem is recorded in gate.json as an input error (see :mod:`.preflight`).
    Returns whether the gate may run (no problem found).
    """
    import sys

    from sentinel_checks.gate.preflight import preflight
    from sentinel_checks.gate.preflight_report import (
        config_problems,
        preflight_text,
        problem_outcomes,
        unchecked_notes,
    )

    state = _state(config)
    try:
        problems = preflight(_session(config))
    except SentinelError as exc:  # the configuration itself: not found, or invalid
        problems = config_problems(exc)
    if not problems:
        return True
    state.outcomes.update((o.nodeid, o) for o in problem_outcomes(problems))
    state.unchecked = unchecked_notes(problems)
    # the config as the user named it, as `sentinel gate` says it (trial: absolute here only)
    shown = state.config_option or state.found or "the configuration"
    text = preflight_text(problems, shown)
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.ensure_newline()
        for line in text.splitlines():
            terminal.write_line(line, red=line.startswith("sentinel:"))
    else:
        print(text, file=sys.stderr)
    return False


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    from sentinel_checks.config import find_config

    state = _state(config)
    try:
        path = find_config(state.config_option, cwd=Path(config.invocation_params.dir))
    except SentinelError:
        if state.config_option or os.environ.get("SENTINEL_CONFIG"):
            return ["sentinel: configuration not found (gate tests will error)"]
        return None
    try:
        cfg = _load(config)
    except SentinelError as exc:  # the preflight lists the problems (trial: the header repeated the path)
        from sentinel_checks.gate.preflight_report import config_problems

        n = len(config_problems(exc))
        named = state.config_option or path  # as the list below names it
        return [f"sentinel: config {named} is invalid ({n} problem{'s' if n != 1 else ''}, listed below)"]
    from sentinel_checks.config.engine import engine_label
    from sentinel_checks.data.identity import data_identity

    state.data_identity = data_identity(cfg)
    fp = state.data_identity.fingerprints
    shown = ", ".join(f"{k}={v[:19]}" for k, v in fp.items())
    engine = engine_label(cfg.data, cfg.engine)
    return [f"sentinel: config {path}", f"sentinel: data {shown}; seed {cfg.gate.seed}; engine {engine}"]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the run's session (its engine: a Spark session the gate built is stopped)."""
    state = config.stash.get(STATE, None)
    if state is not None and state.session is not None:
        state.session.close()
