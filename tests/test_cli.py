"""The sentinel command: exit codes tell pass, fail, bad input and no checks apart."""

import subprocess
import sys
from pathlib import Path

import pytest

from sentinel_checks.cli import EXIT_FAILED, EXIT_NO_CHECKS, EXIT_OK, EXIT_USAGE, main
from tests.conftest import SUITES


def sentinel(*args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "sentinel_checks.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def gate(project, *extra, suites=SUITES):
    return sentinel(
        "gate", "--config", str(project.config), "--suites", str(suites), *extra, cwd=project.folder
    )


@pytest.mark.slow
def test_gate_passes_on_a_clean_setup(gate_project):
    project = gate_project()
    code, out = gate(project, "--", "-q")
    assert code == EXIT_OK, out


@pytest.mark.slow
def test_gate_fails_on_a_bad_setup(gate_project, small_log):
    off = small_log.offline.copy()
    off["score"] = 2.0
    project = gate_project(offline=off)
    code, out = gate(project, "--", "-q")
    assert code == EXIT_FAILED, out


def test_gate_with_an_invalid_config_is_a_usage_error(gate_project):
    project = gate_project(extra="[nonsense]\nx = 1\n")
    code, out = gate(project)
    assert code == EXIT_USAGE
    assert "nonsense: unknown key" in out


def test_gate_with_no_tests_is_its_own_exit_code(gate_project, tmp_path):
    project = gate_project()
    empty = tmp_path / "empty_suites"
    empty.mkdir()
    code, out = gate(project, suites=empty)
    assert code == EXIT_NO_CHECKS, out


def test_gate_without_suites_folder(gate_project):
    project = gate_project()
    code, out = gate(project, suites="nowhere")
    assert code == EXIT_USAGE and "suites folder not found" in out


def test_no_command_prints_help(capsys):
    assert main([]) == EXIT_USAGE
    assert "demo" in capsys.readouterr().out


def test_demo_rejects_a_silly_row_count(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--rows", "10"])
    assert exit_info.value.code == EXIT_USAGE
    assert "at least 1000 rows" in capsys.readouterr().err


def test_demo_refusal_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "fixed.toml").write_text("# mine\n")
    assert main(["demo", "--out", str(tmp_path), "--rows", "5000"]) == EXIT_USAGE
    assert "did not create" in capsys.readouterr().err


def test_gate_on_unreadable_data_is_a_data_error_not_a_failed_gate(gate_project, small_log):
    off = small_log.offline.copy()
    off["request_ts"] = off["request_ts"].astype(str)
    off.loc[off.index[0], "request_ts"] = "yesterday"
    project = gate_project(offline=off)
    code, out = gate(project, "--", "-q")
    assert code == EXIT_USAGE, out
    assert "yesterday" in out


@pytest.mark.slow
def test_gate_runs_the_teams_extra_tests_beside_the_suites(gate_project, tmp_path):
    project = gate_project()
    extra = tmp_path / "team_checks"
    extra.mkdir()
    (extra / "test_team_policy.py").write_text(
        "def test_flagged_share_within_a_budget_nobody_can_meet(sentinel_candidate_eval):\n"
        "    assert sentinel_candidate_eval.confusion('test').flagged_fraction < 0.000001\n"
    )
    code, out = gate(project, "--extra", str(extra), "--", "-q", "-k", "threshold_is_chosen or flagged")
    assert code == EXIT_FAILED, out  # the team's own test failed the gate
    assert "test_flagged_share_within_a_budget_nobody_can_meet" in out
    code, out = gate(project, "--extra", str(tmp_path / "nowhere"))
    assert code == EXIT_USAGE and "--extra" in out and "not found" in out


def test_the_demo_hint_names_a_command_that_runs_without_an_activated_venv(tmp_path, monkeypatch, capsys):
    """Trial: after ``make demo`` the hint's bare ``sentinel`` was "command not found"
    (the venv is not activated); it names ``.venv/bin/sentinel`` then, and ``sentinel``
    when that name on PATH is the same program."""
    import shlex

    from sentinel_checks.cli.gate_commands import invoked_as, next_steps
    from sentinel_checks.cli.parser import build_parser

    program = tmp_path / ".venv" / "bin" / "sentinel"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert invoked_as(".venv/bin/sentinel") == ".venv/bin/sentinel"
    monkeypatch.setenv("PATH", str(program.parent))
    assert invoked_as(".venv/bin/sentinel") == "sentinel"
    # review: python -m, a renamed symlink, another install first on PATH, a bare name
    assert invoked_as("/x/sentinel_checks/cli/__main__.py").endswith(" -m sentinel_checks.cli")
    link = tmp_path / "sg"
    link.symlink_to(program)
    assert invoked_as(str(link)) == "sentinel"  # the same program as the sentinel on PATH
    other = tmp_path / "other" / "sentinel"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    assert invoked_as(str(other)) == "other/sentinel"  # not the one PATH would run
    monkeypatch.chdir(program.parent)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert invoked_as("sentinel") == "./sentinel"
    # demo() prints the hint with the program it was started as
    import argparse
    import types

    from sentinel_checks.cli import gate_commands
    from sentinel_checks.demo import build

    made = types.SimpleNamespace(
        folder=tmp_path, seconds=1.0, models=[], configs={"fixed": tmp_path / "f.toml"}
    )
    monkeypatch.setattr(build, "build_demo", lambda *a, **k: made)
    monkeypatch.setattr(sys, "argv", [str(program), "demo"])
    gate_commands.demo(argparse.Namespace(out=tmp_path, rows=1000, seed=0))
    assert "  ./sentinel gate --config " in capsys.readouterr().out
    # each line the hint prints parses as the gate command with its config and reports
    gate_line = next_steps({"fixed": tmp_path / "my demo" / "fixed.toml"}, program="sentinel")[1]
    words = shlex.split(gate_line)
    args = build_parser().parse_args(words[1:])
    assert words[0] == "sentinel" and args.command == "gate"
    assert str(args.config).endswith("my demo/fixed.toml") and str(args.reports) == "reports/fixed"


def test_promote_reads_the_gate_folder_given_as_gate_names_it():
    """Trial (stop 49): `sentinel promote --reports R` (the gate's option) was an unknown
    option; both spellings read the same gate.json, and not both at once."""
    from sentinel_checks.cli.parser import build_parser

    parse = build_parser().parse_args
    assert parse(["promote", "--reports", "out"]).report == Path("out") / "gate.json"
    assert parse(["promote", "--report", "out/gate.json"]).report == Path("out/gate.json")
    assert parse(["promote"]).report == Path("reports/gate.json")
    with pytest.raises(SystemExit):
        parse(["promote", "--reports", "a", "--report", "b/gate.json"])


def test_promote_reads_gate_json_whichever_option_names_file_or_folder(tmp_path):
    """Review (stop 49): `--reports reports/gate.json` read reports/gate.json/gate.json;
    a report file given to --reports, or a folder given to --report, reads that gate.json."""
    from sentinel_checks.cli.parser import build_parser

    parse = build_parser().parse_args
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "gate.json").write_text("{}")
    assert parse(["promote", "--reports", str(folder / "gate.json")]).report == folder / "gate.json"
    assert parse(["promote", "--report", str(folder)]).report == folder / "gate.json"
    # a .json name that does not exist yet is still the report, not a folder
    assert parse(["promote", "--reports", "absent/gate.json"]).report == Path("absent/gate.json")
    assert parse(["promote", "--report", "absent"]).report == Path("absent")
