"""The ``sentinel`` command line: its sub-commands and their arguments.

Each sub-command's ``func`` is its implementation in :mod:`.gate_commands`,
:mod:`.registry_commands` or :mod:`.monitor_commands`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sentinel_checks.cli import gate_commands, monitor_commands, registry_commands


def build_parser() -> argparse.ArgumentParser:
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
    demo.set_defaults(func=gate_commands.demo)

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
    gate.set_defaults(func=gate_commands.gate)

    init = sub.add_parser(
        "init", help="scaffold sentinel.toml, suites/ and a CI workflow (never overwrites a file)"
    )
    init.add_argument("--dir", type=Path, default=Path("."), help="the repository (default: .)")
    init.add_argument("--data", type=Path, help="a parquet/CSV file to infer column roles from")
    init.add_argument(
        "--ci", choices=["github", "gitlab", "none"], default="github", help="workflow file (default: github)"
    )
    init.set_defaults(func=gate_commands.init)

    promote = sub.add_parser(
        "promote", help="register the candidate and make it @champion, if its gate report passed"
    )
    promote.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    where = promote.add_mutually_exclusive_group()
    where.add_argument(
        "--report",
        type=lambda path: _gate_json(path, folder=False),
        default=Path("reports/gate.json"),
        help="gate report (default: reports/gate.json; a folder: its gate.json)",
    )
    where.add_argument(  # the folder, as `sentinel gate --reports` names it (trial: an unknown option)
        "--reports",
        type=lambda path: _gate_json(path, folder=True),
        dest="report",
        metavar="FOLDER",
        help="the gate's reports folder, as given to `sentinel gate --reports` (reads its gate.json)",
    )
    promote.add_argument("--actor", help="who promotes (default: $SENTINEL_ACTOR, $GITHUB_ACTOR, the login)")
    promote.add_argument(
        "--allow-partial",
        action="store_true",
        help="accept a report of a partial gate (suites left out or tests deselected); not for CI",
    )
    promote.set_defaults(func=registry_commands.promote)

    adopt = sub.add_parser(
        "adopt", help="register the model serving today ([models.champion] path) as the first @champion"
    )
    adopt.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    adopt.add_argument("--reason", default="", help="why (kept in the audit log)")
    adopt.add_argument("--actor", help="who adopts")
    adopt.set_defaults(func=registry_commands.adopt)

    rollback = sub.add_parser("rollback", help="make the @previous version the @champion again")
    rollback.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    rollback.add_argument("--reason", default="", help="why (kept in the audit log)")
    rollback.add_argument("--actor", help="who rolls back")
    rollback.set_defaults(func=registry_commands.rollback)

    disable = sub.add_parser("disable", help="kill switch: take @champion away so serving falls back")
    disable.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    disable.add_argument("--reason", required=True, help="why (kept in the audit log)")
    disable.add_argument("--actor", help="who disables")
    disable.set_defaults(func=registry_commands.disable)

    experiments = sub.add_parser(
        "experiments", help="the experiment matrix: baselines A and B and the [[experiments.runs]] ablations"
    )
    experiments.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    experiments.add_argument(
        "--reports", type=Path, default=Path("reports"), help="folder (default: ./reports)"
    )
    experiments.set_defaults(func=monitor_commands.experiments)

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
    monitor.set_defaults(func=monitor_commands.monitor)

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
    selftest.set_defaults(func=gate_commands.selftest)

    status = sub.add_parser("status", help="which registry version is champion, previous or disabled")
    status.add_argument("--config", help="sentinel.toml or pyproject.toml (default: discovered)")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=registry_commands.status)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1_000:
        raise argparse.ArgumentTypeError(f"needs at least 1000 rows, got {value}")
    return value


def _gate_json(text: str, *, folder: bool) -> Path:
    """The gate.json that ``sentinel promote --report``/``--reports`` names: an existing
    folder's gate.json, an existing file or a ``.json`` name as given, else the name read as
    a folder (``folder``, ``--reports``) or as the report (``--report``). Review: a report
    file given to ``--reports`` was read as ``…/gate.json/gate.json``."""
    path = Path(text)
    if path.is_dir():
        return path / "gate.json"
    if path.is_file() or path.suffix == ".json" or not folder:
        return path
    return path / "gate.json"
