"""`sentinel experiments`: baselines A and B, one-change ablations, criteria against Baseline A."""

from __future__ import annotations

import csv

import pytest

from sentinel_checks.cli import main
from sentinel_checks.config import config_from_mapping
from sentinel_checks.errors import ConfigError
from tests.conftest import BASE_CONFIG

MATRIX = """
[[experiments.runs]]
name = "history_features"
base = "B"
features_add = ["user_prior_requests", "user_prior_risk_rate"]

[[experiments.runs]]
name = "threshold_0.97"
base = "B"
threshold = 0.97

[[experiments.runs]]
name = "logistic_without_weights"
base = "A"
class_weight = "none"
"""


def _config(tmp_path, runs):
    return config_from_mapping(
        {
            "data": {"path": "d.csv"},
            "splits": {"method": "column", "column": "s"},
            "experiments": {"runs": runs},
        },
        source=tmp_path / "sentinel.toml",
    )


def test_an_experiment_changes_exactly_one_thing(tmp_path):
    with pytest.raises(ConfigError, match=r"'both' changes 2 things \(features, class_weight\)"):
        _config(tmp_path, [{"name": "both", "features_add": ["a"], "class_weight": "none"}])
    with pytest.raises(ConfigError, match="'nothing' changes 0 things"):
        _config(tmp_path, [{"name": "nothing"}])
    with pytest.raises(ConfigError, match="names must be unique"):
        _config(tmp_path, [{"name": "x", "threshold": 0.3}, {"name": "x", "threshold": 0.4}])


@pytest.mark.slow
def test_matrix_on_a_project_writes_csv_marks_criteria_and_logs_to_mlflow(gate_project, tmp_path, capsys):
    tracking = f"sqlite:///{tmp_path / 'tracking.db'}"
    project = gate_project(extra=MATRIX + f'\n[experiments]\ntracking_uri = "{tracking}"\n')
    reports = tmp_path / "out"
    assert main(["experiments", "--config", str(project.config), "--reports", str(reports)]) == 0
    out = capsys.readouterr().out
    assert "baseline_A" in out and "reference" in out

    rows = list(csv.DictReader((reports / "experiment_matrix.csv").read_text().splitlines()))
    names = ["baseline_A", "baseline_B", "history_features", "threshold_0.97", "logistic_without_weights"]
    assert [r["experiment"] for r in rows if r["split"] == "test"] == names
    assert {r["split"] for r in rows} == {"val", "test", "production"}
    test = {r["experiment"]: r for r in rows if r["split"] == "test"}
    assert test["baseline_A"]["meets_criteria"] == ""  # the reference itself
    # a threshold nobody would choose misses most risky requests: fails against A
    assert test["threshold_0.97"]["meets_criteria"] == "no"
    assert "fnr_non_inferior" in test["threshold_0.97"]["criteria_failed"]
    assert float(test["threshold_0.97"]["threshold"]) == pytest.approx(0.97)
    assert float(test["threshold_0.97"]["fnr"]) > float(test["baseline_B"]["fnr"]) + 0.2
    # the history features carry signal: better PR-AUC than the same model without them
    assert float(test["history_features"]["pr_auc"]) > float(test["baseline_B"]["pr_auc"])
    assert test["history_features"]["change"].startswith("features +user_prior_requests")
    for r in rows:
        for metric in ("fnr", "precision", "roc_auc", "pr_auc", "ece"):
            assert r[metric] != "", (r["experiment"], r["split"], metric)

    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking)
    experiment = client.get_experiment_by_name("gradient-sentinel-experiments")
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.info.run_name for r in runs) == sorted(names)
    logged = next(r for r in runs if r.info.run_name == "threshold_0.97")
    assert logged.data.metrics["test_fnr"] == pytest.approx(float(test["threshold_0.97"]["fnr"]), rel=1e-4)
    assert logged.data.tags["sentinel.meets_criteria"] == "false"


def test_an_experiment_naming_a_missing_column_is_a_config_error(gate_project, tmp_path, capsys):
    extra = '\n[[experiments.runs]]\nname = "typo"\nfeatures_add = ["user_prior_requestz"]\n'
    project = gate_project(config_text=BASE_CONFIG, extra=extra)
    assert main(["experiments", "--config", str(project.config), "--reports", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "'typo'" in err and "user_prior_requestz" in err
    assert not (tmp_path / "out" / "experiment_matrix.csv").exists()


def _inconclusive_run():
    from types import SimpleNamespace

    from sentinel_checks.models.experiments import BASELINE_A, ExperimentRun
    from sentinel_checks.result import CheckResult, Evidence, Status

    criteria = Evidence.capped(
        "criteria",
        [
            {"criterion": "fnr_increase", "verdict": "inconclusive"},
            {"criterion": "precision_drop", "verdict": "pass"},
        ],
    )
    verdict = CheckResult(
        id="promotion.vs_champion",
        status=Status.INCONCLUSIVE,
        message="the FNR interval holds the margin",
        evidence=(criteria,),
    )
    row = {"split": "test", "threshold": 0.3, "recall": 0.8, "fnr": 0.2, "precision": 0.5}
    row |= {"roc_auc": 0.8, "pr_auc": 0.6, "ece": 0.01, "brier": 0.05}
    evaluation = SimpleNamespace(experiment_rows=lambda n_bins: [row], choice=SimpleNamespace(rule="recall"))
    spec = BASELINE_A.model_copy(update={"name": "history_features", "base": "B"})
    return ExperimentRun(spec, ("amount",), evaluation, verdict)  # type: ignore[arg-type]


def test_an_inconclusive_verdict_is_not_shown_never_meets_the_bar():
    from sentinel_checks.models.experiments import matrix_rows, matrix_table, tracking_records

    run = _inconclusive_run()
    row = matrix_rows([run], n_bins=10)[0]
    assert row["meets_criteria"] == "not shown"
    assert row["criteria_not_shown"] == "fnr_increase" and row["criteria_failed"] == ""
    table = matrix_table([run], n_bins=10)
    assert "not shown: fnr_increase" in table and "meets" not in table
    tags = tracking_records([run], n_bins=10)[0]["tags"]
    assert (
        tags["sentinel.meets_criteria"] == "not shown"
        and tags["sentinel.criteria_not_shown"] == "fnr_increase"
    )


def test_a_skipped_verdict_says_not_judged_and_why_never_a_bare_no():
    """``sentinel experiments`` printed "no:" with nothing after it when the comparison
    with Baseline A was skipped (nothing to compare on)."""
    from dataclasses import replace

    from sentinel_checks.models.experiments import matrix_table
    from sentinel_checks.reasons import Reason
    from sentinel_checks.result import CheckResult, Status

    run = _inconclusive_run()
    skipped = CheckResult(
        id="promotion.vs_champion",
        status=Status.SKIP,
        message="test has no labelled rows: nothing to compare",
        reason=Reason.EMPTY,
    )
    table = matrix_table([replace(run, verdict=skipped)], n_bins=10)
    last = table.splitlines()[-1]
    assert not last.rstrip().endswith("no:"), table
    assert "not judged: test has no labelled rows" in last, table


def _quick_matrix(monkeypatch):
    """`sentinel experiments` without training: the matrix's file as written, from no runs."""
    from sentinel_checks.models import experiments

    monkeypatch.setattr(experiments, "run_matrix", lambda cfg, **kw: [])
    monkeypatch.setattr(experiments, "matrix_csv", lambda runs, **kw: "experiment,split\n")
    monkeypatch.setattr(experiments, "matrix_table", lambda runs, **kw: "")


def test_the_gate_accepts_the_experiment_matrix_written_into_its_reports_folder(
    gate_project, tmp_path, monkeypatch
):
    """Review: `sentinel experiments` then `sentinel gate` into the same ./reports (as the
    README runs them) stopped with exit 2: the gate took experiments.csv for the user's."""
    from sentinel_checks.gate.pytest_run import foreign_refusal

    _quick_matrix(monkeypatch)
    project = gate_project(config_text=BASE_CONFIG)
    reports = tmp_path / "reports"
    assert main(["experiments", "--config", str(project.config), "--reports", str(reports)]) == 0
    assert (reports / "experiment_matrix.csv").read_text() == "experiment,split\n"
    assert foreign_refusal(reports) == ""


def test_a_gate_run_into_the_same_folder_keeps_the_experiment_matrix(gate_project, tmp_path, monkeypatch):
    """Trial: a gate run into the folder of `sentinel experiments` (both default to
    ./reports) removed the matrix, which had the gate's own report's name
    (experiments.csv), before writing its own table of four models under it."""
    from sentinel_checks.gate.artefacts import clear_earlier_run

    _quick_matrix(monkeypatch)
    project = gate_project(config_text=BASE_CONFIG)
    reports = tmp_path / "reports"
    assert main(["experiments", "--config", str(project.config), "--reports", str(reports)]) == 0
    (reports / "experiments.csv").write_text("model,split\n")  # an earlier gate run's table
    removed = clear_earlier_run(reports)  # what a gate run does first
    assert [p.name for p in removed] == ["experiments.csv"]
    assert (reports / "experiment_matrix.csv").read_text() == "experiment,split\n"


def test_the_experiment_matrix_never_replaces_the_users_own_file(gate_project, tmp_path, monkeypatch, capsys):
    _quick_matrix(monkeypatch)
    project = gate_project(config_text=BASE_CONFIG)
    mine = tmp_path / "mydocs"
    mine.mkdir()
    for name in ("experiments.csv", "experiment_matrix.csv"):  # a gate report's name, or the matrix's
        (mine / name).write_text("the user's table")
        assert main(["experiments", "--config", str(project.config), "--reports", str(mine)]) == 2
        assert (mine / name).read_text() == "the user's table"
        assert f"holds {name}, which no gate run wrote" in capsys.readouterr().err
        (mine / name).unlink()


def test_a_long_change_is_cut_with_an_ellipsis_in_the_table():
    """Trial: the "change" column was cut at 34 characters with no sign of it."""
    from dataclasses import replace

    from sentinel_checks.models.experiments import matrix_table

    run = _inconclusive_run()
    spec = run.spec.model_copy(update={"features_add": ["user_prior_requests", "user_prior_risk_rate"]})
    line = matrix_table([replace(run, spec=spec)], n_bins=10).splitlines()[-1]
    assert "features +user_prior_requests…" in line and "+use " not in line, line
