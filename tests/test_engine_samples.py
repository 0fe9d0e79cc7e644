"""engine.samples.sample_table draws the rows stats.sampling.bounded_sample draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ibis")

from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.samples import sample_table
from sentinel_checks.stats.sampling import bounded_sample


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.normal(size=n)
    x[::13] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "user": pd.array([f"u{i % 37}" for i in range(n)], dtype="string[pyarrow]"),
            "ts": pd.date_range("2026-01-01", periods=n, freq="17min", tz="Europe/Berlin"),
        }
    )


@pytest.mark.parametrize(
    ("n", "limit", "seed"), [(5_000, 300, 0), (5_000, 300, 42), (200, 300, 1), (300, 300, 1)]
)
def test_the_engine_sample_is_the_pandas_sample(n: int, limit: int, seed: int) -> None:
    frame = _frame(n)
    table = table_from_frame(connect_duckdb(), frame, name="rows")
    got = sample_table(table, limit=limit, seed=seed)
    expected = bounded_sample(frame, limit, seed)
    assert len(got) == min(n, limit)
    pd.testing.assert_frame_equal(got, expected, check_index_type=False, check_dtype=False)
    assert got.index.tolist() == expected.index.tolist()


def test_another_seed_draws_other_rows_and_columns_are_chosen() -> None:
    frame = _frame(2_000)
    table = table_from_frame(connect_duckdb(), frame, name="rows")
    a = sample_table(table, limit=100, seed=1, columns=["x"])
    b = sample_table(table, limit=100, seed=2, columns=["x"])
    assert list(a.columns) == ["x"]
    assert a.index.tolist() != b.index.tolist()


def test_a_missing_column_is_named() -> None:
    table = table_from_frame(connect_duckdb(), _frame(10), name="rows")
    with pytest.raises(KeyError, match="nope"):
        sample_table(table, limit=5, seed=0, columns=["nope"])


def test_labelled_rows_drop_a_nan_label_as_pandas_drops_it() -> None:
    """A NaN label (what Spark, DuckDB or pyarrow write for a missing float) is missing,
    as for pandas, not a third label value (issue 18 review: it stopped every quality
    verdict on DuckDB with 'values outside 1.0 / 0.0')."""
    import pyarrow as pa

    from sentinel_checks.engine.ibis_connection import connect_duckdb
    from sentinel_checks.engine.quality_statistics import labelled_rows

    con = connect_duckdb()
    labels = pa.array([1.0, float("nan"), 0.0, None, 1.0], type=pa.float64(), from_pandas=False)
    con.con.register("scored", pa.table({"label": labels, "s": pa.array([0.1, 0.2, 0.3, 0.4, 0.5])}))
    table = con.table("scored")
    assert table.filter(table["label"].notnull()).count().execute() == 4  # NaN is a value to DuckDB
    kept = labelled_rows(table, "label").execute()
    expected = pd.DataFrame({"label": labels.to_pandas(), "s": [0.1, 0.2, 0.3, 0.4, 0.5]}).dropna()
    assert kept["s"].tolist() == expected["s"].tolist() == [0.1, 0.3, 0.5]
