"""The whole gate in process, without pytest: every step of the shipped suites, once.

:func:`plan` lists the same tests, with the same ids, as pytest collects from the
shipped suites for a config (a test keeps the two equal); :func:`run_plan` runs
them over one :class:`GateSession` and returns the outcomes pytest would have
recorded, so :func:`gate_run_in_process` gives the same ``gate.json``. The
self-test, the experiments and the library's tests use it to get a verdict
without starting a pytest session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from sentinel_checks.data.splits import SPLIT_NAMES, SPLIT_PAIRS
from sentinel_checks.errors import INPUT_ERRORS, SentinelError
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession, NotConfigured

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.reports.gate_report import GateRun, TestOutcome
    from sentinel_checks.result import CheckResult

#: The shipped suite files, in the order pytest runs them.
SUITE_FILES = (
    "test_data_contract.py",
    "test_drift.py",
    "test_models.py",
    "test_promotion.py",
    "test_quality.py",
    "test_splits.py",
    "test_training.py",
)


@dataclass(frozen=True)
class PlannedTest:
    """One gate test: its pytest node id and the step call behind it."""

    nodeid: str
    call: Callable[[GateSession], CheckResult]


def _ids(values: Sequence[str | None]) -> list[tuple[str | None, str]]:
    """A config-driven parameter as pytest's plugin parametrizes it: the values, or one ``None``."""
    return [(v, str(v)) for v in values] if values else [(None, "none")]


def _entity_ids(values: Sequence[str | list[str]]) -> list[tuple[str | list[str] | None, str]]:
    """``[columns] entities`` as the plugin parametrizes them: a composite id by its name."""
    from sentinel_checks.entities import entity_name

    return [(v, entity_name(v)) for v in values] if values else [(None, "none")]


def plan(config: SentinelConfig, *, prefix: str = "suites/") -> list[PlannedTest]:
    """Every test of the shipped suites for ``config``, in pytest's order and with its ids.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; its entity, segment, drift-pair and promotion
        lists parametrize the tests as the pytest plugin does.
    prefix : str
        What precedes the suite file name in a node id (pytest's path relative to
        its root directory).

    Returns
    -------
    list of PlannedTest
    """
    c, d = config.columns, config.drift
    pair_id = {p: f"{p[0]}-{p[1]}" for p in SPLIT_PAIRS}
    tests: dict[str, list[tuple[str, Callable[[GateSession], CheckResult]]]] = {
        "test_data_contract.py": [
            ("test_dataset_matches_contract", steps.dataset_contract),
            ("test_production_matches_contract", steps.production_contract),
            *[
                (f"test_split_has_both_classes[{s}]", partial(steps.split_labels, split=s))
                for s in SPLIT_NAMES
            ],
        ],
        "test_drift.py": [
            *[
                (f"test_features_have_not_drifted[{i}]", partial(steps.feature_drift, pair=p))
                for p, i in _ids(d.feature_pairs)
            ],
            *[
                (
                    f"test_features_have_not_drifted_within_segments[{pi}-{ci}]",
                    partial(steps.feature_drift_in_segments, column=col, pair=p),
                )
                for p, pi in _ids(d.feature_pairs)
                for col, ci in _ids(d.segment_columns)
            ],
            *[
                (f"test_prevalence_has_not_shifted[{i}]", partial(steps.label_drift, pair=p))
                for p, i in _ids(d.label_pairs)
            ],
            *[
                (f"test_scores_have_not_shifted[{i}]", partial(steps.score_drift, pair=p))
                for p, i in _ids(d.score_pairs)
            ],
            ("test_calibration_has_not_drifted", steps.calibration_drift),
        ],
        "test_models.py": [
            (
                f"test_model_scores_the_data[{split}-{role}]",
                partial(steps.model_scores, role=role, split=split),
            )
            for role in ("candidate", "champion")
            for split in ("val", "test", "production")
        ],
        "test_promotion.py": [
            (f"test_candidate_may_replace_the_champion[{i}]", partial(steps.vs_champion, split=split))
            for split, i in _ids(list(config.promotion.splits))
        ],
        "test_quality.py": [
            ("test_threshold_is_chosen_for_the_target_recall", steps.threshold),
            *[
                (f"test_recall_of_the_risky_class_meets_its_floor[{s}]", partial(steps.recall, split=s))
                for s in steps.JUDGED_SPLITS
            ],
            *[
                (f"test_precision_meets_its_floor[{s}]", partial(steps.precision, split=s))
                for s in steps.JUDGED_SPLITS
            ],
            *[
                (f"test_ranking_quality_meets_its_floor[{s}]", partial(steps.ranking, split=s))
                for s in steps.JUDGED_SPLITS
            ],
            ("test_test_scores_are_not_too_good_to_be_true", steps.too_good),
            ("test_test_is_not_much_worse_than_validation", steps.val_test_gap),
            *[
                (f"test_scores_are_calibrated[{s}]", partial(steps.calibration, split=s))
                for s in steps.JUDGED_SPLITS
            ],
            *[
                (
                    f"test_recall_holds_in_every_segment[{ci}-{s}]",
                    partial(steps.segments, column=col, split=s),
                )
                for col, ci in _ids(c.segments)
                for s in steps.JUDGED_SPLITS
            ],
            ("test_candidate_is_not_worse_than_simple_baselines", steps.baselines),
        ],
        "test_splits.py": [
            *[
                (f"test_splits_are_time_ordered[{pair_id[p]}]", partial(steps.time_order, pair=p))
                for p in SPLIT_PAIRS
            ],
            *[
                (
                    f"test_no_entity_on_two_sides[{ci}-{pair_id[p]}]",
                    partial(steps.entity_overlap, column=col, pair=p),
                )
                for col, ci in _entity_ids(c.entities)
                for p in SPLIT_PAIRS
            ],
            ("test_purge_keeps_the_splits", steps.purge),
            *[
                (f"test_no_identical_rows_across_splits[{pair_id[p]}]", partial(steps.row_overlap, pair=p))
                for p in SPLIT_PAIRS
            ],
            ("test_no_feature_predicts_the_label_alone", steps.target_leakage),
        ],
        "test_training.py": [("test_training_curves_are_healthy", steps.training_curves)],
    }
    return [
        PlannedTest(f"{prefix}{suite}::{name}", call) for suite in SUITE_FILES for name, call in tests[suite]
    ]


def outcome_of(
    nodeid: str, call: Callable[[], CheckResult], *, engine: str | None = None, spill_folder_set: bool = False
) -> TestOutcome:
    """Run one step and record it as the pytest plugin records a gate test.

    A skipped result or an absent input is ``skipped``; a failed or errored check is
    ``failed`` with the last line of its explanation; a bad input is ``error`` with
    the error's type and message; any other exception is ``error`` too (the gate
    never passes on it).

    Parameters
    ----------
    nodeid : str
        The pytest node id the outcome is recorded under, e.g.
        ``"suites/test_quality.py::test_recall_floor[test]"``.
    call : callable
        The step, with the session and its parameters bound; takes no argument and
        returns a :class:`~sentinel_checks.result.CheckResult`.
    engine : str, optional
        ``[data] engine``, which words an engine out of memory
        (:func:`~sentinel_checks.gate.engine_setup.out_of_memory_text`); told from the
        error when not given.
    spill_folder_set : bool, default False
        DuckDB's ``temp_directory`` is set: the fix asks for room there, not to set it.

    Returns
    -------
    TestOutcome
        The outcome; this function raises nothing (every exception becomes an ``error``).
    """
    from sentinel_checks.reports.explain import explain
    from sentinel_checks.reports.gate_report import TestOutcome
    from sentinel_checks.result import Status

    try:
        result = call()
    except NotConfigured as exc:
        return TestOutcome(nodeid, "skipped", f"Skipped: {exc}")
    except SentinelError as exc:
        message = _last_line(f"{type(exc).__name__}: {exc}")
        return TestOutcome(nodeid, "error", message, input_error=isinstance(exc, INPUT_ERRORS))
    except Exception as exc:  # a bug or a library failure: an error, never a pass (as the plugin records it)
        from sentinel_checks.gate.engine_setup import out_of_memory_text

        # the engine's memory: the user's setting to fix (exit 2)
        told = out_of_memory_text(exc, engine, spill_folder_set=spill_folder_set)
        if told is not None:
            return TestOutcome(nodeid, "error", told, input_error=True)
        return TestOutcome(nodeid, "error", _last_line(f"{type(exc).__name__}: {exc}"))
    if result.status is Status.SKIP:
        return TestOutcome(nodeid, "skipped", f"Skipped: {result.label}: {result.message}", result)
    if result.passed:
        return TestOutcome(nodeid, "passed", "", result)
    return TestOutcome(nodeid, "failed", _last_line(explain(result)), result)


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def run_plan(session: GateSession, tests: Sequence[PlannedTest]) -> list[TestOutcome]:
    """Run planned tests over one session, in order.

    Parameters
    ----------
    session : GateSession
        The inputs, loaded once and shared by every test.
    tests : sequence of PlannedTest
        The tests, as :func:`plan` lists them.

    Returns
    -------
    list of TestOutcome
        One outcome per test, in the order given (see :func:`outcome_of`); when a test
        errors and Spark's driver JVM has ended, the tests after it are not run and one
        entry says so (:func:`~sentinel_checks.gate.engine_stop.engine_ended_stop`).
    """
    from sentinel_checks.gate.engine_setup import memory_setting
    from sentinel_checks.gate.engine_stop import engine_ended_stop

    engine, spill = memory_setting(session.config)
    outcomes = []
    for i, t in enumerate(tests):
        outcome = outcome_of(
            t.nodeid, partial(_decided, t.call, session), engine=engine, spill_folder_set=spill
        )
        outcomes.append(outcome)
        if outcome.outcome != "error":
            continue
        stop = engine_ended_stop(t.nodeid, [u.nodeid for u in tests[i + 1 :]])
        if stop is not None:  # Spark's driver JVM ended: the later tests could only repeat it
            outcomes.append(stop)
            break
    return outcomes


def _decided(call: Callable[[GateSession], CheckResult], session: GateSession) -> CheckResult:
    return session.decided(call(session))


def gate_run_in_process(config: SentinelConfig, *, prefix: str = "suites/") -> tuple[GateRun, GateSession]:
    """Run every step of the gate on ``config`` in this process.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration.
    prefix : str, optional
        Prefix of the node ids (the folder the shipped suites are collected from).

    Returns
    -------
    (GateRun, GateSession)
        The run as the reports need it (``verdict``, outcomes with their check
        results; the same ``gate.json`` as ``pytest suites/``) and the session, whose
        evaluations, drift runs and comparisons feed the figures.

    Raises
    ------
    DataError
        A configured data file cannot be fingerprinted (missing or unreadable).

    Notes
    -----
    Bad inputs met by a step do not raise: they are recorded as ``error`` outcomes
    (see :func:`outcome_of`).
    """
    from sentinel_checks.gate.engine_stop import stopped_info
    from sentinel_checks.gate.run_record import gate_run

    session = GateSession(config)
    try:
        outcomes = run_plan(session, plan(config, prefix=prefix))
    finally:
        session.close()  # a Spark session the gate built stops here
    coverage = {"suites": list(SUITE_FILES), "deselected": 0}
    info = stopped_info(outcomes)
    return gate_run(config, outcomes, coverage=coverage, session=session, run_info=info), session
