"""``sentinel monitor`` (a production batch, or the trend page) and ``sentinel experiments``
(the experiment matrix)."""

from __future__ import annotations

import argparse
import sys

from sentinel_checks.cli.config_arg import config_of
from sentinel_checks.gate.pytest_run import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def experiments(args: argparse.Namespace) -> int:
    from sentinel_checks.data.inputs import load_inputs
    from sentinel_checks.gate.artefacts import MATRIX_FILE, mark_reports_folder
    from sentinel_checks.gate.pytest_run import foreign_refusal
    from sentinel_checks.models.experiments import matrix_csv, matrix_table, run_matrix, tracking_records
    from sentinel_checks.reports.gate_report import write_atomic

    cfg = config_of(args)
    inputs = load_inputs(cfg)
    print(f"sentinel experiments: training baselines A and B and {len(cfg.experiments.runs)} experiment(s)…")
    runs = run_matrix(cfg, splits=inputs.splits, features=inputs.features, production=inputs.production)
    n_bins = cfg.quality.calibration_bins
    refusal = foreign_refusal(args.reports, (MATRIX_FILE,))  # the user's own file is not replaced
    if refusal:
        print(f"sentinel: error: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    mark_reports_folder(args.reports)  # review: the gate then took the matrix for the user's own file
    path = write_atomic(args.reports / MATRIX_FILE, matrix_csv(runs, n_bins=n_bins))
    print(matrix_table(runs, n_bins=n_bins))
    print(f"\ntest split; 'vs A': the promotion criteria with Baseline A as the champion. Written: {path}")
    if cfg.experiments.tracking_uri:
        from sentinel_checks.adapters.mlflow_tracking import log_runs

        ids = log_runs(
            cfg.experiments.tracking_uri,
            cfg.experiments.mlflow_experiment,
            tracking_records(runs, n_bins=n_bins),
        )
        where = f"experiment {cfg.experiments.mlflow_experiment!r} at {cfg.experiments.tracking_uri}"
        print(f"MLflow: {len(ids)} run(s) in {where}")
    return EXIT_OK


def monitor(args: argparse.Namespace) -> int:
    cfg = config_of(args)
    if args.action == "report":
        from sentinel_checks.monitor.trend import write_trend_report

        path = write_trend_report(cfg, args.reports / "monitoring")
        print(f"trend report: {path}")
        return EXIT_OK
    if args.batch is None:
        print("sentinel: error: monitor needs --batch PATH (or the `report` action)", file=sys.stderr)
        return EXIT_USAGE
    from sentinel_checks.monitor.run import run_monitor

    outcome = run_monitor(cfg, args.batch, labels_path=args.labels, reports_dir=args.reports)
    for alert in outcome.alerts:
        severity = "CRITICAL" if alert.status.value == "fail" else "warning"
        print(f"{severity:8} {alert.id} [{alert.parameters.get('segment')}]: {alert.message}")
    for trigger in outcome.triggers:
        print(f"retrain trigger: {trigger}")
    for i, step in enumerate(outcome.next_steps, 1):
        print(f"  {i}. {step}")
    overall = outcome.record["scopes"]["overall"]
    verdict = f"{len(outcome.alerts)} alert(s)" if outcome.alerts else "healthy"
    print(
        f"monitor: {verdict}; {overall['n']} rows, flagged {overall['flagged_fraction']:.2%}, "
        f"{overall['n_positive']} labelled risky; written: {', '.join(str(p) for p in outcome.written)}"
    )
    return EXIT_FAILED if outcome.alerts else EXIT_OK
