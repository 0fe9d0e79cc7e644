"""The preflight: setup mistakes (a misspelt column, label values that are not the
configured classes, a model file that cannot load or expects other features) are all
found before any suite runs, each reported once, and stop the gate with exit 2.

Most tests call :func:`~sentinel_checks.gate.preflight.preflight` on a small project
(400 rows, a logistic regression saved with skops) built in the test; one runs the
plugin in process (pytester) and one the ``sentinel gate`` command in a subprocess.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.gate.preflight import SetupProblem, preflight
from sentinel_checks.gate.preflight_report import preflight_text
from tests.conftest import SUITES, run_sentinel

N_ROWS = 400
FEATURES = ["amount", "DISTANCE"]

CONFIG = """
[data]
path = "data.parquet"

[production]
path = "production.parquet"

[columns]
label = "CANCELLED"
positive = "risky"
negative = "safe"
timestamp = "request_ts"
id = "request_id"
entities = ["user_id"]
segments = ["AIRLINE"]
features = ["amount", "DISTANCE"]

[splits]
method = "column"
column = "split"

[models.candidate]
path = "model.skops"
"""


def _frame(seed: int = 0, *, labels: tuple[str, str] = ("risky", "safe")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = rng.gamma(2.0, 50.0, N_ROWS)
    risky = rng.random(N_ROWS) < np.where(amount > 150, 0.4, 0.05)
    return pd.DataFrame(
        {
            "request_id": [f"r{seed}-{i}" for i in range(N_ROWS)],
            "user_id": [f"u{i % 60}" for i in range(N_ROWS)],
            "request_ts": pd.date_range("2025-05-01", periods=N_ROWS, freq="h"),
            "AIRLINE": rng.choice(["AA", "UA", "DL"], N_ROWS),
            "amount": amount,
            "DISTANCE": rng.uniform(100, 3000, N_ROWS),
            "ELAPSED": rng.uniform(30, 400, N_ROWS),
            "CANCELLED": np.where(risky, labels[0], labels[1]),
            "split": np.repeat(["train", "val", "test", "test"], N_ROWS // 4),
        }
    )


def _model(features: list[str] = FEATURES, *, target: str = "bool"):
    from sklearn.linear_model import LogisticRegression

    frame = _frame()
    y = frame["CANCELLED"].eq("risky")
    return LogisticRegression().fit(frame[features], y if target == "bool" else np.where(y, "yes", "no"))


def _project(
    folder: Path,
    *,
    config: str = CONFIG,
    offline: pd.DataFrame | None = None,
    model: object | None = None,
    joblib_as_skops: bool = False,
    **replace: str,
) -> Path:
    """Write data.parquet, production.parquet, model.skops and sentinel.toml into ``folder``;
    ``replace``: config lines to swap, as ``old=new`` pairs given by key (``label='…'``)."""
    import joblib
    import skops.io as sio

    (_frame(0) if offline is None else offline).to_parquet(folder / "data.parquet")
    _frame(1).drop(columns=["CANCELLED", "split"]).to_parquet(folder / "production.parquet")
    if joblib_as_skops:
        joblib.dump(_model() if model is None else model, folder / "model.skops")
    else:
        sio.dump(_model() if model is None else model, folder / "model.skops")
    text = textwrap.dedent(config)
    for key, line in replace.items():
        old = next(x for x in text.splitlines() if x.startswith(f"{key} = "))
        text = text.replace(old, f"{key} = {line}")
    (folder / "sentinel.toml").write_text(text)
    return folder / "sentinel.toml"


def _problems(config: Path) -> list[SetupProblem]:
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.session import GateSession

    return preflight(GateSession(load_config(config)))


def test_a_sound_setup_has_no_problem(tmp_path):
    assert _problems(_project(tmp_path)) == []


@pytest.mark.parametrize("written", ["CANCELED", "cancelled"])
def test_a_misspelt_label_names_the_column_it_meant(tmp_path, written):
    problems = _problems(_project(tmp_path, label=f'"{written}"'))
    assert [p.key for p in problems] == ["[columns] label"], problems
    text = str(problems[0])
    assert f"'{written}'" in text and "did you mean 'CANCELLED'?" in text
    assert "data.parquet" in text


def test_a_wrong_segment_column_is_named_once_in_plain_words(tmp_path):
    problems = _problems(_project(tmp_path, segments='["AIRLINES"]'))
    assert [p.key for p in problems] == ["[columns] segments"], problems
    text = str(problems[0])
    assert "'AIRLINES'" in text and "did you mean 'AIRLINE'?" in text
    assert "data.parquet" in text and "production.parquet" in text  # both frames, one problem
    for jargon in ("column_in_dataframe", "KeyError", "["):
        assert jargon not in text.split(": ", 1)[1], text


def test_every_role_column_is_looked_for_entities_nested_or_not(tmp_path):
    config = CONFIG.replace('entities = ["user_id"]', 'entities = [["user_id", "USERID"], "session"]')
    config = config.replace('id = "request_id"', 'id = "requestid"\nexclude = ["TAIL_NUM"]')
    from sentinel_checks.config import Columns

    if "str | list[str]" not in str(Columns.model_fields["entities"].annotation):
        config = config.replace('[["user_id", "USERID"], "session"]', '["user_id", "USERID", "session"]')
    problems = _problems(_project(tmp_path, config=config))
    by_key = {p.key: str(p) for p in problems}
    assert set(by_key) == {"[columns] entities", "[columns] id", "[columns] exclude"}, problems
    assert "'USERID'" in by_key["[columns] entities"] and "'session'" in by_key["[columns] entities"]
    assert "did you mean 'request_id'?" in by_key["[columns] id"]


def test_a_column_named_under_two_keys_is_reported_once(tmp_path):
    config = CONFIG + '\n[quality]\nbaseline_features = ["amount", "DISTANSE"]\n'
    config = config.replace('features = ["amount", "DISTANCE"]', 'features = ["amount", "DISTANSE"]')
    problems = _problems(_project(tmp_path, config=config))
    assert [p.key for p in problems] == ["[columns] features"], problems
    assert "did you mean 'DISTANCE'?" in str(problems[0])
    # and it names the other key, so one run shows every place to fix (trial: one key a run)
    assert str(problems[0]).endswith("(also named in [quality] baseline_features)"), problems


def test_a_joblib_file_named_skops_is_reported_once_with_the_fix(tmp_path):
    problems = _problems(_project(tmp_path, joblib_as_skops=True))
    assert [p.key for p in problems] == ["[models.candidate]"], problems
    text = str(problems[0])
    assert str(tmp_path / "model.skops") in text
    assert "not a readable skops file" in text
    assert "format = 'joblib'" in text  # the fix: say what the file is (and trust it)


def test_a_truncated_skops_file_is_told_as_damaged_never_to_load_as_trusted_joblib(tmp_path):
    """Trial: a .skops file cut short (it starts as a zip, its end is missing) was told "if
    it was saved with joblib or pickle, set format = 'joblib' and trusted = true"."""
    config = _project(tmp_path)
    model = tmp_path / "model.skops"
    model.write_bytes(model.read_bytes()[:300])
    problems = _problems(config)
    assert [p.key for p in problems] == ["[models.candidate]"], problems
    text = str(problems[0])
    assert "truncated or damaged" in text and "skops.io.dump" in text, text
    assert "trusted = true" not in text and "joblib" not in text, text


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "0 byte(s): an empty or failed copy"),
        (b"version https://git-lfs.github.com/spec/v1\n", "Git LFS"),
    ],
)
def test_an_empty_skops_file_or_an_lfs_pointer_is_never_told_to_load_as_trusted_joblib(
    tmp_path, content, says
):
    """Review: a 0-byte .skops file (a failed copy) still got the trusted-joblib advice."""
    config = _project(tmp_path)
    (tmp_path / "model.skops").write_bytes(content)
    text = str(_problems(config)[0])
    assert says in text and "trusted = true" not in text, text


def test_untrusted_skops_types_are_reported_once(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    frame = _frame()
    model = HistGradientBoostingClassifier(max_iter=5).fit(frame[FEATURES], frame["CANCELLED"].eq("risky"))
    problems = _problems(_project(tmp_path, model=model))
    assert [p.key for p in problems] == ["[models.candidate]"], problems
    assert "trusted_types" in str(problems[0]) and "TreePredictor" in str(problems[0])


def test_a_model_expecting_a_feature_missing_from_the_data(tmp_path):
    offline = _frame(0).drop(columns="ELAPSED")
    problems = _problems(_project(tmp_path, offline=offline, model=_model([*FEATURES, "ELAPSED"])))
    assert [p.key for p in problems] == ["[models.candidate]"], problems
    text = str(problems[0])
    assert "'ELAPSED'" in text and "data.parquet" in text


def test_a_model_trained_on_other_features_than_configured(tmp_path):
    problems = _problems(_project(tmp_path, model=_model(["amount", "ELAPSED"])))
    assert [p.key for p in problems] == ["[models.candidate]"], problems
    text = str(problems[0])
    assert "'ELAPSED'" in text and "'DISTANCE'" in text and "features" in text


def test_a_model_whose_classes_do_not_include_the_risky_class(tmp_path):
    problems = _problems(_project(tmp_path, model=_model(target="yes/no")))
    assert [p.key for p in problems] == ["[models.candidate]"], problems
    assert "'risky'" in str(problems[0]) and "yes" in str(problems[0])


def test_label_values_that_are_not_the_configured_classes_are_named(tmp_path):
    problems = _problems(_project(tmp_path, offline=_frame(0, labels=("yes", "no"))))
    assert [p.key for p in problems] == ["[columns] positive / negative"], problems
    text = str(problems[0])
    assert "'yes'" in text and "'no'" in text and "'risky'" in text and "'safe'" in text
    assert "rows" in text


def test_several_problems_are_reported_together_each_once(tmp_path):
    config = _project(tmp_path, joblib_as_skops=True, label='"CANCELED"', segments='["AIRLINES"]')
    problems = _problems(config)
    assert sorted(p.key for p in problems) == [
        "[columns] label",
        "[columns] segments",
        "[models.candidate]",
    ], problems
    text = preflight_text(problems, config)
    assert text.count("CANCELED") == 1 and text.count("AIRLINES") == 1
    assert text.count("not a readable skops file") == 1
    assert "3 setup problems" in text and str(config) in text
    assert "Traceback" not in text


def test_the_plugin_stops_before_any_test_with_exit_2_and_loads_the_data_once(pytester):
    """In process: a misspelt label stops the session at collection (exit 2, gate.json
    records the problem); a sound config hands the loaded frames to the fixtures."""
    import json

    pytester.makepyfile(
        counting_loader=textwrap.dedent(
            """
            from pathlib import Path

            import pandas as pd


            def load():
                counter = Path("loads.txt")
                counter.write_text(str(int(counter.read_text() or 0) + 1) if counter.exists() else "1")
                return pd.read_parquet("data.parquet")
            """
        ),
        test_gate_uses_data="def test_rows(sentinel_dataset):\n    assert len(sentinel_dataset) == 400\n",
    )
    config = _project(pytester.path, label='"CANCELED"')
    args = ("--sentinel-config", str(config), "--sentinel-reports", "out", "-p", "no:cacheprovider")
    result = pytester.runpytest(*args)
    assert result.ret == 2, result.stdout.str()
    out = result.stdout.str()
    assert out.count("did you mean 'CANCELLED'?") == 1, out
    assert "Traceback" not in out
    result.assert_outcomes()  # nothing ran
    entry = json.loads((pytester.path / "out" / "gate.json").read_text())["checks"]
    assert [(e["outcome"], e["input_error"]) for e in entry] == [("error", True)]
    run_json = json.loads((pytester.path / "out" / "run.json").read_text())
    assert run_json["pytest_exitstatus"] == result.ret == 2, run_json  # the status the process exits with
    assert run_json["stopped_by"] == "preflight"

    text = config.read_text().replace('label = "CANCELED"', 'label = "CANCELLED"')
    config.write_text(text.replace('path = "data.parquet"', 'loader = "counting_loader:load"'))
    result = pytester.runpytest(*args)
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=1)
    assert (pytester.path / "loads.txt").read_text() == "1"


@pytest.mark.slow
def test_sentinel_gate_exits_2_on_a_misspelt_label(tmp_path):
    config = _project(tmp_path, label='"CANCELED"', segments='["AIRLINES"]')
    args = ["gate", "--config", str(config), "--reports", "reports", "--suites", str(SUITES)]
    code, out = run_sentinel(*args, cwd=tmp_path)
    assert code == 2, out[-3000:]
    assert out.count("did you mean 'CANCELLED'?") == 1 and out.count("did you mean 'AIRLINE'?") == 1, out
    assert "Traceback" not in out and "passed" not in out and "failed" not in out


def test_sentinel_gate_lists_a_missing_file_with_every_other_problem_and_writes_the_reports(
    gate_project, capsys
):
    """A missing model file is one preflight problem among the others (here a label that is
    not a column), and the stopped run's reports replace an earlier run's — the config
    loader no longer stops `sentinel gate` on the first missing file."""
    import json

    from sentinel_checks.cli import main

    text = BASE_CONFIG_WITH_MODEL_FILE
    project = gate_project(extra="")
    project.config.write_text(
        project.config.read_text()
        .replace('score_column = "score"', text)
        .replace('label = "label"', 'label = "lable"')
    )
    reports = project.folder / "reports"
    reports.mkdir()
    (reports / "gate.json").write_text('{"verdict": "pass"}')  # an earlier run's
    code = main(["gate", "--config", str(project.config), "--reports", str(reports)])
    err = capsys.readouterr().err
    assert code == 2
    assert "[columns] label" in err and "did you mean 'label'" in err
    assert "[models.candidate] path: model file not found" in err
    assert "[models.candidate]: [models.candidate]" not in err  # the key is named once
    assert json.loads((reports / "gate.json").read_text())["verdict"] == "setup_error"


BASE_CONFIG_WITH_MODEL_FILE = 'path = "models/candidate.skops"'


def test_pytest_lists_a_missing_file_with_every_other_problem_under_its_key(gate_project):
    """Trial: ``pytest suites/`` folded a missing model file into one ``configuration``
    problem (the config loader stopped on it) where ``sentinel gate`` listed it under its
    key beside the other problems; both now list it as ``sentinel gate`` does."""
    from tests.conftest import run_gate

    project = gate_project(extra="")
    project.config.write_text(
        project.config.read_text()
        .replace('score_column = "score"', BASE_CONFIG_WITH_MODEL_FILE)
        .replace('label = "label"', 'label = "lable"')
    )
    run = run_gate(project.config, project.folder)
    assert run.code == 2 and run.report is not None, run.output
    tests = sorted(c["test"] for c in run.report["checks"])
    assert tests == ["sentinel preflight::[columns] label", "sentinel preflight::[models.candidate]"], tests
    assert "[models.candidate] path: model file not found" in run.output, run.output


def test_sentinel_gate_lists_a_missing_training_log_with_the_other_problems(gate_project, capsys):
    """A file the preflight does not read itself (``[training] log``) missing: one problem
    among the others, exit 2, a setup_error report — it stopped the run after the
    preflight with a bare error and no report (new-user trial)."""
    import json

    from sentinel_checks.cli import main

    project = gate_project(extra='[training]\nlog = "training/nosuch.csv"\n')
    project.config.write_text(project.config.read_text().replace('label = "label"', 'label = "lable"'))
    reports = project.folder / "reports"
    code = main(["gate", "--config", str(project.config), "--reports", str(reports)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "[columns] label" in err and "did you mean 'label'" in err, err
    assert "[training] log: path not found:" in err and "nosuch.csv" in err, err
    report = json.loads((reports / "gate.json").read_text())
    assert report["verdict"] == "setup_error", report
    assert any("[training] log" in c["test"] for c in report["checks"]), report["checks"]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_missing_data_or_production_file_names_the_path_key_once(tmp_path, engine):
    """Trial: a wrong `path` was reported under ``[data]``; the key is ``[data] path``,
    said once (the engine's own message names it too)."""
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.session import GateSession

    config = CONFIG.replace("[data]\n", f'[data]\nengine = "{engine}"\n')
    path = _project(tmp_path, config=config, **{"path": '"nope.parquet"'})  # the first path: [data]
    (tmp_path / "production.parquet").unlink()
    session = GateSession(load_config(path, check_files=False))
    try:
        problems = preflight(session)
        notes = list(session.engine_notes)
    finally:
        session.close()
    keys = {p.key: str(p) for p in problems}
    assert {"[data] path", "[production] path"} <= set(keys), problems
    # review: a missing production file was also noted as "read through pandas, not where it lies"
    assert not any("read through pandas" in n for n in notes), notes
    assert "nope.parquet" in keys["[data] path"], keys
    assert "production.parquet" in keys["[production] path"], keys
    assert all(text.count(key) == 1 for key, text in keys.items()), keys
    # and the section is not said again inside the message (trial: "[production] path:
    # production path not found")
    assert all(f"{key}: path not found: " in keys[key] for key in ("[data] path", "[production] path")), keys
    # the columns could not be looked for: said, so a misspelt one is no surprise next run
    from sentinel_checks.gate.preflight import NOT_CHECKED

    assert next(p.key for p in problems if p.about == NOT_CHECKED) == "[columns]", problems
    if engine == "duckdb":  # the engine's note counts the two problems, not the notes (review)
        (note,) = [p for p in problems if p.about == NOT_CHECKED and p.key != "[columns]"]
        assert "the 2 problems above" in note.message, note
        # one "not checked", not two (trial: "(not checked) [engine.duckdb]: not started or checked")
        # DuckDB started to read the data where it lies: what was not tried is holding the splits
        assert (
            str(note)
            == "[engine.duckdb]: DuckDB holding the splits not tried: the 2 problems above already stop the run"
        )


@pytest.mark.parametrize("path", ['"parts/*.parquet"', '"parts"'])
def test_a_glob_or_folder_with_no_parquet_file_is_a_path_problem(tmp_path, path):
    """Review: pandas keyed these [data] while DuckDB keyed them [data] path."""
    (tmp_path / "parts" / "sub").mkdir(parents=True)  # a folder, and one matching nothing
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.session import GateSession

    config = _project(tmp_path, **{"path": path})
    found = preflight(GateSession(load_config(config, check_files=False)))
    problems = [p for p in found if p.key.startswith("[data]")]
    assert [p.key for p in problems] == ["[data] path"], problems


def test_a_problem_that_is_not_the_path_keeps_the_section_key(tmp_path):
    """A file that exists but cannot be read as data is no `path` mistake."""
    path = _project(tmp_path)
    (tmp_path / "data.parquet").write_text("request_id,amount\n1,2\n")  # a CSV named .parquet
    problems = [p for p in _problems(path) if p.key.startswith("[data]")]
    assert problems and all(p.key == "[data]" for p in problems), problems


def test_a_risky_value_the_label_does_not_hold_is_one_problem_naming_every_place(tmp_path):
    """positive = "1.0" (text) on a float label: the dataset, the production sample and
    the model's classes are one mistake, reported once with the values found."""
    from sklearn.linear_model import LogisticRegression

    offline = _frame(0)
    offline["CANCELLED"] = offline["CANCELLED"].eq("risky").astype(float)
    model = LogisticRegression().fit(offline[FEATURES], offline["CANCELLED"])
    config = _project(tmp_path, offline=offline, model=model, positive='"1.0"', negative="0.0")
    production = _frame(1).drop(columns=["split"])
    production["CANCELLED"] = production["CANCELLED"].eq("risky").astype(float)
    production.to_parquet(tmp_path / "production.parquet")
    problems = _problems(config)
    assert [p.key for p in problems] == ["[columns] positive / negative"], problems
    text = preflight_text(problems, config)
    assert text.count("'1.0'") >= 1 and "1 setup problem " in text, text
    for place in ("the dataset (", "the production sample (", "[models.candidate] ("):
        assert text.count(place) == 1, (place, text)
    assert "classes 0.0 and 1.0" in text and "positive_class" not in text  # the model's classes
    n_dataset = int(offline["CANCELLED"].sum())
    assert f"1.0 ({n_dataset:,} rows)" in text, text
    assert "np.float64" not in text and "Traceback" not in text


def test_the_setup_error_verdict_reads_the_same_from_sentinel_gate_and_from_pytest(pytester, capsys):
    """One function words the verdict line of a run the preflight stopped, both ways."""
    from sentinel_checks.cli import main
    from sentinel_checks.reports.terminal import setup_error_line

    config = _project(pytester.path, label='"CANCELED"')  # one problem
    pytester.makepyfile(
        test_gate_uses_data="def test_rows(sentinel_dataset):\n    assert len(sentinel_dataset)\n"
    )
    expected = setup_error_line(1)
    assert "gate not run: setup error" in expected and "exit 2" in expected and "1 problem " in expected

    assert main(["gate", "--config", str(config), "--reports", str(pytester.path / "cli")]) == 2
    cli_last = capsys.readouterr().err.strip().splitlines()[-1]
    result = pytester.runpytest(
        "--sentinel-config", str(config), "--sentinel-reports", "out", "-p", "no:cacheprovider"
    )
    assert result.ret == 2
    pytest_last = result.stdout.str().strip().splitlines()[-1]
    assert cli_last == expected, cli_last
    assert pytest_last == expected, pytest_last


def test_the_engine_is_not_started_when_other_setup_problems_already_stop_the_run(tmp_path, monkeypatch):
    """Spark takes ~15 s to start: with a problem already found the preflight skips it
    and says the engine was not checked; without one the engine is started."""
    import sentinel_checks.gate.engine_setup as engine_setup

    started = []
    monkeypatch.setattr(engine_setup, "engine_problems", lambda session: started.append(1) or [])
    config = _project(tmp_path, label='"CANCELED"')
    config.write_text(
        config.read_text().replace('path = "data.parquet"', 'path = "data.parquet"\nengine = "duckdb"')
    )
    problems = _problems(config)
    assert started == [] and [p.key for p in problems if not p.about] == ["[columns] label"], problems
    text = preflight_text(problems, config)
    assert "1 setup problem " in text, text
    assert "[engine.duckdb]" in text and "not checked" in text and "problem above" in text, text
    config.write_text(config.read_text().replace('label = "CANCELED"', 'label = "CANCELLED"'))
    assert _problems(config) == [] and started == [1]


def test_what_a_setup_stop_did_not_check_is_in_gate_json_and_gate_md(tmp_path, capsys):
    """Trial: "(not checked) [columns]" was printed only in the terminal."""
    import json

    from sentinel_checks.cli import main

    config = _project(tmp_path, **{"path": '"nope.parquet"'})
    reports = tmp_path / "reports"
    assert main(["gate", "--config", str(config), "--reports", str(reports)]) == 2
    doc = json.loads((reports / "gate.json").read_text())
    assert any(n.startswith("(not checked) [columns]") for n in doc["notes"]), doc.get("notes")
    assert "(not checked) [columns]" in (reports / "gate.md").read_text()
    assert doc["counts"] == {"error": len(doc["checks"])}  # a note is not a problem


def test_pytest_writes_what_a_setup_stop_did_not_check_as_the_cli_does(tmp_path):
    """Stop 46: ``pytest suites/``'s setup-stop gate.json had no "(not checked)" notes."""
    import json

    from tests.conftest import run_gate

    config = _project(tmp_path, **{"path": '"nope.parquet"'})
    run = run_gate(config, tmp_path)
    assert run.code == 2, run.output[-2000:]
    doc = json.loads((tmp_path / "reports" / "gate.json").read_text())
    assert any(n.startswith("(not checked) [columns]") for n in doc["notes"]), doc.get("notes")
    assert "(not checked) [columns]" in (tmp_path / "reports" / "gate.md").read_text()
    assert doc["counts"] == {"error": len(doc["checks"])}


@pytest.mark.parametrize(
    ("segment", "said"),
    [
        ("CANCELLED", "is the label column ([columns] label)"),
        ("split", "is the split column ([splits] column)"),
    ],
)
def test_the_label_or_the_split_column_as_a_segment_is_a_setup_problem(tmp_path, segment, said):
    """Trial (stop 51): `sentinel init` proposed the label and the split column as
    segments and the gate judged "every dead segment … recall ≥ 0.50": recall within one
    label value is 0 or 1 by construction, and a split column's values are the splits."""
    problems = _problems(_project(tmp_path, segments=f'["AIRLINE", "{segment}"]'))
    assert [p.key for p in problems] == ["[columns] segments"], problems
    assert f"'{segment}' {said}" in str(problems[0]), problems[0]
