"""What a run the preflight stopped shows and writes: the terminal's list of problems,
one gate-report entry per problem (``sentinel preflight::<key>``, exit 2) and the
reports that replace an earlier run's (:mod:`sentinel_checks.gate.preflight` finds the
problems)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sentinel_checks.gate.preflight import NOT_CHECKED, SetupProblem

if TYPE_CHECKING:
    from sentinel_checks.errors import SentinelError
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.reports.gate_report import TestOutcome


def counted(problems: Sequence[SetupProblem]) -> list[SetupProblem]:
    """The problems, without the notes of what was not checked because of them."""
    return [p for p in problems if p.about != NOT_CHECKED]


def unchecked_notes(problems: Sequence[SetupProblem]) -> tuple[str, ...]:
    """What the problems kept from being checked (``about == NOT_CHECKED``), as the run's
    notes: ``"(not checked) <key>: <why>"``, in gate.json and gate.md on either path."""
    return tuple(f"(not checked) {p}" for p in problems if p.about == NOT_CHECKED)


def engine_not_checked(session: GateSession, problems: Sequence[SetupProblem]) -> list[SetupProblem]:
    """The note (``about == NOT_CHECKED``, under ``[engine.*]``) that the engine was not
    started, or, when it was to read the data where it lies, that holding the splits
    was not tried, because ``problems`` already stop the run. When connecting it was
    tried and failed (cached), that failure is the problem told instead (review: a bad
    ``temp_directory`` beside a misspelt column was hidden until the next run)."""
    from sentinel_checks.gate.cache import Failed
    from sentinel_checks.gate.engine_setup import ENGINE_NAMES, engine_key, engine_problems
    from sentinel_checks.gate.preflight import stopped_by_text

    if isinstance(session._cache.get("engine_connection"), Failed):
        return engine_problems(session)  # raises nothing new: the cached failure, worded

    engine = session.config.data.engine
    name = ENGINE_NAMES.get(engine, engine)
    skipped = "holding the splits not tried" if "engine_connection" in session._cache else "not started"
    why = stopped_by_text(len(counted(problems)))
    return [SetupProblem(engine_key(session.config), f"{name} {skipped}: {why}", NOT_CHECKED)]


def config_problems(error: SentinelError) -> list[SetupProblem]:
    """A configuration that cannot be found, read or validated, as setup problems: one per
    key of an invalid config (:attr:`~sentinel_checks.errors.ConfigError.located`, counted
    and listed as the preflight's own problems are), else the whole message as one."""
    from sentinel_checks.errors import ConfigError

    if isinstance(error, ConfigError) and error.located:
        return [SetupProblem(key, message) for key, message in error.located]
    return [SetupProblem("configuration", str(error))]


def preflight_text(problems: Sequence[SetupProblem], config: object) -> str:
    """What the terminal shows: a heading naming the config, then one item per problem.

    Parameters
    ----------
    problems : sequence of SetupProblem
        As :func:`preflight` returns them (not empty).
    config : path-like or str
        The configuration file, named in the heading.

    Returns
    -------
    str
        Lines without a trailing newline; a problem's further lines are indented.
    """
    real = counted(problems)
    n = len(real)
    lines = [f"sentinel: {n} setup problem{'s' if n != 1 else ''} in {config}; nothing was judged:"]
    for problem in real:
        first, *rest = str(problem).splitlines()
        lines.append(f"  - {first}")
        lines += [f"    {line}" for line in rest]
    lines += [f"  (not checked) {p}" for p in problems if p.about == NOT_CHECKED]
    return "\n".join(lines)


def problem_outcomes(problems: Sequence[SetupProblem]) -> list[TestOutcome]:
    """The problems as gate-report entries: one ``error`` per problem, an input error
    (so the run exits 2), under the node id ``sentinel preflight::<key>``.

    Parameters
    ----------
    problems : sequence of SetupProblem

    Returns
    -------
    list of TestOutcome
        In the order given; a key found again is numbered to stay unique
        (``sentinel preflight::[columns] timestamp (2)``; a ``'`` was appended, read as a
        stray quote: trial).
    """
    from sentinel_checks.reports.gate_report import TestOutcome

    outcomes: dict[str, TestOutcome] = {}
    for problem in counted(problems):
        base = nodeid = f"sentinel preflight::{problem.key}"
        found = 1
        while nodeid in outcomes:
            found += 1
            nodeid = f"{base} ({found})"
        outcomes[nodeid] = TestOutcome(nodeid, "error", str(problem), None, input_error=True)
    return list(outcomes.values())


def write_setup_reports(
    problems: Sequence[SetupProblem], session: GateSession, reports_dir: Path, *, started: str
) -> list[Path]:
    """Write the reports of a run the preflight stopped (gate.json, gate.md, run.json,
    gate.html), so that no earlier report is taken for this run's.

    Parameters
    ----------
    problems : sequence of SetupProblem
        What :func:`preflight` found (not empty).
    session : GateSession
        The session it looked at (its config and the models it loaded).
    reports_dir : Path
        The reports folder (already checked to hold no input file).
    started : str
        When the run started (ISO 8601), for run.json.

    Returns
    -------
    list of Path
        The files written.
    """
    import dataclasses

    from sentinel_checks.gate.artefacts import write_gate_reports
    from sentinel_checks.gate.run_record import gate_run

    run = gate_run(
        session.config,
        problem_outcomes(problems),
        coverage={"suites": [], "deselected": 0},
        session=session,
        run_info={"started": started, "pytest_exitstatus": None, "stopped_by": "preflight"},
    )
    # what the problems kept from being checked, in gate.json's notes and gate.md (trial)
    run = dataclasses.replace(run, notes=(*run.notes, *unchecked_notes(problems)))
    written, _ = write_gate_reports(run, session, reports_dir)
    return written
