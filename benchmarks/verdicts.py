"""Verdict benchmark: does the gate, with default limits, pass sound models and fail bad ones?

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/verdicts.py [--external ../shared/external] [--workdir DIR]
        [--json rows.json] [--demo-resamples 100] [--only NAME ...]

1. **Real data.** Six configurations built from the datasets of ``--external``
   (default ``../shared/external`` relative to the repository root; read, never
   copied into the repository) by :mod:`verdict_projects` into ``--workdir`` (default:
   a temporary folder): MA employment with either class called risky, the car loan's
   stable and shifted periods as production, nassCDS with a leaked feature and a
   random occupant split, and nassCDS without it split by vehicle. Each is judged in
   process (:func:`sentinel_checks.gate.runner.gate_run_in_process`: every step the
   shipped suites run) and printed as one row: expected verdict, gate verdict, match
   (the expected verdict and, for an expected failure, every expected reason among the
   checks that decided it), the failed/errored checks that decided it, expected
   reasons missing, inconclusive checks, warnings, seconds.
2. **The demo's false-block rate.** ``--demo-resamples N`` clean resamples of the
   demo (built with the library's demo builder, fixed pipeline's config), judged by
   the whole gate over a :class:`GateSession` with the resample preloaded (see
   :mod:`demo_false_blocks`). Prints the share blocked with a 95% Wilson interval and
   which checks blocked. ``--demo-resamples 0`` skips it.
"""

from __future__ import annotations

import os

# One OpenMP thread unless told otherwise: on 2 shared, busy cores, scikit-learn's
# histogram boosting with 2 OpenMP threads spin-waits (measured: a 100k-row fit took
# 29 s wall / 10 s CPU against 2.9 s / 0.7 s with one thread). Set before the import.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sentinel_checks.config import load_config
from sentinel_checks.gate.runner import gate_run_in_process
from sentinel_checks.reports.gate_report import GateRun
from sentinel_checks.result import Status

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One configuration's outcome."""

    name: str
    expected: str
    verdict: str
    seconds: float
    decided_by: list[str] = field(default_factory=list)  # failed/errored checks (labels)
    inconclusive: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)  # label -> message of each non-pass check
    missing: list[str] = field(default_factory=list)  # expected reasons for failing that did not decide

    @property
    def match(self) -> bool:
        """The expected verdict, and (for a failure) decided by every expected reason."""
        return self.verdict == self.expected and not self.missing


def row_of(
    name: str, expected: str, run: GateRun, seconds: float, reasons: tuple[tuple[str, str], ...] = ()
) -> Row:
    """The row of one gate run: which outcomes decided the verdict, which were
    inconclusive or warned (check labels; a test without a check result by node id),
    and which of the expected ``reasons`` (name, piece of a failing label) decided nothing.

    >>> from sentinel_checks.reports.gate_report import TestOutcome
    >>> run = GateRun("c.toml", {}, 0, [TestOutcome("suites/t.py::x", "error", "boom")])
    >>> r = row_of("n", "pass", run, 1.0)
    >>> (r.verdict, r.match, r.decided_by)
    ('fail', False, ['suites/t.py::x'])
    """
    row = Row(name, expected, run.verdict, seconds)
    for o in run.outcomes:
        label = o.result.label if o.result is not None else o.nodeid
        if o.outcome in ("failed", "error"):
            row.decided_by.append(label if o.result is None else f"{label} ({o.result.status.value})")
            row.messages[label] = (o.result.message if o.result is not None else o.message)[:300]
        elif o.result is not None and o.result.status is Status.INCONCLUSIVE:
            row.inconclusive.append(label)
            row.messages[label] = o.result.message[:300]
        elif o.result is not None and o.result.status is Status.WARN:
            row.warnings.append(label)
            row.messages[label] = o.result.message[:300]
    row.missing = [n for n, piece in reasons if not any(piece in label for label in row.decided_by)]
    return row


def table(rows: list[Row]) -> str:
    """The verdict table as Markdown: one line per configuration.

    >>> print(table([Row("a", "pass", "fail", 2.0, ["quality.auc[test] (fail)"])]))
    | configuration | expected | gate | match | decided by | reason missing | inconclusive | warnings | s |
    |---|---|---|---|---|---|---|---|---:|
    | a | pass | fail | NO | quality.auc[test] (fail) | — | — | — | 2.0 |
    """
    head = "| configuration | expected | gate | match | decided by | reason missing | inconclusive"
    lines = [
        head + " | warnings | s |",
        "|---|---|---|---|---|---|---|---|---:|",
    ]
    for r in rows:
        cells = [", ".join(x) or "—" for x in (r.decided_by, r.missing, r.inconclusive, r.warnings)]
        match = "yes" if r.match else "NO"
        lines.append(
            f"| {r.name} | {r.expected} | {r.verdict} | {match} | {' | '.join(cells)} | {r.seconds:.1f} |"
        )
    return "\n".join(lines)


def run_projects(external: Path, workdir: Path, only: list[str] | None) -> list[Row]:
    """Build and judge every configuration (or those named in ``only``), printing as it goes."""
    from verdict_projects import BUILDERS

    rows = []
    for folder, build in BUILDERS:
        if only and folder not in only:
            continue
        started = time.perf_counter()
        project = build(external, workdir / folder)
        built = time.perf_counter() - started
        run, _ = gate_run_in_process(load_config(project.config))
        seconds = time.perf_counter() - started
        row = row_of(project.name, project.expected, run, seconds, project.reasons)
        rows.append(row)
        print(
            f"{project.name}: expected {project.expected}, gate {row.verdict} "
            f"({seconds:.1f} s, of which building the project {built:.1f} s)",
            flush=True,
        )
        for label, message in row.messages.items():
            print(f"    {label}: {message}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--external", type=Path, default=REPO.parent / "shared" / "external")
    parser.add_argument("--workdir", type=Path, help="write the projects here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="write the rows (and the demo's figures) here")
    parser.add_argument("--demo-resamples", type=int, default=100)
    parser.add_argument("--share", type=float, default=0.8, help="share of rows in each demo resample")
    parser.add_argument(
        "--only", nargs="*", help="project folders to run (default: all); see verdict_projects"
    )
    args = parser.parse_args()
    if not args.external.is_dir():
        raise SystemExit(f"--external {args.external} is not a folder (see /work/shared/external/README.md)")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = (args.workdir or Path(tmp)).resolve()
        if workdir.is_relative_to(REPO):
            raise SystemExit(f"--workdir {workdir} is inside the repository: the data must stay out of it")
        rows = run_projects(args.external, workdir, args.only) if args.only != [] else []
        print("\n" + table(rows))
        demo = None
        if args.demo_resamples > 0:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            from demo_false_blocks import false_blocks, summary

            # a fresh process: after the six projects, one resample took 146 s in the
            # same process against 10-15 s in a fresh one (cause not found yet)
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                demo = pool.submit(false_blocks, workdir / "demo", args.demo_resamples, args.share).result()
            print("\n" + summary(demo))
    if args.json is not None:
        doc = {
            "rows": [{**asdict(r), "match": r.match} for r in rows],
            "demo": None if demo is None else asdict(demo),
        }
        args.json.write_text(json.dumps(doc, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
