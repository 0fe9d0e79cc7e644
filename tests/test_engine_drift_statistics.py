"""The drift statistics counted in the engine equal the pandas ones exactly, on small
frames built to hit the edges: NULL and NaN, even and odd counts, ties, booleans,
floats as segment values, zoned dates, a constant reference, a non-finite score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks.drift_inputs import column_shift_of, describe_column_shift, describe_shift
from sentinel_checks.checks.missing_share import missing_counts
from sentinel_checks.checks.score_drift import count_score_drift
from sentinel_checks.data.labels import risky_mask
from sentinel_checks.engine import drift_statistics as stats
from sentinel_checks.engine.ibis_connection import ROW, connect_duckdb, table_from_frame
from sentinel_checks.engine.samples import sample_table
from sentinel_checks.engine.score_drift_statistics import score_drift_counts
from sentinel_checks.errors import DataError


@pytest.fixture(scope="module")
def con():
    return connect_duckdb(threads=1)


_names = iter(range(10**6))


def _table(con, frame: pd.DataFrame):
    return table_from_frame(con, frame, name=f"drift_{next(_names)}")


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=n), 2)
    x[rng.random(n) < 0.1] = np.nan
    count = rng.integers(0, 5, size=n)
    text = pd.Series(rng.choice(["US", "BR", "DE", None], size=n), dtype="object")
    flag = rng.random(n) < 0.3
    when = pd.Series(
        pd.Timestamp("2025-03-29", tz="Europe/Berlin") + pd.to_timedelta(rng.integers(0, 96, size=n), "h")
    )
    when[rng.random(n) < 0.05] = pd.NaT
    return pd.DataFrame({"x": x, "count": count, "text": text, "flag": flag, "when": when})


@pytest.mark.parametrize(("n_ref", "n_cur"), [(301, 200), (200, 57), (6, 5)])
def test_missing_counts_and_shift_descriptions_equal_pandas(con, n_ref, n_cur):
    ref, cur = _frame(n_ref, 1), _frame(n_cur, 2)
    cur.loc[cur.index[: n_cur // 2], "x"] = np.nan
    features = list(ref.columns)
    t_ref, t_cur = _table(con, ref), _table(con, cur)
    assert stats.missing_counts(t_ref, t_cur, features) == missing_counts(ref, cur, features)
    for column in features:
        engine = describe_column_shift(stats.column_shift(t_ref, column), stats.column_shift(t_cur, column))
        assert engine == describe_shift(ref[column], cur[column]), column


def test_a_median_is_the_mean_of_the_two_middle_values_exactly(con):
    ref = pd.DataFrame({"x": [0.1, 0.2, 0.7, 1e16, np.nan]})
    shift = stats.column_shift(_table(con, ref), "x")
    assert shift.median == column_shift_of(ref["x"]).median == ref["x"].median()


def test_equal_medians_are_told_apart_by_their_means(con):
    ref = pd.DataFrame({"x": [0.0] * 8 + [1.0, 2.0]})
    cur = pd.DataFrame({"x": [0.0] * 8 + [10.0, 20.0]})
    text = describe_column_shift(
        stats.column_shift(_table(con, ref), "x"), stats.column_shift(_table(con, cur), "x")
    )
    assert text == describe_shift(ref["x"], cur["x"]) == "mean 0.3 → 3"


def test_segments_are_the_rows_pandas_selects_by_text(con):
    frame = pd.DataFrame(
        {
            "flag": [True, False, None, True, False] * 4,
            "rate": [0.1, 1.0, np.nan, 0.1, 2.5] * 4,
            "n": np.arange(20) % 3,
        }
    )
    table = _table(con, frame)
    for column in frame.columns:
        text = frame[column].astype("string")
        levels = stats.segment_levels(table, column)
        assert sorted(levels) == sorted(text.dropna().unique())
        for value, raws in levels.items():
            rows = stats.segment_rows(table, column, raws)
            got = rows.order_by(ROW).to_pandas()
            assert got[ROW].tolist() == list(range(int((text == value).sum())))
            picked = frame[(text == value).fillna(False).to_numpy()]
            assert got["n"].tolist() == picked["n"].tolist(), (column, value)


def test_a_segment_sample_is_bounded_samples_draw(con):
    from sentinel_checks.stats.sampling import bounded_sample

    frame = _frame(3000, 4)
    table = _table(con, frame)
    raws = stats.segment_levels(table, "text")["US"]
    rows = stats.segment_rows(table, "text", raws)
    engine = sample_table(rows, limit=500, seed=7, columns=["x", "count"])
    pandas = bounded_sample(frame[frame["text"].astype("string") == "US"], 500, 7)
    assert engine["x"].tolist() == pytest.approx(pandas["x"].tolist(), nan_ok=True, rel=0, abs=0)
    assert engine["count"].tolist() == pandas["count"].tolist()


def test_label_counts_equal_risky_mask_and_refuse_an_unknown_label(con):
    labels = pd.Series(["risky", "safe", None, "safe", "risky", "risky"], name="label")
    table = _table(con, labels.to_frame())
    risky, labelled = risky_mask(labels, positive="risky", negative="safe", where="t", allow_unlabelled=True)
    assert stats.label_counts(
        table, "label", positive="risky", negative="safe", where="test", allow_unlabelled=True
    ) == (int(risky.sum()), int(labelled.sum()))
    with pytest.raises(DataError, match="'label' has 1 null"):
        stats.label_counts(
            table, "label", positive="risky", negative="safe", where="test", allow_unlabelled=False
        )
    bad = _table(con, pd.Series(["risky", "fraud", "safe"], name="label").to_frame())
    with pytest.raises(DataError, match=r"test: label column 'label' has 1 value\(s\) outside"):
        stats.label_counts(
            bad, "label", positive="risky", negative="safe", where="test", allow_unlabelled=True
        )


@pytest.mark.parametrize("seed", range(12))
def test_score_drift_counts_equal_the_arrays(con, seed):
    rng = np.random.default_rng(seed)
    a = np.round(rng.random(int(rng.integers(5, 400))) ** 2, int(rng.integers(1, 4)))
    b = np.round(rng.random(int(rng.integers(5, 400))), 2)
    threshold = float(a[0])
    engine = score_drift_counts(
        _table(con, pd.DataFrame({"s": a})), _table(con, pd.DataFrame({"s": b})), "s", threshold=threshold
    )
    assert engine == count_score_drift(a, b, threshold)


@pytest.mark.parametrize(
    ("reference", "current"),
    [
        ([0.3] * 5, [0.3] * 4),
        ([0.3] * 5, [0.3, 0.4]),
        ([0.1, np.nan], [0.2]),
        ([0.1], [np.inf, 0.2]),
        ([0.5], []),
    ],
)
def test_score_drift_counts_edges_equal_the_arrays(con, reference, current):
    a, b = np.array(reference, dtype=float), np.array(current, dtype=float)
    engine = score_drift_counts(
        _table(con, pd.DataFrame({"s": a})), _table(con, pd.DataFrame({"s": b})), "s", threshold=0.3
    )
    pandas = count_score_drift(a, b, 0.3)
    assert (engine.n_reference, engine.n_current, engine.finite) == (
        pandas.n_reference,
        pandas.n_current,
        pandas.finite,
    )
    assert engine.psi == pandas.psi or (np.isnan(engine.psi) and np.isnan(pandas.psi))
    if pandas.finite:
        assert engine == pandas


def test_nan_stored_as_nan_counts_as_missing_as_pandas_counts_it(con):
    """Parquet read where it lies keeps NaN as NaN (an Arrow view of a pandas frame turns it
    into NULL): both are missing, and neither is a value of the median."""
    import pyarrow as pa

    x = [0.5, float("nan"), None, 2.0, float("nan"), 1.0]
    arrow = pa.table({"x": pa.array(x, type=pa.float64(), from_pandas=False), ROW: pa.array(range(6))})
    assert arrow["x"].null_count == 1  # one NULL, two NaN
    con.con.register("drift_nan", arrow)
    table = con.table("drift_nan")
    frame = pd.DataFrame({"x": x})
    assert (
        stats.missing_counts(table, table, ["x"])
        == missing_counts(frame, frame, ["x"])
        == {"x": (3, 6, 3, 6)}
    )
    assert stats.column_shift(table, "x").median == frame["x"].median() == 1.0
