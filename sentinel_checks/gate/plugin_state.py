"""The pytest plugin's per-session state (in ``config.stash``) and the names of the
fixtures that make a test a gate test, shared by :mod:`.plugin` and :mod:`.plugin_reports`;
the plugin object that hands an already loaded session to a run (:class:`SessionHandOver`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.data.identity import DataIdentity
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


def is_gate_item(item: Any) -> bool:
    """Whether the pytest item is a gate check: it requests one of :data:`GATE_FIXTURES`."""
    return bool(GATE_FIXTURES.intersection(getattr(item, "fixturenames", ())))


@dataclass
class GateState:
    """Per-session state of the plugin, kept in ``config.stash``."""

    config_option: str | None
    reports_dir: Path
    #: the config file this run reads (``--sentinel-config``, else found by
    #: :func:`~sentinel_checks.config.find_config`), once looked up; named in the
    #: reports when the option was not given (review: gate.json said "None")
    found: Path | None = None
    results: dict[str, CheckResult] = field(default_factory=dict)
    outcomes: dict[str, TestOutcome] = field(default_factory=dict)
    loaded: SentinelConfig | None = None
    data_identity: DataIdentity | None = None  # computed once, by the report header
    started: str = ""
    summary: str = ""
    session: GateSession | None = None  # the run's inputs, loaded once (gate steps)
    deselected: int = 0
    order: dict[str, int] = field(
        default_factory=dict
    )  # collection order, when the drift tests were moved last
    suites: set[str] = field(default_factory=set)
    refused: str = ""  # why nothing may be written to reports_dir (it holds an input)
    #: why nothing may be written to reports_dir as pytest started: the user's own files
    #: under the names of the gate's reports (:func:`~.pytest_run.foreign_refusal`)
    foreign: str = ""
    #: what the preflight's problems kept from being checked, as gate.json's notes
    #: (:func:`~.preflight_report.unchecked_notes`; trial: only ``sentinel gate`` had them)
    unchecked: tuple[str, ...] = ()
    #: pytest's UsageError raised while collecting (an unknown ``-m`` marker under
    #: ``--strict-markers``): the reason the collected gate tests did not run
    usage_error: str = ""
    #: shipped checks a team function replaced (:mod:`.suite_integrity`)
    replaced: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (file name, test name) of the items -k/-m deselected (pytest_deselected)
    deselected_names: set[tuple[str, str]] = field(default_factory=set)


STATE = pytest.StashKey[GateState]()


def state_of(config: pytest.Config) -> GateState:
    """This run's :class:`GateState` (set by ``pytest_configure``)."""
    return config.stash[STATE]


class SessionHandOver:
    """A plugin object for ``pytest.main(..., plugins=[SessionHandOver(session)])``: the
    run uses ``session`` (inputs already loaded, e.g. by ``sentinel gate``'s preflight)
    instead of loading them again."""

    def __init__(self, session: GateSession) -> None:
        self.session = session

    @pytest.hookimpl(trylast=True)  # after this plugin's pytest_configure made the state
    def pytest_configure(self, config: pytest.Config) -> None:
        state_of(config).session = self.session
