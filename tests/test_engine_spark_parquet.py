"""Parquet read where it lies on Spark: each row's position (``ROW``) is its row in the frame
pandas reads from the same files (sorted files, rows in file order; hive folders as columns
typed as Arrow types them), and a model scores there bit for bit as in pandas.

Marked ``spark`` and ``slow`` (the shared local[2] session of ``tests/conftest.py``).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.data.parquet_files import read_parquet_files
from sentinel_checks.engine.ibis_connection import ROW, connect_duckdb, frame_from_table
from sentinel_checks.engine.parquet_tables import table_from_parquet
from sentinel_checks.engine.scores import SCORE, score_table
from sentinel_checks.engine.spark_parquet import ParquetNotOnSpark
from sentinel_checks.engine.spark_scores import score_table_spark
from sentinel_checks.errors import ModelLoadError
from sentinel_checks.models.loading import LoadedModel
from sentinel_checks.models.scoring import risk_scores

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def written(folder: Path, n: int = 1500) -> pd.DataFrame:
    """Unequal files in ``month=<i>/with space/`` folders (a key Arrow types as int32),
    several row groups each, a zoned and a naive datetime at microseconds, nulls."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "key": rng.permutation(n),
            "ts": (pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s")).astype(
                "datetime64[us]"
            ),
            "zoned": pd.Timestamp("2025-01-01", tz="Europe/Paris")
            + pd.to_timedelta(np.arange(n), unit="min"),
            "amount": np.where(rng.random(n) < 0.05, np.nan, rng.gamma(2.0, 30.0, n)),
            "country": rng.choice(["FR", "DE", None], n),
            "age": rng.integers(0, 90, n),
            "label": rng.random(n) < 0.3,
        }
    )
    frame["zoned"] = frame["zoned"].astype("datetime64[us, Europe/Paris]")
    cuts = [0, 100, 700, 710, n]  # the files sort as month=0 < month=1 < month=10 < month=2
    for i, (a, b) in zip((0, 1, 10, 2), itertools.pairwise(cuts), strict=True):
        where = folder / f"month={i}" / "with space"
        where.mkdir(parents=True)
        frame.iloc[a:b].to_parquet(where / "part 0.parquet", index=False, row_group_size=64)
    return frame


@pytest.fixture
def spark(spark_session):
    import ibis

    return ibis.pyspark.connect(spark_session)


def test_rows_are_numbered_as_pandas_reads_the_directory(tmp_path, spark):
    written(tmp_path / "parts")
    want = read_parquet_files(tmp_path / "parts")
    table = table_from_parquet(spark, tmp_path / "parts", name="numbered")
    got = frame_from_table(table)
    assert list(got.columns) == list(want.columns)  # the hive key "month" last, as pandas
    assert str(got["month"].dtype) == str(want["month"].dtype) == "int32"
    # Spark returns zoned instants as naive UTC (docs/scaling.md "Spark")
    assert got["zoned"].equals(want["zoned"].dt.tz_convert(None))
    pd.testing.assert_frame_equal(got.drop(columns="zoned"), want.drop(columns="zoned"), check_dtype=False)
    positions = table.select(ROW).to_pyarrow()[ROW].to_numpy()
    assert sorted(positions.tolist()) == list(range(len(want)))
    # DuckDB numbers the same files the same way
    duck = table_from_parquet(connect_duckdb(threads=1), tmp_path / "parts", name="numbered")
    by_duck = duck.select(ROW, "key").to_pyarrow().to_pandas().sort_values(ROW)["key"].to_numpy()
    assert np.array_equal(by_duck, got["key"].to_numpy())


def test_nanosecond_timestamps_are_left_to_pandas_naming_the_column(tmp_path, spark):
    frame = pd.DataFrame({"ts": pd.to_datetime(["2025-01-01 00:00:00.000000001"]), "x": [1]})
    frame.to_parquet(tmp_path / "ns.parquet", index=False)
    with pytest.raises(ParquetNotOnSpark, match="'ts'.*nanoseconds"):
        table_from_parquet(spark, tmp_path / "ns.parquet", name="ns")


def test_a_model_scores_on_spark_bit_for_bit_as_in_pandas_and_duckdb(tmp_path, spark):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    frame = written(tmp_path / "parts")
    fitted = {  # a linear model on complete columns, trees on a column with NaN
        ("age",): LogisticRegression(max_iter=300).fit(frame[["age"]], frame["label"]),
        ("amount", "age"): HistGradientBoostingClassifier(max_iter=20).fit(
            frame[["amount", "age"]], frame["label"]
        ),
    }
    want_frame = read_parquet_files(tmp_path / "parts")
    table = table_from_parquet(spark, tmp_path / "parts", name="to_score")
    con = connect_duckdb(threads=1)
    duck = table_from_parquet(con, tmp_path / "parts", name="to_score")
    for columns, estimator in fitted.items():
        features, name = list(columns), "_".join(columns)
        model = LoadedModel(role="candidate", estimator=estimator, score_column=None, identity="sha256:x")
        want = risk_scores(model, want_frame, features=features, positive=True)
        scored = score_table_spark(
            spark, table, model, features=features, positive=True, keep=[ROW, "label"], name=f"s_{name}"
        )
        got = scored.order_by(ROW).to_pyarrow()
        assert got.column_names == [ROW, "label", SCORE]
        assert np.array_equal(got[SCORE].to_numpy(), want), name  # exact, not approximate
        by_duck = score_table(
            con, duck, model, features=features, positive=True, keep=[ROW], name=f"d_{name}"
        )
        by_duck = by_duck.order_by(ROW).to_pyarrow()
        assert np.array_equal(by_duck[SCORE].to_numpy(), got[SCORE].to_numpy()), name


def test_a_model_that_cannot_score_on_an_executor_is_a_model_load_error(tmp_path, spark):
    written(tmp_path / "parts")
    table = table_from_parquet(spark, tmp_path / "parts", name="broken")
    model = LoadedModel(role="champion", estimator=object(), score_column=None, identity="sha256:x")
    with pytest.raises(ModelLoadError) as raised:
        score_table_spark(spark, table, model, features=["age"], positive=True, keep=[ROW], name="s_broken")
    assert "Traceback" not in str(raised.value)
    assert "champion" in str(raised.value) or "predict_proba" in str(raised.value)
