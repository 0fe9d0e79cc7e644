"""The pytest plugin: options, session-scoped fixtures, the ``gate`` recorder and reports.

Registered through the ``pytest11`` entry point, so installing the package is enough.
It stays light: the config is read only when a gate fixture is first used, and
pandas, pandera and scikit-learn are imported inside fixtures.

Fixtures (all session-scoped, computed once):

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
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sentinel_checks.errors import INPUT_ERRORS, ConfigError, SentinelError
from sentinel_checks.gate.pytest_run import clash_message, inputs_inside

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.reports.gate_report import TestOutcome
    from sentinel_checks.result import CheckResult

GATE_FIXTURES = frozenset(
    {
        "gate",
        "sentinel_config",
        "sentinel_dataset",
        "sentinel_features",
        "sentinel_splits",
        "sentinel_split_labels",
        "sentinel_production",
        "sentinel_candidate",
        "sentinel_champion",
        "sentinel_candidate_eval",
        "sentinel_champion_eval",
        "sentinel_baseline_evals",
        "sentinel_training_log",
        "sentinel_session",
        "sentinel_drift",
        "sentinel_production_scores",
        "sentinel_promotion",
    }
)


@dataclass
class GateState:
    """Per-session state of the plugin, kept in ``config.stash``."""

    config_option: str | None
    reports_dir: Path
    results: dict[str, CheckResult] = field(default_factory=dict)
    outcomes: dict[str, TestOutcome] = field(default_factory=dict)
    loaded: SentinelConfig | None = None
    data_fingerprint: dict[str, str] = field(default_factory=dict)
    started: str = ""
    summary: str = ""
    session: GateSession | None = None  # the run's inputs, loaded once (gate steps)
    deselected: int = 0
    suites: set[str] = field(default_factory=set)
    refused: str = ""  # why nothing may be written to reports_dir (it holds an input)


STATE = pytest.StashKey[GateState]()


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
    reports = Path(config.getoption("--sentinel-reports"))
    if not reports.is_absolute():
        reports = Path(config.invocation_params.dir) / reports
    config.stash[STATE] = GateState(
        config_option=config.getoption("--sentinel-config"),
        reports_dir=reports,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _state(config: pytest.Config) -> GateState:
    return config.stash[STATE]


def _load(config: pytest.Config) -> SentinelConfig:
    from sentinel_checks.config import find_config, load_config

    state = _state(config)
    if state.loaded is None:
        path = find_config(state.config_option, cwd=Path(config.invocation_params.dir))
        loaded = load_config(path)
        clash = inputs_inside(state.reports_dir, loaded.input_files())
        if clash:
            state.refused = clash_message(state.reports_dir, clash)
            raise ConfigError(state.refused)
        state.loaded = loaded
    return state.loaded


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Gate tests left out with -k/-m: a report of a partial gate must say so."""
    if items:
        state = items[0].config.stash.get(STATE, None)
        if state is not None:
            state.deselected += sum(
                1 for i in items if GATE_FIXTURES.intersection(getattr(i, "fixturenames", ()))
            )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Which suite files the gate ran (by file name), for the report's coverage."""
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    for item in session.items:
        if GATE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            state.suites.add(item.path.name)


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
    except SentinelError as exc:
        return [f"sentinel: config {path} is invalid: {str(exc).splitlines()[0]}"]
    from sentinel_checks.data.identity import data_fingerprints

    fp = data_fingerprints(cfg)
    state.data_fingerprint = fp
    shown = ", ".join(f"{k}={v[:19]}" for k, v in fp.items())
    return [f"sentinel: config {path}", f"sentinel: data {shown}; seed {cfg.gate.seed}"]


# --------------------------------------------------------------------------- fixtures


def _session(config: pytest.Config) -> GateSession:
    from sentinel_checks.gate.session import GateSession

    state = _state(config)
    if state.session is None:
        state.session = GateSession(_load(config))
    return state.session


def _get(read: Callable[[], Any]) -> Any:
    """An input of the session; an absent optional one skips the test."""
    from sentinel_checks.gate.session import NotConfigured

    try:
        return read()
    except NotConfigured as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def sentinel_session(request: pytest.FixtureRequest) -> GateSession:
    """The run's :class:`~sentinel_checks.gate.session.GateSession`: every input, loaded once."""
    return _session(request.config)


@pytest.fixture(scope="session")
def sentinel_config(request: pytest.FixtureRequest) -> SentinelConfig:
    return _load(request.config)


@pytest.fixture(scope="session")
def sentinel_dataset(sentinel_session: GateSession) -> Any:
    return sentinel_session.dataset


@pytest.fixture(scope="session")
def sentinel_features(sentinel_session: GateSession) -> list[str]:
    return sentinel_session.features


@pytest.fixture(scope="session")
def sentinel_splits(sentinel_session: GateSession) -> Any:
    return sentinel_session.splits


@pytest.fixture(scope="session")
def sentinel_split_labels(sentinel_session: GateSession) -> dict[str, Any]:
    return sentinel_session.split_labels


@pytest.fixture(scope="session")
def sentinel_production(sentinel_session: GateSession) -> Any:
    return _get(lambda: sentinel_session.production)


@pytest.fixture(scope="session")
def sentinel_candidate(sentinel_session: GateSession) -> Any:
    return _get(lambda: sentinel_session.candidate)


@pytest.fixture(scope="session")
def sentinel_champion(sentinel_session: GateSession) -> Any:
    return _get(lambda: sentinel_session.champion)


@pytest.fixture(scope="session")
def sentinel_candidate_eval(sentinel_session: GateSession) -> Any:
    """The candidate scored once on val, test and labelled production; threshold chosen."""
    return _get(lambda: sentinel_session.evaluation("candidate"))


@pytest.fixture(scope="session")
def sentinel_champion_eval(sentinel_session: GateSession) -> Any:
    return _get(lambda: sentinel_session.evaluation("champion"))


@pytest.fixture(scope="session")
def sentinel_baseline_evals(sentinel_session: GateSession) -> dict[str, Any]:
    """Baselines A and B trained on the same train split, evaluated like the candidate."""
    return _get(lambda: sentinel_session.baseline_evaluations)


@pytest.fixture(scope="session")
def sentinel_production_scores(sentinel_session: GateSession) -> Any:
    """The candidate's scores on every production row, labelled or not."""
    return _get(lambda: sentinel_session.production_scores)


@pytest.fixture(scope="session")
def sentinel_training_log(sentinel_session: GateSession) -> Any:
    return _get(lambda: sentinel_session.training_log)


class Gate:
    """Records check results for the reports and turns them into test outcomes."""

    def __init__(self, item: pytest.Item, state: GateState) -> None:
        self._item = item
        self._state = state

    def run(self, step: Callable[..., CheckResult], **params: Any) -> CheckResult:
        """Run a gate step (:mod:`sentinel_checks.gate.steps`) on this run's session and
        :meth:`check` its result; a step whose input is not configured skips."""
        __tracebackhide__ = True
        session = _session(self._item.config)
        return self.check(_get(lambda: step(session, **params)))

    def check(self, result: CheckResult) -> CheckResult:
        """Pass on PASS/WARN, skip on SKIP, fail (with the explanation) on FAIL/ERROR."""
        __tracebackhide__ = True
        from sentinel_checks.reports.explain import explain
        from sentinel_checks.result import Status

        self._state.results[self._item.nodeid] = result
        props = self._item.user_properties
        props.append(("sentinel.check", result.id))
        props.append(("sentinel.status", result.status.value))
        if result.measured is not None:
            props.append(("sentinel.measured", result.measured))
        if result.limit is not None:
            props.append(("sentinel.limit", result.limit))
        if result.status is Status.SKIP:
            pytest.skip(f"{result.label}: {result.message}")
        if not result.passed:
            pytest.fail(explain(result), pytrace=False)
        return result


@pytest.fixture
def gate(request: pytest.FixtureRequest) -> Gate:
    return Gate(request.node, _state(request.config))


# --------------------------------------------------------------------------- reporting


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not GATE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return report
    excinfo = call.excinfo
    sentinel_error = excinfo is not None and excinfo.errisinstance(SentinelError)
    if excinfo is not None and sentinel_error:
        # A bad input is the user's to fix: show the message, not pandas' stack.
        report.longrepr = f"{excinfo.typename}: {excinfo.value}"
    input_error = excinfo is not None and excinfo.errisinstance(INPUT_ERRORS)
    _record_outcome(item, report, sentinel_error=sentinel_error, input_error=input_error)
    return report


def _record_outcome(
    item: pytest.Item, report: pytest.TestReport, *, sentinel_error: bool = False, input_error: bool = False
) -> None:
    """What the reports say of a gate test. A SentinelError (raised while a fixture or a
    step loads an input) is an ``error``, like a failing fixture, not a judged
    ``failed``; ``input_error`` (a config, data or model-file error) makes it exit 2."""
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
        message = _short(report)
        state.outcomes[item.nodeid] = TestOutcome(
            item.nodeid,
            outcome,
            message,
            state.results.get(item.nodeid),
            input_error=input_error and report.failed,
        )


def _short(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    text = str(report.longrepr or "")
    return text.strip().splitlines()[-1] if text.strip() else ""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from sentinel_checks.data.identity import config_fingerprint, data_fingerprints, model_identities
    from sentinel_checks.gate.artefacts import write_gate_reports
    from sentinel_checks.reports.gate_report import GateRun

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
        state.refused = clash_message(state.reports_dir, clash) if clash else ""
    if state.refused:  # write nothing: an input could be overwritten
        state.summary = "gate ERROR, no report written: " + state.refused
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        return
    if cfg is not None and not state.data_fingerprint:
        state.data_fingerprint = data_fingerprints(cfg)
    run = GateRun(
        config_path=str(cfg.source) if cfg is not None else str(state.config_option),
        data=state.data_fingerprint,
        seed=cfg.gate.seed if cfg is not None else 0,
        outcomes=list(state.outcomes.values()),
        run_info={"started": state.started, "pytest_exitstatus": int(exitstatus)},
        models=model_identities(cfg, state.session.models if state.session else {})
        if cfg is not None
        else {},
        coverage={"suites": sorted(state.suites), "deselected": state.deselected},
        config_sha256=config_fingerprint(cfg) if cfg is not None else "",
    )
    written, note = write_gate_reports(run, state.session, state.reports_dir)
    state.summary = note + f"gate {run.verdict.upper()}; reports: " + ", ".join(str(p) for p in written)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    state = terminalreporter.config.stash.get(STATE, None)
    if state is not None and state.summary:
        terminalreporter.write_sep("-", "sentinel")
        terminalreporter.write_line(state.summary)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``sentinel_entity_column`` / ``sentinel_segment_column`` over the
    configured entity / segment columns.

    With no config yet (or an invalid one) the test gets ``None`` and its fixtures
    raise the configuration error in the test's own report.
    """
    lists: dict[str, Callable[[SentinelConfig], list[str]]] = {
        "sentinel_entity_column": lambda c: c.columns.entities,
        "sentinel_segment_column": lambda c: c.columns.segments,
        "sentinel_feature_pair": lambda c: c.drift.feature_pairs,
        "sentinel_label_pair": lambda c: c.drift.label_pairs,
        "sentinel_score_pair": lambda c: c.drift.score_pairs,
        "sentinel_drift_segment_column": lambda c: c.drift.segment_columns,
        "sentinel_promotion_split": lambda c: list(c.promotion.splits),
    }
    for name, values_of in lists.items():
        if name not in metafunc.fixturenames:
            continue
        try:
            values: list[str | None] = list(values_of(_load(metafunc.config)))
        except SentinelError:
            values = []
        metafunc.parametrize(name, values or [None], ids=[str(v) for v in values] or ["none"])
