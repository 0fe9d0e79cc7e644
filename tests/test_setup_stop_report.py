"""Issue 18: a run stopped by a setup mistake replaces the reports folder's gate.json.

A reused reports folder held a passing gate.json from an earlier run; ``sentinel gate``
with an invalid config exited 2 and left it there, so a CI job reading gate.json
promoted a model whose gate never ran (fail-open). Every setup stop that knows the
folder now writes gate.json with verdict ``setup_error``, the message and exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from sentinel_checks.cli import main
from tests.conftest import run_gate, run_sentinel

OLD_PASS = {"schema_version": 2, "verdict": "pass", "counts": {"passed": 30}, "checks": []}
BAD_KEY = '[data]\npath = "data/requests.parquet"\nbogus_key = 1\n[models.candidate]\npath = "m.skops"\n'


def _inputs_beside(config: Path) -> Path:
    """BAD_KEY's input files, empty, beside ``config``: an invalid config also lists the
    input files it names that are missing (tests/test_config_missing_files.py)."""
    (config.parent / "data").mkdir(exist_ok=True)
    for name in ("data/requests.parquet", "m.skops"):
        (config.parent / name).write_bytes(b"")
    return config


def _reused_folder(root: Path) -> Path:
    """A reports folder from an earlier, passing run, with a file of the user's."""
    folder = root / "reports"
    folder.mkdir()
    (folder / "gate.json").write_text(json.dumps(OLD_PASS))
    (folder / "notes.txt").write_text("the user's own file")
    return folder


def _stop_report(folder: Path) -> dict:
    doc = json.loads((folder / "gate.json").read_text())
    assert doc["verdict"] == "setup_error" and doc["exit_code"] == 2, doc
    # no check results: each entry's status is its pytest outcome's
    assert all("id" not in c and c["status"] == "error" for c in doc["checks"]), doc["checks"]
    assert doc["statuses"] == doc["counts"] == {"error": len(doc["checks"])}
    assert (folder / "notes.txt").read_text() == "the user's own file"  # never deleted
    md = (folder / "gate.md").read_text()
    assert "setup error" in md
    # every report of the stop is linked (trial: the CLI's linked gate.json only, gate.md
    # having been written before gate.html)
    assert "[gate.html](gate.html)" in md and "[gate.json](gate.json)" in md, md
    return doc


def test_an_invalid_config_key_replaces_a_passing_gate_json(tmp_path, capsys):
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    _inputs_beside(config)
    code = main(["gate", "--config", str(config), "--reports", str(folder)])
    assert code == 2
    doc = _stop_report(folder)
    entry, missing = doc["checks"]  # one entry per problem of the invalid config, under its key
    assert (entry["test"], missing["test"]) == (
        "sentinel preflight::[data] bogus_key",
        "sentinel preflight::[splits]",
    ), doc["checks"]
    assert "bogus_key" in entry["message"] and entry["input_error"] is True
    assert doc["config"] == str(config) and doc["config_sha256"].startswith("sha256:")
    # no seed was read from a config that could not be loaded (trial: "seed 0" was shown)
    assert doc["seed"] is None
    md, html = (folder / "gate.md").read_text(), (folder / "gate.html").read_text()
    assert "seed" not in md.split("\n")[2] and "seed 0" not in html, md
    assert "figures, segments and models when the model was judged" in md
    err = capsys.readouterr().err
    assert "bogus_key" in err and "gate not run: setup error" in err


def test_no_config_found_replaces_a_passing_gate_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SENTINEL_CONFIG", raising=False)
    folder = _reused_folder(tmp_path)
    assert main(["gate"]) == 2
    (entry,) = _stop_report(folder)["checks"]
    assert "no configuration found" in entry["message"]


@pytest.mark.parametrize("flag", ["--suites", "--extra"])
def test_a_missing_suites_folder_replaces_a_passing_gate_json(tmp_path, flag):
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    assert (
        main(["gate", "--config", str(config), "--reports", str(folder), flag, str(tmp_path / "nope")]) == 2
    )
    (entry,) = _stop_report(folder)["checks"]
    assert entry["test"] == f"sentinel preflight::{flag}" and "nope" in entry["message"]


def test_a_config_inside_the_reports_folder_writes_nothing_there(tmp_path, capsys):
    """The reports folder holds an input (the config): nothing is written there, as for
    any input inside it, and the terminal says so."""
    folder = _reused_folder(tmp_path)
    config = folder / "sentinel.toml"
    config.write_text(BAD_KEY)
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    assert json.loads((folder / "gate.json").read_text()) == OLD_PASS
    assert "nothing written" in capsys.readouterr().err


def test_an_unwritable_reports_folder_is_said(tmp_path, capsys):
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be")
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    assert main(["gate", "--config", str(config), "--reports", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert "cannot be written" in err and "no gate.json was written for this run" in err


def test_the_pytest_plugin_replaces_a_passing_gate_json_on_an_invalid_key(tmp_path):
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    run = run_gate(config, tmp_path)
    assert run.code == 2, run.output[-2000:]
    doc = _stop_report(folder)
    assert any("bogus_key" in c["message"] for c in doc["checks"])


def test_the_pytest_plugin_removes_the_earlier_runs_reports_on_an_invalid_config(tmp_path):
    """Stop 46: ``sentinel gate`` cleared an earlier run's reports on a setup stop, ``pytest
    suites/`` did not: its setup_error gate.json sat beside a passing junit.xml and a
    promotion.md saying PROMOTE, and the folder listing offered them for upload."""
    folder = _reused_folder(tmp_path)
    _earlier_run(folder)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    run = run_gate(config, tmp_path)
    assert run.code == 2, run.output[-2000:]
    assert _stop_report(folder)["config_sha256"].startswith("sha256:")  # the file read, as the CLI
    assert not [n for n in EARLIER_RUN if n != "run.json" and (folder / n).exists()]
    assert (folder / "run.json").read_text() != "from the earlier run"
    assert not (folder / "drift").exists()
    assert (folder / "notes.txt").read_text() == "the user's own file"
    assert "promotion.md" not in run.output and "scores.png" not in run.output


def test_the_pytest_plugin_removes_the_earlier_runs_reports_on_a_preflight_stop(gate_project, tmp_path):
    project = gate_project()
    text = project.config.read_text().replace('path = "', 'path = "missing-', 1)
    project.config.write_text(text)
    folder = project.folder / "reports"
    folder.mkdir(exist_ok=True)
    (folder / "gate.json").write_text(json.dumps(OLD_PASS))
    _earlier_run(folder)
    run = run_gate(project.config, project.folder)
    assert run.code == 2, run.output[-2000:]
    assert json.loads((folder / "gate.json").read_text())["verdict"] == "setup_error"
    assert not (folder / "junit.xml").exists() and not (folder / "promotion.md").exists()
    assert not (folder / "drift").exists()


def test_a_data_error_before_the_preflight_lists_is_entered_under_data(tmp_path, monkeypatch):
    """A bad input raised while the preflight loads (not one of its listed problems) is a
    setup stop too, under what it is about."""
    from sentinel_checks.cli import gate_commands
    from sentinel_checks.errors import DataError

    def unreadable(config_path, reports):
        raise DataError("data/requests.parquet: not a parquet file")

    monkeypatch.setattr(gate_commands, "_preflight", unreadable)
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    (entry,) = _stop_report(folder)["checks"]
    assert entry["test"] == "sentinel preflight::data" and "not a parquet file" in entry["message"]


#: What an earlier run wrote beside gate.json (the trial found a passing junit.xml and a
#: promotion.md saying PROMOTE left next to a setup stop's gate.json).
EARLIER_RUN = ("junit.xml", "promotion.md", "promotion.json", "threshold.json", "run.json", "scores.png")


def _earlier_run(folder: Path) -> None:
    for name in EARLIER_RUN:
        (folder / name).write_text("from the earlier run")
    (folder / "drift").mkdir()
    (folder / "drift" / "train_vs_test.html").write_text("<html>earlier</html>")


def test_a_setup_stop_removes_the_earlier_runs_reports_and_keeps_the_users_files(tmp_path):
    folder = _reused_folder(tmp_path)
    _earlier_run(folder)
    (folder / "drift" / "mine.txt").write_text("the user's")
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    _stop_report(folder)
    (folder / "drift" / "my_page.html").write_text("<html>the user's</html>")
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    assert "my_page" not in (folder / "gate.md").read_text()  # trial: linked as "(Evidently)"
    assert (folder / "drift" / "my_page.html").is_file()
    assert not [n for n in EARLIER_RUN if n != "run.json" and (folder / n).exists()]
    assert (folder / "run.json").read_text() != "from the earlier run"  # this run's
    assert not (folder / "drift" / "train_vs_test.html").exists()
    assert (folder / "drift" / "mine.txt").read_text() == "the user's"


def test_a_preflight_problem_removes_the_earlier_runs_reports(gate_project, tmp_path):
    """A problem the preflight lists (a missing model file): the earlier run's reports go."""
    project = gate_project()
    text = project.config.read_text().replace('path = "', 'path = "missing-', 1)
    project.config.write_text(text)
    folder = _reused_folder(tmp_path)
    _earlier_run(folder)
    assert main(["gate", "--config", str(project.config), "--reports", str(folder)]) == 2
    assert json.loads((folder / "gate.json").read_text())["verdict"] == "setup_error"
    assert not (folder / "junit.xml").exists() and not (folder / "promotion.md").exists()
    assert not (folder / "drift").exists()


def test_an_unexpected_error_before_the_checks_is_a_setup_stop_not_an_old_pass(tmp_path, monkeypatch, capsys):
    """A library's own error the gate does not foresee (the review's damaged parquet page:
    a raw TProtocolException) used to exit 1 with a traceback and leave the earlier
    passing gate.json: now the traceback, then a setup_error gate.json naming the error."""
    from sentinel_checks.cli import gate_commands

    def crashes(config_path, reports):
        raise RuntimeError("TProtocolException: Invalid data")

    monkeypatch.setattr(gate_commands, "_preflight", crashes)
    folder = _reused_folder(tmp_path)
    _earlier_run(folder)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY.replace("bogus_key = 1\n", ""))
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    (entry,) = _stop_report(folder)["checks"]
    assert "RuntimeError: TProtocolException: Invalid data" in entry["message"]
    assert not (folder / "promotion.md").exists()
    assert "Traceback" in capsys.readouterr().err


def test_an_error_after_the_checks_ran_keeps_their_gate_json(tmp_path, monkeypatch):
    """A report error raised once pytest has written the run's gate.json is not turned into
    a setup stop that would overwrite the real verdict."""
    from sentinel_checks.cli import gate_commands
    from sentinel_checks.errors import ReportError

    real = {"schema_version": 3, "verdict": "fail", "counts": {"failed": 1}, "checks": []}

    def judged(config_path, reports, targets, pytest_args, session=None):
        (reports / "gate.json").write_text(json.dumps(real))
        raise ReportError("gate.json: cannot be read back")

    closed = []
    session = SimpleNamespace(close=lambda: closed.append(True))  # `sentinel gate` closes what it opened
    monkeypatch.setattr(gate_commands, "_preflight", lambda config_path, reports: session)
    monkeypatch.setattr(gate_commands, "run_gate", judged)
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY.replace("bogus_key = 1\n", ""))
    with pytest.raises(ReportError):
        gate_commands.gate(_args(config, folder))
    assert json.loads((folder / "gate.json").read_text()) == real
    assert closed == [True]


def _args(config: Path, folder: Path):
    from sentinel_checks.cli.parser import build_parser

    return build_parser().parse_args(["gate", "--config", str(config), "--reports", str(folder)])


#: The user's own files under the names of the gate's reports, in a folder no gate run wrote.
USERS_OWN = ("scores.png", "threshold.json", "experiments.csv", "promotion.md")


def _users_folder(root: Path) -> Path:
    folder = root / "mydocs"
    folder.mkdir()
    for name in USERS_OWN:
        (folder / name).write_text(f"the user's {name}")
    (folder / "drift").mkdir()
    (folder / "drift" / "a_vs_b.html").write_text("the user's page")
    return folder


def _untouched(folder: Path) -> None:
    for name in USERS_OWN:
        assert (folder / name).read_text() == f"the user's {name}"
    assert (folder / "drift" / "a_vs_b.html").read_text() == "the user's page"
    assert not (folder / "gate.json").exists() and not (folder / "junit.xml").exists()


def test_a_setup_stop_never_removes_the_users_files_named_as_reports(tmp_path, capsys):
    """Trial: ``sentinel gate --reports mydocs`` on a setup error deleted the user's own
    scores.png, threshold.json, experiments.csv, promotion.md and drift/a_vs_b.html."""
    folder = _users_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    _untouched(folder)
    err = capsys.readouterr().err
    assert f"nothing written to {folder}" in err and "which no gate run wrote" in err, err
    assert "scores.png" in err and "drift/a_vs_b.html" in err, err


def test_a_gate_run_refuses_a_folder_of_the_users_files_before_anything_runs(gate_project, tmp_path, capsys):
    project = gate_project()
    folder = _users_folder(tmp_path)
    assert main(["gate", "--config", str(project.config), "--reports", str(folder)]) == 2
    _untouched(folder)
    err = capsys.readouterr().err
    assert "would overwrite or remove them" in err and "threshold.json" in err, err


def test_pytest_on_the_suites_refuses_a_folder_of_the_users_files(gate_project, tmp_path):
    from tests.conftest import SUITES, run_suites

    project = gate_project()
    folder = _users_folder(tmp_path)
    code, out = run_suites(SUITES, project.config, "--sentinel-reports", str(folder), cwd=tmp_path)
    assert code != 0, out[-2000:]
    assert "which no gate run wrote" in out, out[-2000:]
    assert " passed" not in out  # refused before any check ran (review: all ran, then refused)
    _untouched(folder)


def test_a_folder_holding_a_gate_json_without_a_verdict_is_the_users(tmp_path, capsys):
    """A gate.json of the user's (no verdict) does not make the folder the gate's."""
    folder = _users_folder(tmp_path)
    (folder / "gate.json").write_text('{"mine": true}')
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    assert (folder / "gate.json").read_text() == '{"mine": true}'
    assert "scores.png" in capsys.readouterr().err


def test_a_run_stopped_before_its_gate_json_leaves_a_folder_the_next_run_accepts(tmp_path):
    """Review: a run that crashed after pytest wrote junit.xml, before gate.json, left a
    folder every later run refused ("holds junit.xml, which no gate run wrote")."""
    from sentinel_checks.gate.artefacts import MARKER, mark_reports_folder
    from sentinel_checks.gate.pytest_run import foreign_refusal

    folder = tmp_path / "reports"
    mark_reports_folder(folder)  # what a gate run does before pytest writes anything
    (folder / "junit.xml").write_text("<testsuites/>")
    assert (folder / MARKER).is_file() and foreign_refusal(folder) == ""
    (folder / MARKER).unlink()
    assert "junit.xml" in foreign_refusal(folder)  # without the marker: not known as the gate's


def test_the_artifact_line_lists_the_reports_not_the_gates_marker(tmp_path):
    from sentinel_checks.gate.artefacts import mark_reports_folder, run_files_in
    from sentinel_checks.reports.terminal import artifact_line

    mark_reports_folder(tmp_path)
    (tmp_path / "gate.json").write_text("{}")
    line = artifact_line(tmp_path, run_files_in(tmp_path))
    assert line.endswith("(upload the folder as the CI artifact): gate.json")


def test_the_artifact_line_does_not_list_the_users_own_files_as_reports(tmp_path):
    """Trial: `reports:` listed every file of the folder (the user's notes, the experiment
    matrix) as what the run wrote."""
    from sentinel_checks.gate.artefacts import MATRIX_FILE, mark_reports_folder, run_files_in
    from sentinel_checks.reports.terminal import artifact_line

    mark_reports_folder(tmp_path)
    for name in ("gate.json", "gate.md", "notes.txt", MATRIX_FILE):
        (tmp_path / name).write_text("x")
    (tmp_path / "drift").mkdir()
    (tmp_path / "drift" / "train_vs_test.html").write_text("x")
    line = artifact_line(tmp_path, run_files_in(tmp_path))
    listed = line.split("CI artifact): ")[1]
    assert listed.startswith("gate.json, gate.md, drift/train_vs_test.html")
    reports = listed.split(" (also in the folder")[0]
    assert "notes.txt" not in reports and MATRIX_FILE not in reports
    assert listed.endswith(f"(also in the folder, not from this run: {MATRIX_FILE}, notes.txt)")
    (tmp_path / "fixed").mkdir()  # an earlier run's subfolder: named once, not its files counted
    for name in ("gate.json", "gate.md", "scores.png"):
        (tmp_path / "fixed" / name).write_text("x")
    line = artifact_line(tmp_path, run_files_in(tmp_path))
    assert line.endswith(f"(also in the folder, not from this run: {MATRIX_FILE}, fixed/, notes.txt)")
    assert artifact_line(tmp_path, []).split("CI artifact): ")[1].startswith("none written")
    # a folder whose only files sit in a hidden folder is not named (review: "cache/" was)
    (tmp_path / "cache" / ".state").mkdir(parents=True)
    (tmp_path / "cache" / ".state" / "lock").write_text("x")
    assert "cache/" not in artifact_line(tmp_path, run_files_in(tmp_path))


def test_ctrl_c_before_the_checks_leaves_a_report_that_is_not_a_pass_and_no_traceback(
    tmp_path, monkeypatch, capsys
):
    """New-user trial: Ctrl-C during the preflight (loading data, importing scikit-learn)
    printed a 40-line traceback ending in KeyboardInterrupt, exited -2 and left no gate.json
    at all. Now: one line, a gate.json whose verdict is not a pass, exit 130 (a shell's
    code for an interrupt)."""
    from sentinel_checks.cli import gate_commands

    def interrupted(config_path, reports):
        raise KeyboardInterrupt

    monkeypatch.setattr(gate_commands, "_preflight", interrupted)
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY.replace("bogus_key = 1\n", ""))
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 130
    doc = json.loads((folder / "gate.json").read_text())
    assert doc["verdict"] == "setup_error" and doc["exit_code"] == 130, doc
    (entry,) = doc["checks"]
    assert entry["test"] == "sentinel preflight::interrupted"
    assert "interrupted" in entry["message"] and "before any check ran" in entry["message"]
    assert (folder / "notes.txt").read_text() == "the user's own file"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "gate not run: interrupted before any check ran (exit 130)"


def test_an_invalid_config_counts_each_of_its_problems_and_gate_md_lists_one_per_line(tmp_path, capsys):
    """New-user trial: mistakes in one config were "invalid configuration (3
    problem(s))" above a verdict line saying "1 problem", and gate.md ran them together."""
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY + "[drift]\ndrift_process = true\n[gate]\nsede = 1\n")  # and no [splits]
    _inputs_beside(config)
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    assert "setup error: 4 problems in the configuration" in capsys.readouterr().err.strip().splitlines()[-1]
    md = (folder / "gate.md").read_text()
    assert "\n- [data] bogus_key: unknown key" in md and "\n- [gate] sede: unknown key" in md, md


def test_an_invalid_config_and_its_missing_data_file_are_listed_in_one_run(tmp_path, capsys):
    """Trial: the misspelt key was told first, the missing data file only after it was fixed."""
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY.replace('[models.candidate]\npath = "m.skops"\n', ""))
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "sentinel: 3 setup problems in" in err and "setup error: 3 problems" in err, err
    assert f"  - [data] path: path not found: {tmp_path / 'data' / 'requests.parquet'}" in err, err
    tests = [c["test"] for c in _stop_report(folder)["checks"]]
    assert "sentinel preflight::[data] path" in tests and "sentinel preflight::[data] bogus_key" in tests


def test_gate_md_of_an_interrupted_run_says_so_not_setup_problems(tmp_path, monkeypatch):
    from sentinel_checks.cli import gate_commands

    def interrupted(config_path, reports):
        raise KeyboardInterrupt

    monkeypatch.setattr(gate_commands, "_preflight", interrupted)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY.replace("bogus_key = 1\n", ""))
    assert main(["gate", "--config", str(config), "--reports", str(tmp_path / "r")]) == 130
    md = (tmp_path / "r" / "gate.md").read_text()
    assert "The run was interrupted before any check ran (exit 130)" in md and "Fix them" not in md


def test_ctrl_c_while_pytest_collects_leaves_the_interrupted_report(tmp_path, monkeypatch):
    """Review: interrupted after the preflight, while pytest loaded its plugins or collected
    (pytest's own KeyboardInterrupt handling, no gate.json yet), ``sentinel gate`` exited 1
    with no report; now as before the preflight: exit 130, a setup_error gate.json."""
    from sentinel_checks.cli import gate_commands

    def interrupted(config_path, reports, targets, pytest_args, session=None):
        raise KeyboardInterrupt

    closed = []
    session = SimpleNamespace(close=lambda: closed.append(True))
    monkeypatch.setattr(gate_commands, "_preflight", lambda config_path, reports: session)
    monkeypatch.setattr(gate_commands, "run_gate", interrupted)
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY.replace("bogus_key = 1\n", ""))
    assert gate_commands.gate(_args(config, folder)) == 130
    doc = json.loads((folder / "gate.json").read_text())
    assert doc["verdict"] == "setup_error" and doc["exit_code"] == 130
    assert json.loads((folder / "run.json").read_text())["stopped_by"] == "interrupted"
    assert closed == [True]


def test_a_second_ctrl_c_while_the_stop_report_is_written_does_not_keep_the_earlier_report(
    tmp_path, monkeypatch
):
    """Review: a second Ctrl-C landing before the earlier run's files were cleared left its
    passing gate.json in place. SIGINT is ignored while the stop report is written."""
    import os
    import signal

    from sentinel_checks.cli import gate_commands
    from sentinel_checks.gate import artefacts

    def interrupted(config_path, reports):
        raise KeyboardInterrupt

    real_clear = artefacts.clear_earlier_run

    def clear_after_a_second_ctrl_c(folder):
        os.kill(os.getpid(), signal.SIGINT)  # delivered at once: ignored, or KeyboardInterrupt
        return real_clear(folder)

    monkeypatch.setattr(gate_commands, "_preflight", interrupted)
    monkeypatch.setattr(artefacts, "clear_earlier_run", clear_after_a_second_ctrl_c)
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY.replace("bogus_key = 1\n", ""))
    before = signal.getsignal(signal.SIGINT)  # Python's, or one a library installed (Spark's)
    assert before is not signal.SIG_IGN
    assert main(["gate", "--config", str(config), "--reports", str(folder)]) == 130
    assert json.loads((folder / "gate.json").read_text())["verdict"] == "setup_error"
    assert signal.getsignal(signal.SIGINT) is before  # handled again after, as before


def test_pytest_on_an_invalid_config_counts_and_lists_each_problem_as_sentinel_gate_does(tmp_path):
    """Stop 44's note: ``pytest suites/`` on a config with four mistakes said "1 problem" in
    its verdict line (the plugin wrapped the ConfigError as one setup problem); review and
    trial: ``sentinel gate`` then wrote one gate.json entry for them where pytest wrote
    four. Both now write one entry per key and count them alike."""
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY + "[drift]\ndrift_process = true\n[gate]\nsede = 1\n")  # and no [splits]
    _inputs_beside(config)
    run = run_gate(config, tmp_path)
    assert run.code == 2, run.output
    assert f"4 setup problems in {config}" in run.output, run.output
    assert "setup error: 4 problems in the configuration" in run.output, run.output
    code, said = run_sentinel("gate", "--config", str(config), "--reports", "cli-reports", cwd=tmp_path)
    assert code == 2 and "setup error: 4 problems in the configuration" in said, said
    by_pytest = run.report
    by_cli = json.loads((tmp_path / "cli-reports" / "gate.json").read_text())
    for doc in (by_pytest, by_cli):
        assert doc is not None and doc["verdict"] == "setup_error" and doc["counts"] == {"error": 4}, doc
    entries = [(c["test"], c["message"]) for c in by_pytest["checks"]]
    assert entries == [(c["test"], c["message"]) for c in by_cli["checks"]]
    assert sorted(t for t, _ in entries) == [
        "sentinel preflight::[data] bogus_key",
        "sentinel preflight::[drift] drift_process",
        "sentinel preflight::[gate] sede",
        "sentinel preflight::[splits]",
    ], entries


def test_both_runners_stop_on_an_invalid_config_alike(tmp_path):
    """Trial: on an invalid config `sentinel gate` said "sentinel: error: …: invalid
    configuration (1 problem):" where `pytest suites/` listed "1 setup problem in …;
    nothing was judged", its gate.json covered no suite where pytest's covered seven, and
    it left no .sentinel-reports marker in the folder."""
    from sentinel_checks.gate.artefacts import MARKER
    from tests.conftest import SUITES, run_suites

    heading = (
        "sentinel: 2 setup problems in sentinel.toml; nothing was judged:\n  - [data] bogus_key: unknown key"
    )
    told, reports = {}, {}
    for runner in ("gate", "pytest"):
        cwd = tmp_path / runner
        cwd.mkdir()
        (cwd / "sentinel.toml").write_text(BAD_KEY)
        _inputs_beside(cwd / "sentinel.toml")
        if runner == "gate":
            code, out = run_sentinel("gate", "--config", "sentinel.toml", "--reports", "reports", cwd=cwd)
        else:
            code, out = run_suites(SUITES, Path("sentinel.toml"), cwd=cwd)
        assert code == 2, out
        assert heading in out, out
        if runner == "gate":  # (pytest's header line says the config is invalid, before the list)
            assert "invalid configuration" not in out, out
        assert (cwd / "reports" / MARKER).is_file()
        told[runner] = out.strip().splitlines()[-1]
        reports[runner] = json.loads((cwd / "reports" / "gate.json").read_text())
        # absolute, as a loaded config's is (trial: relative for an invalid config only)
        assert reports[runner]["config"] == str((cwd / "sentinel.toml").resolve())
        if runner == "pytest":  # its header names the count, not the path twice (trial)
            assert "sentinel: config sentinel.toml is invalid (2 problems, listed below)" in out, out
    assert told["gate"] == told["pytest"]
    for key in ("coverage", "seed", "verdict", "counts", "statuses"):
        assert reports["gate"][key] == reports["pytest"][key], key
    assert reports["gate"]["coverage"]["suites"] == []  # nothing ran


def test_an_invalid_config_pytest_found_by_itself_is_named_in_the_reports(tmp_path):
    """Review: `pytest suites/` with no --sentinel-config, finding an invalid ./sentinel.toml,
    wrote gate.json's config as "None" and listed "setup problems in the configuration"."""
    from tests.conftest import SUITES, _run_module

    _inputs_beside(tmp_path / "sentinel.toml").write_text(BAD_KEY)
    args = (str(SUITES), "--sentinel-reports", "reports", "-p", "no:cacheprovider")
    code, out = _run_module("pytest", *args, cwd=tmp_path, timeout=300)
    assert code == 2, out
    config = str((tmp_path / "sentinel.toml").resolve())
    assert json.loads((tmp_path / "reports" / "gate.json").read_text())["config"] == config
    assert f"sentinel: 2 setup problems in {config}; nothing was judged:" in out, out


@pytest.mark.parametrize(
    "option", [["-p", "no:sentinel"], ["-pno:sentinel"], ["-p=no:sentinel"], "PYTEST_ADDOPTS=-p no:sentinel"]
)
def test_disabling_the_gates_plugin_is_a_setup_stop_with_its_report(tmp_path, option, monkeypatch):
    """Trial (stop 50): `sentinel gate -- -p no:sentinel` ended in pytest's own
    "unrecognized arguments: --sentinel-config", with no gate.json and no verdict line;
    so did the option in $PYTEST_ADDOPTS (second trial)."""
    folder = _reused_folder(tmp_path)
    config = tmp_path / "sentinel.toml"
    config.write_text(BAD_KEY)
    if isinstance(option, str):
        monkeypatch.setenv("PYTEST_ADDOPTS", option.partition("=")[2])
        option = []
    assert main(["gate", "--config", str(config), "--reports", str(folder), "--", *option]) == 2
    (entry,) = _stop_report(folder)["checks"]
    assert entry["test"] == "sentinel preflight::pytest options", entry
    assert "disables the gate's plugin" in entry["message"], entry
