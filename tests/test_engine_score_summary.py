"""``model.scores`` in the engine (engine/score_summary.py): the summary of a score column
computed where the rows live equals the one of the array read in row order, on clean
scores, ties, a constant column, an empty split and planted faults (NaN, ±inf, NULL,
negative, above 1, more than the evidence keeps); and the check reads it to the same
result. Spark computes the same (``-m spark``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks.scores import check_score_summary, check_scores
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.score_summary import score_summary
from sentinel_checks.result import Status
from sentinel_checks.stats.score_summary import BAD_ROWS_KEPT, ScoreSummary


def _cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    clean = rng.random(1001)
    faulty = clean.copy()
    faulty[[5, 17, 400, 999]] = [np.nan, np.inf, -0.2, 1.5]
    many = clean.copy()
    many[::37] = np.nan  # more bad rows than the evidence keeps
    return {
        "clean": clean,
        "ties": np.repeat([0.1, 0.25, 0.9], 7),
        "even count": np.array([0.2, 0.4, 0.6, 0.8]),
        "constant": np.full(50, 0.3),
        "empty": np.array([], dtype=float),
        "faulty": faulty,
        "many faults": many,
        "edges": np.array([0.0, 1.0, 0.5]),
        "negative infinity": np.array([0.3, -np.inf, 0.4]),
    }


def _same(a: ScoreSummary, b: ScoreSummary) -> bool:
    def eq(x: float, y: float) -> bool:
        return (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12, abs=1e-15)

    return (a.n, a.bad, a.bad_rows) == (b.n, b.bad, b.bad_rows) and all(
        eq(getattr(a, f), getattr(b, f)) for f in ("low", "high", "median")
    )


@pytest.mark.parametrize("case", list(_cases()))
def test_the_engine_summary_is_the_arrays(case: str) -> None:
    scores = _cases()[case]
    table = table_from_frame(connect_duckdb(threads=1), pd.DataFrame({"s": scores}), name="scored")
    engine = score_summary(table, "s")
    assert _same(engine, ScoreSummary.from_array(scores)), (engine, ScoreSummary.from_array(scores))
    result, expected = (
        check_score_summary(engine, model="candidate", split="test"),
        check_scores(scores, model="candidate", split="test"),
    )
    assert (result.status, result.measured, result.message, result.evidence) == (
        expected.status,
        expected.measured,
        expected.message,
        expected.evidence,
    )


def test_planted_faults_fail_with_their_positions_and_a_clean_column_passes() -> None:
    cases = _cases()
    con = connect_duckdb(threads=1)
    faulty = score_summary(table_from_frame(con, pd.DataFrame({"s": cases["faulty"]}), name="f"), "s")
    assert (faulty.bad, faulty.bad_rows) == (4, (5, 17, 400, 999))
    assert check_score_summary(faulty, model="candidate", split="test").status is Status.FAIL
    many = score_summary(table_from_frame(con, pd.DataFrame({"s": cases["many faults"]}), name="m"), "s")
    assert many.bad == len(range(0, 1001, 37)) and many.bad_rows == tuple(range(0, 37 * BAD_ROWS_KEPT, 37))
    clean = score_summary(table_from_frame(con, pd.DataFrame({"s": cases["clean"]}), name="c"), "s")
    assert check_score_summary(clean, model="candidate", split="test").status is Status.PASS
    constant = score_summary(table_from_frame(con, pd.DataFrame({"s": cases["constant"]}), name="k"), "s")
    assert check_score_summary(constant, model="candidate", split="test").status is Status.FAIL


def test_a_null_score_is_unusable() -> None:
    frame = pd.DataFrame({"s": pd.array([0.2, None, 0.4], dtype="Float64")})
    summary = score_summary(table_from_frame(connect_duckdb(threads=1), frame, name="n"), "s")
    assert (summary.n, summary.bad, summary.bad_rows) == (3, 1, (1,))


def test_rows_are_read_in_row_order_not_storage_order() -> None:
    """Positions count rows by ``ROW``, whatever order the engine stores them in."""
    scores = np.array([0.1, np.nan, 0.3, 2.0, 0.5])
    con = connect_duckdb(threads=1)
    table = table_from_frame(con, pd.DataFrame({"s": scores}), name="o")
    shuffled = table.order_by(table.s.desc())  # another storage order
    assert score_summary(shuffled, "s").bad_rows == (1, 3)


def test_a_missing_column_is_named() -> None:
    table = table_from_frame(connect_duckdb(threads=1), pd.DataFrame({"s": [0.1]}), name="x")
    with pytest.raises(KeyError, match="'score'"):
        score_summary(table, "score")


@pytest.mark.spark
@pytest.mark.slow
def test_spark_summarises_as_duckdb(spark_session) -> None:
    import ibis

    spark = ibis.pyspark.connect(spark_session)
    for case, scores in _cases().items():
        table = table_from_frame(spark, pd.DataFrame({"s": scores}), name=f"scores_{case.replace(' ', '_')}")
        assert _same(score_summary(table, "s"), ScoreSummary.from_array(scores)), case
