"""The gate's steps without pytest: the same tests, ids and gate.json as the shipped suites.

``sentinel_checks.gate.runner.plan`` must list exactly what pytest collects from the
suites for a config, and running it in process must write the gate.json a pytest
run writes. Steps whose input is absent say so (NotConfigured); a bad input is
raised once and again every time it is asked for.
"""

import subprocess
import sys

import pytest

from sentinel_checks.config import load_config
from sentinel_checks.errors import DataError
from sentinel_checks.gate import steps
from sentinel_checks.gate.runner import gate_run_in_process, outcome_of, plan
from sentinel_checks.gate.session import GateSession, NotConfigured
from sentinel_checks.result import Status
from tests.conftest import BASE_CONFIG, SUITES, judge_in_process, run_gate

TWO_SEGMENT_DRIFT = """
[drift]
segment_columns = ["channel", "country"]
feature_pairs = ["train:val", "train:production"]
"""


def collected(config, cwd):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(SUITES),
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "--sentinel-config",
            str(config),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    ids = [line for line in proc.stdout.splitlines() if "::" in line]
    assert ids, proc.stdout + proc.stderr
    return ids


@pytest.mark.parametrize("extra", ["", TWO_SEGMENT_DRIFT], ids=["base", "more-parameters"])
def test_the_plan_is_what_pytest_collects_from_the_suites(gate_project, extra):
    config_text = (
        BASE_CONFIG.replace('[drift]\nsegment_columns = ["channel"]\n', "") if extra else BASE_CONFIG
    )
    project = gate_project(config_text=config_text, extra=extra)
    cfg = load_config(project.config)
    prefix = str(SUITES.relative_to(SUITES.parents[0])) + "/"  # pytest's ids are relative to the rootdir
    planned = [t.nodeid for t in plan(cfg, prefix=prefix)]
    assert len(planned) == len(set(planned))
    assert sorted(planned) == sorted(collected(project.config, SUITES.parents[0]))


@pytest.mark.slow
def test_in_process_gate_json_is_byte_identical_to_the_pytest_run(gate_project, tmp_path):
    project = gate_project(extra='[models.champion]\nscore_column = "score"\n')
    by_pytest = run_gate(project.config, project.folder)
    assert by_pytest.code == 0, by_pytest.output[-2000:]
    first = (project.folder / "reports" / "gate.json").read_bytes()
    (project.folder / "reports" / "gate.json").unlink()
    in_process = judge_in_process(project.config, project.folder)
    assert in_process.code == 0
    assert (project.folder / "reports" / "gate.json").read_bytes() == first
    assert in_process.report["verdict"] == "pass"
    assert "promotion.vs_champion" in {c.get("id") for c in in_process.report["checks"]}


@pytest.mark.slow
def test_a_planted_leak_fails_in_process_with_the_check_that_catches_it(gate_project, small_log):
    offline = small_log.offline.copy()
    offline["score"] = offline["label"].eq("risky").astype(float) * 0.9 + 0.05  # the label, as a score
    offline["leak"] = offline["label"].eq("risky").astype(int)
    config = BASE_CONFIG.replace('"user_prior_risk_rate"]', '"user_prior_risk_rate", "leak"]')
    production = small_log.production.assign(leak=small_log.production["label"].eq("risky").astype(int))
    project = gate_project(offline=offline, production=production, config_text=config)
    run, _ = gate_run_in_process(load_config(project.config))
    assert run.verdict == "fail"
    failed = {o.result.id for o in run.outcomes if o.result is not None and o.outcome == "failed"}
    assert "splits.target_leakage" in failed


def test_absent_optional_inputs_are_not_configured_with_the_reason(gate_project):
    project = gate_project(
        config_text=BASE_CONFIG.replace('[production]\npath = "data/production.parquet"\n', "")
    )
    session = GateSession(load_config(project.config))
    with pytest.raises(NotConfigured, match=r"no \[production\] sample configured"):
        steps.production_contract(session)
    with pytest.raises(NotConfigured, match=r"no \[training\] log configured"):
        steps.training_curves(session)
    with pytest.raises(NotConfigured, match="no labelled production rows"):
        steps.recall(session, "production")
    assert steps.vs_champion(session, "test").status is Status.SKIP  # no champion: first model
    assert steps.recall(session, "test").status is Status.PASS
    # threshold.json carries its schema version and reads back through its one reader
    from sentinel_checks.reports.quality import ThresholdRecord, threshold_document

    written = threshold_document(session.evaluation("candidate"))
    assert written["schema_version"] == 1
    assert ThresholdRecord.from_dict(written).threshold == session.evaluation("candidate").threshold


def test_a_bad_input_is_raised_every_time_and_loaded_once(gate_project, monkeypatch):
    project = gate_project()
    (project.folder / "data" / "requests.parquet").write_bytes(b"not parquet")
    session = GateSession(load_config(project.config))
    calls = []
    import sentinel_checks.data.inputs as inputs

    real = inputs.load_dataset
    monkeypatch.setattr(inputs, "load_dataset", lambda cfg: calls.append(1) or real(cfg))
    for _ in range(2):
        with pytest.raises(DataError, match="requests.parquet"):
            steps.target_leakage(session)
    assert calls == [1]
    outcome = outcome_of("t", lambda: steps.row_overlap(session, ("train", "val")))
    assert outcome.outcome == "error" and outcome.message.startswith("DataError: ")


def test_a_library_failure_inside_a_step_is_an_error_never_a_pass():
    def broken():
        raise KeyError("deep inside a library")

    outcome = outcome_of("t", broken)
    assert outcome.outcome == "error" and "KeyError" in outcome.message


def test_label_drift_names_a_missing_label_column_and_waits_for_production_labels(gate_project, small_log):
    """Found by the corrupted-frame fuzz: a label column renamed away raised a bare
    KeyError('label') from the prevalence step."""
    offline = small_log.offline.rename(columns={"label": "label_renamed"})
    project = gate_project(offline=offline)
    session = GateSession(load_config(project.config))
    with pytest.raises(DataError, match=r"test: label column 'label' is missing"):
        steps.label_drift(session, "test:production")
    project = gate_project(production=small_log.production.drop(columns="label"))
    session = GateSession(load_config(project.config))
    with pytest.raises(NotConfigured, match="production has no label column"):
        steps.label_drift(session, "test:production")


def test_calibration_drift_is_skipped_until_production_labels_arrive(gate_project, small_log):
    """drift.calibration needs labelled production rows; without them it is NotConfigured."""
    project = gate_project(production=small_log.production.drop(columns="label"))
    session = GateSession(load_config(project.config))
    with pytest.raises(NotConfigured, match="no labelled production rows"):
        steps.calibration_drift(session)
    session = GateSession(load_config(gate_project().config))
    result = steps.calibration_drift(session)
    assert result.id == "drift.calibration" and result.status is not Status.ERROR, result.message


def test_a_crashing_step_is_recorded_alike_by_the_plugin_and_the_runner(pytester):
    """A library failure inside a step: the same outcome and message in gate.json
    whether pytest or the in-process runner ran it (an error, never a pass)."""
    import json

    import pandas as pd

    pd.DataFrame(
        {"label": [0, 1] * 50, "f": range(100), "split": ["train", "val", "test", "train"] * 25}
    ).to_parquet(pytester.path / "data.parquet")
    pytester.makefile(
        ".toml",
        sentinel='[data]\npath = "data.parquet"\n[splits]\nmethod = "column"\ncolumn = "split"\n'
        '[models.candidate]\nscore_column = "f"\n',
    )
    pytester.makepyfile(test_crash="def test_crash(gate):\n    gate.run(lambda session: {}['boom'])\n")
    pytester.runpytest(
        "--sentinel-config", "sentinel.toml", "--sentinel-reports", "out", "-p", "no:cacheprovider"
    )
    entry = json.loads((pytester.path / "out" / "gate.json").read_text())["checks"][0]
    by_runner = outcome_of(entry["test"], lambda: {}["boom"])
    assert (
        (entry["outcome"], entry["message"])
        == (by_runner.outcome, by_runner.message)
        == ("error", "KeyError: 'boom'")
    )


def score_column_project(pytester) -> None:
    """data.parquet (100 rows: label, a score column ``f`` in [0, 0.99], a split column)
    and a sentinel.toml judging ``f`` as the candidate, in ``pytester``'s folder."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # pyarrow, not pandas: pandas' Arrow types imported inside a pytester test are unloaded
    # after it, and registered twice by the next parameter's import
    data = {
        "label": [0, 1] * 50,
        "f": [i / 100 for i in range(100)],
        "split": ["train", "val", "test", "train"] * 25,
    }
    pq.write_table(pa.table(data), pytester.path / "data.parquet")
    pytester.makefile(
        ".toml",
        sentinel='[data]\npath = "data.parquet"\n[splits]\nmethod = "column"\ncolumn = "split"\n'
        '[models.candidate]\nscore_column = "f"\n',
    )


@pytest.mark.parametrize(
    ("stop", "extra", "why"),
    [
        ("raise KeyboardInterrupt", (), "the run was interrupted"),  # Ctrl-C, a CI timeout's SIGINT
        ("assert False, 'planted'", ("-x",), "pytest stopped early"),
    ],
    ids=["interrupted", "maxfail"],
)
def test_a_gate_run_that_ends_before_every_check_ran_never_passes(pytester, stop, extra, why):
    """Trial: a gate interrupted after 6 of 51 tests wrote verdict ``pass`` and
    ``sentinel promote`` accepted it. The collected gate tests that never ran are one
    error entry; the verdict is ``fail``; run.json says why the run stopped."""
    import json
    from xml.etree import ElementTree

    score_column_project(pytester)
    passing = "def test_a(gate):\n    gate.check(gate_pass())\n"
    pytester.makepyfile(
        test_run=(
            "from sentinel_checks.result import CheckResult, Status\n\n"
            "def gate_pass():\n    return CheckResult(id='custom.ok', status=Status.PASS, message='ok')\n\n"
            f"{passing}\n"
            f"def test_b(gate):\n    {stop}\n\n"
            "def test_c(gate):\n    gate.check(gate_pass())\n"
        )
    )
    # in a child: an in-process pytester run would take the KeyboardInterrupt as its own
    result = pytester.runpytest_subprocess(
        "--sentinel-config",
        "sentinel.toml",
        "--sentinel-reports",
        "out",
        "--junitxml=out/junit.xml",
        "-p",
        "no:cacheprovider",
        *extra,
    )
    assert result.ret != 0
    report = json.loads((pytester.path / "out" / "gate.json").read_text())
    assert report["verdict"] == "fail", report
    (entry,) = [c for c in report["checks"] if c["test"] == "sentinel run::checks left unrun"]
    assert entry["outcome"] == "error" and why in entry["message"] and "test_c" in entry["message"]
    run = json.loads((pytester.path / "out" / "run.json").read_text())
    assert run["stopped_by"] == "run ended before every check"
    # the verdict line says why at once, not only "gate FAIL (1 error, 1 passed)"
    junit = ElementTree.parse(pytester.path / "out" / "junit.xml")
    (case,) = [c for c in junit.iter("testcase") if c.get("name") == "checks left unrun"]
    assert case.find("error") is not None and "test_c" in case.find("error").text  # not all green
    named = entry["message"].split("Not run: ", 1)[1].split(", ")  # test_b (interrupted in it) and test_c
    said = {1: "1 check was not run", 2: "2 checks were not run"}[len(named)]
    # test_run.py is the team's own gate test file: no shipped suite ran, said beside it
    partial = "a partial gate: none of the 7 shipped suites ran; it cannot be promoted"
    assert result.outlines[-1].startswith(f"gate FAIL: {said} — {partial} ("), result.outlines[-1]


def test_a_configured_production_sample_without_labels_is_not_told_to_configure_one(gate_project, small_log):
    """Trial (stop 50): every production label missing read "configure [production] with
    labels to judge it" beside a configured [production]; it says the labels are missing."""
    project = gate_project(production=small_log.production.assign(label=None))
    session = GateSession(load_config(project.config))
    with pytest.raises(NotConfigured) as told:
        steps.recall(session, "production")
    assert str(told.value) == "no labelled production rows: the sample's 'label' is missing in every row"
    absent = gate_project(
        config_text=BASE_CONFIG.replace('[production]\npath = "data/production.parquet"\n', "")
    )
    with pytest.raises(NotConfigured, match=r"configure \[production\] with labels to judge it"):
        steps.recall(GateSession(load_config(absent.config)), "production")


def test_a_gate_pytest_stopped_on_its_command_line_says_what_pytest_refused(pytester):
    """Trial (stop 51): `sentinel gate -- -m nothing` (a marker the suites do not define,
    with --strict-markers) read "51 checks were not run: pytest ended before them … Run it
    again to the end", which no rerun fixes; pytest's own reason came only after the
    summary. The entry now quotes pytest's usage error."""
    import json

    score_column_project(pytester)
    pytester.makepyfile(test_run="def test_a(gate):\n    pass\n")
    result = pytester.runpytest(
        "--sentinel-config", "sentinel.toml", "--sentinel-reports", "out", "-p", "no:cacheprovider",
        "--strict-markers", "-m", "nothing",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    report = json.loads((pytester.path / "out" / "gate.json").read_text())
    (entry,) = [c for c in report["checks"] if c["test"] == "sentinel run::checks left unrun"]
    message = entry["message"]
    assert "pytest refused its command line: Unknown marker(s) in '-m' expression: nothing" in message
    assert "Run it again to the end" not in message, message
    # a usage error is a setup stop: never "gate FAIL" (trial), exit 2 as pytest's own
    assert report["verdict"] == "setup_error", report["verdict"]
    assert not any(line.startswith("gate FAIL") for line in result.outlines), result.outlines[-3:]
