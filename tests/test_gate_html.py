"""gate.html as a page a person scans: header with counts and the first fix, an overview
by runbook phase, failing/inconclusive cards in root-cause order with evidence tables,
warnings, and a compact table of every check. Built from hand-made results (fast)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sentinel_checks.reasons import Reason
from sentinel_checks.reports.gate_report import GateRun, TestOutcome
from sentinel_checks.reports.html import gate_html
from sentinel_checks.reports.phases import PHASES, phase_of
from sentinel_checks.result import CheckResult, Direction, Evidence, Status

PROMOTION = CheckResult(
    id="promotion.vs_champion",
    status=Status.FAIL,
    message="test: FNR 0.850 vs 0.229, change +0.621",
    measured=0.6714501852614245,
    limit=0.03,
    direction=Direction.AT_MOST,
    reason=Reason.OK,
    support={"n": 20994, "n_positive": 319},
    parameters={"split": "test"},
    evidence=(
        Evidence.capped(
            "criteria",
            [
                {
                    "criterion": "fnr_non_inferior",
                    "measured": 0.6714501852614245,
                    "limit": 0.03,
                    "verdict": "fail",
                },
                {"criterion": "target_metric_improves", "measured": 0.03407445504917023, "limit": 0.0},
            ],
            detail={"mcnemar_p": 2.6649216722562395e-84, "flips": {"changed": 1546, "newly_cleared": 1538}},
        ),
    ),
    hint="Keep the champion.",
)
DRIFT = CheckResult(
    id="drift.labels",
    status=Status.FAIL,
    message="test→production: prevalence 1.52% → 3.16%",
    measured=2.117104407200572,
    limit=1.5,
    direction=Direction.AT_MOST,
    parameters={"pair": "test→production"},
    evidence=(
        Evidence.capped(
            "prevalence",
            [],
            detail={
                "reference": 0.015194817566923882,
                "current": 0.03163208595776213,
                "interval": [0.54, 0.957],
            },
        ),
    ),
    hint="Re-choose the threshold on recent labelled data.",
)
OVERLAP = CheckResult(
    id="splits.entity_overlap",
    status=Status.FAIL,
    message="13289 of 13524 user_id values in test also occur in train",
    measured=0.9826231884057971,
    limit=0.0,
    direction=Direction.AT_MOST,
    parameters={"column": "user_id", "pair": "train→test"},
    evidence=(Evidence.capped("shared_user_id", ["u000003", "u000009"], total=13289),),
    hint="Split by user_id (group split) so no user is in two splits.",
)
FEATURES = CheckResult(
    id="drift.features",
    status=Status.WARN,
    message="train→production: 4 of 9 features drifted",
    measured=0.4444444444444444,
    limit=0.5,
    direction=Direction.AT_MOST,
    parameters={"pair": "train→production"},
    evidence=(
        Evidence.capped(
            "drifted_features",
            [
                {
                    "feature": "amount",
                    "score": 0.6346821234,
                    "shift": "median 31.13 → 53.21",
                    "critical": False,
                }
            ],
        ),
    ),
)
UNSETTLED = CheckResult(
    id="splits.row_overlap",
    status=Status.INCONCLUSIVE,
    message="612 of 20994 test rows repeat a train row",
    measured=0.0015885111047486723,
    limit=0.001,
    direction=Direction.AT_MOST,
    support={"n_test": 20994},
    parameters={"pair": "train→test"},
    needed={"n_test": 888909},
)
PASSED = CheckResult(
    id="quality.auc",
    status=Status.PASS,
    message="roc auc 0.91",
    measured=0.91,
    limit=0.7,
    direction=Direction.AT_LEAST,
    parameters={"split": "test"},
)
LONG_ID = "suites/test_drift.py::test_features_have_not_drifted_within_segments[train:production-none]"


def _run() -> GateRun:
    outcomes = [
        TestOutcome("suites/test_promotion.py::t[test]", "failed", "E  assert recall >= floor", PROMOTION),
        TestOutcome("suites/test_drift.py::labels", "failed", "", DRIFT),
        TestOutcome("suites/test_splits.py::overlap", "failed", "", OVERLAP),
        TestOutcome("suites/test_drift.py::features", "passed", "", FEATURES),
        TestOutcome("suites/test_splits.py::rows", "passed", "", UNSETTLED),
        TestOutcome("suites/test_quality.py::auc", "passed", "", PASSED),
        TestOutcome(LONG_ID, "skipped", "Skipped: no [drift] segment_columns configured"),
    ]
    return GateRun(
        config_path="demo/incident.toml",
        data={"dataset": "sha256:ca10d1f2e6d92307e46d46121c791ce2"},
        seed=0,
        outcomes=outcomes,
        models={"candidate": "sha256:7c13467857031d7eba", "champion": "sha256:3567f1380006d3ae"},
    )


class _Page(HTMLParser):
    """The visible text (no style/script) and the (tag, attrs) of every element."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    return parsed


def test_phases_come_from_the_check_id_in_runbook_order():
    assert [p.key for p in PHASES][:3] == ["data", "training", "quality"]
    assert phase_of("splits.time_order").key == "data" and phase_of("contract.schema").key == "data"
    assert phase_of("training.curves").key == "training"
    assert phase_of("quality.recall").key == "quality"
    assert phase_of("quality.calibration").key == "calibration"
    assert phase_of("drift.labels").key == "drift"
    assert phase_of("promotion.vs_champion").key == "promotion"
    assert phase_of("quality.baselines").key == "promotion"
    # a test that recorded no result: its suite file says where it belongs
    assert phase_of(LONG_ID).key == "drift"


def test_the_header_shows_verdict_counts_inputs_and_the_first_fix():
    page = gate_html(_run(), {})
    parsed = _parse(page)
    counts = {a.get("data-status"): a.get("data-count") for t, a in parsed.elements if "data-count" in a}
    assert counts == {"fail": "3", "inconclusive": "1", "warn": "1", "pass": "1", "skip": "1"}
    text = " ".join(parsed.text)
    assert "FAIL" in text and "demo/incident.toml" in text and "sha256:7c13467857031d7e" in text
    # what to do first: the root cause's fix (the split), not the promotion's consequence
    assert "Split by user_id" in text.split("What to do first")[1][:200]


def test_the_header_names_the_engine_as_gate_md_does():
    """Trial: gate.html never named the engine the statistics ran on."""
    from dataclasses import replace

    def inputs(run: GateRun) -> str:
        text = " ".join(" ".join(_parse(gate_html(run, {})).text).split())
        return text.split("Inputs:")[1][:200]

    assert "engine duckdb (memory_limit 2GB)" in inputs(replace(_run(), engine="duckdb (memory_limit 2GB)"))
    assert "engine" not in inputs(_run())  # no engine recorded (a run whose config never loaded)


def test_cards_come_in_root_cause_order_with_tables_not_reprs():
    page = gate_html(_run(), {})
    parsed = _parse(page)
    cards = [
        a.get("data-check") for t, a in parsed.elements if t == "article" and a.get("data-status") != "warn"
    ]
    assert cards == ["splits.entity_overlap", "splits.row_overlap", "drift.labels", "promotion.vs_champion"]
    text = " ".join(parsed.text)
    assert "{'" not in text and "np." not in text and "[0.54" not in text
    assert not re.search(r"\d\.\d{7,}", text), re.findall(r"\d\.\d{7,}", text)[:3]
    assert "98.26%" in text  # a share in per cent
    assert "fnr_non_inferior" in text and "changed 1,546" in text  # evidence as tables, nested detail too
    # a floored p-value under its label reads once as "p" (trial: "mcnemar p p < 1e-15")
    assert "mcnemar p < 1e-15" in " ".join(text.split()) and "p p <" not in text
    assert "888909" in text.replace(",", "").replace("\u202f", "")  # what would settle it
    # the overview counts per phase
    phases = {a.get("data-phase"): a.get("data-bad") for t, a in parsed.elements if "data-bad" in a}
    assert phases["data"] == "1" and phases["drift"] == "1" and phases["promotion"] == "1"


def test_warnings_have_their_own_section_and_the_table_filters_by_status():
    page = gate_html(_run(), {})
    parsed = _parse(page)
    ids = [a.get("id") for t, a in parsed.elements]
    assert "warnings" in ids and "all-checks" in ids
    rows = [a for t, a in parsed.elements if t == "tr" and "data-status" in a]
    assert {r["data-status"] for r in rows} == {"fail", "inconclusive", "warn", "pass", "skip"}
    # a long test id gets a title and a cell that wraps, not a 20-line column
    assert any(a.get("title") == LONG_ID for t, a in parsed.elements)
    assert "<script>" in page and "filter" in page
    # the pytest text, when shown, is collapsed at the bottom of its card
    assert "<details" in page and page.index("E  assert") > page.index("Keep the champion")
    assert "http://" not in page and "https://" not in page  # nothing fetched


def test_numpy_values_in_evidence_read_as_numbers():
    """In process, a result's evidence detail still holds numpy values (gate.json's writer
    makes them plain later): the page formats them, never 'array(' or 'np.'."""
    from dataclasses import replace

    import numpy as np

    result = replace(
        DRIFT,
        evidence=(
            Evidence.capped(
                "prevalence",
                [],
                detail={
                    "ece": np.array([0.0011330819580553438, 0.012851749765746746]),
                    "n": np.int64(20994),
                    "current": np.float64(0.03163208595776213),
                    "flag": np.bool_(True),
                },
            ),
        ),
    )
    run = GateRun(config_path="c.toml", data={}, seed=0, outcomes=[TestOutcome("t::x", "failed", "", result)])
    text = " ".join(_parse(gate_html(run, {})).text)
    assert "0.001133 to 0.01285" in text and "20,994" in text and "0.03163" in text
    assert "array(" not in text and "np." not in text


def test_what_to_do_first_cuts_a_long_setup_message_between_words():
    """Trial: a setup problem's message was cut at 300 characters mid-word, with no "…"."""
    from sentinel_checks.reports.html_cards import first_fix

    words = "the column holds values that are not timestamps " * 20
    outcome = TestOutcome("sentinel preflight::[columns] timestamp", "error", words, None, input_error=True)
    run = GateRun(config_path="c.toml", data={}, seed=None, outcomes=[outcome])
    shown = first_fix(run)
    assert shown.endswith("…") and len(shown) < len(words)
    assert shown.removesuffix("…").rsplit(" ", 1)[1] in words.split()  # a whole word before "…"


def test_what_to_do_first_keeps_a_setup_messages_hint_at_its_end():
    """Trial: the 300-character cut dropped the hint that ends the message (the data's
    datetime column), the one thing the reader needed first."""
    from sentinel_checks.reports.html_cards import first_fix

    message = (
        "[columns] timestamp: /home/user/project/data/requests.parquet: column 'user_id' "
        "([columns] timestamp) has 200,000 value(s) that are not timestamps, e.g. ['u000017', "
        "'u000342', 'u001871', 'u000935', 'u002266']: name the column of datetimes, ISO-8601 "
        "strings or ordered numbers as [columns] timestamp (the datetime column of the data: request_ts)"
    )
    outcome = TestOutcome("sentinel preflight::[columns] timestamp", "error", message, None, input_error=True)
    run = GateRun(config_path="c.toml", data={}, seed=None, outcomes=[outcome])
    assert first_fix(run).endswith("(the datetime column of the data: request_ts)")


def _setup_stop(*, passed: bool = False) -> GateRun:
    """A run stopped by setup problems: two from the preflight (one key twice), one a data
    error raised in two gate tests, and the preflight's "(not checked)" note."""
    preflight = [
        TestOutcome(
            "sentinel preflight::[columns] timestamp",
            "error",
            "[columns] timestamp: data/requests.parquet: column 'user_id' has 9 value(s) that are not timestamps",
            None,
            input_error=True,
        ),
        TestOutcome(
            "sentinel preflight::[columns] timestamp (2)",
            "error",
            "[columns] timestamp: data/production.parquet: column 'user_id' has 3 value(s) that are not timestamps",
            None,
            input_error=True,
        ),
    ]
    stopped = [
        TestOutcome(
            f"suites/test_drift.py::{name}",
            "error",
            "DataError: [drift] bins: must be 2 or more",
            None,
            input_error=True,
        )
        for name in ("test_features", "test_scores")
    ]
    ran = [TestOutcome("suites/test_quality.py::auc", "passed", "", PASSED)] if passed else []
    return GateRun(
        config_path="bad.toml",
        data={},
        seed=None,
        outcomes=[*preflight, *stopped, *ran],
        notes=("(not checked) [columns]: the column names, as the dataset could not be loaded",),
    )


def test_a_setup_stop_counts_setup_problems_not_failed_checks():
    """Trial: gate.html on a setup stop said "2 failed", "fail" in the table and titled each
    problem "what pytest said", even under `sentinel gate`; gate.md listed the problems."""
    assert _setup_stop().verdict == "setup_error"
    parsed = _parse(gate_html(_setup_stop(), {}))
    counts = {a.get("data-status"): a.get("data-count") for t, a in parsed.elements if "data-count" in a}
    assert counts == {"setup": "3"}  # three distinct problems: the one raised in two tests counted once
    text = " ".join(" ".join(parsed.text).split())
    assert "what pytest said" not in text and "failed" not in text.lower().split("setup problems")[0]
    assert "Overview by runbook phase" not in text and "All checks" not in text  # nothing was judged


def test_a_setup_stop_lists_each_problem_once_with_the_tests_it_stopped():
    parsed = _parse(gate_html(_setup_stop(), {}))
    items = [" ".join(t.split()) for t in " ".join(parsed.text).split("Setup problems", 1)[1].split("\n")]
    text = " ".join(items)
    assert text.count("data/requests.parquet") == 1 and text.count("data/production.parquet") == 1
    assert text.count("[drift] bins: must be 2 or more") == 1
    assert "test_features" in text and "test_scores" in text  # which tests the data error stopped
    assert "(not checked) [columns]" in text  # what the problems kept from being checked
    first = " ".join(" ".join(parsed.text).split()).split("What to do first:")[1]
    # the first problem, its key said once (was "sentinel preflight::[columns] timestamp: [columns] timestamp: …")
    assert first.lstrip().startswith("[columns] timestamp: data/requests.parquet")


def test_a_setup_stop_with_checks_that_ran_still_lists_them():
    """A run where a data error stopped some tests while others ran: the checks that ran
    are in the table, the stopped tests under the status "setup error", not "fail"."""
    parsed = _parse(gate_html(_setup_stop(passed=True), {}))
    rows = [a.get("data-status") for t, a in parsed.elements if t == "tr" and a.get("data-status")]
    assert sorted(rows) == ["pass", "setup", "setup", "setup", "setup"]
    assert "fail" not in rows


def test_a_run_interrupted_before_any_check_says_so_not_setup_problems():
    """Review: a Ctrl-C before any check (verdict setup_error, exit 130) read "1 setup
    problem ... Fix them and run again" in gate.html; gate.md said it was interrupted."""
    from sentinel_checks.gate.run_record import setup_stop_run
    from sentinel_checks.reports.gate_md import gate_markdown

    run = setup_stop_run(
        "the run was interrupted before any check ran",
        key="interrupted",
        config_path="",
        started="2026-12-05T00:00:00+00:00",
        stopped_by="interrupted",
        exit_code=130,
    )
    assert run.verdict == "setup_error"
    parsed = _parse(gate_html(run, {}))
    text = " ".join(" ".join(parsed.text).split())
    assert "The run was interrupted before any check ran (exit 130)" in text
    assert "setup problem" not in text and "Fix them" not in text
    counts = {a.get("data-status"): a.get("data-count") for t, a in parsed.elements if "data-count" in a}
    assert counts == {}
    assert "The run was interrupted before any check ran (exit 130)" in gate_markdown(run)


def test_a_run_with_no_test_at_all_keeps_its_empty_tables():
    """Review: a no_checks run with no outcome (`-k` matching nothing) lost its overview and
    table of every check with the setup-stop change; only a setup stop leaves them out."""
    run = GateRun(config_path="c.toml", data={}, seed=0, outcomes=[])
    assert run.verdict == "no_checks"
    text = " ".join(_parse(gate_html(run, {})).text)
    assert "Overview by runbook phase" in text and "All checks" in text
