"""``gate.md``: the gate's result as a pull-request comment.

The verdict first, then counts by runbook phase, failing checks, inconclusive results
(naming ``[gate] block_inconclusive`` and its value), warnings and every other check,
each list in the root-cause order gate.html uses; every measured number says what kind
of number it is (:mod:`sentinel_checks.reports.measures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sentinel_checks.formatting import shortened
from sentinel_checks.reports.explain import what_would_settle
from sentinel_checks.reports.gate_report import GateRun, TestOutcome, blocks
from sentinel_checks.reports.html_cards import bucket, name_of, root_cause_order
from sentinel_checks.reports.judged_interval import judged_interval
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.reports.phases import PHASES, phase_of
from sentinel_checks.reports.setup_stop import intro, other_notes, problem_sources, unchecked_notes
from sentinel_checks.reports.terminal import block_inconclusive_text, counts_text

HEADINGS = {
    "pass": "PASSED",
    "fail": "FAILED",
    "no_checks": "NO CHECKS RAN",
    "setup_error": "not run: setup error",
}
#: Longest table cell, in characters; a longer text is cut between words, with "…".
CELL_CHARS = 400
#: Longest message under "Details" and in the inconclusive table (a check's whole message,
#: since both can block; a runaway one is still cut).
DETAIL_CHARS = 4000
#: Why the intervals' confidence levels differ from check to check (trial: 99.5%, 99.67%,
#: 99.83%… without a word), said once when a check was judged on an interval.
CONFIDENCE_NOTE = (
    "Intervals are two-sided, at a confidence that differs by check: `[gate] false_block_rate` "
    "(the chance of blocking a sound model, 5% by default) is shared among the checks that "
    "can block on sampling error, each family's share split equally over its tests and again "
    "over the comparisons inside a check (Bonferroni), so a check making more comparisons "
    "has a higher level and a wider interval (docs/checks.md: the false-block budget)."
)


def shows_an_interval(outcomes: list[TestOutcome]) -> bool:
    """Whether a check of the run shows an interval: the reports then say (once, with
    :data:`CONFIDENCE_NOTE`) why their confidence levels differ."""
    return any(o.result is not None and judged_interval(o.result) is not None for o in outcomes)


#: Evidently's drift pages as the gate names them in ``drift/``: ``<reference>_vs_<current>.html``.
DRIFT_PAGES = "*_vs_*.html"

#: Files gate.md links when they exist in the reports folder, with what each holds.
LINKED = (
    ("gate.html", "every check with its evidence; figures, segments and models when the model was judged"),
    ("promotion.md", "the decision record, when a champion was compared"),
    ("gate.json", "machine-readable"),
    ("junit.xml", "per-test results for CI"),
)


def _problem_sources(run: GateRun) -> list[tuple[str, str]]:
    """Each setup problem once with the gate tests it stopped, as `` (in `a`, `b`)``
    (:func:`~sentinel_checks.reports.setup_stop.problem_sources`)."""
    out = []
    for message, names, more in problem_sources(run):
        shown = ", ".join(f"`{n}`" for n in names) + (f" and {more} more" if more else "")
        out.append((message, f" (in {shown})" if names else ""))
    return out


def _run_notes(notes: Sequence[str]) -> list[str]:
    """The "Notes on this run" section (trial: the notes were only in gate.json); none without notes."""
    if not notes:
        return []
    return ["## Notes on this run", "", *(f"- {cell(n, DETAIL_CHARS)}" for n in notes), ""]


def gate_markdown(run: GateRun, folder: Path | None = None) -> str:
    """A summary for a pull request.

    Parameters
    ----------
    run : GateRun
        The gate's outcomes.
    folder : Path, optional
        The reports folder: a report is linked only when it exists there as gate.md is
        written, and was written by this run (not before ``run.run_info["started"]``,
        so a stale junit.xml of an earlier run is not linked). Without a folder, no
        file is linked. The plugin writes gate.md again once every report is written.

    Returns
    -------
    str
        ``gate.md``'s Markdown text.
    """
    unrun = f" ({run.checks_not_run})" if run.checks_not_run else ""  # "FAILED (31 checks were not run)"
    if run.partial:  # trial: a partial gate read "PASSED"
        unrun += f" — {run.partial}"
    lines = [f"# Gradient Sentinel gate: {HEADINGS[run.verdict]}{unrun}", ""]
    engine = f" · engine {run.engine}" if run.engine else ""
    seed = f" · seed {run.seed}" if run.seed is not None else ""  # none read from an unloadable config
    lines.append(f"Config `{run.config_path}`{seed}{engine}")
    if run.data:
        lines.append("Data: " + ", ".join(f"{k} `{v}`" for k, v in run.data.items()))
    if run.models:
        lines.append("Models: " + ", ".join(f"{k} `{v}`" for k, v in run.models.items()))
    lines.append("")
    if run.verdict == "setup_error":
        lines += [intro(run), ""]
        for message, where in _problem_sources(run):  # each once; a config's list, one per line
            first, *more = message.strip().splitlines() or [""]
            lines += [f"- {cell(first)}{where}", *(f"  - {cell(m.strip())}" for m in more if m.strip())]
        # what the problems kept from being checked (the preflight's notes, trial)
        lines += [f"- {cell(note)}" for note in unchecked_notes(run)]
        lines.append("")
        # the other notes, as gate.html and the terminal show them (review: gate.md dropped them)
        lines += _run_notes(other_notes(run))
        return "\n".join([*lines, *_links(folder, run), ""])
    lines += _run_notes(run.notes)  # e.g. the data read through pandas, not where it lies
    ordered = root_cause_order(run.outcomes)
    lines += _phases(ordered)
    if shows_an_interval(ordered):
        lines += [CONFIDENCE_NOTE, ""]
    bad = [o for o in ordered if blocks(o)]
    if bad:
        lines += ["## Failing checks", "", "| check | phase | status | measured vs limit | what to do |"]
        lines.append("|---|---|---|---|---|")
        for o in bad:
            phase = phase_of(name_of(o)).title
            if o.result is not None:
                r, shown, fix, status = (
                    o.result,
                    cell(measured_as(o.result)),
                    o.result.hint or "—",
                    o.result.status.value,
                )
                if o.waiver:  # a team's marker did not waive it: say so where the fix goes
                    fix = o.waiver
                if o.failed_after_check:  # not the check's status and fix: what pytest said failed
                    fix, status = (
                        f"test failed {o.after_check}: {o.failed_after_check}",
                        "fail",
                    )
                lines.append(f"| `{r.label}` | {phase} | {status} | {shown} | {cell(fix)} |")
            else:
                lines.append(f"| `{o.nodeid}` | {phase} | error | — | {cell(o.message)} |")
        lines += ["", "### Details", ""]
        for o in bad:
            text = o.result.message if o.result is not None else o.message
            if o.failed_after_check:
                text = f"the check {o.check_outcome} ({text}); the test then failed: {o.failed_after_check}"
            # the whole message: the table above cuts its cells, the details do not (trial)
            lines.append(f"- `{o.result.label if o.result else o.nodeid}`: {cell(text, DETAIL_CHARS)}")
        lines.append("")
    unsettled = [o.result for o in ordered if o.result is not None and bucket(o) == "inconclusive"]
    if unsettled:
        lines += [
            "## Inconclusive: the data cannot tell",
            "",
            "The interval holds the limit at this sample size: neither shown within the limit nor "
            f"beyond it. `{block_inconclusive_text(run.block_inconclusive).replace(' lists', '` lists', 1)}."
            if run.block_inconclusive is not None
            else "The interval holds the limit at this sample size: neither shown within the limit nor "
            "beyond it. `[gate] block_inconclusive` decides which inconclusive results block.",
            "",
            "| check | blocks | measured vs limit | what would settle it | message |",
            "|---|---|---|---|---|",
        ]
        for r in unsettled:
            blocking = "yes" if r.inconclusive_blocks else "no"
            settle = what_would_settle(r) or "—"
            lines.append(
                f"| `{r.label}` | {blocking} | {cell(measured_as(r))} | {cell(settle)} "
                f"| {cell(r.message, DETAIL_CHARS)} |"
            )
        lines.append("")
    warned = [o.result for o in ordered if o.result is not None and bucket(o) == "warn"]
    if warned:
        lines += ["## Warnings", "", "| check | measured vs limit | message |", "|---|---|---|"]
        # a warning's message in full, as an inconclusive one's (trial: cut mid-detail)
        lines += [
            f"| `{w.label}` | {cell(measured_as(w))} | {cell(w.message, DETAIL_CHARS)} |" for w in warned
        ]
        lines.append("")
    # each check once: the warned and inconclusive ones are in their own tables above
    rest = [
        o
        for o in ordered
        if not blocks(o) and bucket(o) not in ("inconclusive", "warn") and o.outcome != "skipped"
    ]
    if rest:
        lines += [
            "## Other checks",
            "",
            "| check | status | measured vs limit | message |",
            "|---|---|---|---|",
        ]
        for o in rest:
            if o.result is not None:
                r = o.result
                lines.append(
                    f"| `{r.label}` | {r.status.value} | {cell(measured_as(r))} | {cell(r.message)} |"
                )
            else:
                lines.append(f"| `{o.nodeid}` | {o.outcome} | — | {cell(o.message)} |")
        lines.append("")
    lines += _not_judged(ordered)
    return "\n".join([*lines, *_links(folder, run), ""])


def _not_judged(outcomes: list[TestOutcome]) -> list[str]:
    """One row per reason tests were skipped, with the tests by name (trial: each skipped
    test was a row of "Other checks" by its node id)."""
    from sentinel_checks.reports.coverage import skip_reasons

    reasons = skip_reasons(outcomes)
    if not reasons:
        return []
    lines = ["## Not judged", "", "| why | tests | which |", "|---|---|---|"]
    for why, tests in reasons.items():
        lines.append(f"| {cell(why)} | {len(tests)} | {cell(', '.join(f'`{t}`' for t in tests))} |")
    return [*lines, ""]


def cell(text: str, limit: int = CELL_CHARS) -> str:
    """``text`` on one line for a Markdown table cell: pipes escaped, and cut between
    words with "…" when longer than ``limit`` characters.

    Examples
    --------
    >>> cell("a | b"), cell("one two three", limit=9)
    ('a \\\\| b', 'one two…')
    """
    return shortened(text, limit).replace("|", "\\|")


def _started(run: GateRun) -> float:
    """When the run started (POSIX seconds, 2 s early for coarse clocks); 0 when unknown."""
    import datetime as dt

    started = run.run_info.get("started")
    try:
        return dt.datetime.fromisoformat(str(started)).timestamp() - 2.0 if started else 0.0
    except ValueError:
        return 0.0


def _phases(ordered: list[TestOutcome]) -> list[str]:
    """A table of counts by runbook phase (phases with no test left out)."""
    rows = []
    for phase in PHASES:
        mine = [o for o in ordered if phase_of(name_of(o)) == phase]
        if mine:
            rows.append(f"| {phase.title} | {counts_text(mine)} |")
    if not rows:
        return []
    return ["## By runbook phase (root cause first)", "", "| phase | checks |", "|---|---|", *rows, ""]


def _links(folder: Path | None, run: GateRun) -> list[str]:
    """Links to the reports this run wrote beside gate.md (each only if it exists)."""
    if folder is None:
        return []
    since = _started(run)

    def written(path: Path) -> bool:
        return path.is_file() and path.stat().st_mtime >= since

    found = [(name, what) for name, what in LINKED if written(folder / name)]
    # Evidently's pages as the gate names them (<reference>_vs_<current>.html): not a page of
    # the user's in the folder (trial: drift/my_page.html linked as "(Evidently)")
    pages = (folder / "drift").glob(DRIFT_PAGES)
    drift = sorted(p.relative_to(folder).as_posix() for p in pages if written(p))
    if not found and not drift:
        return []
    shown = [f"[{name}]({name}) ({what})" for name, what in found]
    shown += [f"[{d}]({d}) (Evidently)" for d in drift]
    return ["---", "Reports (in the reports folder or the CI artifact): " + " · ".join(shown)]
