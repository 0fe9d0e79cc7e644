"""gate.html's reading order: the header (verdict, counts, inputs, what to do first), the
overview by runbook phase, a card per failing or inconclusive check in root-cause order,
the warnings, and a compact filterable table of every check."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from sentinel_checks.formatting import shortened
from sentinel_checks.reports.explain import what_would_settle
from sentinel_checks.reports.gate_report import GateRun, TestOutcome, blocks
from sentinel_checks.reports.gate_report import bucket as bucket  # moved there: gate.json counts by it
from sentinel_checks.reports.html_values import evidence_html, text
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.reports.phases import PHASES, phase_of, root_cause_rank
from sentinel_checks.reports.setup_stop import (
    interrupted,
    intro,
    problem_sources,
    stopped_by_setup,
    unchecked_notes,
)
from sentinel_checks.result import Status

#: The status buckets counted, in the order shown (an error counts as failed).
BUCKETS = (
    ("fail", "failed"),
    ("inconclusive", "inconclusive"),
    ("warn", "warned"),
    ("pass", "passed"),
    ("skip", "skipped"),
)
#: The status of a test a setup problem stopped
#: (:func:`~sentinel_checks.reports.setup_stop.stopped_by_setup`), in the table of every
#: check: not a failed check, as the model was not judged.
SETUP = ("setup", "setup error")
esc = html.escape


def status_of(run: GateRun, o: TestOutcome) -> str:
    """:func:`bucket`, or ``"setup"`` for a test a setup problem stopped."""
    return SETUP[0] if stopped_by_setup(run, o) else bucket(o)


def judged(run: GateRun) -> list[TestOutcome]:
    """The tests no setup problem stopped (every test unless the verdict is ``setup_error``)."""
    return [o for o in run.outcomes if not stopped_by_setup(run, o)]


def name_of(o: TestOutcome) -> str:
    """The check id when the test recorded a result, else the node id (for its phase)."""
    return o.result.id if o.result is not None else o.nodeid


def root_cause_order(outcomes: Sequence[TestOutcome]) -> list[TestOutcome]:
    """Causes before consequences: phase, the check's place, failed before inconclusive, label."""
    return sorted(
        outcomes,
        key=lambda o: (
            root_cause_rank(name_of(o)),
            bucket(o) != "fail",
            o.result.label if o.result is not None else o.nodeid,
        ),
    )


def flagged(run: GateRun) -> list[TestOutcome]:
    """The failing and inconclusive tests a setup problem did not stop, root cause first."""
    return root_cause_order([o for o in judged(run) if bucket(o) in ("fail", "inconclusive")])


#: The longest "What to do first" line, cut between words with "…": a setup problem's
#: message ends with its hint (the data's datetime column: trial, 300 cut it off).
FIRST_FIX_CHARS = 800


def first_fix(run: GateRun) -> str:
    """One line: the first setup problem, else the first root-cause failure's fix (its
    hint, else its message)."""
    if run.verdict == "setup_error" and run.setup_problems:
        # the message names its key; the preflight's node id said it twice (trial)
        return shortened(" ".join(run.setup_problems[0].split()), FIRST_FIX_CHARS)
    bad = [o for o in flagged(run) if blocks(o)]  # a blocking inconclusive result too (review)
    if not bad:
        return "Nothing blocks this model; read the warnings and inconclusive checks below."
    o = bad[0]
    if o.result is None:
        return f"{o.nodeid}: {shortened(o.message, FIRST_FIX_CHARS)}"  # cut between words, with "…" (trial)
    if o.failed_after_check:  # the check's hint would fix nothing: pytest's reason
        why = shortened(o.failed_after_check, FIRST_FIX_CHARS)
        return f"{o.result.label}: the test failed {o.after_check}: {why}"
    return f"{o.result.label}: {o.result.hint or o.result.message}"


def header(run: GateRun) -> list[str]:
    """Verdict badge, counts per status (on a setup stop: the setup problems, and the
    statuses only of checks that ran), inputs and what to do first."""
    counts = {key: 0 for key, _ in BUCKETS}
    for o in judged(run):
        counts[bucket(o)] += 1
    shown = list(BUCKETS) if judged(run) or run.verdict != "setup_error" else []
    if run.verdict == "setup_error" and not interrupted(run):  # trial: "2 failed" for two setup problems
        problems = len(run.setup_problems)
        counts[SETUP[0]] = problems
        shown.insert(0, (SETUP[0], "setup problem" if problems == 1 else "setup problems"))
    verdict = run.verdict.replace("_", " ").upper()
    parts = [
        "<header>",
        "<h1>Gradient Sentinel gate "
        f"<span class='verdict {esc(run.verdict)}' id='verdict'>{esc(verdict)}</span></h1>",
        *(  # an interrupted or stopped run: why it did not pass, before the counts
            [f"<p class='not-run' id='not-run'><b>{esc(run.checks_not_run)}</b>: the run ended early</p>"]
            if run.checks_not_run
            else []
        ),
        *(  # a partial gate, beside its verdict (trial: it read PASS)
            [f"<p class='not-run' id='partial'><b>{esc(run.partial)}</b></p>"] if run.partial else []
        ),
        "<p class='counts'>",
    ]
    parts += [
        f"<span class='count s-{key}' data-status='{key}' data-count='{counts[key]}'><b>{counts[key]}</b> "
        f"{title}</span>"
        for key, title in shown
    ]
    parts.append("</p>")
    tone = "first" if any(blocks(o) for o in run.outcomes) else "first ok"
    parts.append(f"<p class='{tone}' id='first-fix'><b>What to do first:</b> {esc(first_fix(run))}</p>")
    inputs = [f"config <code>{esc(run.config_path)}</code>"]
    if run.seed is not None:  # an unloadable config has none (trial: "seed 0" was shown)
        inputs.append(f"seed {run.seed}")
    if run.engine:  # as gate.md's header and the terminal name it (trial: gate.html did not)
        inputs.append(f"engine <code>{esc(run.engine)}</code>")
    inputs += [f"{esc(k)} <code title='{esc(str(v))}'>{esc(str(v)[:23])}</code>" for k, v in run.data.items()]
    inputs += [
        f"{esc(k)} <code title='{esc(str(v))}'>{esc(str(v)[:23])}</code>" for k, v in run.models.items()
    ]
    parts.append("<p class='meta'>Inputs: " + " · ".join(inputs) + "</p></header>")
    return parts


def overview(run: GateRun) -> list[str]:
    """One row per runbook phase that ran: counts per status (none when a setup problem
    stopped every test)."""
    if run.verdict == "setup_error" and not judged(run):
        return []
    table: dict[str, dict[str, int]] = {}
    for o in judged(run):
        row = table.setdefault(phase_of(name_of(o)).key, {})
        row[bucket(o)] = row.get(bucket(o), 0) + 1
    parts = ["<h2>Overview by runbook phase</h2><table class='overview'><tr><th>phase</th>"]
    parts += [f"<th>{title}</th>" for _, title in BUCKETS]
    parts.append("</tr>")
    for phase in PHASES:
        if phase.key not in table:
            continue
        row = table[phase.key]
        cells = "".join(
            f"<td class='{'s-' + key if row.get(key) else 'zero'}'>{row.get(key, 0)}</td>"
            for key, _ in BUCKETS
        )
        parts.append(
            f"<tr data-phase='{phase.key}' data-bad='{row.get('fail', 0)}'>"
            f"<td>{esc(phase.title)}</td>{cells}</tr>"
        )
    parts.append("</table>")
    return parts


def card(o: TestOutcome) -> str:
    """One failing or inconclusive check: sentence, measured vs limit, evidence, fix."""
    status = bucket(o)
    if o.result is None:
        return (
            f"<article class='card s-{status}' data-check='{esc(o.nodeid)}' data-status='{status}'>"
            f"<h3><span class='tag'>{o.outcome.upper()}</span> <code>{esc(o.nodeid)}</code></h3>"
            "<details open><summary>what pytest said</summary>"
            f"<pre>{esc(o.message)}</pre></details></article>"
        )
    r = o.result
    word = "ERROR" if r.status is Status.ERROR else status.upper()
    blocks = " (blocks the gate)" if r.status is Status.INCONCLUSIVE and r.inconclusive_blocks else ""
    if o.failed_after_check:  # the check's words read as a pass: pytest's reason first, in full
        word = f"FAIL {o.after_check}"
    parts = [
        f"<article class='card s-{status}' data-check='{esc(r.id)}' data-status='{status}'>",
        f"<h3><span class='tag'>{word}{blocks}</span> <code>{esc(r.label)}</code> "
        f"<span class='phase'>{esc(phase_of(r.id).title)}</span></h3>",
        *([f"<pre class='msg'>{esc(o.failed_after_check)}</pre>"] if o.failed_after_check else []),
        f"<p class='msg'>{esc(r.message)}</p>",
        f"<p class='ml'>{esc(measured_as(r))}"
        + (f" · <span class='support'>{esc(text(dict(r.support)))}</span>" if r.support else "")
        + "</p>",
    ]
    parts += [evidence_html(ev) for ev in r.evidence]
    settle = what_would_settle(r)
    if settle:
        parts.append(f"<p class='settle'><b>What would settle it:</b> {esc(_grouped(settle))}</p>")
    if r.hint:
        parts.append(f"<p class='fix'><b>How to fix:</b> {esc(r.hint)}</p>")
    extra = o.message.strip()
    if extra and extra != r.message.strip() and not o.failed_after_check:
        parts.append(f"<details><summary>what pytest said</summary><pre>{esc(extra)}</pre></details>")
    parts.append("</article>")
    return "".join(parts)


def cards(run: GateRun) -> list[str]:
    """The cards, one heading per phase."""
    shown = flagged(run)
    if not shown:
        return []
    parts = ["<h2 id='problems'>Failing and inconclusive checks, root cause first</h2>"]
    if any(bucket(o) == "inconclusive" for o in shown):
        parts.append(
            "<p class='meta'>Inconclusive: the interval holds the limit at this sample size; it blocks the "
            "gate only when listed in <code>[gate] block_inconclusive</code>.</p>"
        )
    phase = None
    for o in shown:
        this = phase_of(name_of(o))
        if this != phase:
            parts.append(f"<h3 class='phase-title'>{esc(this.title)}</h3>")
            phase = this
        parts.append(card(o))
    return parts


def setup_section(run: GateRun) -> list[str]:
    """On a setup stop, gate.md's list: each problem once, with the gate tests it stopped,
    then what the problems kept from being checked (the preflight's "(not checked)"
    notes); none for any other verdict."""
    if run.verdict != "setup_error":
        return []
    title = "The run was interrupted" if interrupted(run) else "Setup problems"
    parts = [f"<section id='setup'><h2>{title}</h2><p>{esc(intro(run))}</p><ul>"]
    for message, names, more in problem_sources(run):
        where = ""
        if names:
            named = ", ".join(f"<code>{esc(n)}</code>" for n in names) + (f" and {more} more" if more else "")
            where = f" <span class='meta'>(in {named})</span>"
        parts.append(f"<li class='s-setup'><pre>{esc(message.strip())}</pre>{where}</li>")
    parts += [f"<li>{esc(note)}</li>" for note in unchecked_notes(run)]
    parts.append("</ul></section>")
    return parts


def warnings(run: GateRun) -> list[str]:
    """The warnings: they let the gate pass but deserve a look."""
    warned = root_cause_order([o for o in run.outcomes if bucket(o) == "warn"])
    if not warned:
        return []
    parts = ["<section id='warnings'><h2>Warnings</h2>"]
    parts += [card(o) for o in warned]
    parts.append("</section>")
    return parts


def all_checks(run: GateRun) -> list[str]:
    """Every test in one compact table; status checkboxes filter its rows (script optional).
    None when a setup problem stopped every test (the setup section lists them)."""
    if run.verdict == "setup_error" and not judged(run):
        return []
    present = {status_of(run, o) for o in run.outcomes}
    parts = [
        "<section id='all-checks'><h2>All checks</h2><p class='filters' hidden>Show: ",
        *(
            f"<label><input type='checkbox' data-filter='{key}' checked> {title}</label> "
            for key, title in (*BUCKETS, SETUP)
            if key in present
        ),
        "</p><table class='all'><colgroup><col class='c-id'><col class='c-phase'><col class='c-status'>"
        "<col class='c-ml'><col></colgroup><tr><th>check</th><th>phase</th><th>status</th>"
        "<th>measured vs limit</th><th>message</th></tr>",
    ]
    for o in root_cause_order(run.outcomes):
        status = status_of(run, o)
        word = SETUP[1] if status == SETUP[0] else status
        label = o.result.label if o.result is not None else o.nodeid
        ml = measured_as(o.result) if o.result is not None else "—"
        message = o.result.message if o.result is not None else " ".join(o.message.split())
        parts.append(
            f"<tr data-status='{status}'><td class='id' title='{esc(label)}'><code>{esc(label)}</code></td>"
            f"<td>{esc(phase_of(name_of(o)).title)}</td><td class='s-{status}'>{word}</td>"
            f"<td>{esc(ml)}</td><td class='m'>{esc(message)}</td></tr>"
        )
    parts.append("</table></section>")
    parts.append(_FILTER_SCRIPT)
    return parts


# Without a script every row shows; with it, the filter bar appears and hides unticked statuses.
_FILTER_SCRIPT = """<script>
(function(){var bar=document.querySelector('#all-checks .filters');if(!bar)return;bar.hidden=false;
bar.addEventListener('change',function(){var off={};bar.querySelectorAll('input').forEach(function(i){
if(!i.checked)off[i.dataset.filter]=1;});document.querySelectorAll('#all-checks tr[data-status]')
.forEach(function(r){r.style.display=off[r.dataset.status]?'none':'';});});})();
</script>"""


def _grouped(settle: str) -> str:
    """Thousands grouped in "needs ≈ 888909 n_test (has 20994)"."""
    return re.sub(r"\d{4,}", lambda m: f"{int(m.group()):,}", settle)
