"""The one constructor of a :class:`~sentinel_checks.reports.gate_report.GateRun` from a
config, and the report of a run stopped before its config could be used.

A gate run is recorded from four places: the pytest plugin at session end, the
in-process runner, the preflight's stop, and ``sentinel gate``'s setup stops (a
config that cannot be read, a missing suites folder). :func:`gate_run` fills what
identifies the inputs (config, data, models, seed, engine) the same way for all of
them; :func:`write_setup_stop` writes the reports of a stop that has no usable config,
so an older ``gate.json`` in a reused reports folder is never read as this run's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.data.identity import DataIdentity
    from sentinel_checks.gate.preflight import SetupProblem
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.reports.gate_report import GateRun, TestOutcome

#: The node id prefix of a setup problem's entry in ``gate.json`` (no check ran for it).
SETUP_NODE = "sentinel preflight::"


def gate_run(
    cfg: SentinelConfig | None,
    outcomes: Sequence[TestOutcome],
    *,
    coverage: Mapping[str, Any],
    session: GateSession | None = None,
    run_info: Mapping[str, Any] | None = None,
    config_path: str = "",
    identity: DataIdentity | None = None,
) -> GateRun:
    """A gate run's record: its outcomes and what identifies its inputs.

    Parameters
    ----------
    cfg : SentinelConfig or None
        The validated configuration; ``None`` when it never loaded (then the data,
        models, engine and config sha256 are left empty and the seed is 0).
    outcomes : sequence of TestOutcome
        One per gate test (or setup problem), in the order run.
    coverage : mapping
        ``{"suites": [suite file names], "deselected": int}``.
    session : GateSession, optional
        The session that loaded the models (their identities as loaded: a registry
        URI resolved to its version) and the loaders' frames (fingerprinted), and
        holds the engine's notes.
    run_info : mapping, optional
        What goes to ``run.json`` (when the run started, the exit status).
    config_path : str, optional
        The config named on the command line, recorded when ``cfg`` is None.
    identity : DataIdentity, optional
        The data's fingerprints when already computed (the plugin's report header
        computed them; computed again when the session read a loader's rows); else
        :func:`~sentinel_checks.data.identity.data_identity`.

    Returns
    -------
    GateRun

    Raises
    ------
    OSError
        A configured data or model file cannot be read to fingerprint it.
    """
    from sentinel_checks.reports.gate_report import GateRun

    notes = session.engine_notes if session is not None else ()
    if cfg is None:  # the config could not be loaded: its file is fingerprinted as read
        return GateRun(
            # absolute, as a loaded config's source is (trial: relative for an invalid config only)
            config_path=str(Path(config_path).resolve())
            if config_path and Path(config_path).is_file()
            else config_path,
            data={},
            seed=None,
            outcomes=list(outcomes),
            run_info=dict(run_info or {}),
            coverage=dict(coverage),
            notes=notes,
            config_sha256=_file_sha256(config_path),
        )
    from sentinel_checks.config.engine import engine_label
    from sentinel_checks.data.identity import config_fingerprint, data_identity, model_identities

    frames = session.loaded_frames() if session is not None else {}
    if identity is None or frames:  # a loader's rows as the run read them (trial: its name alone)
        identity = data_identity(cfg, loaded=frames)
    return GateRun(
        config_path=str(cfg.source),
        data=dict(identity.fingerprints),
        data_files=dict(identity.files),
        seed=cfg.gate.seed,
        outcomes=list(outcomes),
        run_info=dict(run_info or {}),
        models=model_identities(cfg, session.models if session is not None else {}),
        coverage=dict(coverage),
        config_sha256=config_fingerprint(cfg),
        block_inconclusive=tuple(cfg.gate.block_inconclusive),
        notes=notes,
        engine=engine_label(cfg.data, cfg.engine),
    )


def setup_stop_run(
    message: str,
    *,
    key: str,
    config_path: str,
    started: str,
    stopped_by: str = "setup",
    exit_code: int = 2,
    listed: Sequence[SetupProblem] = (),
) -> GateRun:
    """The record of a run stopped before any check, without a usable config.

    Parameters
    ----------
    message : str
        The setup problem in the user's words (e.g. the config's invalid key).
    key : str
        What it is about, for the entry's node id (``"configuration"``, ``"--suites"``).
    config_path : str
        The config the run was given ("" when none was found).
    started : str
        When the run started (ISO 8601), for ``run.json``.
    stopped_by : str, default "setup"
        ``run.json``'s ``stopped_by`` (``"interrupted"``: Ctrl-C before any check).
    exit_code : int, default 2
        The code the process exits with, written in ``gate.json`` (130 when interrupted).
    listed : sequence of SetupProblem, optional
        The problems ``message`` lists (an invalid config's keys): one entry each, under
        ``sentinel preflight::<its key>``, as the pytest plugin writes them; none:
        ``message`` is the one entry, under ``key``.

    Returns
    -------
    GateRun
        ``error`` entries (input errors, no check result), so the verdict is
        ``setup_error`` (the model was not judged), never ``pass``.
    """
    from sentinel_checks.gate.preflight_report import problem_outcomes
    from sentinel_checks.reports.gate_report import TestOutcome

    outcomes = (
        problem_outcomes(listed)
        if listed
        else [TestOutcome(f"{SETUP_NODE}{key}", "error", message, None, input_error=True)]
    )
    run = gate_run(
        None,
        outcomes,
        coverage={"suites": [], "deselected": 0},
        run_info={
            "started": started,
            "pytest_exitstatus": None,
            "stopped_by": stopped_by,
            **({"exit_code": exit_code} if exit_code != 2 else {}),
        },
        config_path=config_path,
    )
    run.config_sha256 = _file_sha256(config_path)
    return run


def _file_sha256(config_path: str) -> str:
    """``sha256:<hex>`` of the config file as read, or ``""`` when there is none or it
    cannot be read (its message says so)."""
    path = Path(config_path) if config_path else None
    if path is not None and path.is_file():
        from sentinel_checks.data.fingerprints import fingerprint_file

        with contextlib.suppress(OSError):
            return f"sha256:{fingerprint_file(path)}"
    return ""


def write_setup_stop(run: GateRun, reports_dir: Path) -> list[Path]:
    """Write a setup stop's ``gate.json``, ``gate.md``, ``run.json`` and ``gate.html``
    into ``reports_dir``, replacing those of an earlier run (no other file is touched).

    Parameters
    ----------
    run : GateRun
        As :func:`setup_stop_run` makes it.
    reports_dir : Path
        The reports folder (created when missing); the caller has checked that it
        holds no input file.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OSError
        The folder or a file cannot be written.
    """
    from sentinel_checks.gate.artefacts import write_gate_reports

    written, _ = write_gate_reports(run, None, reports_dir)
    return written
