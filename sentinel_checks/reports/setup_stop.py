"""What gate.md and gate.html say of a run stopped before judging the model (verdict
``setup_error``): why it stopped, each problem once with the gate tests it stopped, and
the preflight's "(not checked)" notes, apart from the run's other notes."""

from __future__ import annotations

from sentinel_checks.reports.gate_report import GateRun, TestOutcome

#: Gate tests named beside one problem; past them, "and N more".
NAMED_TESTS = 5


def interrupted(run: GateRun) -> bool:
    """Whether the run was interrupted (Ctrl-C, a CI job's cancellation) before any check."""
    return run.run_info.get("stopped_by") == "interrupted"


def intro(run: GateRun) -> str:
    """The sentence before the list: interrupted, or setup problems to fix (exit code)."""
    code = run.run_info.get("exit_code", 2)
    if interrupted(run):
        return f"The run was interrupted before any check ran (exit {code}): the model was not judged."
    return (
        "The configuration, data, model files or command line have problems the gate found "
        f"before judging the model (exit {code}). Fix them and run again:"
    )


def stopped_by_setup(run: GateRun, o: TestOutcome) -> bool:
    """Whether ``o`` is one of the tests a setup problem stopped: a failed or errored test
    of a run whose verdict is ``setup_error`` (every such test failed on a bad input, and
    none judged the model)."""
    return o.outcome in ("failed", "error") and run.verdict == "setup_error"


def problem_sources(run: GateRun) -> list[tuple[str, list[str], int]]:
    """Each of :attr:`GateRun.setup_problems` with the first :data:`NAMED_TESTS` gate tests
    it stopped and how many more (none for the preflight's own entries, whose message
    names its key). Trial: four near-identical "ran out of memory in this check" bullets
    did not say which checks."""
    tests: dict[str, list[str]] = {}
    for o in run.outcomes:
        if o.outcome in ("failed", "error") and not o.nodeid.startswith("sentinel preflight::"):
            tests.setdefault(o.message, []).append(o.nodeid.rpartition("::")[2] or o.nodeid)
    out = []
    for message in run.setup_problems:
        names = list(dict.fromkeys(tests.get(message, [])))
        out.append((message, names[:NAMED_TESTS], max(len(names) - NAMED_TESTS, 0)))
    return out


def unchecked_notes(run: GateRun) -> list[str]:
    """On a setup stop, the preflight's "(not checked)" notes (what the problems kept from
    being checked), listed with the problems; else none."""
    if run.verdict != "setup_error":
        return []
    return [note for note in run.notes if note.startswith("(not checked)")]


def other_notes(run: GateRun) -> list[str]:
    """The run's notes not listed with the problems (all of them unless a setup stop)."""
    listed = unchecked_notes(run)
    return [note for note in run.notes if note not in listed]
