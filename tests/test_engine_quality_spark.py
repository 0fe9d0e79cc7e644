"""``[data] engine = "spark"``: the quality statistics (threshold counts, the confusion at
a threshold, calibration bins) equal DuckDB's on generated scores with ties, and a ±inf
score is refused on Spark as on DuckDB (Ibis 12 compiles ``isinf()`` for PySpark to
``FALSE``, so it once counted as an ordinary score there).

Marked ``spark`` and ``slow`` (the shared local session of ``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.engine.calibration_statistics import calibration_bins
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.quality_statistics import ScoredColumns, confusion_at, threshold_counts
from sentinel_checks.errors import DataError
from tests.test_engine_quality_parity import COLUMNS, scored

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def both(spark_session) -> Iterator[dict[str, object]]:
    """2,000 scored rows with ties, on DuckDB and on Spark."""
    import ibis

    frame = scored(2000, 3, "ties")[["score", "label"]]
    duck = connect_duckdb(threads=1)
    spark = ibis.pyspark.connect(spark_session)
    yield {
        name: table_from_frame(con, frame, name="scored_q")
        for name, con in (("duckdb", duck), ("spark", spark))
    }
    duck.disconnect()


def test_threshold_counts_equal_duckdb(both) -> None:
    duck, spark = (threshold_counts(both[e], COLUMNS) for e in ("duckdb", "spark"))
    assert np.array_equal(spark.thresholds, duck.thresholds)
    assert np.array_equal(spark.tp, duck.tp) and np.array_equal(spark.fp, duck.fp)
    assert (spark.positives, spark.negatives) == (duck.positives, duck.negatives)


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.31, 1.0])
def test_confusion_at_equals_duckdb(both, threshold) -> None:
    assert confusion_at(both["spark"], threshold, COLUMNS) == confusion_at(both["duckdb"], threshold, COLUMNS)


@pytest.mark.parametrize("n_bins", [3, 10])
def test_calibration_bins_equal_duckdb(both, n_bins) -> None:
    duck, spark = (calibration_bins(both[e], COLUMNS, n_bins=n_bins) for e in ("duckdb", "spark"))
    for field in ("lower", "upper", "count", "observed_rate"):
        assert np.array_equal(getattr(spark, field), getattr(duck, field)), field
    np.testing.assert_allclose(spark.mean_score, duck.mean_score, rtol=1e-12, atol=0)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
@pytest.mark.parametrize("statistic", ["threshold_counts", "confusion_at", "calibration_bins"])
def test_an_infinite_score_is_refused_on_spark(spark_session, statistic, bad) -> None:
    """Reviewer's input: six scores, one of them ±inf; before, Spark returned counts with an
    ``inf`` threshold and calibration bins with a NaN edge."""
    import ibis

    frame = pd.DataFrame({"risk": [0.1, 0.5, bad, 0.9, 0.3, 0.7], "label": [0, 1, 1, 1, 0, 0]})
    table = table_from_frame(ibis.pyspark.connect(spark_session), frame, name="scored_inf")
    columns = ScoredColumns(score="risk", label="label", positive=1, negative=0)
    run = {
        "threshold_counts": lambda: threshold_counts(table, columns),
        "confusion_at": lambda: confusion_at(table, 0.5, columns),
        "calibration_bins": lambda: calibration_bins(table, columns, n_bins=3),
    }[statistic]
    with pytest.raises(DataError, match="score column 'risk' has 1 value that is NULL, NaN or infinite"):
        run()
