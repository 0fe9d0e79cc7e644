"""The terminal's summary after a gate run: counts by runbook phase, root cause first,
one line per failure (measured vs limit, with units), every inconclusive result and
warning in gate.md's words, and the verdict.

Printed by the pytest plugin at the end of ``pytest suites/`` and ``sentinel gate``.
Uses the phase order and root-cause order gate.html uses
(:mod:`sentinel_checks.reports.phases`, :func:`~sentinel_checks.reports.html_cards.root_cause_order`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sentinel_checks.reports.explain import what_would_settle
from sentinel_checks.reports.gate_report import COUNT_KEYS, GateRun, TestOutcome, count_key
from sentinel_checks.reports.html_cards import bucket, name_of, root_cause_order
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.reports.phases import PHASES, phase_of
from sentinel_checks.result import CheckResult

#: What the terminal prints of each verdict (``setup_error``: the preflight stopped it).
VERDICT_WORDS = {
    "pass": "gate PASS",
    "fail": "gate FAIL",
    "no_checks": "gate NO CHECKS RAN",
    "setup_error": "gate not run: setup error",
}


def block_inconclusive_text(value: Sequence[str] | None) -> str:
    """The ``[gate] block_inconclusive`` setting in words, with its current value.

    Examples
    --------
    >>> block_inconclusive_text(())
    '[gate] block_inconclusive lists no check: inconclusive results do not block'
    >>> block_inconclusive_text(["quality.recall"])
    '[gate] block_inconclusive lists quality.recall: those block when inconclusive'
    """
    if value is None:
        return "[gate] block_inconclusive decides which inconclusive results block"
    if not value:
        return "[gate] block_inconclusive lists no check: inconclusive results do not block"
    return f"[gate] block_inconclusive lists {', '.join(value)}: those block when inconclusive"


def counts_text(outcomes: Sequence[TestOutcome]) -> str:
    """``"1 failed, 1 error, 2 warned, 8 passed"``: the non-zero status buckets, in
    gate.html's order, an error (a check that could not measure, a test that errored)
    counted apart from a judged failure though both block."""
    counts: dict[str, int] = {}
    for o in outcomes:
        key = count_key(o)  # gate.json's counts use the same keys
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(
        f"{counts[key]} {key + 's' if key == 'error' and counts[key] > 1 else key}"
        for key in COUNT_KEYS
        if counts.get(key)
    )


def pytest_count_line(outcomes: Sequence[TestOutcome]) -> str:
    """Why pytest's own count differs from the gate's: the inconclusive (and warned)
    checks pytest passed; ``""`` when there are none.

    >>> from sentinel_checks.result import CheckResult, Status
    >>> r = CheckResult("quality.recall", Status.INCONCLUSIVE, "m")
    >>> pytest_count_line([TestOutcome("t", "passed", result=r)])
    "pytest's count above includes the 1 inconclusive check as passed"
    """
    passed = [bucket(o) for o in outcomes if o.outcome == "passed"]
    counts = [(passed.count(key), key) for key in ("inconclusive", "warn")]
    shown = [f"{n} {'warned' if key == 'warn' else key}" for n, key in counts if n]
    if not counts[0][0]:  # warned alone: the counts read as the same words, nothing puzzles
        return ""
    total = sum(n for n, _ in counts)
    return (
        f"pytest's count above includes the {' and '.join(shown)} check{'s' if total > 1 else ''} as passed"
    )


def flagged_line(o: TestOutcome) -> str:
    """One line for a failed, inconclusive or warned test.

    A failure: its label and measured vs limit (pytest printed the explanation above);
    a test that failed after its check passed (warned, was skipped): pytest's reason.
    An error: its message (why nothing was measured), then any number it has.
    An inconclusive result: also its message, whether it blocks and what would settle
    it. A warning: its message, as gate.md gives it.
    """
    if o.result is None:
        return f"{o.nodeid} {o.outcome.upper()}: {_first_line(o.message)}"
    r: CheckResult = o.result
    kind = bucket(o)
    if o.failed_after_check:  # the check's words would read as a pass: pytest's reason
        return f"{r.label} FAIL {o.after_check}: {_first_line(o.failed_after_check)}"
    if kind == "fail" and r.status.value == "error":
        shown = measured_as(r)  # the reason first: "not measured" alone says nothing
        return f"{r.label} ERROR: {r.message}" + ("" if shown == "not measured" else f" ({shown})")
    if kind == "fail":
        # a failed check pytest counted as xfailed or passed: it still blocks (trial)
        counted = (
            f" ({o.waiver})"
            if o.waiver
            else ""
            if o.outcome in ("failed", "error")
            else " (pytest did not count it as failed; it blocks the gate)"
        )
        return f"{r.label} FAIL: {measured_as(r)}{counted}"
    if kind == "inconclusive":
        # a message that says what settles it already is not told it twice (trial)
        settle = "" if "settling it needs" in r.message else what_would_settle(r)
        blocks = "blocks" if r.inconclusive_blocks else "does not block"
        told = "; ".join(x for x in (measured_as(r), settle, blocks) if x)
        return f"{r.label} INCONCLUSIVE: {r.message} ({told})"
    return f"{r.label} WARN: {r.message} ({measured_as(r)})"


def summary_lines(run: GateRun) -> list[str]:
    """The summary, phase by phase in root-cause order, then the verdict.

    Parameters
    ----------
    run : GateRun
        The gate's outcomes (and ``block_inconclusive``, named when a result is inconclusive).

    Returns
    -------
    list of str
        A line per runbook phase that ran (``"Data & splits: 1 failed, 8 passed"``), under
        it an indented line per failed, inconclusive or warned test, then the purge report
        when rows were purged, and the verdict line last.
    """
    if run.verdict == "setup_error":
        return setup_error_lines(run)
    ordered = root_cause_order(run.outcomes)
    lines: list[str] = []
    for phase in PHASES:
        mine = [o for o in ordered if phase_of(name_of(o)) == phase]
        if not mine:
            continue
        lines.append(f"{phase.title}: {counts_text(mine)}")
        lines += [f"  {flagged_line(o)}" for o in mine if bucket(o) in ("fail", "inconclusive", "warn")]
        lines += [f"  {o.result.label} PASS: {o.result.message}" for o in mine if _purged(o) and o.result]
    if any(bucket(o) == "inconclusive" for o in run.outcomes):
        lines.append(block_inconclusive_text(run.block_inconclusive))
    lines += _skip_reasons(run.outcomes)
    unrun = f": {run.checks_not_run}" if run.checks_not_run else ""  # "gate FAIL: 31 checks were not run (…)"
    partial = f" — {run.partial}" if run.partial else ""  # trial: a partial gate read "PASS"
    lines.append(f"{VERDICT_WORDS[run.verdict]}{unrun}{partial} ({counts_text(run.outcomes) or 'no tests'})")
    return lines


def setup_error_lines(run: GateRun) -> list[str]:
    """A run stopped by bad inputs: one verdict line (never "gate FAIL": the model was
    not judged; the exit code is 2), naming the checks a stopped engine left unrun. A
    problem a check raised is listed above it once, with the tests it stopped; the
    preflight printed its own."""
    from sentinel_checks.reports.setup_stop import problem_sources

    judged = any(o.result is not None for o in run.outcomes)
    line = setup_error_line(len(run.setup_problems), judged=judged)  # one mistake in many tests: once
    told = []
    for message, names, more in problem_sources(run):
        if names:  # a check raised it: only pytest's failure sections said it (trial); once here
            first, *rest = message.strip().splitlines() or [""]
            shown = ", ".join(names) + (f" and {more} more" if more else "")
            told += [f"  - {first} (in {shown})", *(f"    {r.strip()}" for r in rest if r.strip())]
    return [*told, f"{line}; {run.checks_not_run}" if run.checks_not_run else line]


def setup_error_line(problems: int, *, judged: bool = False) -> str:
    """The verdict line of a run stopped by setup problems, the same from ``sentinel gate``
    (its preflight) and from ``pytest suites/ --sentinel-config …``.

    Parameters
    ----------
    problems : int
        How many distinct setup problems were listed above the line.
    judged : bool
        Whether some check had judged before a test stopped on a bad input.

    Returns
    -------
    str
        One line naming the count, that the model was not judged and the exit code.

    Examples
    --------
    >>> setup_error_line(2)  # doctest: +NORMALIZE_WHITESPACE
    'gate not run: setup error: 2 problems in the configuration, data, model files or
     command line (listed above); the model was not judged (exit 2)'
    """
    head = "gate stopped: setup error" if judged else VERDICT_WORDS["setup_error"]
    return (
        # the command line too: --suites, --extra, -p no:sentinel (trial: "files" for an option)
        f"{head}: {problems} problem{'s' if problems != 1 else ''} in the configuration, data, "
        "model files or command line (listed above); the model was not judged (exit 2)"
    )


def artifact_line(folder: Path, written: Sequence[Path]) -> str:
    """The reports folder and the run's files in it, to upload as the CI artifact; printed
    before the verdict, which stays the last line.

    Parameters
    ----------
    folder : Path
        The reports folder (``--reports`` / ``--sentinel-reports``).
    written : sequence of Path
        The run's reports in it, in the order listed
        (:func:`~sentinel_checks.gate.artefacts.run_files_in`: what an earlier run
        wrote is removed first, so those are this run's unless a removal failed). Any
        file or folder of the folder's own (the user's, the experiment matrix, an
        earlier run's subfolder) is named after them as not from this run (trial: it
        was listed as a report), up to five; hidden ones (the gate's
        ``.sentinel-reports``), and files only inside hidden folders, are not.

    Returns
    -------
    str
        ``"reports: reports/ (upload the folder as the CI artifact): gate.html, gate.json, …"``,
        the files relative to the folder.
    """
    listed = [p.relative_to(folder).as_posix() for p in written]
    theirs = set(listed)
    others = sorted(  # the folder's own entries holding a file not of this run (trial: a recursive count)
        f"{top.name}/" if top.is_dir() else top.name
        for top in (folder.iterdir() if folder.is_dir() else ())
        if not top.name.startswith(".")
        and any(
            p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)
            and p.relative_to(folder).as_posix() not in theirs
            for p in ([top] if top.is_file() else top.rglob("*"))
        )
    )
    more = f" and {len(others) - 5} more" if len(others) > 5 else ""
    tail = f" (also in the folder, not from this run: {', '.join(others[:5])}{more})" if others else ""
    shown = ", ".join(listed) or "none written"
    return f"reports: {folder}/ (upload the folder as the CI artifact): {shown}{tail}"


def _skip_reasons(outcomes: Sequence[TestOutcome]) -> list[str]:
    """``"not judged: <why> (3 tests)"`` once per reason tests were skipped, in the order
    met (trial: production without labels skipped 12 checks, said only in pytest's lines)."""
    from sentinel_checks.reports.coverage import skip_reasons

    return [
        f"not judged: {why} ({len(tests)} test{'s' if len(tests) != 1 else ''})"
        for why, tests in skip_reasons(outcomes).items()
    ]


def _purged(o: TestOutcome) -> bool:
    """A passed purge that removed rows: the other checks judged smaller splits."""
    r = o.result
    return r is not None and r.id == "splits.purge" and bucket(o) == "pass" and bool(r.measured)


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""
