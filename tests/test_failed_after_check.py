"""A gate test that failed after its check recorded a pass (a warning, a skip): a user's
extra assert, a teardown error, a warning pytest turned into an error. The verdict is
fail (``bucket``); every report must say why, in pytest's words, instead of showing the
passing check as the failure (10M instrumentation run: gate.md listed six "Failing
checks" whose status read "pass" and whose fix was the check's own hint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel_checks.reports.gate_report import GateRun, TestOutcome, gate_document, gate_markdown
from sentinel_checks.reports.html import gate_html
from sentinel_checks.reports.terminal import flagged_line, summary_lines
from sentinel_checks.result import CheckResult, Direction, Status

PASSED = CheckResult(
    "model.scores",
    Status.PASS,
    "candidate: 1,000 score(s) on test in [0.01, 0.9]",
    measured=0,
    limit=0,
    direction=Direction.AT_MOST,
    parameters={"split": "test", "model": "candidate"},
    hint="Score with the feature list the model was trained with.",
)
#: A check that failed: what a team's marker or caught assert tried to waive.
FAILED = CheckResult(
    "quality.precision",
    Status.FAIL,
    "test: precision 0.034 below the floor 0.05",
    measured=0.034,
    limit=0.05,
    direction=Direction.AT_LEAST,
    parameters={"split": "test"},
    hint="Raise the threshold.",
)
WHY = "pytest.PytestUnraisableExceptionWarning: Exception ignored in: <_io.FileIO name='/tmp/x.log'>"
NODE = "suites/test_models.py::test_model_scores_the_data[test-candidate]"


def _run(outcome: str = "failed") -> GateRun:
    return GateRun(
        config_path="sentinel.toml",
        data={},
        seed=0,
        outcomes=[TestOutcome(NODE, outcome, WHY if outcome == "failed" else "", PASSED)],
    )


def test_gate_json_keeps_what_pytest_said_beside_the_passing_check():
    (entry,) = gate_document(_run())["checks"]
    assert entry["status"] == "pass" and entry["outcome"] == "failed"
    assert entry["failed_after_check"] == WHY
    (clean,) = gate_document(_run("passed"))["checks"]
    assert "failed_after_check" not in clean


def test_the_terminal_says_the_check_passed_and_why_the_test_failed():
    line = flagged_line(_run().outcomes[0])
    assert line.startswith(f"{PASSED.label} FAIL after its check passed: ")
    assert "PytestUnraisableExceptionWarning" in line
    assert any("PytestUnraisableExceptionWarning" in x for x in summary_lines(_run()))


def test_gate_md_names_pytests_reason_not_the_checks_fix():
    text = gate_markdown(_run(), Path("."))
    failing = text.split("## Failing checks", 1)[1].split("### Details", 1)[0]
    row = next(x for x in failing.splitlines() if PASSED.label in x)
    assert "| pass |" not in row
    assert "test failed after its check passed" in row
    assert "PytestUnraisableExceptionWarning" in row
    assert PASSED.hint not in row
    details = text.split("### Details", 1)[1]
    assert "the check passed" in details and "PytestUnraisableExceptionWarning" in details


def test_gate_html_says_it_in_the_card_and_in_what_to_do_first():
    html = gate_html(_run(), {})
    assert "FAIL after its check passed" in html
    first = html.split("What to do first", 1)[1][:600]
    assert "PytestUnraisableExceptionWarning" in first
    assert "<summary>what pytest said</summary>" not in html  # said in the card, not hidden


def test_a_failed_check_pytest_counted_as_xfailed_still_fails_the_gate():
    """Trial (stop 49): a team's xfail marker on a gate test whose check failed made the
    gate PASS with "4 failed" in its own counts, exit 0, a verdict `sentinel promote`
    accepts. The gate waives a check only through its config."""
    failed = FAILED
    xfailed = TestOutcome(
        "suites/test_quality.py::test_precision_meets_its_floor[test]", "skipped", "", failed
    )
    run = GateRun(config_path="sentinel.toml", data={}, seed=0, outcomes=[xfailed])
    assert run.verdict == "fail"
    assert gate_document(run)["counts"] == {"failed": 1}
    line = flagged_line(xfailed)
    assert (
        line.startswith("quality.precision[test] FAIL: ")
        and "pytest did not count it as failed; it blocks the gate" in line
    ), line
    assert summary_lines(run)[-1].startswith("gate FAIL")
    assert "`quality.precision[test]`" in gate_markdown(run, Path(".")).split("## Failing checks", 1)[1]
    caught = TestOutcome(xfailed.nodeid, "passed", "", failed)  # a wrapper that caught the assert
    assert GateRun(config_path="c", data={}, seed=0, outcomes=[caught]).verdict == "fail"


@pytest.mark.slow  # a pytest subprocess on the splits suite
@pytest.mark.parametrize(
    "marker",
    [
        "xfail(reason='waived', strict=False)",
        "xfail(reason='waived', run=False)",
        "skip(reason='waived')",
        "skipif(True, reason='waived')",
        "hook",  # a conftest hook that skips: no marker at all (review)
    ],
)
def test_a_pytest_marker_never_waives_a_gate_check(tmp_path, marker):
    """End to end: a team's marker on the gate tests whose check fails. xfail hid the
    failed check (the gate passed, exit 0); skip, skipif and xfail(run=False) kept the
    check from running at all (review: the gate passed, exit 0, and `sentinel promote`
    accepted it). The plugin's verdict and exit status block either way."""
    import json

    from tests.conftest import SUITES, run_suites
    from tests.test_preflight import _project

    config = _project(tmp_path)  # user ids shared across the split column: entity overlap fails
    (tmp_path / "waive.py").write_text(
        "import pytest\n\n\ndef pytest_runtest_setup(item):\n"
        "    if 'test_no_entity_on_two_sides' in item.nodeid:\n"
        "        pytest.skip('waived')\n"
        if marker == "hook"
        else "import pytest\n\n\ndef pytest_collection_modifyitems(items):\n"
        "    for item in items:\n"
        "        if 'test_no_entity_on_two_sides' in item.nodeid:\n"
        f"            item.add_marker(pytest.mark.{marker})\n"
    )
    code, out = run_suites(
        SUITES / "test_splits.py",
        config,
        *("-p", "waive", "--junitxml", "junit.xml"),
        cwd=tmp_path,
        pythonpath=tmp_path,
    )
    doc = json.loads((tmp_path / "reports" / "gate.json").read_text())
    waived = [c for c in doc["checks"] if "test_no_entity_on_two_sides" in c["test"]]
    assert waived, doc["checks"]
    if "run=False" in marker or "skip" in marker or marker == "hook":  # never ran: an error saying so
        assert all(c["status"] == "error" and "before its check ran" in c["message"] for c in waived)
    else:  # ran and failed: pytest's xfail turned into the failure it is
        assert any(c["status"] == "fail" for c in waived), waived
        assert all(c["outcome"] == "failed" for c in waived if c["status"] == "fail"), waived
        assert "pytest would have counted it as xfailed" in out, out[-3000:]
        assert all("waives no check" in c["waiver"] for c in waived if c["status"] == "fail"), waived
        assert "waives no check" in (tmp_path / "reports" / "gate.md").read_text()
        assert " error" not in out.split("short test summary", 1)[-1], out[-3000:]  # counted once
    assert doc["verdict"] == "fail" and code == 1, out[-2000:]
    assert "gate FAIL" in out.strip().splitlines()[-1], out[-2000:]
    junit = (tmp_path / "junit.xml").read_text()  # a CI's test view is not green
    assert "the gate waives no check through pytest" in junit, junit[-2000:]


def _inconclusive(*, blocks: bool) -> CheckResult:
    return CheckResult(
        "quality.recall",
        Status.INCONCLUSIVE,
        "test: recall 0.78, 99.5% CI [0.70, 0.85] holds the floor 0.75",
        measured=0.78,
        limit=0.75,
        direction=Direction.AT_LEAST,
        parameters={"split": "test"},
        inconclusive_blocks=blocks,
    )


def test_a_test_failing_after_a_non_blocking_inconclusive_check_says_why():
    """Review: the gate failed, nothing was counted failed, "What to do first" said nothing
    blocks, and pytest's message appeared nowhere."""
    from sentinel_checks.reports.html_cards import first_fix

    outcome = TestOutcome(NODE, "failed", WHY, _inconclusive(blocks=False))
    run = GateRun(config_path="c", data={}, seed=0, outcomes=[outcome])
    assert outcome.failed_after_check == WHY and outcome.check_outcome == "was inconclusive"
    assert run.verdict == "fail" and gate_document(run)["counts"] == {"failed": 1}
    assert "FAIL after its check was inconclusive" in flagged_line(outcome)
    assert "PytestUnraisableExceptionWarning" in first_fix(run)


def test_a_blocking_inconclusive_check_is_what_to_do_first_and_blocks_everywhere():
    """Review: gate.html said "Nothing blocks this model" under a FAIL verdict; an xfailed
    blocking result counted as passed in promotion.md's decision and in gate.json read back."""
    from sentinel_checks.reports.gate_json import GateReport
    from sentinel_checks.reports.html_cards import first_fix
    from sentinel_checks.reports.promotion import decide

    for pytest_said in ("failed", "skipped"):  # skipped: an xfail marker the plugin did not see
        outcome = TestOutcome(NODE, pytest_said, "", _inconclusive(blocks=True))
        run = GateRun(config_path="c", data={}, seed=0, outcomes=[outcome])
        assert run.verdict == "fail", pytest_said
        assert not first_fix(run).startswith("Nothing blocks"), pytest_said
        assert "first ok" not in gate_html(run, {}), pytest_said  # the box is not green
        decision, reasons = decide(run, [])
        assert decision == "do_not_promote" and "quality.recall[test]" in reasons[0], (pytest_said, reasons)
        doc = gate_document(run) | {"verdict": "pass"}  # a gate.json that says pass beside it
        assert [c.name for c in GateReport.from_dict(doc).bad] == ["quality.recall[test]"], pytest_said


def test_only_the_calls_report_of_a_failed_check_is_turned_into_a_failure():
    """Fresh-clone demo: the teardown that passes after a failed check was turned into a
    failure too, so pytest counted each failed check twice ("22 failed, 22 errors")."""
    from types import SimpleNamespace

    from sentinel_checks.gate.waivers import waived

    failed = CheckResult("quality.recall", Status.FAIL, "m", parameters={"split": "test"})
    call = SimpleNamespace(excinfo=None)
    teardown = SimpleNamespace(failed=False, passed=True, skipped=False, when="teardown")
    assert waived(teardown, call, failed, shipped=True) is None  # type: ignore[arg-type]
    caught = SimpleNamespace(failed=False, passed=True, skipped=False, when="call")
    assert "would have counted it as passed" in waived(caught, call, failed, shipped=True)  # type: ignore[arg-type, operator]
    xfailed = SimpleNamespace(failed=False, passed=False, skipped=True, when="call", wasxfail="waived")
    assert "would have counted it as xfailed" in waived(xfailed, call, failed, shipped=True)  # type: ignore[arg-type, operator]
    assert waived(teardown, call, None, shipped=True) is None  # type: ignore[arg-type]


def test_the_librarys_own_skip_is_no_waiver_and_a_teams_test_may_skip():
    """Review: pytest marks a fixture's skip like a marker's, so the library's own skip
    (nothing configured to judge) has its own class; a team's own test (not a shipped
    suite's) may skip as it likes."""
    from types import SimpleNamespace

    from sentinel_checks.gate.waivers import skip_nothing_to_judge, waived

    setup = SimpleNamespace(failed=False, passed=False, skipped=True, when="setup")
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_nothing_to_judge("no [models.champion] configured")
    assert str(skipped.value) == "no [models.champion] configured"  # pytest's words: "Skipped: …"
    assert type(skipped.value) is pytest.skip.Exception
    ours = SimpleNamespace(excinfo=SimpleNamespace(value=skipped.value))
    assert waived(setup, ours, None, shipped=True) is None  # type: ignore[arg-type]
    theirs = SimpleNamespace(excinfo=SimpleNamespace(value=pytest.skip.Exception("not today")))
    told = waived(setup, theirs, None, shipped=True)  # type: ignore[arg-type]
    assert told is not None and "skipped by pytest (not today) before its check ran" in told
    assert waived(setup, theirs, None, shipped=False) is None  # type: ignore[arg-type]


def test_a_checks_first_blocking_result_stays_recorded():
    """Review: a wrapper catching a failed `gate.run(...)`, then recording a passing
    check, overwrote the failure the gate blocks on."""
    from types import SimpleNamespace

    from sentinel_checks.gate.plugin_fixtures import Gate
    from sentinel_checks.gate.plugin_state import GateState

    state = GateState(config_option=None, reports_dir=Path("reports"))
    gate = Gate(SimpleNamespace(nodeid=NODE, user_properties=[]), state)  # type: ignore[arg-type]
    failed = CheckResult("quality.recall", Status.FAIL, "m", parameters={"split": "test"})
    with pytest.raises(pytest.fail.Exception):
        gate.check(failed)
    gate.check(PASSED)  # caught above, then a passing check
    assert state.results[NODE] is failed


def test_a_configured_champion_never_compared_is_no_first_model():
    """Review: with the comparison skipped, promotion.md said "promote_first_model" although
    a champion was configured, and `sentinel promote` accepts that decision."""
    from sentinel_checks.reports.promotion import decide

    passed = TestOutcome("suites/test_quality.py::test_auc[test]", "passed", "", PASSED)
    run = GateRun(config_path="c", data={}, seed=0, outcomes=[passed], models={"candidate": "sha256:a"})
    assert decide(run, [])[0] == "promote_first_model"
    run = GateRun(config_path="c", data={}, seed=0, outcomes=[passed], models={"champion": "sha256:b"})
    assert decide(run, []) == (
        "do_not_promote",
        ["a champion is configured but promotion.vs_champion judged nothing"],
    )


def test_a_failed_check_pytest_would_have_xfailed_says_so_in_every_report():
    """Final trial (stop 49): the xfail-converted failure read as an ordinary failure in
    gate.json and gate.md, so the team that marked it did not learn why their marker did
    not waive it."""
    from sentinel_checks.gate.waivers import ACCEPT

    failed = FAILED
    said = f"pytest would have counted it as xfailed (an xfail marker: waived): {ACCEPT}"
    outcome = TestOutcome(NODE, "failed", said, failed, waiver=said)
    run = GateRun(config_path="c", data={}, seed=0, outcomes=[outcome])
    (entry,) = gate_document(run)["checks"]
    assert entry["waiver"] == said and entry["status"] == "fail"
    text = gate_markdown(run, Path("."))
    assert said in text.split("## Failing checks", 1)[1].split("### Details", 1)[0]
    assert said in flagged_line(outcome)
    assert (
        "waiver"
        not in gate_document(
            GateRun(config_path="c", data={}, seed=0, outcomes=[TestOutcome(NODE, "failed", "", failed)])
        )["checks"][0]
    )
