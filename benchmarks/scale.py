"""Issue 18's scale benchmark: `sentinel gate` end to end on N demo-like rows, wall time
and peak memory of the whole process tree, and the same computations written by hand.

Run by hand (not part of the test suite; the machine should be otherwise idle):

    PYTHONPATH=. .venv/bin/python benchmarks/scale.py --rows 1000000 --engine duckdb \\
        --workdir /tmp/sentinel-scale --hand-written

Steps:

1. Inputs (:mod:`scale_data`), written once per (rows, seed) in a child process, so this
   process stays small: a parquet directory of N rows in 500k-row parts, a production
   file, the demo's candidate and champion (``sentinel demo`` once on ``--train-rows``
   requests) and ``sentinel-{engine}.toml`` (the demo's fixed.toml on those files).
2. ``python -m sentinel_checks.cli gate --config sentinel-{engine}.toml`` in a child.
   Wall time: from spawn to exit. Peak memory: the resident sets of the child and all
   its descendants (the pytest process, Spark's JVM) summed, read from /proc every
   0.2 s (``memory.TreePeakRss``; a shorter spike can be missed), and ``ru_maxrss``
   from ``wait4`` (exact, but of one process: on Linux the largest of the gate process
   and the descendants it reaped, a forked child starting at its parent's peak); CPU
   seconds (user + system) of the gate and its reaped descendants from the same
   ``wait4``, the figure a loaded machine changes least (Spark's JVM is not reaped by
   the gate: its CPU is missing; its memory is in the tree's peak).
3. ``--hand-written``: :mod:`scale_hand` in this process on the same config (its own
   wall time and peak RSS, sampled every 20 ms), and the ratio gate / hand-written.

Output: one JSON line (also appended to ``WORKDIR/results.jsonl``) and one markdown row
of the table in docs/benchmarks.md ("Scale"). ``--compare duckdb spark`` reads
results.jsonl and says whether the latest runs of two engines at ``--rows`` gave the
same verdict for every check; ``--summary`` prints the table of the latest run of each
size and engine, and each engine's seconds per million rows (the linearity reading).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import PeakRss, TreePeakRss
from scale_data import ENGINES, Inputs, prepare

GIB = 1024.0
HEADER = (
    "| rows | engine | gate wall s | gate CPU s | peak RSS, tree GiB | largest process GiB | verdict | "
    "hand-written wall s | CPU s | gate / hand, wall | CPU | parquet GiB | write s |\n"
    "|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
)


def run_gate(inputs: Inputs, engine: str, *, interval: float = 0.2) -> dict[str, Any]:
    """`sentinel gate` on ``inputs`` in a child: wall s, peak RSS MiB (tree summed; largest
    single process), the
    exit code, the verdict and every check's status from ``gate.json``."""
    reports = inputs.folder / f"reports-{engine}"
    log = inputs.folder / f"gate-{engine}.log"
    command = [
        sys.executable,
        "-m",
        "sentinel_checks.cli",
        "gate",
        "--config",
        str(inputs.config(engine)),
        "--reports",
        str(reports),
    ]
    started = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=inputs.folder)
        with TreePeakRss(proc.pid, interval=interval) as tree:
            _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": round(wall, 2),
        "peak_tree_mib": round(tree.peak, 1),
        "max_process_mib": round(usage.ru_maxrss / 1024, 1),
        # which process held it: the gate's Python ("root"), Spark's JVM ("java"), workers
        "peak_by_process_mib": {k: round(v, 1) for k, v in sorted(tree.peak_by_role.items())},
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "rss_samples": tree.samples,
        "exit_code": proc.returncode,
        "log": str(log),
        **read_verdicts(reports / "gate.json"),
    }


def read_verdicts(path: Path) -> dict[str, Any]:
    """The run's verdict and ``{check label (``quality.recall[test]``), else id, else test:
    its check's status, else the test's pytest outcome}`` from gate.json (a test without a
    check result keeps its outcome, so runs written before schema 4 compare alike);
    a missing file gives verdict ``"no gate.json"`` and no checks."""
    if not path.exists():
        return {"verdict": "no gate.json", "checks": {}}
    from sentinel_checks.reports.gate_json import GateReport

    report = GateReport.read(path)
    checks = {c.label or c.id or c.test: c.status if c.recorded_check else c.outcome for c in report.checks}
    return {"verdict": report.verdict, "checks": checks}


def hand_written(
    inputs: Inputs, engine: str, *, threads: int, memory_limit: str | None, full: bool = False
) -> dict[str, Any]:
    """:class:`scale_hand.HandPass` in this process (with ``full``, then
    :func:`scale_hand_rest.run_rest`): total and per-step seconds, peak MiB."""
    from scale_hand import HandPass

    before = resource.getrusage(resource.RUSAGE_SELF)
    with PeakRss() as rss:
        started = time.perf_counter()
        steps = HandPass(inputs.config(engine), threads=threads, memory_limit=memory_limit, full=full).run()
        wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {
        "hand_full": full,
        "hand_s": round(wall, 2),
        "hand_cpu_s": round(cpu, 2),
        "hand_peak_mib": round(rss.peak, 1),
        "hand_steps": {k: round(v, 2) for k, v in steps.items()},
    }


def markdown_row(r: dict[str, Any]) -> str:
    def gib(key: str) -> str:
        return f"{r[key] / GIB:.2f}" if key in r else "–"

    def num(key: str, unit: str = "") -> str:
        return f"{r[key]:.1f}{unit}" if key in r else "–"

    return (
        f"| {r['rows']:,} | {r['engine']} | {num('wall_s')} | {num('cpu_s')} | {gib('peak_tree_mib')} | "
        f"{gib('max_process_mib')} | {r.get('verdict', '–')} | {num('hand_s')} | {num('hand_cpu_s')} | "
        f"{num('ratio', '×')} | {num('cpu_ratio', '×')} | "
        f"{r['parquet_bytes'] / 2**30:.2f} | {r['write_s']:.0f} |"
    )


def compare(results: Path, rows: int, engines: list[str]) -> tuple[bool, list[str]]:
    """Whether the latest runs of ``engines`` at ``rows`` in results.jsonl gave the same
    verdict and check statuses; the differing checks, one line each."""
    latest: dict[str, dict[str, Any]] = {}
    for line in results.read_text().splitlines():
        r = json.loads(line)
        if r["rows"] == rows and r["engine"] in engines and "checks" in r:
            latest[r["engine"]] = r
    missing = [e for e in engines if e not in latest]
    if missing:
        return False, [f"no run of {e} at {rows:,} rows in {results}" for e in missing]
    first, *others = (latest[e] for e in engines)
    diffs = []
    for other in others:
        if first["verdict"] != other["verdict"]:
            diffs.append(
                f"verdict: {first['engine']} {first['verdict']}, {other['engine']} {other['verdict']}"
            )
        for key in sorted(set(first["checks"]) | set(other["checks"])):
            a, b = first["checks"].get(key), other["checks"].get(key)
            if a != b:
                diffs.append(f"{key}: {first['engine']} {a}, {other['engine']} {b}")
    return not diffs, diffs


def summary(results: Path) -> list[str]:
    """The table of the latest run per (rows, engine) in results.jsonl, by engine then
    rows, and per engine the CPU and wall seconds per million rows (linear cost: flat)."""
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    for line in results.read_text().splitlines():
        r = json.loads(line)
        if "wall_s" in r:
            latest[(r["engine"], r["rows"])] = r
    lines = [HEADER, *(markdown_row(latest[k]) for k in sorted(latest))]
    for engine in sorted({e for e, _ in latest}):
        per = [
            f"{n / 1e6:g}M: {r['wall_s'] / (n / 1e6):.1f} s wall"
            + (f", {r['cpu_s'] / (n / 1e6):.1f} s CPU" if "cpu_s" in r else "")
            for (e, n), r in sorted(latest.items())
            if e == engine
        ]
        lines.append(f"{engine}, per million rows: " + "; ".join(per))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="offline rows (every mode but --summary)")
    parser.add_argument("--engine", choices=ENGINES, default="duckdb")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-rows", type=int, default=200_000, help="requests the demo models train on")
    parser.add_argument("--production-rows", type=int, help="default: rows / 6, at most 1,000,000")
    parser.add_argument("--chunk-rows", type=int, default=500_000, help="offline rows per parquet part")
    parser.add_argument("--hand-written", action="store_true", help="also run the hand-written pass here")
    parser.add_argument(
        "--full",
        action="store_true",
        help="with --hand-written: also baselines, paired bootstraps, Evidently and target "
        "encoding by hand (scale_hand_rest.py)",
    )
    parser.add_argument("--skip-gate", action="store_true", help="inputs (and --hand-written) only")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads of the hand-written pass")
    parser.add_argument(
        "--memory-limit",
        default="1GB",
        help="DuckDB memory_limit of the gate ([engine.duckdb]) and of the hand-written pass; "
        "'none': DuckDB's default (80%% of RAM)",
    )
    parser.add_argument(
        "--spark-driver-memory",
        help="[engine.spark.conf] spark.driver.memory of the gate (default: Spark's 1g)",
    )
    parser.add_argument(
        "--drift-process",
        choices=("auto", "true", "false"),
        default="auto",
        help="[gate] drift_process of the gate (auto: a drift worker with the pandas or DuckDB engine)",
    )
    parser.add_argument("--compare", nargs="+", metavar="ENGINE", help="compare results.jsonl, run nothing")
    parser.add_argument("--summary", action="store_true", help="the table of results.jsonl, run nothing")
    parser.add_argument("--prepare-only", action="store_true", help="write the inputs, print them, stop")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    if args.compare and args.rows is None:
        parser.error("--compare needs --rows")
    if args.compare:
        same, diffs = compare(workdir / "results.jsonl", args.rows, args.compare)
        print("same verdicts" if same else "DIFFERENT:\n" + "\n".join(diffs))
        return 0 if same else 1
    if args.summary:
        print("\n".join(summary(workdir / "results.jsonl")))
        return 0
    if args.rows is None:
        parser.error("--rows is required")
    options = {
        "seed": args.seed,
        "train_rows": args.train_rows,
        "production_rows": args.production_rows,
        "chunk_rows": args.chunk_rows,
        "memory_limit": _limit(args.memory_limit),
        "spark_memory": args.spark_driver_memory,
        "drift_process": args.drift_process,
    }
    if args.prepare_only:
        inputs = prepare(workdir, args.rows, **options)
        print(json.dumps({**inputs.__dict__, "folder": str(inputs.folder)}))
        return 0
    inputs = _prepare_in_child(workdir, args)
    record: dict[str, Any] = {
        "rows": inputs.rows,
        "engine": args.engine,
        "seed": args.seed,
        "production_rows": inputs.production_rows,
        "parquet_bytes": inputs.bytes_on_disk,
        "write_s": inputs.write_seconds,
        "inputs_cached": inputs.cached,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "duckdb_memory_limit": _limit(args.memory_limit),
        "spark_driver_memory": args.spark_driver_memory,
        "drift_process": args.drift_process,
    }
    if not args.skip_gate:
        record.update(run_gate(inputs, args.engine))
    if args.hand_written:
        record.update(
            hand_written(
                inputs,
                args.engine,
                threads=args.threads,
                memory_limit=_limit(args.memory_limit),
                full=args.full,
            )
        )
        if "wall_s" in record:
            record["ratio"] = round(record["wall_s"] / record["hand_s"], 2)
            record["cpu_ratio"] = round(record["cpu_s"] / record["hand_cpu_s"], 2)
    line = json.dumps(record)
    print(line)
    with open(workdir / "results.jsonl", "a") as fh:
        fh.write(line + "\n")
    print(HEADER)
    print(markdown_row(record))
    return 0 if record.get("exit_code", 0) in (0, 1) else 2


def _limit(text: str) -> str | None:
    """``--memory-limit`` as a DuckDB setting: ``"none"`` (any case) keeps DuckDB's default."""
    return None if text.strip().lower() == "none" else text


def _prepare_in_child(workdir: Path, args: argparse.Namespace) -> Inputs:
    """`--prepare-only` in a child process: generating does not grow this one."""
    command = [
        sys.executable,
        __file__,
        "--prepare-only",
        "--rows",
        str(args.rows),
        "--workdir",
        str(workdir),
    ]
    command += [
        "--seed",
        str(args.seed),
        "--train-rows",
        str(args.train_rows),
        "--chunk-rows",
        str(args.chunk_rows),
        "--memory-limit",
        args.memory_limit,
    ]
    if args.production_rows is not None:
        command += ["--production-rows", str(args.production_rows)]
    if args.spark_driver_memory is not None:
        command += ["--spark-driver-memory", args.spark_driver_memory]
    command += ["--drift-process", args.drift_process]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"writing the inputs failed:\n{out.stderr[-3000:]}")
    fields = json.loads(out.stdout.strip().splitlines()[-1])
    return Inputs(**{**fields, "folder": Path(fields["folder"])})


if __name__ == "__main__":
    sys.exit(main())
