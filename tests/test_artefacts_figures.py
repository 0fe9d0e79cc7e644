"""Issue 17: a figure that raises never drops gate.html; the page names it and the error."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from sentinel_checks.config import config_from_mapping
from sentinel_checks.gate.artefacts import write_gate_reports
from sentinel_checks.reports.gate_report import GateRun


class _DriftRun:
    def __init__(self, fails: bool) -> None:
        self.fails = fails

    def save_html(self, path: Path) -> Path:
        if self.fails:
            raise ValueError("Evidently could not render the page")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html>drift</html>\n")
        return path


def _session(tmp_path: Path, drift_runs: dict[str, object]) -> SimpleNamespace:
    (tmp_path / "d.csv").write_text("s\ntrain\n")
    config = config_from_mapping(
        {
            "data": {"path": "d.csv"},
            "splits": {"method": "column", "column": "s"},
            "training": {"epoch": "epoch", "train_loss": "loss", "val_loss": "val_loss"},
        },
        source=tmp_path / "sentinel.toml",
    )
    log = pd.DataFrame({"epoch": [1, 2, 3], "loss": [0.9, 0.7, 0.6], "val_loss": [0.95, 0.8, 0.75]})
    return SimpleNamespace(
        config=config, training_log_loaded=log, evaluations={}, comparisons={}, drift_runs=drift_runs
    )


def _run() -> GateRun:
    return GateRun(config_path="sentinel.toml", data={}, seed=0)


def test_a_figure_that_raises_is_replaced_by_a_note_and_gate_html_is_written(tmp_path, monkeypatch):
    from sentinel_checks.adapters import plots

    def broken(*args, **kwargs):
        raise RuntimeError("matplotlib backend exploded")

    monkeypatch.setattr(plots, "training_curves", broken)
    session = _session(tmp_path, {"train_val": _DriftRun(False), "val_test": _DriftRun(True)})
    written, note = write_gate_reports(_run(), session, tmp_path / "reports")  # type: ignore[arg-type]
    page = (tmp_path / "reports" / "gate.html").read_text()
    assert tmp_path / "reports" / "gate.html" in written
    assert "training_curves.png" in page and "RuntimeError: matplotlib backend exploded" in page
    assert "drift/val_test.html" in page and "ValueError: Evidently could not render the page" in page
    assert (tmp_path / "reports" / "drift" / "train_val.html").is_file()  # the others are still written
    assert "drift/train_val.html" in page
    assert "training_curves.png" in note and "drift/val_test.html" in note


def test_figures_that_draw_leave_no_note(tmp_path):
    session = _session(tmp_path, {"train_val": _DriftRun(False)})
    written, note = write_gate_reports(_run(), session, tmp_path / "reports")  # type: ignore[arg-type]
    assert note == ""
    assert (tmp_path / "reports" / "training_curves.png").is_file()
    assert "not drawn" not in (tmp_path / "reports" / "gate.html").read_text()


@pytest.mark.slow  # the gate's steps in process on the 40k-row log (~45 s)
def test_on_a_gate_run_one_broken_figure_leaves_the_others_on_the_page(gate_project, monkeypatch):
    """The candidate's figures are drawn one by one: scores.png raising keeps reliability.png,
    pr_curve.png and experiments.csv (drawn before and after it) on the page."""
    from sentinel_checks.adapters import plots
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.runner import gate_run_in_process

    def broken(*args, **kwargs):
        raise RuntimeError("histogram bins exploded")

    project = gate_project()
    run, session = gate_run_in_process(load_config(project.config))
    monkeypatch.setattr(plots, "score_histograms", broken)
    reports = project.folder / "reports"
    written, note = write_gate_reports(run, session, reports)
    page = (reports / "gate.html").read_text()
    assert "scores.png: RuntimeError: histogram bins exploded" in page and "scores.png" in note
    names = {p.name for p in written}
    assert {"gate.html", "reliability.png", "pr_curve.png", "experiments.csv", "threshold.json"} <= names
    assert "scores.png" not in names
