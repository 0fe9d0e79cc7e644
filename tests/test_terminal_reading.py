"""What a person reads after a gate run, second pass (issue 17, the new-user trial): an
interval-judged number labelled with the bound that decided, an error line with its
reason, causes before symptoms within a phase, errors counted as errors, the verdict as
the last line of ``pytest`` output, and smaller wording fixes."""

from __future__ import annotations

import re
import subprocess
import sys

from sentinel_checks.checks.floors import check_precision, check_recall
from sentinel_checks.reasons import Reason
from sentinel_checks.reports.explain import explain
from sentinel_checks.reports.gate_report import GateRun, TestOutcome, gate_markdown
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.reports.terminal import counts_text, flagged_line, summary_lines
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.confusion import Confusion
from tests.test_preflight import _project


def _outcome(nodeid: str, result: CheckResult) -> TestOutcome:
    outcome = "passed" if result.passed else ("error" if result.status is Status.ERROR else "failed")
    return TestOutcome(nodeid, outcome, "", result)


def _run(*outcomes: TestOutcome) -> GateRun:
    return GateRun(
        config_path="sentinel.toml", data={}, seed=0, outcomes=list(outcomes), block_inconclusive=()
    )


# 12 risky rows, 7 caught: recall 0.583, Wilson 95% interval about 0.32-0.81. The floor 0.75
# is inside it, but 12 < 30 risky rows is too few to measure: a FAIL whose measured value
# (the upper end, 0.81) is above the floor -- the trial's "measured 0.8693 · limit ≥ 0.75".
TOO_FEW = check_recall(Confusion(tp=7, fp=20, fn=5, tn=900), split="test", threshold=0.3, min_recall=0.75)
# 600 risky rows, 390 caught: recall 0.65, interval about 0.61-0.69, below 0.75: a clear FAIL.
BELOW = check_recall(Confusion(tp=390, fp=200, fn=210, tn=5000), split="test", threshold=0.3, min_recall=0.75)


def test_an_interval_judged_failure_shows_the_estimate_and_names_the_bound_that_decided():
    assert BELOW.status is Status.FAIL
    shown = measured_as(BELOW)
    assert "recall 0.65" in shown, shown  # the point estimate, not only a bound
    assert "95% interval 0.61" in shown and "upper end" in shown, shown
    assert "< 0.75" in shown, shown


def test_a_failure_not_decided_by_the_interval_never_reads_as_a_bound_above_the_floor():
    assert TOO_FEW.status is Status.FAIL and TOO_FEW.measured is not None and TOO_FEW.measured > 0.75
    shown = measured_as(TOO_FEW)
    assert "recall 0.5833" in shown, shown
    assert "measured 0.8" not in shown, shown  # the unlabelled upper end read as a contradiction
    assert "too few risky rows" in shown, shown


def test_a_pass_names_the_lower_end_and_the_terminal_gate_md_and_explain_agree():
    passing = check_precision(
        Confusion(tp=390, fp=60, fn=210, tn=5000), split="test", threshold=0.3, min_precision=0.7
    )
    assert passing.status is Status.PASS
    shown = measured_as(passing)
    assert "precision 0.8667" in shown and "lower end" in shown and "≥ 0.7" in shown, shown
    run = _run(_outcome("suites/test_quality.py::test_recall[test]", BELOW))
    assert measured_as(BELOW) in "\n".join(summary_lines(run))
    assert measured_as(BELOW) in gate_markdown(run)
    assert measured_as(BELOW) in explain(BELOW)


def test_an_error_line_gives_its_reason_not_just_not_measured():
    undefined = CheckResult.undefined(
        "quality.auc",
        "test: AUC undefined (one class only)",
        reason=Reason.ONE_CLASS,
        parameters={"split": "test"},
    )
    line = flagged_line(_outcome("suites/test_quality.py::test_auc[test]", undefined))
    assert "one class only" in line, line
    assert "ERROR" in line


def test_a_purge_is_listed_before_the_label_counts_it_explains():
    purge = CheckResult(
        "splits.purge",
        Status.FAIL,
        "the purge removed 60% of val",
        measured=0.6,
        limit=0.5,
        direction=Direction.AT_MOST,
    )
    labels = CheckResult(
        "contract.labels",
        Status.FAIL,
        "val: 12 risky rows, fewer than 50",
        measured=12.0,
        limit=50.0,
        direction=Direction.AT_LEAST,
        parameters={"split": "val"},
    )
    run = _run(
        _outcome("suites/test_contract.py::test_labels[val]", labels),
        _outcome("suites/test_splits.py::test_purge", purge),
    )
    lines = summary_lines(run)
    at_purge = next(i for i, x in enumerate(lines) if "splits.purge" in x)
    at_labels = next(i for i, x in enumerate(lines) if "contract.labels" in x)
    assert at_purge < at_labels, lines


def test_an_error_is_counted_as_an_error_not_a_failure():
    undefined = CheckResult.undefined(
        "quality.segments", "no country segment has 20 risky rows", reason=Reason.TOO_FEW_POSITIVES
    )
    outcomes = [_outcome("suites/test_quality.py::test_segments[test]", undefined)]
    assert counts_text(outcomes) == "1 error"
    failing = _outcome("suites/test_quality.py::test_recall[test]", BELOW)
    assert counts_text([failing, *outcomes]) == "1 failed, 1 error"


def test_gate_md_lists_a_warned_or_inconclusive_check_once():
    warned = CheckResult(
        "drift.features",
        Status.WARN,
        "3 of 20 features drifted",
        measured=0.15,
        limit=0.3,
        direction=Direction.AT_MOST,
    )
    ok = CheckResult(
        "quality.auc", Status.PASS, "ROC AUC 0.91", measured=0.91, limit=0.75, direction=Direction.AT_LEAST
    )
    md = gate_markdown(
        _run(
            _outcome("suites/test_drift.py::test_features[train→production]", warned),
            _outcome("suites/test_quality.py::test_auc[test]", ok),
        )
    )
    assert md.count("3 of 20 features drifted") == 1, md
    assert "ROC AUC 0.91" in md


def test_an_evidence_list_with_nothing_shown_says_none_shown():
    r = CheckResult(
        "quality.recall",
        Status.FAIL,
        "test: recall 0.65",
        measured=0.69,
        limit=0.75,
        direction=Direction.AT_LEAST,
        evidence=(Evidence.capped("missed_risky", [], total=271),),
    )
    text = explain(r)
    assert "271 in all, none shown" in text, text
    assert "… (271 in all)" not in text


def test_an_evidence_with_nothing_at_all_is_not_printed_one_with_details_is():
    """An evidence with no item, total or detail is left out; one holding details only
    (a flagged-share interval) is kept (review)."""
    r = CheckResult(
        "drift.features",
        Status.FAIL,
        "train→production: 4 of 8 feature(s) drifted",
        measured=0.5,
        limit=0.4,
        direction=Direction.AT_MOST,
        evidence=(
            Evidence.capped("drifted_features", [{"feature": "amount"}]),
            Evidence.capped("missing_share", []),
            Evidence.capped("score_distribution", [], detail={"flagged_ci": [0.1, 0.2]}),
        ),
    )
    text = explain(r)
    assert "evidence drifted features: " in text and "missing share" not in text, text
    # details alone follow the colon directly (trial: "evidence prevalence: · reference …")
    assert "evidence score distribution: flagged ci" in text, text


def test_evidence_items_details_and_nested_fields_do_not_run_together():
    """The re-trial read "newly caught 92, measurable yes mcnemar p 0.58, flips changed
    2,812": the last item ran into the detail, and a nested mapping's pairs into its parent's."""
    r = CheckResult(
        "promotion.vs_champion",
        Status.FAIL,
        "test: worse",
        evidence=(
            Evidence.capped(
                "risky",
                [{"newly_caught": 92}],
                total=1,
                detail={"measurable": True, "mcnemar_p": 0.58, "flips": {"changed": 2812, "new": 1}},
            ),
        ),
    )
    text = explain(r)
    assert "newly caught 92 · measurable yes" in text, text
    assert "flips (changed 2,812, new 1)" in text, text


def test_the_gate_verdict_is_the_last_line_of_pytest_output_after_the_short_summary(tmp_path):
    """``-ra`` prints pytest's short test summary ("FAILED …", "SKIPPED …") and then its
    stats line: the gate's verdict must come after both. A skip raised inside the
    library is reported at the test that skipped, not at a path into site-packages."""
    (tmp_path / "skipper.py").write_text(
        "import pytest\n\ndef step():\n    pytest.skip('nothing to compare')\n"
    )
    (tmp_path / "test_gate_uses_data.py").write_text(
        "from skipper import step\n"
        "def test_rows(sentinel_dataset):\n    assert len(sentinel_dataset) < 0\n"
        "def test_skipped(sentinel_dataset):\n    step()\n"
    )
    config = _project(tmp_path)
    args = ["--sentinel-config", str(config), "--sentinel-reports", "out", "-p", "no:cacheprovider", "-ra"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_gate_uses_data.py", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout
    lines = [x for x in out.splitlines() if x.strip()]
    assert "FAILED test_gate_uses_data.py::test_rows" in out, out
    assert re.match(r"gate (FAIL|PASS)", lines[-1]), out[-2000:]
    skipped = next(x for x in lines if x.startswith("SKIPPED"))
    assert "test_gate_uses_data.py:" in skipped and "skipper.py" not in skipped, skipped


def test_a_point_judged_segment_and_the_champion_comparison_name_what_decided():
    seg = CheckResult(
        "quality.segments",
        Status.FAIL,
        "test: 1 country segment below recall floor 0.50 (point estimate)",
        measured=0.1649,
        limit=0.5,
        direction=Direction.AT_LEAST,
        parameters={"split": "test", "bound": "point"},
        evidence=(
            Evidence.capped(
                "worst_segments",
                [{"segment": "web", "recall": 0.1649, "low": 0.0774, "high": 0.3175, "judged": 0.1649}],
                detail={"confidence_each": 0.9988},
            ),
        ),
    )
    shown = measured_as(seg)
    assert "fails: the estimate 0.1649 < 0.5" in shown, shown
    vs = CheckResult(
        "promotion.vs_champion",
        Status.FAIL,
        "FNR change +0.449",
        measured=0.5087,
        limit=0.03,
        direction=Direction.AT_MOST,
        parameters={"split": "production", "confidence": 0.9967},
        evidence=(
            Evidence.capped(
                "criteria",
                [
                    {
                        "criterion": "fnr_non_inferior",
                        "measured": 0.4495,
                        "low": 0.3903,
                        "high": 0.5087,
                        "limit": 0.03,
                    }
                ],
            ),
        ),
    )
    shown = measured_as(vs)
    assert "FNR change vs the champion 0.4495" in shown and "lower end 0.3903 > 0.03" in shown, shown


def test_gate_html_labels_the_interval_end_like_the_terminal():
    import html

    from sentinel_checks.reports.html_cards import all_checks, card

    o = _outcome("suites/test_quality.py::test_recall[test]", BELOW)
    page = html.unescape(card(o) + "".join(all_checks(_run(o))))
    assert page.count(measured_as(BELOW)) == 2, page
