"""`sentinel init`, the shipped suites and the CI workflow templates."""

from __future__ import annotations

import shlex
import tomllib

import pandas as pd
import pytest
import yaml

from sentinel_checks.cli import _parser, main
from sentinel_checks.config import load_config
from sentinel_checks.scaffold import CI_FILES, SHIPPED_SUITES, _wrapper, infer_roles
from tests.conftest import REPO

TEMPLATES = REPO / "sentinel_checks" / "templates"


def test_init_in_an_empty_folder_writes_config_suites_and_workflow(tmp_path, capsys):
    assert main(["init", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    config = tmp_path / "sentinel.toml"
    raw = tomllib.loads(config.read_text())
    assert raw["splits"]["method"] == "time"
    # every limit is there, commented, with its default
    text = config.read_text()
    for line in (
        "# max_fnr_increase = 0.03",
        "# target_recall = 0.8",
        "# max_drift_share = 0.5",
        "# seed = 0",
    ):
        assert line in text
    for suite in SHIPPED_SUITES:
        assert (tmp_path / "suites" / f"{suite}.py").read_text() == _wrapper(suite)
    assert (tmp_path / ".github/workflows/sentinel-gate.yml").is_file()
    assert "wrote" in out and "sentinel.toml" in out


def test_init_never_overwrites_and_says_what_it_skipped(tmp_path, capsys):
    (tmp_path / "sentinel.toml").write_text("# mine\n")
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "test_quality.py").write_text("# my own quality tests\n")
    assert main(["init", "--dir", str(tmp_path), "--ci", "gitlab"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "sentinel.toml").read_text() == "# mine\n"
    assert (tmp_path / "suites" / "test_quality.py").read_text() == "# my own quality tests\n"
    assert "skipped (already there)" in out and "sentinel.toml" in out and "test_quality.py" in out
    assert (tmp_path / "suites" / "test_splits.py").is_file()  # the missing ones are added
    assert (tmp_path / ".gitlab-ci.sentinel.yml").is_file()
    assert not (tmp_path / ".github").exists()


def test_init_with_a_data_file_infers_roles_and_the_config_loads(tmp_path, small_log):
    data = tmp_path / "data" / "requests.parquet"
    data.parent.mkdir()
    small_log.offline.drop(columns=["score"]).to_parquet(data)
    assert main(["init", "--dir", str(tmp_path), "--data", str(data), "--ci", "none"]) == 0
    roles = infer_roles(data)
    assert roles.timestamp == "request_ts"
    assert (roles.label, roles.positive, roles.negative) == ("label", "risky", "safe")
    assert roles.id == "request_id"
    assert set(roles.entities) == {"user_id", "session_id"}
    assert {"country", "channel"} <= set(roles.segments)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "candidate.skops").touch()  # what the user's training step writes
    cfg = load_config(tmp_path / "sentinel.toml")
    assert cfg.data.path == data.resolve()
    assert cfg.columns.label == "label" and cfg.columns.positive == "risky"
    assert cfg.columns.timestamp == "request_ts" and cfg.columns.id == "request_id"
    assert pd.Timestamp(cfg.splits.val_start) < pd.Timestamp(cfg.splits.test_start)


def test_init_with_a_csv_without_an_obvious_label_leaves_a_todo(tmp_path):
    data = tmp_path / "d.csv"
    pd.DataFrame(
        {"when": ["2025-01-01", "2025-02-01", "2025-03-01"] * 10, "a": range(30), "flag": [0, 1] * 15}
    ).to_csv(data, index=False)
    assert main(["init", "--dir", str(tmp_path), "--data", str(data), "--ci", "none"]) == 0
    text = (tmp_path / "sentinel.toml").read_text()
    assert "TODO: no column is named like a label (two-valued columns: flag)" in text
    assert "label" not in tomllib.loads(text)["columns"]  # left unset, never invented (issue 17)
    assert 'timestamp = "when"' in text


def test_init_with_a_missing_data_file_is_a_usage_error(tmp_path, capsys):
    assert main(["init", "--dir", str(tmp_path), "--data", str(tmp_path / "nope.parquet")]) == 2
    assert "nope.parquet: file not found" in capsys.readouterr().err
    assert not (tmp_path / "sentinel.toml").exists()


def test_repository_suites_are_the_wrappers_init_writes():
    for suite in SHIPPED_SUITES:
        assert (REPO / "suites" / f"{suite}.py").read_text() == _wrapper(suite)
    shipped = sorted(p.stem for p in (REPO / "sentinel_checks" / "suites").glob("test_*.py"))
    assert shipped == sorted(SHIPPED_SUITES)


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.yml")))
def test_example_workflows_are_the_templates_and_run_real_commands(template):
    example = REPO / "examples" / "ci" / template
    assert example.read_text() == (TEMPLATES / template).read_text(), "examples/ci must match the template"
    doc = yaml.safe_load(example.read_text())
    commands = [line for line in _run_lines(doc) if "sentinel " in line]
    assert any(" gate " in f" {c} " for c in commands) and any("promote" in c for c in commands)
    parser = _parser()
    for line in commands:
        words = shlex.split(line[line.index("sentinel ") :].split(";")[0])
        parser.parse_args(words[1:])  # SystemExit if a subcommand or option does not exist
    assert {t for _, t in CI_FILES.values()} == {p.name for p in TEMPLATES.glob("*.yml")}


def _run_lines(node) -> list[str]:
    """Every shell line of a workflow: GitHub `run:` values and GitLab `script:` items."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                found += value.splitlines()
            elif key == "script" and isinstance(value, list):
                found += [str(v) for v in value]
            else:
                found += _run_lines(value)
    elif isinstance(node, list):
        for item in node:
            found += _run_lines(item)
    return found


@pytest.mark.slow
def test_junit_xml_carries_the_check_properties(gate_project):
    import xml.etree.ElementTree as ET

    from tests.test_cli import gate

    project = gate_project()
    code, out = gate(project, "--", "-q", "-k", "recall_of_the_risky_class")
    assert code == 0, out
    tree = ET.parse(project.folder / "reports" / "junit.xml")
    cases = [c for c in tree.iter("testcase") if "recall_of_the_risky_class" in c.get("name", "")]
    assert cases
    props = {p.get("name"): p.get("value") for p in cases[0].iter("property")}
    assert props["sentinel.check"] == "quality.recall"
    assert props["sentinel.status"] == "pass"
    assert float(props["sentinel.measured"]) >= float(props["sentinel.limit"])


@pytest.mark.slow
def test_packaged_suites_run_and_github_step_summary_gets_the_markdown(gate_project, tmp_path, monkeypatch):
    """No ./suites folder: `sentinel gate` runs the suites shipped in the package."""
    from tests.test_cli import sentinel

    project = gate_project()
    assert not (project.folder / "suites").exists()
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = sentinel(
        "gate", "--config", str(project.config), "--", "-q", "-k", "threshold_is_chosen", cwd=project.folder
    )
    assert code == 0, out
    assert "sentinel_checks/suites/test_quality.py" in out or "1 passed" in out
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "# Gradient Sentinel gate: PASSED" in text
    assert "upload" in out and "junit.xml" in out


def test_init_proposes_no_label_candidate_as_a_segment_when_it_cannot_tell_the_label(tmp_path, small_log):
    """Trial (stop 51): on nassCDS `sentinel init` proposed `dead` (the label the user then
    chose) among the segments; the preflight now refuses the label as a segment."""
    data = tmp_path / "requests.parquet"
    small_log.offline.drop(columns=["score"]).rename(columns={"label": "dead"}).to_parquet(data)
    roles = infer_roles(data)
    assert roles.label is None and "dead" in roles.label_candidates
    assert "dead" not in roles.segments and {"country", "channel"} <= set(roles.segments)
