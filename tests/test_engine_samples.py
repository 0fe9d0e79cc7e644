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
