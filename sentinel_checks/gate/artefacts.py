"""Write everything a gate run produces into the reports folder, pytest or not.

``gate.json`` and ``gate.md`` first (the verdict), then the figures, the
promotion decision record, Evidently's drift pages and ``gate.html``. A figure
that cannot be drawn never hides the verdict already written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.reports.gate_report import GateRun


def write_gate_reports(
    run: GateRun, session: GateSession | None, reports_dir: Path
) -> tuple[list[Path], str]:
    """Write the run's reports into ``reports_dir``.

    Parameters
    ----------
    run : GateRun
        The outcomes and inputs of the run.
    session : GateSession or None
        The session whose evaluations, training log, comparisons and drift runs
        feed the figures (``None`` when the config never loaded).
    reports_dir : Path
        The folder to write into (created when missing).

    Returns
    -------
    (list of Path, str)
        The files written, and a note when the figures could not be written
        (empty otherwise).
    """
    from sentinel_checks.reports.gate_report import write_reports

    written = write_reports(run, reports_dir)
    note = ""
    try:
        written += _write_figures(run, session, reports_dir)
    except Exception as exc:  # a figure must never hide the verdict already written
        note = f"could not write the quality reports: {type(exc).__name__}: {exc}\n"
    return written, note


def _write_promotion(run: GateRun, session: GateSession, reports_dir: Path) -> dict[str, Path]:
    from sentinel_checks.checks.promotion import VS_CHAMPION_ID
    from sentinel_checks.reports.promotion import write_promotion_record

    results = [
        o.result
        for o in sorted(run.outcomes, key=lambda o: o.nodeid)
        if o.result is not None and o.result.id == VS_CHAMPION_ID
    ]
    if not results and not session.comparisons:
        return {}
    return write_promotion_record(
        reports_dir,
        run,
        evaluations=session.evaluations,
        comparisons=dict(sorted(session.comparisons.items())),
        results=results,
    )


def _write_figures(run: GateRun, session: GateSession | None, reports_dir: Path) -> list[Path]:
    from sentinel_checks.reports.gate_report import write_atomic
    from sentinel_checks.reports.html import gate_html
    from sentinel_checks.reports.quality import write_quality_reports

    artefacts: dict[str, Path] = {}
    if session is not None:
        cfg, log = session.config, session.training_log_loaded
        if session.evaluations or log is not None:
            training = cfg.training
            series = [
                c for c in (training.train_loss, training.val_loss) if log is not None and c in log.columns
            ]
            artefacts = write_quality_reports(
                reports_dir,
                session.evaluations,
                n_bins=cfg.quality.calibration_bins,
                training_log=log,
                training_columns=(training.epoch, series) if series else None,
            )
        artefacts.update(_write_promotion(run, session, reports_dir))
        for key, drift_run in sorted(session.drift_runs.items()):
            if drift_run is not None:
                artefacts[f"drift/{key}.html"] = drift_run.save_html(reports_dir / "drift" / f"{key}.html")
    html = write_atomic(reports_dir / "gate.html", gate_html(run, artefacts))
    return [html, *artefacts.values()]
