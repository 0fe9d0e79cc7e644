import json
import math

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge


@pytest.mark.parametrize(
    ("measured", "limit", "direction", "expected"),
    [
        (0.0, 0.0, Direction.AT_MOST, Status.PASS),
        (0.1, 0.0, Direction.AT_MOST, Status.FAIL),
        (0.9, 0.8, Direction.AT_LEAST, Status.PASS),
        (0.7, 0.8, Direction.AT_LEAST, Status.FAIL),
        (math.nan, 0.8, Direction.AT_LEAST, Status.ERROR),
        (math.nan, 0.8, Direction.AT_MOST, Status.ERROR),
        (math.inf, 0.8, Direction.AT_MOST, Status.ERROR),
    ],
)
def test_judge_never_passes_an_undefined_value(measured, limit, direction, expected):
    assert judge(measured, limit, direction) is expected


def test_judge_needs_a_direction():
    with pytest.raises(ValueError, match="direction"):
        judge(1.0, 1.0, Direction.NONE)


def test_result_serialises_numpy_and_pandas_values():
    result = CheckResult(
        id="x.y",
        status=Status.FAIL,
        message="m",
        measured=np.float64(0.5),
        limit=0.0,
        evidence=(Evidence.capped("ids", [np.int64(3), pd.Timestamp("2025-01-01")] * 20),),
        parameters={"column": "user_id", "pair": "train→val"},
    )
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["measured"] == 0.5
    assert doc["evidence"][0]["total"] == 40
    assert len(doc["evidence"][0]["items"]) == 10  # capped, total kept
    assert doc["evidence"][0]["items"][:2] == [3, "2025-01-01T00:00:00"]
    assert doc["label"] == "x.y[user_id, train→val]"


def test_undefined_result_is_an_error_not_a_pass():
    result = CheckResult.undefined("x.y", "nothing to measure", reason=Reason.EMPTY)
    assert result.status is Status.ERROR
    assert not result.passed
