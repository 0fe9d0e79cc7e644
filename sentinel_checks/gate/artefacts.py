"""Write everything a gate run produces into the reports folder, pytest or not.

``gate.json`` and ``gate.md`` first (the verdict), then the figures, the
promotion decision record, Evidently's drift pages and ``gate.html``. A figure
that cannot be drawn never hides the verdict already written, nor the page: each
group of figures (the quality figures, the promotion record, each drift page) is
drawn on its own, and one that raises is replaced in ``gate.html`` by a short note
naming it and the error.
"""

from __future__ import annotations

import html
import re
import traceback
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from sentinel_checks.reports.gate_report import GATE_MD, gate_markdown, write_atomic, write_reports

    written = write_reports(run, reports_dir)
    failures: list[str] = []
    try:
        written += _write_figures(run, session, reports_dir, failures)
    except Exception as exc:  # the page itself: the verdict already written still stands
        failures.append(f"gate.html: {type(exc).__name__}: {exc}")
    # gate.md was written before gate.html, promotion.md and the drift pages: again now,
    # so that it links every report this run wrote (and only those)
    write_atomic(reports_dir / GATE_MD, gate_markdown(run, reports_dir))
    note = "".join(f"could not write {failure}\n" for failure in failures)
    return written, note


#: The figure each drawing function of :mod:`sentinel_checks.adapters.plots` writes.
_FIGURE_OF = {
    "reliability_diagram": "reliability.png",
    "score_histograms": "scores.png",
    "pr_curves": "pr_curve.png",
    "training_curves": "training_curves.png",
}


def _failed_figure(exc: BaseException, group: str) -> str:
    """The figure a drawing error came from, else the group: the innermost plots function on
    the traceback, by its name or by the call (``plots.<name>(``) on the line that raised."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        called = re.search(r"plots\.(\w+)\(", frame.line or "")
        for name in (frame.name, called.group(1) if called else ""):
            if name in _FIGURE_OF:
                return _FIGURE_OF[name]
    return group


def _drawn(group: str, draw: Callable[[], dict[str, Path]], failures: list[str]) -> dict[str, Path]:
    """``draw()``'s files, or none with ``"<figure>: <error>"`` added to ``failures``."""
    try:
        return draw()
    except Exception as exc:  # any drawing error: the page is written without this figure
        failures.append(f"{_failed_figure(exc, group)}: {type(exc).__name__}: {exc}")
        return {}


def _drift_page(drift_run: Any, name: str, path: Path) -> dict[str, Path]:
    return {name: drift_run.save_html(path)}


def _with_notes(page: str, failures: list[str]) -> str:
    """``page`` with a section naming each figure not drawn and its error, before ``</body>``."""
    if not failures:
        return page
    items = "".join(f"<li>{html.escape(failure)}</li>" for failure in failures)
    section = (
        "<section id='figures-not-drawn'><h2>Figures not drawn</h2>"
        f"<p>These could not be drawn; the checks above are unaffected.</p><ul>{items}</ul></section>"
    )
    head, body_end, tail = page.rpartition("</body>")
    return head + section + body_end + tail if body_end else page + section


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


def _write_figures(
    run: GateRun, session: GateSession | None, reports_dir: Path, failures: list[str]
) -> list[Path]:
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
            artefacts.update(
                _drawn(
                    "the quality figures",
                    lambda: write_quality_reports(
                        reports_dir,
                        session.evaluations,
                        n_bins=cfg.quality.calibration_bins,
                        training_log=log,
                        training_columns=(training.epoch, series) if series else None,
                        failures=failures,  # each figure on its own: one that raises is noted
                    ),
                    failures,
                )
            )
        artefacts.update(
            _drawn("promotion.md", lambda: _write_promotion(run, session, reports_dir), failures)
        )
        for key, drift_run in sorted(session.drift_runs.items()):
            if drift_run is not None:
                name = f"drift/{key}.html"
                path = reports_dir / "drift" / f"{key}.html"
                artefacts.update(_drawn(name, partial(_drift_page, drift_run, name, path), failures))
    page = _with_notes(gate_html(run, artefacts), failures)
    html_path = write_atomic(reports_dir / "gate.html", page)
    return [html_path, *artefacts.values()]


#: The files a gate run writes at the top of the reports folder (besides ``drift/``).
RUN_FILES = (
    "gate.json",
    "gate.md",
    "gate.html",
    "run.json",
    "junit.xml",
    "promotion.json",
    "promotion.md",
    "threshold.json",
    "experiments.csv",
    *_FIGURE_OF.values(),
)


#: The file ``sentinel experiments`` writes into a reports folder: not one of
#: :data:`RUN_FILES`, so a gate run into the same folder keeps it (trial: the matrix was
#: ``experiments.csv``, the name of the gate's own table, and a gate run removed it).
MATRIX_FILE = "experiment_matrix.csv"


def run_files_in(reports_dir: Path, also: Sequence[str] = ()) -> list[Path]:
    """The files of :data:`RUN_FILES` (and ``also``) and ``drift/*_vs_*.html`` that
    ``reports_dir`` holds."""
    from sentinel_checks.reports.gate_md import DRIFT_PAGES

    found = [p for p in (reports_dir / name for name in (*RUN_FILES, *also)) if p.is_file()]
    drift = reports_dir / "drift"
    return found + (sorted(drift.glob(DRIFT_PAGES)) if drift.is_dir() else [])


#: The file a gate run (or ``sentinel experiments``) leaves in a reports folder it writes
#: to, before anything else: the folder's files under the gate's names are then its own,
#: even when a run stopped before its gate.json (review: a crash left junit.xml alone).
MARKER = ".sentinel-reports"


def mark_reports_folder(reports_dir: Path) -> None:
    """Create ``reports_dir`` if needed and leave :data:`MARKER` in it.

    Raises
    ------
    OSError
        The folder cannot be created or written.
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    marker = reports_dir / MARKER
    if not marker.is_file():
        marker.write_text(
            "Gradient Sentinel writes its reports here; each run replaces the files it wrote.\n",
            encoding="utf-8",
        )


def foreign_reports(reports_dir: Path, also: Sequence[str] = ()) -> list[Path]:
    """Files a gate run would overwrite or remove in ``reports_dir`` that no gate run wrote
    (``also``: further names the caller writes, e.g. :data:`MATRIX_FILE`).

    A folder holding :data:`MARKER`, or a gate report (a ``gate.json`` holding a JSON
    object with a ``verdict``, as every version of the gate writes it), is the gate's:
    its files under the gate's names are an earlier run's. Otherwise any file named as one of the gate's
    (:data:`RUN_FILES`, ``drift/<a>_vs_<b>.html``) is the user's own (trial: ``--reports
    mydocs`` removed the user's ``scores.png``, ``threshold.json`` and ``experiments.csv``).

    Returns
    -------
    list of Path
        Those files; empty when the gate may write there (no such file, or an earlier
        run's folder).
    """
    found = run_files_in(reports_dir, also)
    if not found or (reports_dir / MARKER).is_file() or _gate_report_in(reports_dir):
        return []
    return found


def _gate_report_in(reports_dir: Path) -> bool:
    """Whether ``reports_dir/gate.json`` is a gate run's report (a JSON object with a verdict)."""
    import json

    try:
        report = json.loads((reports_dir / "gate.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and "verdict" in report


def clear_earlier_run(reports_dir: Path) -> list[Path]:
    """Remove what an earlier gate run wrote into ``reports_dir``: the files named in
    :data:`RUN_FILES` and Evidently's pages ``drift/<reference>_vs_<current>.html``
    (``drift/`` itself when that leaves it empty). Any other file is left alone.

    ``sentinel gate`` calls it once the folder is known to hold none of the run's inputs
    and none of the user's own files under those names
    (:func:`~sentinel_checks.gate.pytest_run.reports_refusal`), so a run stopped by a
    setup problem (or one that crashes) never leaves an earlier run's ``junit.xml`` of
    passing tests or ``promotion.md`` saying PROMOTE beside it.

    Returns
    -------
    list of Path
        The files removed.

    Raises
    ------
    OSError
        A file cannot be removed.
    """
    drift = reports_dir / "drift"
    removed = run_files_in(reports_dir)
    for path in removed:
        path.unlink()
    if drift.is_dir() and not any(drift.iterdir()):
        drift.rmdir()
    return removed
