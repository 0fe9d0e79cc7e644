"""The pytest plugin's fixtures: the run's inputs, session-scoped and computed once, and
the per-test ``gate`` recorder (:class:`Gate`).

``sentinel_config``        the validated :class:`~sentinel_checks.config.SentinelConfig`
``sentinel_session``       the run's :class:`~sentinel_checks.gate.session.GateSession`
``sentinel_dataset``, ``sentinel_features``, ``sentinel_splits``, ``sentinel_split_labels``,
``sentinel_production``, ``sentinel_candidate``, ``sentinel_champion``, the evaluations,
``sentinel_production_scores``, ``sentinel_training_log``: as their docstrings say; an
input that is not configured skips the test that asks for it.

:mod:`sentinel_checks.gate.plugin` registers this module as a plugin of its own when
pytest configures (with :func:`pytest_generate_tests`, which parametrizes the per-column
and per-pair suites); the config is read when first needed (:func:`load_config_of`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sentinel_checks.errors import ConfigError, SentinelError
from sentinel_checks.gate.artefacts import mark_reports_folder
from sentinel_checks.gate.plugin_state import GateState
from sentinel_checks.gate.plugin_state import state_of as _state
from sentinel_checks.gate.pytest_run import clash_message, inputs_inside

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.result import CheckResult


def load_config_of(config: pytest.Config) -> SentinelConfig:
    """The run's configuration, read and checked once (``--sentinel-config``, else found as
    :func:`~sentinel_checks.config.find_config` finds it); a reports folder holding an input
    or the user's own files is refused here, before anything is written to it.

    Raises
    ------
    ConfigError
        Not found, invalid, or the reports folder refused.
    """
    from sentinel_checks.config import find_config, load_config

    state = _state(config)
    if state.loaded is None:
        path = find_config(state.config_option, cwd=Path(config.invocation_params.dir))
        state.found = path
        clear = not hasattr(config, "workerinput")  # a pytest-xdist worker leaves it to the controller
        try:
            loaded = load_config(path, check_files=False)  # a missing file: a preflight problem
        except ConfigError:  # the stop's report replaces the earlier run's, as `sentinel gate`'s does
            _claim_reports_folder(state, [path], clear=clear)
            raise
        if not _claim_reports_folder(state, loaded.input_files(), clear=clear):
            raise ConfigError(state.refused)
        state.loaded = loaded
    return state.loaded


def _claim_reports_folder(state: GateState, inputs: list[Path], *, clear: bool) -> bool:
    """Whether the reports folder may be written (it holds none of ``inputs`` and none of
    the user's own files under the gate's names; else ``state.refused`` says why). When
    it may, an earlier run's reports are removed
    (:func:`~sentinel_checks.gate.artefacts.clear_earlier_run`: stop 46, a setup stop's
    gate.json sat beside an earlier run's passing junit.xml and promotion.md) and the
    folder is marked the gate's, before pytest's junit.xml (review: a run stopped before
    its gate.json left a lone junit.xml, and every later run refused the folder); not
    when ``clear`` is false (a pytest-xdist worker: the controller writes the reports). A
    folder that cannot be written is told when the reports are written."""
    from sentinel_checks.gate.artefacts import clear_earlier_run

    clash = inputs_inside(state.reports_dir, inputs)
    refusal = clash_message(state.reports_dir, clash) if clash else state.foreign
    if refusal:
        state.refused = refusal
        return False
    if clear:
        with contextlib.suppress(OSError):  # a file that cannot be removed is overwritten or stays
            clear_earlier_run(state.reports_dir)
        with contextlib.suppress(OSError):
            mark_reports_folder(state.reports_dir)
    return True


def session_of(config: pytest.Config) -> GateSession:
    """The run's session, made on first use from :func:`load_config_of`."""
    from sentinel_checks.gate.session import GateSession

    state = _state(config)
    if state.session is None:
        state.session = GateSession(load_config_of(config))
    return state.session


def _get(read: Callable[[], Any]) -> Any:
    """An input of the session; an absent optional one skips the test."""
    from sentinel_checks.gate.session import NotConfigured
    from sentinel_checks.gate.waivers import skip_nothing_to_judge

    try:
        return read()
    except NotConfigured as exc:
        skip_nothing_to_judge(str(exc))


@pytest.fixture(scope="session")
def sentinel_session(request: pytest.FixtureRequest) -> GateSession:
    """The run's :class:`~sentinel_checks.gate.session.GateSession`: every input, loaded once."""
    return session_of(request.config)


@pytest.fixture(scope="session")
def sentinel_config(request: pytest.FixtureRequest) -> SentinelConfig:
    return load_config_of(request.config)


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
        session = session_of(self._item.config)
        return self.check(_get(lambda: session.decided(step(session, **params))))

    def check(self, result: CheckResult) -> CheckResult:
        """Pass on PASS/WARN, skip on SKIP, fail (with the explanation) on FAIL/ERROR."""
        __tracebackhide__ = True
        from sentinel_checks.reports.explain import explain
        from sentinel_checks.reports.gate_report import interval_entry
        from sentinel_checks.result import Status

        earlier = self._state.results.get(self._item.nodeid)
        # a test's first blocking result stays (review: a wrapper catching a failed check,
        # then recording a passing one, hid the failure)
        if earlier is None or earlier.passed or earlier.status is Status.SKIP:
            self._state.results[self._item.nodeid] = result
        props = self._item.user_properties
        props.append(("sentinel.check", result.id))
        props.append(("sentinel.status", result.status.value))
        if result.measured is not None:
            props.append(("sentinel.measured", result.measured))
        if result.limit is not None:
            props.append(("sentinel.limit", result.limit))
        # judged on an interval: its ends, and the criterion that decided (gate.json's own)
        for key, value in interval_entry(result).get("interval", {}).items():
            props.append((f"sentinel.interval.{key}", value))
        if result.status is Status.SKIP:
            from sentinel_checks.gate.waivers import skip_nothing_to_judge

            skip_nothing_to_judge(f"{result.label}: {result.message}")
        if not result.passed:
            pytest.fail(explain(result), pytrace=False)
        return result


@pytest.fixture
def gate(request: pytest.FixtureRequest) -> Gate:
    return Gate(request.node, _state(request.config))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``sentinel_entity_column`` / ``sentinel_segment_column`` over the
    configured entity / segment columns.

    With no config yet (or an invalid one) the test gets ``None`` and its fixtures
    raise the configuration error in the test's own report.
    """
    from sentinel_checks.entities import entity_name

    lists: dict[str, Callable[[SentinelConfig], list[Any]]] = {
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
            values: list[Any] = list(values_of(load_config_of(metafunc.config)))
        except SentinelError:
            values = []
        ids = [entity_name(v) if isinstance(v, list) else str(v) for v in values]  # a composite id by name
        metafunc.parametrize(name, values or [None], ids=ids or ["none"])
