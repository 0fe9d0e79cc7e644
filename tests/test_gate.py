"""The gate end to end: a clean setup passes; every bad input of the foundation issue
fails the gate with a message naming the file, column or key. The gate never passes
on bad input.

Verdicts and messages are judged in process (the gate's steps, the same gate.json
as pytest: tests/test_gate_steps.py); what only a pytest session shows (its
header, run.json, -k deselection, config errors at load, the terminal) runs the
suites in a subprocess, as a user runs them. Two bad-input cases stay in the fast
lane; the rest is slow.
"""

import hashlib
import json

import pytest

from tests.conftest import judge_in_process, run_gate


@pytest.mark.slow
def test_clean_setup_passes_and_writes_reports(gate_project):
    project = gate_project()
    run = run_gate(project.config, project.folder, "-v")  # -v with -q: the header shows
    assert run.code == 0, run.output
    assert run.report["verdict"] == "pass"
    ids = {c.get("id") for c in run.report["checks"]}
    assert {
        "contract.schema",
        "contract.labels",
        "splits.time_order",
        "splits.entity_overlap",
        "splits.row_overlap",
        "splits.target_leakage",
        "model.scores",
    } <= ids
    # the champion and the training log are optional: skipped with a reason the summary shows
    skipped = [c for c in run.report["checks"] if c["outcome"] == "skipped"]
    reasons = {"no [models.champion] configured", "no [training] log configured"}
    assert not any(c.get("status") in ("fail", "error") for c in run.report["checks"])
    assert skipped and all(any(r in c["message"] for r in reasons) for c in skipped)
    assert {"quality.recall", "quality.calibration", "quality.baselines", "quality.segments"} <= ids
    for artefact in ("gate.html", "threshold.json", "experiments.csv", "reliability.png", "pr_curve.png"):
        assert (project.folder / "reports" / artefact).is_file(), artefact
    page = (project.folder / "reports" / "gate.html").read_text()
    for section in ("PASS", "All checks", "Segments", "Models and baselines", "data:image/png;base64"):
        assert section in page, section
    threshold = json.loads((project.folder / "reports" / "threshold.json").read_text())
    assert threshold["rule"] == "target_recall" and "at_0.5" in threshold["splits"]["test"]
    assert f"sentinel: config {project.config}" in run.output
    assert "sentinel: data dataset=sha256:" in run.output and "seed 0; engine pandas" in run.output
    # the terminal summary: counts by runbook phase, the reports, the verdict last
    assert "Data & splits: " in run.output and "Model quality: " in run.output
    assert "reports: " in run.output and "\ngate PASS (" in run.output
    md = (project.folder / "reports" / "gate.md").read_text()
    assert md.startswith("# Gradient Sentinel gate: PASSED")


@pytest.mark.slow
def test_same_answer_twice(gate_project):
    """The same inputs and seed give a byte-identical gate.json; run times go to run.json."""
    project = gate_project()
    reports = project.folder / "reports"
    run_gate(project.config, project.folder)
    first, first_run = (reports / "gate.json").read_bytes(), json.loads((reports / "run.json").read_text())
    run_gate(project.config, project.folder)
    second, second_run = (reports / "gate.json").read_bytes(), json.loads((reports / "run.json").read_text())
    assert first == second
    assert set(first_run) == {"started", "pytest_exitstatus", "gate_json_sha256"}
    assert (
        first_run["gate_json_sha256"] == second_run["gate_json_sha256"] == hashlib.sha256(first).hexdigest()
    )


def _drop_feature(log):
    return {"offline": log.offline.drop(columns="amount")}


def _nan_labels(log):
    off = log.offline.copy()
    off.loc[off.index[:5], "label"] = None
    return {"offline": off}


def _label_outside(log):
    off = log.offline.copy()
    off.loc[off.index[7], "label"] = "unknown"
    return {"offline": off}


def _unparseable_ts(log):
    off = log.offline.copy()
    off["request_ts"] = off["request_ts"].astype(str)
    off.loc[off.index[3], "request_ts"] = "yesterday"
    return {"offline": off}


def _one_class_in_val(log):
    off = log.offline.copy()
    in_val = (off["request_ts"] >= "2025-09-15") & (off["request_ts"] < "2025-10-01")
    off.loc[in_val, "label"] = "safe"
    return {"offline": off}


def _amount_as_text(log):
    off = log.offline.copy()
    off["amount"] = off["amount"].map(lambda v: f"{v:.2f} USD")
    return {"offline": off}


def _shared_user(log):
    off = log.offline.copy()
    test_rows = off.index[off["request_ts"] >= "2025-10-02"][:50]
    off.loc[test_rows, "user_id"] = off["user_id"].iloc[0]
    return {"offline": off}


BAD_INPUTS = {
    "missing feature column": (_drop_feature, "", ["amount"]),
    "NaN labels": (_nan_labels, "", ["label", "null"]),
    "label outside the classes": (_label_outside, "", ["label", "unknown"]),
    "unparseable timestamps": (_unparseable_ts, "", ["request_ts", "yesterday"]),
    "one class in a split": (_one_class_in_val, "", ["'val' has one class only"]),
    "wrong dtype": (
        _amount_as_text,
        "[contract.features.amount]\ndtype = 'numeric'\n",
        ["amount", "dtype numeric"],
    ),
    "empty split": (lambda log: {}, "", ["split 'test' is empty"]),
    "user purge off": (_shared_user, "", ["user_id"]),
}


#: A few bad inputs stay in the fast lane (make test-fast): the gate never passes on them.
FAST_CASES = {"missing feature column", "user purge off"}


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=() if c in FAST_CASES else pytest.mark.slow) for c in BAD_INPUTS],
    ids=list(BAD_INPUTS),
)
def test_bad_input_never_passes_and_names_the_culprit(gate_project, small_log, case):
    mutate, extra, expected = BAD_INPUTS[case]
    config_text = None
    if case == "empty split":
        from tests.conftest import BASE_CONFIG

        config_text = BASE_CONFIG.replace(
            'test_start = "2025-10-01"', 'test_start = "2025-10-01"\nend = "2025-10-01 00:00:01"'
        )
    if case == "user purge off":
        from tests.conftest import BASE_CONFIG

        config_text = BASE_CONFIG.replace("purge_entities = true", "purge_entities = false")
    kwargs = mutate(small_log)
    project = gate_project(**kwargs, extra=extra, **({"config_text": config_text} if config_text else {}))
    run = judge_in_process(project.config, project.folder)
    assert run.code != 0, run.output
    assert run.report is not None and run.report["verdict"] == ("setup_error" if run.code == 2 else "fail")
    for needle in expected:
        assert needle in run.output, f"{needle!r} not in output:\n{run.output[-3000:]}"
    assert "Traceback" not in run.output


@pytest.mark.slow
def test_unloadable_model_fails_the_gate(gate_project):
    project = gate_project(extra="")
    (project.folder / "model.pkl").write_bytes(b"\x80\x04not really a pickle")
    text = project.config.read_text().replace('score_column = "score"', 'path = "model.pkl"')
    project.config.write_text(text)
    run = judge_in_process(project.config, project.folder)
    assert run.code == 2 and run.report["verdict"] == "setup_error"  # a bad model file is a setup error
    assert "refusing to load a pickle file" in run.output
    assert str(project.folder / "model.pkl") in run.output


@pytest.mark.slow
def test_missing_data_file_names_key_and_path(gate_project):
    project = gate_project()
    (project.folder / "data" / "requests.parquet").unlink()
    run = run_gate(project.config, project.folder)  # a ConfigError at load: pytest's own path
    assert run.code != 0
    assert "[data] path: path not found: " in run.output
    assert run.code == 2 and run.report["verdict"] == "setup_error"  # exit 2, never "model rejected"


@pytest.mark.slow
def test_invalid_config_names_the_key(gate_project):
    project = gate_project(extra="[leakage]\nmax_univariate_auc = 2.0\n")
    run = run_gate(project.config, project.folder)
    assert run.code != 0
    assert "[leakage] max_univariate_auc" in run.output
    assert run.code == 2 and run.report["verdict"] == "setup_error"


@pytest.mark.slow
def test_missing_config_file(tmp_path):
    run = run_gate(tmp_path / "nope.toml", tmp_path)
    assert run.code != 0
    assert "config file not found" in run.output
    assert run.report is not None and run.report["verdict"] != "pass"


@pytest.mark.slow
def test_score_column_out_of_range_fails_model_scores(gate_project, small_log):
    off = small_log.offline.copy()
    off["score"] = off["score"] * 100
    project = gate_project(offline=off)
    run = judge_in_process(project.config, project.folder)
    assert run.code != 0
    assert "model.scores" in run.failed_ids()


@pytest.mark.slow
def test_a_gate_run_that_collects_nothing_still_writes_a_no_checks_report(gate_project):
    project = gate_project()
    (project.folder / "reports").mkdir()
    (project.folder / "reports" / "gate.json").write_text('{"verdict": "pass"}')  # stale
    run = run_gate(project.config, project.folder, "-k", "no_such_test")
    assert run.code != 0
    assert run.report["verdict"] == "no_checks"


@pytest.mark.slow
def test_production_without_labels_skips_what_needs_labels_and_still_passes(gate_project, small_log):
    production = small_log.production.assign(label=None)
    project = gate_project(production=production)
    run = judge_in_process(project.config, project.folder)
    assert run.code == 0, run.output[-3000:]
    skipped = {c["test"].split("::")[-1] for c in run.report["checks"] if c["outcome"] == "skipped"}
    assert "test_prevalence_has_not_shifted[test:production]" in skipped
    assert "test_recall_of_the_risky_class_meets_its_floor[production]" in skipped
    # scores and features are still compared with production
    assert any(c.get("id") == "drift.scores" and c["status"] == "pass" for c in run.report["checks"])


@pytest.mark.slow
def test_production_missing_a_feature_fails_with_the_column_named(gate_project, small_log):
    project = gate_project(production=small_log.production.drop(columns="ip_risk"))
    run = run_gate(project.config, project.folder)
    assert run.code != 0 and run.report["verdict"] == "setup_error"
    # stopped by the preflight (exit 2), once, under the first key naming the column
    assert run.code == 2 and run.output.count("'ip_risk' is not a column of the production sample") == 1
    assert "Traceback" not in run.output
