"""``sentinel demo``, ``gate``, ``init`` and ``selftest``: each a thin call into the library."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sentinel_checks.cli.config_arg import find_cli_config
from sentinel_checks.cli.setup_stop import INTERRUPTED, publish, stopped
from sentinel_checks.gate.pytest_run import EXIT_FAILED, EXIT_OK, EXIT_USAGE, run_gate

if TYPE_CHECKING:
    from sentinel_checks.gate.session import GateSession


def demo(args: argparse.Namespace) -> int:
    from sentinel_checks.demo.build import build_demo

    print(f"sentinel demo: generating {args.rows:,} requests and training three models…", flush=True)
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
    print("\n".join(next_steps(result.configs, program=invoked_as())))
    return EXIT_OK


def next_steps(configs: dict[str, Path], *, program: str = "sentinel") -> list[str]:
    """What ``sentinel demo`` tells a user to run next: ``sentinel gate`` on each config
    (it runs from any folder, where ``pytest suites/`` needs this repository's checkout),
    as ``program`` (:func:`invoked_as`: ``.venv/bin/sentinel`` when that is not on PATH).

    >>> gate_line, other = next_steps({"fixed": Path("/n/fixed.toml")}, program=".venv/bin/sentinel")[1:]
    >>> gate_line
    '  .venv/bin/sentinel gate --config /n/fixed.toml --reports reports/fixed'
    >>> other.split(": ", 1)[1][:35]
    '.venv/bin/pytest suites/ --sentinel'
    >>> next_steps({}, program="'my env/bin/sentinel'")[-1].split(": ", 1)[1][:22]
    "'my env/bin/pytest' su"
    """
    lines = ["Next: run the gate on both configs (the incident should FAIL, the fixed one PASS):"]
    for name, path in configs.items():
        lines.append(f"  {program} gate --config {shlex.quote(_shown(path))} --reports reports/{name}")
    if program.endswith(" -m sentinel_checks.cli"):  # python -m: pytest the same way
        pytest = program.removesuffix(" -m sentinel_checks.cli") + " -m pytest"
    elif program != "sentinel":  # a path to the venv's sentinel (maybe quoted): its pytest beside it
        head, _, tail = program.rpartition("sentinel")
        pytest = f"{head}pytest{tail}"
    else:
        pytest = "pytest"
    checkout = f"{pytest} suites/ --sentinel-config CONFIG --sentinel-reports reports/NAME"
    return [*lines, f"(or, in a checkout of this repository: {checkout})"]


def invoked_as(argv0: str | None = None) -> str:
    """How to run this command again from the current folder: ``"sentinel"`` when that name
    on PATH is this very program; ``python -m sentinel_checks.cli`` (this interpreter) when
    started so; else the path it was started by (trial: after ``make demo`` the hint's
    bare ``sentinel`` was "command not found": the venv is not activated).
    """
    import shutil

    started = Path(argv0 if argv0 is not None else sys.argv[0])
    if started.name == "__main__.py":
        return f"{shlex.quote(sys.executable)} -m sentinel_checks.cli"
    on_path = shutil.which("sentinel")
    if on_path is not None and Path(on_path).resolve() == started.resolve():
        return "sentinel"
    shown = _shown(started.absolute())
    return shlex.quote(shown if "/" in shown else f"./{shown}")


def gate(args: argparse.Namespace) -> int:
    import datetime as dt

    from sentinel_checks.errors import ConfigError, SentinelError

    reports = Path(args.reports)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        ready = _prepare(args, reports)
    except KeyboardInterrupt:  # Ctrl-C or a CI job's cancellation, before pytest started
        return stopped("interrupted", INTERRUPTED, args.config, reports, started, interrupted=True)
    except _SetupStop as stop:
        return stopped(stop.key, stop.message, args.config, reports, started)
    except SentinelError as exc:  # the config cannot be found or read, or is invalid
        from sentinel_checks.gate.preflight_report import config_problems

        listed = config_problems(exc) if isinstance(exc, ConfigError) else []  # an invalid config's keys
        return stopped(_key_of(exc), str(exc), args.config, reports, started, listed=listed)
    except Exception as exc:  # a library's own error on an input the gate does not foresee
        import traceback

        traceback.print_exc()
        said = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        message = f"the gate stopped before any check on an unexpected error ({said}); the traceback is above"
        return stopped("setup", message, args.config, reports, started)
    if isinstance(ready, int):
        return ready
    config_path, targets, session = ready
    try:
        code = run_gate(config_path, reports, targets, args.pytest_args, session=session)
    except KeyboardInterrupt:  # before pytest's session wrote gate.json (loading plugins, collecting)
        return stopped("interrupted", INTERRUPTED, args.config, reports, started, interrupted=True)
    finally:  # pytest's own close may not have run (e.g. it refused its arguments)
        session.close()
    publish(reports)  # the plugin printed the folder to upload, before the verdict
    return code


def _key_of(exc: Exception) -> str:
    """What a setup stop is about, for its gate.json entry (``sentinel preflight::<key>``)."""
    from sentinel_checks.errors import ConfigError, DataError, ModelLoadError

    keys = ((ConfigError, "configuration"), (DataError, "data"), (ModelLoadError, "models"))
    return next((key for kind, key in keys if isinstance(exc, kind)), "setup")


class _SetupStop(Exception):
    """A setup mistake ``sentinel gate`` finds before pytest runs (exit 2)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


def _disables_plugin(options: list[str]) -> bool:
    """Whether pytest's ``options`` (``$PYTEST_ADDOPTS``'s, then the command line's) hold
    ``-p no:sentinel`` (or ``-pno:sentinel``, ``-p=…``)."""
    for i, option in enumerate(options):
        if option == "-p" and i + 1 < len(options):
            value = options[i + 1]
        elif option.startswith("-p"):
            value = option.removeprefix("-p").lstrip("=")
        else:
            continue
        if value == "no:sentinel":
            return True
    return False


def _prepare(args: argparse.Namespace, reports: Path) -> tuple[Path, list[str], GateSession] | int:
    """The config, the suites and the preflight's session of a run; the exit code when the
    preflight stopped it (its reports written). Raises :class:`_SetupStop` or a SentinelError
    for a setup mistake found before the preflight could list it."""
    if _disables_plugin([*shlex.split(os.environ.get("PYTEST_ADDOPTS", "")), *args.pytest_args]):
        raise _SetupStop(  # trial: pytest's own "unrecognized arguments", no gate.json
            "pytest options",
            "-p no:sentinel disables the gate's plugin: the gate cannot run without it; drop it",
        )
    config_path = find_cli_config(args.config)
    targets = _suites(args.suites)
    for extra in args.extra:
        if not extra.exists():
            raise _SetupStop("--extra", f"--extra {extra}: not found")
        targets.append(str(extra))
    if not targets:
        raise _SetupStop("--suites", f"suites folder not found: {args.suites}")
    session = _preflight(config_path, reports)  # setup mistakes: exit 2 before any suite
    if isinstance(session, int):
        from sentinel_checks.gate.artefacts import run_files_in
        from sentinel_checks.reports.terminal import artifact_line, setup_error_line

        publish(reports)
        print(
            artifact_line(reports, run_files_in(reports)), flush=True
        )  # before the verdict: the verdict is the last line
        print(setup_error_line(session), file=sys.stderr)  # the words pytest's run ends with
        return EXIT_USAGE
    return config_path, targets, session


def _preflight(config_path: Path, reports: Path) -> GateSession | int:
    """The run's session, its data and models loaded and looked over; the number of
    setup problems when the preflight found some (listed on stderr and in the reports).

    Raises ConfigError for an invalid config, or a reports folder holding an input."""
    import datetime as dt

    from sentinel_checks.config import load_config
    from sentinel_checks.errors import ConfigError
    from sentinel_checks.gate.preflight import preflight
    from sentinel_checks.gate.preflight_report import counted, preflight_text, write_setup_reports
    from sentinel_checks.gate.pytest_run import reports_refusal
    from sentinel_checks.gate.session import GateSession

    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    config = load_config(config_path, check_files=False)  # a missing file is a preflight problem
    refusal = reports_refusal(reports, config.input_files())
    if refusal:  # before anything is written there
        raise ConfigError(refusal)
    from sentinel_checks.gate.artefacts import clear_earlier_run, mark_reports_folder

    clear_earlier_run(reports)  # the folder holds this run's reports only, whatever stops it
    mark_reports_folder(reports)  # the gate's from now on, whatever stops the run
    session = GateSession(config)
    session.start_drift_worker()  # its start-up (Evidently's import) overlaps the preflight's loading
    try:
        problems = preflight(session)
    except BaseException:
        session.close()
        raise
    if not problems:
        return session
    print(preflight_text(problems, config_path), file=sys.stderr)
    try:
        write_setup_reports(problems, session, reports, started=started)
    finally:
        session.close()  # no check runs: the engine and the drift worker end here
    return len(counted(problems))


def init(args: argparse.Namespace) -> int:
    from sentinel_checks.scaffold import init_project

    result = init_project(args.dir, data=args.data, ci=args.ci)
    for path in result.written:
        print(f"wrote    {path}")
    for path in result.skipped:
        print(f"skipped (already there) {path}")
    if result.roles is not None:
        from sentinel_checks.scaffold import roles_summary

        confirm = "confirm them in sentinel.toml" + (" (TODO lines first)" if result.has_todo else "")
        print(f"inferred from {args.data}: {roles_summary(result.roles)} — {confirm}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    print("next: edit sentinel.toml, then `sentinel gate` (docs/ci.md)")
    return EXIT_OK


def selftest(args: argparse.Namespace) -> int:
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
            find_cli_config(args.config),
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


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
