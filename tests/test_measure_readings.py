"""A measure reads as what failed: a model scoring every row alike (trial, stop 50: "model.scores
[candidate, test] FAIL: invalid scores: measured 0 rows · limit ≤ 0 rows", a pass on its
face beside FAIL; the detail said all scores were equal)."""

from __future__ import annotations

import numpy as np

from sentinel_checks.checks.scores import check_scores
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.result import Status


def test_constant_scores_fail_on_the_count_of_distinct_scores():
    result = check_scores(np.full(50, 0.3), model="candidate", split="test")
    assert result.status is Status.FAIL
    assert measured_as(result) == "distinct scores: measured 1 · limit ≥ 2"


def test_invalid_scores_still_read_as_their_count():
    result = check_scores(np.array([0.1, np.nan, 2.0, 0.4]), model="candidate", split="test")
    assert result.status is Status.FAIL and result.measured == 2.0
    assert measured_as(result) == "invalid scores: measured 2 rows · limit ≤ 0 rows"


def test_sound_scores_pass_as_before():
    result = check_scores(np.linspace(0, 1, 11), model="candidate", split="test")
    assert (
        result.status is Status.PASS
        and measured_as(result) == "invalid scores: measured 0 rows · limit ≤ 0 rows"
    )


def test_a_column_level_contract_failure_is_not_read_as_one_row():
    """Trial (stop 50): a production feature null in all 21,592 rows read "rows breaking
    the contract: measured 1 rows" — the measure counts violations, a whole column's one."""
    from sentinel_checks.result import CheckResult, Direction

    result = CheckResult(
        "contract.schema", Status.FAIL, "m", measured=1.0, limit=0.0, direction=Direction.AT_MOST
    )
    assert measured_as(result) == "contract violations: measured 1 · limit ≤ 0"


def test_one_score_is_not_a_model_that_ranks_nothing():
    """Review (stop 51): model.scores on a 1-row production sample (which the preflight
    accepts) failed as "all 1 score(s) equal …: the model ranks nothing"."""
    result = check_scores(np.array([0.3]), model="candidate", split="production")
    assert result.status is Status.PASS, result.message
    assert check_scores(np.array([0.3, 0.3]), model="candidate", split="production").status is Status.FAIL
