"""A ``sentinel gate`` run stopped before pytest started: the message, then the reports
(gate.json with verdict ``setup_error``, gate.md, run.json, gate.html) that replace an
earlier run's, so a CI job never reads a stale pass; Ctrl-C there exits 130."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sentinel_checks.cli.config_arg import find_cli_config
from sentinel_checks.gate.pytest_run import EXIT_USAGE

if TYPE_CHECKING:
    from sentinel_checks.gate.preflight import SetupProblem

#: The message of a run interrupted before pytest started (gate.json's only entry).
INTERRUPTED = (
    "the run was interrupted (Ctrl-C, or a CI job's timeout or cancellation) before any check ran; "
    "the model was not judged: run the gate again to the end"
)


def stopped(
    key: str,
    message: str,
    chosen: str | None,
    reports: Path,
    started: str,
    *,
    interrupted: bool = False,
    listed: Sequence[SetupProblem] = (),
) -> int:
    """A setup stop before the preflight could list problems: the message, then gate.json
    (verdict ``setup_error``) replacing an earlier run's, unless the reports folder holds
    one of the run's inputs (then nothing is written there: see ``clash_message``).
    ``interrupted``: Ctrl-C before pytest started, exit 130 (:data:`EXIT_INTERRUPTED`).
    ``listed``: the problems ``message`` lists (an invalid config's keys,
    :func:`~sentinel_checks.gate.preflight_report.config_problems`), each its own gate.json
    entry and counted in the verdict line; none: ``message`` is one entry under ``key``."""
    from sentinel_checks.gate.pytest_run import EXIT_INTERRUPTED

    code = EXIT_INTERRUPTED if interrupted else EXIT_USAGE
    if listed and not interrupted:  # as the plugin lists them (trial: "invalid configuration (1 problem)")
        from sentinel_checks.gate.preflight_report import preflight_text

        print(preflight_text(listed, chosen or _config_named(chosen) or "the configuration"), file=sys.stderr)
    else:
        print(f"sentinel: {'stopped' if interrupted else 'error'}: {message}", file=sys.stderr)
    with _uninterrupted():  # a second Ctrl-C would leave an earlier run's gate.json in place
        return _write_stop(key, message, chosen, reports, started, code=code, listed=listed)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """SIGINT ignored for the block (in the main thread), then handled as before."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _write_stop(
    key: str,
    message: str,
    chosen: str | None,
    reports: Path,
    started: str,
    *,
    code: int,
    listed: Sequence[SetupProblem],
) -> int:
    """:func:`stopped`'s reports: gate.json, gate.md, run.json, gate.html; the exit code."""
    from sentinel_checks.gate.pytest_run import EXIT_INTERRUPTED, reports_refusal
    from sentinel_checks.gate.run_record import setup_stop_run, write_setup_stop
    from sentinel_checks.reports.terminal import artifact_line, setup_error_line

    interrupted = code == EXIT_INTERRUPTED
    config = _config_named(chosen)
    refusal = reports_refusal(reports, _inputs(config))
    if refusal:  # an input, or the user's own files, in the reports folder
        why = "" if refusal in message else f": {refusal}"
        print(f"sentinel: nothing written to {reports}{why}", file=sys.stderr)
        return code
    from sentinel_checks.gate.artefacts import clear_earlier_run, mark_reports_folder, run_files_in

    stopped_by = "interrupted" if interrupted else "setup"
    run = setup_stop_run(
        message,
        key=key,
        config_path=str(config or ""),
        started=started,
        stopped_by=stopped_by,
        exit_code=code,
        listed=listed,
    )
    try:
        clear_earlier_run(reports)
        mark_reports_folder(reports)  # the gate's, as after any other stop (trial: no marker)
        write_setup_stop(run, reports)
    except OSError as exc:
        print(
            f"sentinel: error: the reports folder {reports} cannot be written ({exc}): no gate.json "
            "was written for this run; a gate.json already there is an earlier run's, not this one's",
            file=sys.stderr,
        )
        return code
    publish(reports)
    print(artifact_line(reports, run_files_in(reports)), flush=True)
    last = (
        f"gate not run: interrupted before any check ran (exit {code})"
        if interrupted
        else setup_error_line(len(listed) or 1)
    )
    print(last, file=sys.stderr)
    return code


def _config_named(chosen: str | None) -> Path | None:
    """The config file this run would read (``--config``, else discovered), if any exists."""
    from sentinel_checks.errors import SentinelError

    try:
        return find_cli_config(chosen)
    except SentinelError:
        return None


def _inputs(config: Path | None) -> list[Path]:
    """The run's input files as far as known: the config's inputs, else the config file."""
    from sentinel_checks.config import load_config
    from sentinel_checks.errors import SentinelError

    if config is None:
        return []
    try:
        return [config, *load_config(config, check_files=False).input_files()]
    except SentinelError:
        return [config]


def publish(reports: Path) -> None:
    """Append gate.md to the GitHub Actions step summary (the folder to upload as the CI
    artifact is named before the verdict: :func:`~sentinel_checks.reports.terminal.artifact_line`)."""
    import os

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    markdown = reports / "gate.md"
    if summary and markdown.is_file():
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown.read_text(encoding="utf-8") + "\n")
