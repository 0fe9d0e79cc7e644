"""The ``sentinel`` command: thin over the library and pytest.

Exit codes: 0 the gate passed (or the command succeeded), 1 the gate failed,
2 usage, configuration or data error, 3 no check ran.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sentinel_checks.errors import PromotionRefused, SentinelError
from sentinel_checks.gate.pytest_run import EXIT_FAILED, EXIT_NO_CHECKS, EXIT_OK, EXIT_USAGE, run_gate

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig

__all__ = ["EXIT_FAILED", "EXIT_NO_CHECKS", "EXIT_OK", "EXIT_USAGE", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except SentinelError as exc:
        print(f"sentinel: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sentinel", description="Gradient Sentinel: a pre-promotion gate for risk classifiers."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="write the golden-incident demo: data, models, two configs")
    demo.add_argument(
        "--out", type=Path, default=Path("sentinel-demo"), help="folder (default: ./sentinel-demo)"
    )
    demo.add_argument(
        "--rows", type=_positive_int, default=200_000, help="offline requests (default: 200000)"
    )
    demo.add_argument("--seed", type=int, default=7, help="generator seed (default: 7)")
    demo.set_defaults(func=_demo)

    gate = sub.add_parser("gate", help="run the gate's suites against a config")
    gate.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    gate.add_argument(
        "--suites",
        type=Path,
        default=None,
        help="suites folder (default: ./suites when it exists, else the suites shipped in the package)",
    )
    gate.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        help="more test files or folders to run (repeatable)",
    )
    gate.add_argument("--reports", default="reports", help="reports folder (default: ./reports)")
    gate.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    gate.set_defaults(func=_gate)

    init = sub.add_parser(
        "init", help="scaffold sentinel.toml, suites/ and a CI workflow (never overwrites a file)"
    )
    init.add_argument("--dir", type=Path, default=Path("."), help="the repository (default: .)")
    init.add_argument("--data", type=Path, help="a parquet/CSV file to infer column roles from")
    init.add_argument(
        "--ci", choices=["github", "gitlab", "none"], default="github", help="workflow file (default: github)"
    )
    init.set_defaults(func=_init)

    promote = sub.add_parser(
        "promote", help="register the candidate and make it @champion, if its gate report passed"
    )
    promote.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    promote.add_argument(
        "--report",
        type=Path,
        default=Path("reports/gate.json"),
        help="gate report (default: reports/gate.json)",
    )
    promote.add_argument("--actor", help="who promotes (default: $SENTINEL_ACTOR, $GITHUB_ACTOR, the login)")
    promote.add_argument(
        "--allow-partial",
        action="store_true",
        help="accept a report of a partial gate (suites left out or tests deselected); not for CI",
    )
    promote.set_defaults(func=_promote)

    adopt = sub.add_parser(
        "adopt", help="register the model serving today ([models.champion] path) as the first @champion"
    )
    adopt.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    adopt.add_argument("--reason", default="", help="why (kept in the audit log)")
    adopt.add_argument("--actor", help="who adopts")
    adopt.set_defaults(func=_adopt)

    rollback = sub.add_parser("rollback", help="make the @previous version the @champion again")
    rollback.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    rollback.add_argument("--reason", default="", help="why (kept in the audit log)")
    rollback.add_argument("--actor", help="who rolls back")
    rollback.set_defaults(func=_rollback)

    disable = sub.add_parser("disable", help="kill switch: take @champion away so serving falls back")
    disable.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    disable.add_argument("--reason", required=True, help="why (kept in the audit log)")
    disable.add_argument("--actor", help="who disables")
    disable.set_defaults(func=_disable)

    experiments = sub.add_parser(
        "experiments", help="the experiment matrix: baselines A and B and the [[experiments.runs]] ablations"
    )
    experiments.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    experiments.add_argument(
        "--reports", type=Path, default=Path("reports"), help="folder (default: ./reports)"
    )
    experiments.set_defaults(func=_experiments)

    monitor = sub.add_parser(
        "monitor", help="judge a production batch (--batch PATH), or `monitor report` for the trend page"
    )
    monitor.add_argument(
        "action", nargs="?", choices=["report"], help="report: the trend page from the history"
    )
    monitor.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    monitor.add_argument("--batch", help="a parquet/CSV batch of production requests, or module:function")
    monitor.add_argument("--labels", type=Path, help="late labels: a file with the request id and the label")
    monitor.add_argument(
        "--reports", type=Path, default=Path("reports"), help="reports folder (default: ./reports)"
    )
    monitor.set_defaults(func=_monitor)

    selftest = sub.add_parser(
        "selftest", help="plant each known fault in a copy of your data: is it caught? does clean data pass?"
    )
    selftest.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    selftest.add_argument("--reports", type=Path, default=Path("reports"), help="folder (default: ./reports)")
    selftest.add_argument(
        "--suites",
        type=Path,
        default=None,
        help="judge each copy with pytest on this suites folder (your own tests included); "
        "default: the gate's steps, in process",
    )
    selftest.add_argument(
        "--faults", nargs="+", metavar="NAME", help="a subset of the catalogue (default: all)"
    )
    selftest.add_argument(
        "--resamples", type=int, default=20, help="clean resamples for the false-alarm rate (default: 20)"
    )
    selftest.add_argument(
        "--share", type=float, default=0.8, help="share of rows in each clean resample (default: 0.8)"
    )
    selftest.add_argument("--seed", type=int, default=0, help="seed of faults and resamples (default: 0)")
    selftest.add_argument("--workers", type=int, default=2, help="gate runs in parallel (default: 2)")
    selftest.set_defaults(func=_selftest)

    status = sub.add_parser("status", help="which registry version is champion, previous or disabled")
    status.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=_status)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1_000:
        raise argparse.ArgumentTypeError(f"needs at least 1000 rows, got {value}")
    return value


def _demo(args: argparse.Namespace) -> int:
    from sentinel_checks.demo.build import build_demo

    print(f"sentinel demo: generating {args.rows} requests and training three models…", flush=True)
    result = build_demo(args.out, n_requests=args.rows, seed=args.seed)
    print(f"wrote {result.folder} in {result.seconds:.0f}s:")
    print("  data/requests.parquet, data/incident_requests.parquet, data/production.parquet")
    print("  models/champion.skops, models/incident.skops, models/fixed.skops")
    print("  incident.toml, fixed.toml, demo.json")
    print()
    print(
        f"  {'model':9} {'threshold':>9} {'val AUC':>8} {'prod AUC':>8} {'prod recall':>11} {'prod FNR':>8}"
    )
    for m in result.models:
        print(
            f"  {m.name:9} {m.threshold:>9.3f} {m.offline_auc:>8.3f} {m.production_auc:>8.3f} "
            f"{m.production_recall:>11.3f} {1 - m.production_recall:>8.3f}"
        )
    print()
    print("Next: run the gate on both configs (the incident should FAIL, the fixed one PASS):")
    for name, path in result.configs.items():
        print(f"  pytest suites/ --sentinel-config {_shown(path)} --sentinel-reports reports/{name}")
    return EXIT_OK


def _gate(args: argparse.Namespace) -> int:

    from sentinel_checks.config import find_config

    config_path = find_config(args.config)
    targets = _suites(args.suites)
    for extra in args.extra:
        if not extra.exists():
            print(f"sentinel: error: --extra {extra}: not found", file=sys.stderr)
            return EXIT_USAGE
        targets.append(str(extra))
    if not targets:
        print(f"sentinel: error: suites folder not found: {args.suites}", file=sys.stderr)
        return EXIT_USAGE
    reports = Path(args.reports)
    code = run_gate(config_path, reports, targets, args.pytest_args)  # a bad config: exit 2 first
    _publish(reports)
    return code


def _config(args: argparse.Namespace) -> SentinelConfig:
    from sentinel_checks.config import find_config, load_config

    return load_config(find_config(args.config))


def _promote(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = _config(args)
    try:
        move = registry.promote(cfg, args.report, who=args.actor, allow_partial=args.allow_partial)
    except PromotionRefused as exc:
        print(f"sentinel: promotion refused: {exc}", file=sys.stderr)
        return EXIT_FAILED
    before = f"; @previous is version {move.previous}" if move.previous else " (first champion)"
    print(f"promoted: {move.model} version {move.version} is @champion{before}")
    print(f"audit: {cfg.registry.audit_log}")
    return EXIT_OK


def _adopt(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = _config(args)
    try:
        move = registry.adopt(cfg, who=args.actor, reason=args.reason)
    except PromotionRefused as exc:
        print(f"sentinel: adopt refused: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"adopted: {move.model} version {move.version} is @champion (the model serving today)")
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = _config(args)
    move = registry.rollback(cfg, who=args.actor, reason=args.reason)
    print(f"rolled back: {move.model} @champion is version {move.version} again (was {move.previous})")
    return EXIT_OK


def _disable(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = _config(args)
    move = registry.disable(cfg, who=args.actor, reason=args.reason)
    print(
        f"disabled: {move.model} version {move.version} is @disabled and @champion is gone; "
        "serving falls back. Undo with `sentinel rollback` (or promote a new model)."
    )
    return EXIT_OK


def _experiments(args: argparse.Namespace) -> int:
    from sentinel_checks.data.inputs import load_inputs
    from sentinel_checks.models.experiments import matrix_csv, matrix_table, run_matrix, tracking_records
    from sentinel_checks.reports.gate_report import write_atomic

    cfg = _config(args)
    inputs = load_inputs(cfg)
    print(f"sentinel experiments: training baselines A and B and {len(cfg.experiments.runs)} experiment(s)…")
    runs = run_matrix(cfg, splits=inputs.splits, features=inputs.features, production=inputs.production)
    n_bins = cfg.quality.calibration_bins
    args.reports.mkdir(parents=True, exist_ok=True)
    path = write_atomic(args.reports / "experiments.csv", matrix_csv(runs, n_bins=n_bins))
    print(matrix_table(runs, n_bins=n_bins))
    print(f"\ntest split; 'vs A': the promotion criteria with Baseline A as the champion. Written: {path}")
    if cfg.experiments.tracking_uri:
        from sentinel_checks.adapters.mlflow_registry import log_runs

        ids = log_runs(
            cfg.experiments.tracking_uri,
            cfg.experiments.mlflow_experiment,
            tracking_records(runs, n_bins=n_bins),
        )
        where = f"experiment {cfg.experiments.mlflow_experiment!r} at {cfg.experiments.tracking_uri}"
        print(f"MLflow: {len(ids)} run(s) in {where}")
    return EXIT_OK


def _monitor(args: argparse.Namespace) -> int:
    cfg = _config(args)
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


def _status(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    info = registry.status(_config(args))
    if args.json:
        print(json.dumps(info, indent=2))
        return EXIT_OK
    print(f"{info['model']} in {info['registry']}")
    for alias, entry in info["aliases"].items():
        print(f"  @{alias:9} {'—' if entry is None else 'version ' + entry['version']}")
    print(f"  lineage   {' → '.join(info['lineage']) or '—'}")
    print(f"  serving   {info['serving'] or 'KILL SWITCH ON: nothing to serve, fall back'}")
    for move in info["audit"][-5:]:
        print(
            f"  {move['at']} {move['actor']}: {move['action']} version {move['version']} "
            f"{move.get('reason', '')}"
        )
    return EXIT_OK


def _selftest(args: argparse.Namespace) -> int:
    from sentinel_checks.config import find_config
    from sentinel_checks.selftest import run as st

    if args.resamples < 0 or not 0.0 < args.share <= 1.0 or args.workers < 1:
        print("sentinel: error: --resamples >= 0, 0 < --share <= 1 and --workers >= 1", file=sys.stderr)
        return EXIT_USAGE
    suites = None  # the gate's steps, in process
    if args.suites is not None:
        if not args.suites.exists():
            print(f"sentinel: error: suites folder not found: {args.suites}", file=sys.stderr)
            return EXIT_USAGE
        suites = [str(args.suites.resolve())]
    try:
        outcome = st.run_selftest(
            find_config(args.config),
            suites=suites,
            faults=args.faults,
            resamples=args.resamples,
            share=args.share,
            seed=args.seed,
            workers=args.workers,
            progress=lambda r: print(
                f"  judged {r.job.name:<32} {r.verdict:<6} {r.seconds:5.1f} s", flush=True
            ),
        )
    except ValueError as exc:  # an unknown fault name
        print(f"sentinel: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    doc = st.to_json(outcome)
    paths = st.write_reports(doc, args.reports)
    print(st.matrix(doc))
    for reason in doc["reasons"]:
        print(f"FAIL: {reason}")
    print(f"self-test {doc['verdict'].upper()}: {', '.join(_shown(p) for p in paths)}")
    return EXIT_OK if doc["verdict"] == "pass" else EXIT_FAILED


def _suites(chosen: Path | None) -> list[str]:
    """What ``sentinel gate`` runs: the chosen folder, else ./suites, else the shipped suites."""
    if chosen is not None:
        return [str(chosen)] if chosen.is_dir() else []
    local = Path("suites")
    if local.is_dir():
        return [str(local)]
    import sentinel_checks.suites

    return [str(Path(sentinel_checks.suites.__file__).parent)]


def _publish(reports: Path) -> None:
    """Append gate.md to the GitHub Actions step summary and list the artifacts to upload."""
    import os

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    markdown = reports / "gate.md"
    if summary and markdown.is_file():
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown.read_text(encoding="utf-8") + "\n")
    if reports.is_dir():
        files = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file())
        print(f"sentinel: upload {reports}/ as the CI artifact: {', '.join(files)}")


def _init(args: argparse.Namespace) -> int:
    from sentinel_checks.scaffold import init_project

    result = init_project(args.dir, data=args.data, ci=args.ci)
    for path in result.written:
        print(f"wrote    {path}")
    for path in result.skipped:
        print(f"skipped (already there) {path}")
    if result.roles is not None:
        r = result.roles
        print(
            f"inferred from {args.data}: label {r.label!r} (risky = {r.positive!r}), "
            f"timestamp {r.timestamp!r}, id {r.id!r}, entities {r.entities}, segments {r.segments} "
            "— confirm them in sentinel.toml"
        )
    print("next: edit sentinel.toml, then `sentinel gate` (docs/ci.md)")
    return EXIT_OK


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
