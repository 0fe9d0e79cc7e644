"""The whole gate on large demo-style logs: per-phase wall time and peak memory.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/gate.py --rows 1000000 10000000

For each size: a request log (string user/session ids, 7 features, a time split with
users purged, a calibrated-looking candidate score column) and a production month
are written to a temporary folder with a sentinel.toml. Then, in one fresh process
per size, the library runs the gate's phases in order, as the suites do:

    load → contract → splits & leakage → drift → quality (scores once, threshold, floors,
    calibration, segments, gap) → baselines (fit A and B on train, score, bootstrap)
    → reports (gate.html, threshold.json, experiments.csv, figures)

and prints wall time and peak resident memory per phase (drift: train against val,
test and production through Evidently). Finally ``pytest suites/`` runs end to end on the same config
(its wall time; peak RSS of that child process).

The demo gate's figures (issue 18: wall, CPU user + sys, peak RSS, load average):

    .venv/bin/python benchmarks/gate.py --demo-configs sentinel-demo/fixed.toml sentinel-demo/incident.toml
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_splits import ENTITIES, FEATURES, generate  # benchmarks/bench_splits.py
from memory import PeakRss

REPO = Path(__file__).resolve().parents[1]

CONFIG = """
[data]
path = "requests.parquet"

[columns]
label = "label"
positive = "risky"
negative = "safe"
timestamp = "request_ts"
id = "request_id"
entities = ["user_id", "session_id"]
segments = ["country", "channel"]
features = {features}

[splits]
method = "time"
val_start = "2025-09-01"
test_start = "2025-10-01"
purge_entities = true

[production]
path = "production.parquet"

[models.candidate]
score_column = "score"

[quality]
bound = "point"
"""


def write_inputs(folder: Path, n: int) -> Path:
    frame = generate(n, seed=0)
    y = frame["label"].eq("risky").to_numpy()
    rng = np.random.default_rng(1)
    logit = -3.5 + 2.0 * y + rng.normal(0, 1.0, n)
    frame["score"] = 1 / (1 + np.exp(-logit))
    frame.to_parquet(folder / "requests.parquet", index=False)
    prod = generate(max(n // 5, 1000), seed=2)
    prod["request_ts"] = prod["request_ts"] + pd.Timedelta(days=184)
    yp = prod["label"].eq("risky").to_numpy()
    prod["score"] = 1 / (1 + np.exp(-(-3.5 + 2.0 * yp + rng.normal(0, 1.0, len(prod)))))
    prod.to_parquet(folder / "production.parquet", index=False)
    config = folder / "sentinel.toml"
    config.write_text(textwrap.dedent(CONFIG.format(features=json.dumps(FEATURES))))
    return config


def child(config_path: str) -> None:
    from sentinel_checks.checks import (
        check_entity_overlap,
        check_labels,
        check_row_overlap,
        check_schema,
        check_target_leakage,
        check_time_order,
    )
    from sentinel_checks.checks import quality as q
    from sentinel_checks.config import load_config
    from sentinel_checks.data.io import binary_target, feature_columns, load_frame, prepare_frame
    from sentinel_checks.data.splits import SPLIT_PAIRS, build_splits
    from sentinel_checks.models.baselines import fit_baselines
    from sentinel_checks.models.evaluation import evaluate_model
    from sentinel_checks.models.loading import load_model
    from sentinel_checks.reports.gate_report import GateRun
    from sentinel_checks.reports.html import gate_html
    from sentinel_checks.reports.quality import write_quality_reports
    from sentinel_checks.stats.ranking import pr_auc, roc_auc

    cfg = load_config(config_path)
    results = []
    phases: list[dict[str, float | str]] = []

    def phase(name: str, work):  # type: ignore[no-untyped-def]
        with PeakRss() as rss:
            started = time.perf_counter()
            out = work()
            seconds = time.perf_counter() - started
        phases.append({"phase": name, "seconds": seconds, "peak_mib": rss.peak})
        return out

    def load():  # type: ignore[no-untyped-def]
        data = prepare_frame(load_frame(cfg.data, base_dir=cfg.base_dir), cfg)
        prod = prepare_frame(load_frame(cfg.production, base_dir=cfg.base_dir, what="production"), cfg)
        return data, prod

    data, prod = phase("load", load)
    features = feature_columns(data, cfg, require_present=True)
    splits = phase("splits (build)", lambda: build_splits(data, cfg))
    labels = {name: binary_target(frame, cfg) for name, frame in splits.items()}

    def contract():  # type: ignore[no-untyped-def]
        results.append(
            check_schema(data, columns=cfg.columns, features=features, extra_required=cfg.required_columns())
        )
        for name, y in labels.items():
            results.append(check_labels(y, split=name))

    phase("contract", contract)

    def leakage():  # type: ignore[no-untyped-def]
        for pair in SPLIT_PAIRS:
            a, b = splits[pair[0]], splits[pair[1]]
            results.append(check_time_order(a["request_ts"], b["request_ts"], pair=pair))
            for col in ENTITIES:
                results.append(check_entity_overlap(a[col], b[col], column=col, pair=pair))
            results.append(check_row_overlap(a, b, columns=features, pair=pair))
        results.append(check_target_leakage(splits.train, labels["train"], features=features))

    phase("splits & leakage checks", leakage)

    def drift():  # type: ignore[no-untyped-def]
        from sentinel_checks.adapters.evidently_drift import column_drift
        from sentinel_checks.checks.drift import check_feature_drift, describe_shift, prepare_drift_inputs

        frames = {"val": splits.val, "test": splits.test, "production": prod}
        cap = cfg.drift.max_rows

        def sample(frame):  # type: ignore[no-untyped-def]
            return frame if len(frame) <= cap else frame.sample(n=cap, random_state=0)

        for name, current in frames.items():
            inputs = prepare_drift_inputs(sample(splits.train), sample(current), features)
            run = column_drift(
                inputs.reference, inputs.current, numerical=inputs.numerical, categorical=inputs.categorical
            )
            moved = {
                c.column: describe_shift(splits.train[c.column], current[c.column])
                for c in run.columns
                if c.drifted
            }
            results.append(
                check_feature_drift(
                    run.columns,
                    pair=("train", name),
                    n_reference=len(splits.train),
                    n_current=len(current),
                    descriptions=moved,
                    notes=inputs.notes,
                )
            )

    phase("drift (Evidently, 3 pairs)", drift)
    model = load_model(cfg.models.candidate, role="candidate")

    def quality():  # type: ignore[no-untyped-def]
        ev = evaluate_model(model, config=cfg, splits=splits, production=prod, features=features)
        results.append(q.check_threshold(ev.choice, test=ev.confusion("test")))
        for split in ("test", "production"):
            s = ev.splits[split]
            results.append(
                q.check_recall(ev.confusion(split), split=split, threshold=ev.threshold, min_recall=0.5)
            )
            results.append(
                q.check_precision(
                    ev.confusion(split), split=split, threshold=ev.threshold, min_precision=0.01
                )
            )
            results.append(
                q.check_auc(
                    roc_auc(s.y, s.scores),
                    pr_auc(s.y, s.scores),
                    prevalence=s.prevalence,
                    split=split,
                    min_roc_auc=0.7,
                    min_pr_auc_skill=0.1,
                    n=s.counts.n,
                    n_positive=s.counts.positives,
                )
            )
            results.append(q.check_calibration(s.y, s.scores, split=split, max_ece=0.05))
            for col in cfg.columns.segments:
                results.append(
                    q.check_segments(
                        s.segments[col],
                        s.y,
                        s.scores >= ev.threshold,
                        column=col,
                        split=split,
                        min_recall=0.5,
                    )
                )
        results.append(
            q.check_val_test_gap(ev.summary("val"), ev.summary("test"), max_gap=0.1, max_auc_gap=0.05)
        )
        return ev

    ev = phase("quality", quality)

    def baselines():  # type: ignore[no-untyped-def]
        fitted = fit_baselines(
            splits.train,
            labels["train"],
            features=features,
            seed=0,
            max_rows=cfg.quality.baseline_max_train_rows,
        )
        evs = {
            k: evaluate_model(m, config=cfg, splits=splits, production=prod, features=features)
            for k, m in fitted.items()
        }
        test = ev.splits["test"]
        results.append(
            q.check_baselines(
                test.y, test.scores, {k: e.splits["test"].scores for k, e in evs.items()}, resamples=200
            )
        )
        return evs

    evs = phase("baselines", baselines)

    def reports():  # type: ignore[no-untyped-def]
        folder = Path(config_path).parent / "reports"
        arte = write_quality_reports(folder, {"candidate": ev, **evs}, n_bins=10)
        run = GateRun(config_path, {}, 0)
        (folder / "gate.html").write_text(gate_html(run, arte))

    phase("reports", reports)
    print(json.dumps({"phases": phases, "checks": len(results)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    parser.add_argument("--skip-pytest", action="store_true", help="do not run pytest suites/ end to end")
    parser.add_argument(
        "--demo-configs",
        nargs="+",
        metavar="TOML",
        help="instead: time `sentinel gate` on these configs (issue 18's demo figures)",
    )
    parser.add_argument(
        "--reports", help="with --demo-configs: keep each run's reports in REPORTS/<config stem>"
    )
    args = parser.parse_args()
    if args.demo_configs:
        for config in args.demo_configs:
            _sentinel_gate(Path(config), Path(args.reports) if args.reports else None)
        return
    if args.child:
        child(args.child)
        return
    if args.write:
        write_inputs(Path(args.write), args.rows[0])
        return
    for n in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            # Generated in a child too: a forked process inherits its parent's peak RSS
            # as its own ru_maxrss on Linux, so this process must stay small.
            subprocess.run([sys.executable, __file__, "--write", tmp, "--rows", str(n)], check=True)
            config = Path(tmp) / "sentinel.toml"
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(config)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                print(proc.stderr[-3000:])
                raise SystemExit(f"the benchmark child failed at {n} rows")
            stats = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"\n{n:,} rows ({stats['checks']} checks)")
            print(f"  {'phase':26} {'seconds':>8} {'peak RSS MiB':>13}")
            total = 0.0
            for p in stats["phases"]:
                total += p["seconds"]
                print(f"  {p['phase']:26} {p['seconds']:>8.1f} {p['peak_mib']:>13.0f}")
            peak = max(p["peak_mib"] for p in stats["phases"])
            print(f"  {'all phases':26} {total:>8.1f} {peak:>13.0f}")
            if not args.skip_pytest:
                seconds, child_peak = _pytest_end_to_end(config, Path(tmp))
                print(f"  {'pytest suites/ end to end':26} {seconds:>8.1f} {child_peak:>13.0f} (own peak)")


def _sentinel_gate(config: Path, reports: Path | None) -> None:
    """Print wall s, CPU s (user + sys, from wait4: this child only), peak RSS and the
    load average before the run, for ``sentinel gate --config config``."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = reports / config.stem if reports else Path(tmp) / "reports"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sentinel_checks.cli",
                "gate",
                "--config",
                str(config.resolve()),
                "--reports",
                str(folder.resolve()),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4
        wall = time.perf_counter() - started
    print(
        f"{config}: exit {proc.returncode}, wall {wall:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s "
        f"(user {usage.ru_utime:.1f}, sys {usage.ru_stime:.1f}), peak RSS {usage.ru_maxrss / 1024:.0f} MiB, "
        f"load average {load:.1f} before"
    )


def _pytest_end_to_end(config: Path, folder: Path) -> tuple[float, float]:
    """Wall time and peak RSS (MiB, from wait4: this child only) of ``pytest suites/``."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            str(REPO / "suites"),
            "--sentinel-config",
            str(config),
            "--sentinel-reports",
            str(folder / "pytest-reports"),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,
    )
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped by wait4
    return time.perf_counter() - started, usage.ru_maxrss / 1024


if __name__ == "__main__":
    main()
