"""Run the gate's pytest suites on one config and map the outcome to an exit code.

Shared by ``sentinel gate`` and ``sentinel selftest`` so that the self-test judges
copies with exactly the gate users run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.reports.gate_report import GateRun

from sentinel_checks.engine import pyspark_warnings
from sentinel_checks.errors import ReportError
from sentinel_checks.reports.gate_json import GateReport
from sentinel_checks.reports.gate_report import GATE_JSON

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_CHECKS = 0, 1, 2, 3
#: ``sentinel gate`` interrupted (Ctrl-C, a CI job's cancellation) before pytest started:
#: a shell's code for a process ended by SIGINT (128 + 2)
EXIT_INTERRUPTED = 130


def run_gate(
    config: Path,
    reports: Path,
    targets: Sequence[str],
    pytest_args: Sequence[str] = (),
    *,
    session: GateSession | None = None,
) -> int:
    """``pytest TARGETS --sentinel-config CONFIG --sentinel-reports REPORTS``, in process.

    Always writes ``REPORTS/junit.xml`` unless ``pytest_args`` names another. Runs with
    ``--assert=plain`` (no assertion rewriting: a bare ``assert`` in an extra suite still
    fails, without pytest's introspection) unless ``pytest_args`` chooses an ``--assert`` mode.

    Parameters
    ----------
    config : Path
        The configuration file (TOML).
    reports : Path
        The folder the gate writes ``gate.json`` and its other reports to.
    targets : sequence of str
        What pytest collects: suite files or folders (e.g. the shipped ``suites/``).
    pytest_args : sequence of str, optional
        Further pytest arguments, passed as given (e.g. ``["-q", "-k", "quality"]``).
    session : GateSession, optional
        The run's inputs, already loaded (by ``sentinel gate``'s preflight): the suites
        use them instead of loading the data and models again.

    Returns
    -------
    int
        0 when the gate passed, 1 when it failed, 2 for a usage, configuration, data or
        model-file problem, 3 when no check ran.

    Raises
    ------
    ConfigError
        The configuration cannot be loaded, or (before anything runs) the reports
        folder holds one of the gate's input files.
    """
    import pytest

    from sentinel_checks.config import load_config
    from sentinel_checks.errors import ConfigError
    from sentinel_checks.gate.plugin_state import SessionHandOver

    refusal = reports_refusal(reports, load_config(config).input_files())
    if refusal:  # checked before pytest runs: its junit.xml could overwrite a file too
        raise ConfigError(refusal)
    junit = (
        []
        if any(a.startswith("--junitxml") for a in pytest_args)
        else [f"--junitxml={reports / 'junit.xml'}"]
    )
    # Assertion rewriting re-parses and recompiles every module of each pytest plugin's
    # distribution as it is imported (this library, hypothesis, faker, ...: about 300 a
    # run, no bytecode cache when PYTHONDONTWRITEBYTECODE is set). The gate's suites judge
    # through ``gate.run``, not bare asserts; ``--assert=rewrite`` brings it back.
    plain = (
        [] if any(a == "--assert" or a.startswith("--assert=") for a in pytest_args) else ["--assert=plain"]
    )
    code = pytest.main(
        [
            *targets,
            "--sentinel-config",
            str(config),
            "--sentinel-reports",
            str(reports),
            "-o",
            "junit_family=xunit1",  # xunit1 keeps the per-test <properties> CI tools read
            *junit,
            # the preflight imported the gate's libraries before pytest started: their
            # assertions cannot be rewritten, which a project's filterwarnings=error would
            # turn into a crash of the whole gate
            "-W",
            "ignore::pytest.PytestAssertRewriteWarning",
            # PySpark's warnings a project's filterwarnings=error would turn into errors:
            # its Arrow warnings (hiding the Java error after them) and its result sockets
            # left to the garbage collector (keeping each query's plan alive in the JVM)
            *pyspark_warnings.WARNING_OPTIONS,
            *plain,
            *pytest_args,
        ],
        plugins=[SessionHandOver(session)] if session is not None else None,
    )
    report = read_report(reports / GATE_JSON)
    if report is None and code == pytest.ExitCode.INTERRUPTED:  # while loading plugins or collecting
        raise KeyboardInterrupt("pytest was interrupted before the gate wrote its report")
    verdict = report.verdict if report is not None else None
    if code == pytest.ExitCode.NO_TESTS_COLLECTED or verdict == "no_checks":
        return EXIT_NO_CHECKS
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) or verdict == "setup_error":
        return EXIT_USAGE
    if code == pytest.ExitCode.OK and verdict == "pass":
        return EXIT_OK
    return EXIT_USAGE if report is not None and only_input_errors(report) else EXIT_FAILED


def exit_code_of(run: GateRun) -> int:
    """The exit code of a gate run judged in process (:mod:`sentinel_checks.gate.runner`).

    Parameters
    ----------
    run : GateRun
        The run, as :func:`~sentinel_checks.gate.runner.gate_run_in_process` returns it.

    Returns
    -------
    int
        0 passed, 1 failed, 2 nothing judged but bad inputs (verdict ``setup_error``),
        3 no check ran.
    """
    return {"no_checks": EXIT_NO_CHECKS, "pass": EXIT_OK, "setup_error": EXIT_USAGE}.get(
        run.verdict, EXIT_FAILED
    )


def inputs_inside(folder: Path, paths: Sequence[Path]) -> list[Path]:
    """The input files inside the reports folder (where the gate writes).

    Parameters
    ----------
    folder : Path
        The reports folder.
    paths : sequence of Path
        The gate's input files (:meth:`SentinelConfig.input_files`).

    Returns
    -------
    list of Path
        Those of ``paths`` that are ``folder`` or lie below it (after resolving links).
    """
    root = folder.resolve()
    return [p for p in paths if root == p.resolve() or root in p.resolve().parents]


def clash_message(folder: Path, clash: Sequence[Path]) -> str:
    """The message of the ConfigError raised when the reports folder holds input files.

    Parameters
    ----------
    folder : Path
        The reports folder (``--sentinel-reports``).
    clash : sequence of Path
        The input files inside it (:func:`inputs_inside`).

    Returns
    -------
    str
        One line naming the folder and the files, and what to do instead.
    """
    shown = ", ".join(str(p) for p in clash)
    return (
        f"the reports folder {folder} holds input file(s) {shown}: the gate writes its reports "
        "there and could overwrite them; choose a folder of its own (default ./reports)"
    )


def reports_refusal(folder: Path, inputs: Sequence[Path]) -> str:
    """Why the gate must write nothing to the reports folder, or ``""`` when it may.

    It may not when the folder holds one of the run's inputs (:func:`clash_message`), or
    files named as the gate's reports that no gate run wrote
    (:func:`~sentinel_checks.gate.artefacts.foreign_reports`): the gate would overwrite
    or remove them.

    Parameters
    ----------
    folder : Path
        The reports folder.
    inputs : sequence of Path
        The run's input files (:meth:`SentinelConfig.input_files`).

    Returns
    -------
    str
        One line naming the folder, the files and what to do instead; empty when none.
    """
    clash = inputs_inside(folder, inputs)
    return clash_message(folder, clash) if clash else foreign_refusal(folder)


def foreign_refusal(folder: Path, also: Sequence[str] = ()) -> str:
    """The refusal of :func:`reports_refusal` for files named as the gate's reports (or
    ``also``) that no gate run wrote (:func:`~sentinel_checks.gate.artefacts.foreign_reports`),
    or ``""``. The plugin asks when pytest starts, before pytest's own ``junit.xml`` is written."""
    from sentinel_checks.gate.artefacts import foreign_reports

    theirs = foreign_reports(folder, also)
    if not theirs:
        return ""
    shown = ", ".join(str(p.relative_to(folder)) for p in theirs)
    return (
        f"the reports folder {folder} holds {shown}, which no gate run wrote (it has no gate.json "
        "of an earlier run): the gate would overwrite or remove them; choose a folder of its "
        "own (default ./reports) or move them"
    )


def read_report(path: Path) -> GateReport | None:
    """The gate report the run wrote, or None when there is none (or it is not one).

    Parameters
    ----------
    path : Path
        The ``gate.json`` file.

    Returns
    -------
    GateReport or None
        The parsed report; ``None`` where reading it would raise :class:`ReportError`
        (missing, unreadable, not a gate report, unknown schema version).
    """
    try:
        return GateReport.read(path)
    except ReportError:
        return None


def only_input_errors(report: GateReport) -> bool:
    """True when nothing was judged a failure and every problem is a bad input
    (configuration, data or model file): that is exit 2, not a failed gate.

    Decided on each entry's ``input_error`` flag, which the plugin sets from the
    exception's type (never from its message).

    Parameters
    ----------
    report : GateReport
        The gate report of the run.

    Returns
    -------
    bool
        False when there is no problem, or a check failed or errored.
    """
    bad = report.bad
    if not bad:
        return False
    if any(c.recorded_check and c.status in ("fail", "error") for c in bad):
        return False  # a check ran and judged
    return all(c.input_error for c in bad)
