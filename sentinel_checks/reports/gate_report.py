"""Write what a gate run found: ``gate.json`` (machine) and ``gate.md`` (a PR comment).

Writes are atomic (a temporary file renamed into place), confined to the reports
folder, and touch only the files this module names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sentinel_checks.reports.atomic_file import write_atomic as write_atomic
from sentinel_checks.reports.explain import inconclusive_line

# gate.json read back lives in gate_json (issue 14); importable from here as before.
from sentinel_checks.reports.gate_json import READABLE_SCHEMA_VERSIONS as READABLE_SCHEMA_VERSIONS
from sentinel_checks.reports.gate_json import SCHEMA_VERSION as SCHEMA_VERSION
from sentinel_checks.reports.gate_json import CheckEntry as CheckEntry
from sentinel_checks.reports.gate_json import GateReport as GateReport
from sentinel_checks.reports.gate_json import read_json_document as read_json_document
from sentinel_checks.reports.judged_interval import judged_interval
from sentinel_checks.result import CheckResult, Status, plain

GATE_JSON = "gate.json"
#: ``gate.json``'s ``counts`` keys, in the terminal's order: one per test, so they add up
#: to the number of ``checks`` entries (:func:`count_key`)
COUNT_KEYS = ("failed", "error", "inconclusive", "warned", "passed", "skipped")
GATE_MD = "gate.md"
RUN_JSON = "run.json"  # when and how this run happened: kept out of gate.json


@dataclass(frozen=True)
class TestOutcome:
    """What pytest said of one gate test (its check result, if it produced one)."""

    __test__ = False  # not a pytest test class, despite its name

    nodeid: str
    outcome: str  # passed, failed, skipped, error
    message: str = ""
    result: CheckResult | None = None
    #: the test failed or errored on a bad input (ConfigError, DataError, ModelLoadError):
    #: decided on the exception's type when pytest reported it, never on the message
    input_error: bool = False
    #: the node ids of the collected gate tests this entry records as never run (the
    #: entry a stopped or interrupted run adds, :mod:`sentinel_checks.gate.engine_stop`)
    not_run: tuple[str, ...] = ()
    #: why a failed check fails although pytest would have counted it otherwise (a team's
    #: xfail marker, a caught assert: :mod:`sentinel_checks.gate.waivers`), else ""
    waiver: str = ""

    @property
    def failed_after_check(self) -> str:
        """What pytest said of a test that failed or errored after its check recorded a
        pass, warning, skip or non-blocking inconclusive result (a user's extra assert, a
        teardown error, a warning made an error): the reason the gate failed, which the
        check's own words do not give;
        ``""`` for any other test."""
        if self.outcome not in ("failed", "error") or self.result is None:
            return ""
        if not (self.result.passed or self.result.status is Status.SKIP):  # its check blocks itself
            return ""
        return self.message.strip() or f"the test {self.outcome}; pytest gave no message"

    @property
    def check_outcome(self) -> str:
        """``"passed"``, ``"warned"``, ``"was inconclusive"`` or ``"was skipped"``: the
        check's status in words, for :attr:`failed_after_check`."""
        assert self.result is not None
        words = {Status.PASS: "passed", Status.WARN: "warned", Status.INCONCLUSIVE: "was inconclusive"}
        return words.get(self.result.status, "was skipped")

    @property
    def after_check(self) -> str:
        """``"after its check passed"`` (warned, …): how every report words a test that
        failed after its check (``"FAIL after its check passed: <pytest's reason>"``)."""
        return f"after its check {self.check_outcome}"


@dataclass
class GateRun:
    """Everything a report needs about one run."""

    config_path: str
    data: Mapping[str, Any]
    seed: int | None  # None: the config could not be loaded (no seed was read)
    outcomes: list[TestOutcome] = field(default_factory=list)
    run_info: Mapping[str, Any] = field(default_factory=dict)
    models: Mapping[str, str] = field(default_factory=dict)  # role -> identity (file hash or URI)
    config_sha256: str = ""
    coverage: Mapping[str, Any] = field(default_factory=dict)  # suite files run, tests deselected
    #: ``[gate] block_inconclusive`` of the run's config (None: not known), named in reports
    block_inconclusive: tuple[str, ...] | None = None
    #: What the run's setup says beside the checks (e.g. settings it ignored), for ``notes``
    notes: tuple[str, ...] = ()
    #: Each file of a directory or glob input (``path``, ``bytes``, ``sha256``), by input
    #: name (:attr:`~sentinel_checks.data.identity.DataIdentity.files`)
    data_files: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The engine the statistics ran on (:func:`~sentinel_checks.config.engine.engine_label`,
    #: e.g. ``"duckdb (memory_limit 2GB)"``); empty when no config was read
    engine: str = ""

    @property
    def setup_problems(self) -> list[str]:
        """The distinct messages of the failed or errored tests, first seen first: one
        setup mistake raised in 35 tests (a split setting every split-using test reads)
        is one problem."""
        return list(dict.fromkeys(o.message for o in self.outcomes if o.outcome in ("failed", "error")))

    @property
    def checks_not_run(self) -> str:
        """``"31 checks were not run"`` when the run ended before every collected check ran
        (:attr:`TestOutcome.not_run` of the entry a stop adds), else ``""``: said beside the
        verdict, so the report of an interrupted gate says at once why it did not pass."""
        n = sum(len(o.not_run) for o in self.outcomes)
        if not n:
            return ""
        return f"{n} check{' was' if n == 1 else 's were'} not run"

    @property
    def partial(self) -> str:
        """``"a partial gate: …; it cannot be promoted"`` beside the verdict of a run that
        deselected gate tests or left shipped suites out
        (:func:`~sentinel_checks.reports.coverage.partial_gate`), else ``""`` (and for a
        setup stop, which ran no suite)."""
        from sentinel_checks.reports.coverage import partial_gate

        return partial_gate(self.coverage) if self.verdict != "setup_error" else ""

    @property
    def verdict(self) -> str:
        """``pass`` only when at least one check passed and no gate test :func:`blocks`.

        ``setup_error`` when every failed or errored test failed on a bad input (a
        configuration, data or model-file error: exit 2) and no check judged a failure:
        the model was not judged, so the gate neither failed nor passed. ``fail`` when a
        test :func:`blocks` (a check failed, errored or is a blocking inconclusive result,
        whatever pytest counted); ``no_checks`` when no check passed.
        """
        bad = [o for o in self.outcomes if blocks(o)]
        judged = (Status.FAIL, Status.ERROR)
        if bad and all(o.input_error and (o.result is None or o.result.status not in judged) for o in bad):
            return "setup_error"
        if bad:
            return "fail"
        if not any(o.outcome == "passed" and o.result is not None for o in self.outcomes):
            return "no_checks"
        return "pass"


# gate.json's `status` of a test that recorded no check result (skipped, or stopped before
# its check ran): what its pytest outcome stands for, an error apart from a judged failure
_STATUS_WITHOUT_CHECK = {"passed": "pass", "failed": "fail", "error": "error", "skipped": "skip"}
# its bucket: an error blocks as a failure does
_FROM_OUTCOME = {**_STATUS_WITHOUT_CHECK, "error": "fail"}


def blocks(o: TestOutcome) -> bool:
    """Whether ``o`` fails the gate: pytest failed or errored the test, or its check
    failed, errored or is a blocking inconclusive result whatever pytest counted (a
    team's ``xfail`` marker, a wrapper catching the assert: trial, the gate passed with
    "4 failed"). A check is waived only through the config, never by pytest's count."""
    r = o.result
    hidden = r is not None and r.status is not Status.SKIP and not r.passed
    return o.outcome in ("failed", "error") or hidden


def bucket(o: TestOutcome) -> str:
    """The status bucket of one test (``fail``, ``inconclusive``, ``warn``, ``pass``,
    ``skip``): its check's status, else its pytest outcome; a test that failed or errored
    after recording a passing (warned, skipped) result — an extra assert in a user's
    suite, a teardown error — is a failure, and so is a check that could not measure."""
    if o.result is None:
        return _FROM_OUTCOME.get(o.outcome, "fail")
    value = o.result.status.value
    return "fail" if o.failed_after_check or value == "error" else value


def count_key(o: TestOutcome) -> str:
    """The ``counts`` key of one test (one of :data:`COUNT_KEYS`): its :func:`bucket` in
    the terminal's words, an error (a check status ``error``, else a test that errored
    without a check) counted apart from a judged failure though both block.

    An inconclusive check counts as ``inconclusive`` whether or not it blocks (pytest
    passes a non-blocking one); a warned check as ``warned``.

    >>> from sentinel_checks.result import CheckResult, Status
    >>> count_key(TestOutcome("t", "passed", result=CheckResult("quality.recall", Status.WARN, "m")))
    'warned'
    >>> count_key(TestOutcome("t", "error", "DataError: x"))
    'error'
    """
    key = bucket(o)
    if key == "fail":
        errored = o.result.status is Status.ERROR if o.result is not None else o.outcome == "error"
        return "error" if errored else "failed"
    return {"inconclusive": "inconclusive", "warn": "warned", "pass": "passed"}.get(key, "skipped")


def interval_entry(result: CheckResult) -> dict[str, Any]:
    """``{"interval": {"estimate", "low", "high", "confidence"}}`` for a check judged on an
    interval (:func:`~sentinel_checks.reports.judged_interval.judged_interval`), else ``{}``:
    ``measured`` is the end that decided a pass or fail, which a reader took for the
    estimate (trial). When another criterion than the result's own ``measured``/``limit``
    decided (``promotion.vs_champion`` failed on precision, its target metric or the
    val/test gap), the interval also names it: ``of``, ``limit``, ``direction`` (review:
    a precision interval beside the FNR limit read as a pass)."""
    judged = judged_interval(result)
    if judged is None:
        return {}
    ends: dict[str, Any] = {
        "estimate": judged.point,
        "low": judged.low,
        "high": judged.high,
        "confidence": judged.confidence,
    }
    if judged.kind is not None:
        direction = judged.direction.value if judged.direction is not None else None
        ends.update(of=judged.kind, limit=plain(judged.limit), direction=direction)
    return {"interval": ends}


def gate_document(run: GateRun) -> dict[str, Any]:
    """The JSON document: deterministic for the same inputs (run times under ``run``).

    Parameters
    ----------
    run : GateRun
        The gate's outcomes and what identifies its inputs.

    Returns
    -------
    dict
        ``gate.json``'s content: ``schema_version``, ``verdict``, ``exit_code`` (2; 130
        when ``sentinel gate`` was interrupted before its checks) only when the verdict
        is ``setup_error``, ``config``, ``config_sha256``, ``data`` (one
        fingerprint per input), ``data_files`` (only when an input is a directory or
        glob: each file's ``path``, ``bytes`` and ``sha256``), ``models``, ``coverage``,
        ``seed``, ``counts`` (tests by :func:`count_key`: ``failed``, ``error``,
        ``inconclusive``, ``warned``, ``passed``, ``skipped``, the non-zero ones; they
        add up to the number of ``checks``), ``statuses`` (the entries by ``status``, e.g.
        ``inconclusive``; they add up to the number of ``checks`` too) and ``checks``
        (sorted by node id; each has ``test``,
        ``outcome`` and ``status``: its check's, else — a test skipped or stopped before
        its check ran — ``skip``, ``error``, ``fail`` or ``pass`` from the pytest outcome; and
        ``interval`` when the check was judged on a confidence interval: ``estimate``,
        ``low``, ``high``, ``confidence``, and ``of``/``limit``/``direction`` when another
        criterion than the entry's own decided; ``measured`` is the end that decided a
        pass or fail, the estimate when inconclusive; ``failed_after_check``, pytest's
        message, when the test failed after its check passed, warned or was skipped);
        ``engine`` (str,
        :attr:`GateRun.engine`) when known; ``notes`` (list of str) only when the run has
        any (:attr:`GateRun.notes`).
    """
    counts: dict[str, int] = {}
    statuses: dict[str, int] = {}
    checks = []
    for o in sorted(run.outcomes, key=lambda o: o.nodeid):
        entry: dict[str, Any] = {"test": o.nodeid, "outcome": o.outcome}
        if o.result is not None:
            entry.update(o.result.to_dict())
            entry.update(interval_entry(o.result))
        else:  # no check ran: the status the pytest outcome stands for
            entry.update(status=_STATUS_WITHOUT_CHECK.get(o.outcome, "error"), message=o.message)
        key = count_key(o)
        counts[key] = counts.get(key, 0) + 1
        statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
        if o.input_error:  # written only when true: a run without bad inputs has no such key
            entry["input_error"] = True
        if o.failed_after_check:  # why a test whose check passed failed (pytest's words)
            entry["failed_after_check"] = o.failed_after_check
        if o.waiver:  # why a team's marker did not waive it (written only when set)
            entry["waiver"] = o.waiver
        checks.append(entry)
    notes = {"notes": list(run.notes)} if run.notes else {}  # written only when there are any
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": run.verdict,
        # a setup stop says its exit code (2: `sentinel gate` and pytest exit with it; 130
        # when `sentinel gate` was interrupted before any check ran)
        **({"exit_code": run.run_info.get("exit_code", 2)} if run.verdict == "setup_error" else {}),
        "config": run.config_path,
        "config_sha256": run.config_sha256,
        "data": dict(run.data),
        **({"data_files": {k: list(v) for k, v in run.data_files.items()}} if run.data_files else {}),
        "models": dict(run.models),
        "coverage": dict(run.coverage),
        "seed": run.seed,
        **({"engine": run.engine} if run.engine else {}),
        "counts": dict(sorted(counts.items())),
        "statuses": dict(sorted(statuses.items())),
        "checks": checks,
        **notes,
    }


def gate_markdown(run: GateRun, folder: Path | None = None) -> str:
    """``gate.md``'s text: see :func:`sentinel_checks.reports.gate_md.gate_markdown`."""
    from sentinel_checks.reports.gate_md import gate_markdown as markdown

    return markdown(run, folder)


def inconclusive(run: GateRun) -> list[CheckResult]:
    """The run's inconclusive results, by label.

    Parameters
    ----------
    run : GateRun
        The gate's outcomes.

    Returns
    -------
    list of CheckResult
        Every recorded result whose status is ``INCONCLUSIVE``, sorted by label.
    """
    found = [
        o.result for o in run.outcomes if o.result is not None and o.result.status is Status.INCONCLUSIVE
    ]
    return sorted(found, key=lambda r: r.label)


def attention_lines(run: GateRun) -> list[str]:
    """What a terminal shows after the verdict: inconclusive results, warnings, then
    what purging entities removed from the splits (even within its limit: lost rows
    and a moved prevalence change what the other checks judge).

    Parameters
    ----------
    run : GateRun
        The gate's outcomes.

    Returns
    -------
    list of str
        One line per inconclusive or warning result (each with its message; an
        inconclusive one with what would settle it), and one per passed
        ``splits.purge`` that removed rows (a failed one is in pytest's report).
    """
    lines = [inconclusive_line(r) for r in inconclusive(run)]
    warned = [o.result for o in run.outcomes if o.result is not None and o.result.status is Status.WARN]
    lines += [f"{r.label} WARN: {r.message}" for r in sorted(warned, key=lambda r: r.label)]
    purged = [
        o.result
        for o in run.outcomes
        if o.result is not None and o.result.id == "splits.purge" and o.result.status is Status.PASS
    ]
    lines += [f"{r.label} PASS: {r.message}" for r in purged if r.measured]
    return lines


def write_reports(run: GateRun, folder: Path) -> list[Path]:
    """Write gate.json, gate.md and run.json into ``folder`` (created if needed).

    gate.json is a function of the inputs and the seed: byte-identical when they are.
    What differs between runs (when it started, pytest's exit status) goes to
    run.json, with the sha256 of the gate.json it belongs to.

    Parameters
    ----------
    run : GateRun
        The gate's outcomes and run information.
    folder : Path
        The reports folder.

    Returns
    -------
    list of Path
        The three files written, in that order.

    Raises
    ------
    OSError
        The folder or a file cannot be written.
    """
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    doc = json.dumps(gate_document(run), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    run_doc = {**dict(run.run_info), "gate_json_sha256": hashlib.sha256(doc.encode("utf-8")).hexdigest()}
    return [
        write_atomic(folder / GATE_JSON, doc),
        write_atomic(folder / GATE_MD, gate_markdown(run, folder)),
        write_atomic(folder / RUN_JSON, json.dumps(run_doc, indent=2) + "\n"),
    ]
