"""The engine's statistics equal the pandas ones, exactly, on generated data with
nulls, NaN, ±inf, ties, composite ids and time zones (fast lane)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.leakage_statistics import monotone_auc
from sentinel_checks.engine.row_repeats import row_repeats
from sentinel_checks.engine.split_statistics import (
    rows_sharing_entities,
    shared_entities,
    time_order,
    time_range,
)
from sentinel_checks.entities import entity_ids
from sentinel_checks.entities import shared_entities as pandas_shared
from sentinel_checks.result import EVIDENCE_CAP
from sentinel_checks.stats.leakage import numeric_view, symmetric_auc
from sentinel_checks.stats.leakage import time_range as pandas_time_range
from sentinel_checks.stats.row_repeats import row_repeats as pandas_row_repeats


def generated(n: int, seed: int) -> pd.DataFrame:
    """Rows drawn from small pools so that ids collide, values tie and rows repeat."""
    rng = np.random.default_rng(seed)
    user = rng.choice([f"u{i}" for i in range(n // 8)] + [None], size=n).astype(object)
    year = rng.choice([1999.0, 2000.0, np.nan], size=n, p=[0.45, 0.45, 0.10])
    case = rng.integers(0, n // 20, size=n)
    ts = pd.Timestamp("2026-03-29 00:00", tz="Europe/Paris") + pd.to_timedelta(
        rng.integers(0, 3 * 24 * 60, size=n), unit="min"
    )  # spans a daylight-saving change, with ties
    ts = pd.Series(ts).mask(rng.random(n) < 0.05)
    amount = rng.choice([0.5, 1.0, 2.5, np.nan, np.inf, -np.inf, 7.25], size=n)
    score = rng.normal(size=n).round(1)  # ties, and -0.0 beside 0.0 (rounding keeps the sign)
    count = rng.integers(0, 4, size=n)
    flag = rng.random(n) < 0.3
    label = np.where(rng.random(n) < 0.3 + 0.2 * flag, "risky", "safe")
    return pd.DataFrame(
        {
            "user_id": user,
            "year": year,
            "case": case,
            "request_ts": ts,
            "amount": amount,
            "score": score,
            "count": count,
            "flag": flag,
            "seen": pd.Series(ts).dt.tz_convert(None),  # naive datetimes
            "country": pd.Categorical(rng.choice(["fr", "de", None], size=n)),
            "label": label,
        }
    )


@pytest.fixture(scope="module")
def con() -> Iterator[object]:
    backend = connect_duckdb(threads=1, memory_limit="512MB")
    yield backend
    backend.disconnect()


@pytest.fixture(scope="module", params=[0, 1])
def sides(request: pytest.FixtureRequest, con: object) -> tuple[pd.DataFrame, pd.DataFrame, object, object]:
    frame = generated(3000, request.param)
    cut = len(frame) * 2 // 3
    earlier, later = frame.iloc[:cut].reset_index(drop=True), frame.iloc[cut:].reset_index(drop=True)
    return (
        earlier,
        later,
        table_from_frame(con, earlier, name="earlier"),
        table_from_frame(con, later, name="later"),
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("column", ["request_ts", "seen", "score", "count"])
def test_time_range_equals_pandas(sides, column):
    earlier, _, table, _ = sides
    tz = getattr(earlier[column].dtype, "tz", None)
    got = time_range(table, column, tz=None if tz is None else str(tz))
    want = pandas_time_range(earlier[column])
    assert (got.n, got.min, got.max) == (want.n, want.min, want.max)
    assert str(got.min) == str(want.min)  # shown in the column's own zone


@pytest.mark.parametrize(
    ("column", "gap"),
    [("request_ts", pd.Timedelta(0)), ("request_ts", pd.Timedelta("6h")), ("score", 0.0), ("score", 0.5)],
)
def test_out_of_order_counts_equal_pandas(sides, column, gap):
    earlier, later, first, second = sides
    # random split order: both directions overlap
    got = time_order(first, second, column, gap=gap, tz="Europe/Paris" if column == "request_ts" else None)
    a, b = pandas_time_range(earlier[column]), pandas_time_range(later[column])
    late_cut, early_cut = a.max + gap, b.min - gap
    if gap > gap * 0:
        want = (int((later[column] < late_cut).sum()), int((earlier[column] > early_cut).sum()))
    else:
        want = (int((later[column] <= late_cut).sum()), int((earlier[column] >= early_cut).sum()))
    assert (got.later_too_early, got.earlier_too_late) == want
    assert want[0] > 0 and want[1] > 0  # the data really overlap


@pytest.mark.parametrize("key", [["user_id"], ["year", "case"], ["case"], ["country"], ["country", "case"]])
def test_shared_entities_equal_pandas(sides, key):
    earlier, later, first, second = sides
    got = shared_entities(first, second, key)
    want = pandas_shared(
        entity_ids(earlier, key if len(key) > 1 else key[0]),
        entity_ids(later, key if len(key) > 1 else key[0]),
    )
    assert (got.n_earlier, got.n_later, got.later_rows) == (want.n_earlier, want.n_later, want.later_rows)
    assert got.count == want.count == len(want.shared) > 0
    # one column, or text and integer parts: the first EVIDENCE_CAP shared ids in the order
    # pandas' path sorts them; a composite id with a float part (year): all
    capped = "year" not in key
    assert got.shared.tolist() == want.shared.tolist()[: EVIDENCE_CAP if capped else None]


@pytest.mark.parametrize("key", [["user_id"], ["year", "case"]])
def test_rows_sharing_entities_with_two_earlier_splits_equal_pandas(con, key):
    """The purge's cost on test: its rows whose id occurs in train or in val (either one)."""
    frame = generated(3000, 2)
    train, val, test = frame.iloc[:1500], frame.iloc[1500:2200], frame.iloc[2200:]
    tables = [
        table_from_frame(con, part.reset_index(drop=True), name=n)
        for part, n in zip((train, val, test), "tvs", strict=True)
    ]
    column = key if len(key) > 1 else key[0]
    seen = pd.concat([entity_ids(train, column), entity_ids(val, column)], ignore_index=True)
    want = pandas_shared(seen, entity_ids(test, column)).later_rows
    only_train = pandas_shared(entity_ids(train, column), entity_ids(test, column)).later_rows
    assert rows_sharing_entities(tables[2], tables[:2], key) == want > only_train  # val's ids count too


def test_a_split_sharing_many_ids_brings_back_their_count_and_the_first_ids_only(con):
    """A leaky split at scale shares millions of ids: the engine counts them and reads back
    the first EVIDENCE_CAP in value order (numpy's, text compared by code point), so the
    check's count, share and evidence are pandas' without the ids in Python."""
    from sentinel_checks.checks.overlap import judge_entity_overlap

    ids = np.array([f"u{i:05d}" for i in range(5000)] + ["Zed", "zed", "é1", "a b"])
    earlier = pd.Series(np.concatenate([ids, ["only-earlier"]]))
    later = pd.Series(np.concatenate([ids[::-1], ids[:100], ["only-later"]]))
    got = shared_entities(
        table_from_frame(con, earlier.to_frame("user_id"), name="e"),
        table_from_frame(con, later.to_frame("user_id"), name="l"),
        ["user_id"],
    )
    want = pandas_shared(earlier, later)
    assert got.count == want.count == len(ids) and len(got.shared) == EVIDENCE_CAP
    assert got.shared.tolist() == want.shared.tolist()[:EVIDENCE_CAP]
    assert got.later_rows == want.later_rows == len(ids) + 100
    params = {"column": "user_id", "pair": ("train", "test"), "max_share": 0.0, "later_rows": len(later)}
    judged, expected = (
        judge_entity_overlap(got, (0, 0), **params),
        judge_entity_overlap(want, (0, 0), **params),
    )
    assert judged == expected and judged.status.value == "fail"
    assert judged.evidence[0].total == len(ids) and len(judged.evidence[0].items) == EVIDENCE_CAP


def test_a_composite_id_of_text_and_integers_brings_back_its_count_and_the_first_ids_only(con):
    """A leaky split sharing millions of composite ids read them all into pandas to order
    their ``a+b`` text. With text and integer parts the engine orders the same text
    (code point order, as Python's ``sorted``) and reads back the first EVIDENCE_CAP."""
    rng = np.random.default_rng(3)
    names = np.array(["Zed", "zed", "é1", "a b", "x+y", "10", "9"])
    earlier = pd.DataFrame(
        {"site": rng.choice(names, 4000), "case": rng.integers(-60, 900, 4000).astype(np.int64)}
    )
    later = pd.concat([earlier.iloc[::-1], earlier.iloc[:300]], ignore_index=True)
    later.loc[len(later)] = ["only-later", 5]
    got = shared_entities(
        table_from_frame(con, earlier, name="e"), table_from_frame(con, later, name="l"), ["site", "case"]
    )
    want = pandas_shared(entity_ids(earlier, ["site", "case"]), entity_ids(later, ["site", "case"]))
    assert want.count > EVIDENCE_CAP and got.count == want.count
    assert len(got.shared) == EVIDENCE_CAP
    assert got.shared.tolist() == want.shared.tolist()[:EVIDENCE_CAP]
    assert (got.n_earlier, got.n_later, got.later_rows) == (want.n_earlier, want.n_later, want.later_rows)


def test_composite_id_with_a_missing_part_belongs_to_no_entity(con):
    earlier = pd.DataFrame({"year": [1999.0, np.nan], "case": [7, 8]})
    later = pd.DataFrame({"year": [1999.0, np.nan, np.nan], "case": [7, 8, 8]})
    got = shared_entities(
        table_from_frame(con, earlier, name="e"), table_from_frame(con, later, name="l"), ["year", "case"]
    )
    assert (got.n_earlier, got.n_later, got.shared.tolist(), got.later_rows) == (1, 1, ["1999+7"], 1)


@pytest.mark.parametrize(
    "columns",
    [
        ["amount", "count"],
        ["amount", "flag", "country"],
        ["year", "count", "flag"],
        ["request_ts", "score"],
        [],
    ],
)
def test_row_repeats_equal_pandas(sides, columns):
    earlier, later, first, second = sides
    got = row_repeats(first, second, columns)
    want = pandas_row_repeats(earlier, later, columns)
    assert (got.count, got.within) == (want.count, want.within)
    assert np.array_equal(got.mask, want.mask)


def test_row_repeats_counts_the_earlier_rows_repeating_each_other_when_asked(sides, monkeypatch):
    """The GROUP BY over every earlier row runs on the first read of ``within``, once."""
    from sentinel_checks.engine import row_repeats as engine_row_repeats

    earlier, later, first, second = sides
    calls: list[list[str]] = []
    real = engine_row_repeats.repeats_within
    monkeypatch.setattr(
        engine_row_repeats, "repeats_within", lambda t, c: calls.append(list(c)) or real(t, c)
    )
    got = row_repeats(first, second, ["amount", "count"])
    assert calls == []
    want = pandas_row_repeats(earlier, later, ["amount", "count"]).within
    assert (got.within, got.within, calls) == (want, want, [["amount", "count"]])


def test_missing_values_repeat_each_other(con):
    """SQL joins never match NULL; a row with a missing value still repeats its copy."""
    earlier = pd.DataFrame({"x": [np.nan, 1.0, np.nan], "s": [None, "a", None]})
    later = pd.DataFrame({"x": [np.nan, np.nan, 2.0], "s": [None, "b", None]})
    got = row_repeats(
        table_from_frame(con, earlier, name="e"), table_from_frame(con, later, name="l"), ["x", "s"]
    )
    assert (got.mask.tolist(), got.count, got.within) == ([True, False, False], 1, 2)


def test_negative_zero_equals_zero(con):
    """-0.0 repeats 0.0 on both engines (SQL compares values; pandas' row hashes told
    the two apart and missed such a copy until the hashes normalised the sign)."""
    earlier, later = pd.DataFrame({"x": [0.0, -0.0]}), pd.DataFrame({"x": [-0.0]})
    got = row_repeats(table_from_frame(con, earlier, name="e"), table_from_frame(con, later, name="l"), ["x"])
    assert (got.count, got.within) == (1, 2)
    want = pandas_row_repeats(earlier, later, ["x"])
    assert (want.count, want.within) == (1, 2)


@pytest.mark.parametrize("column", ["amount", "score", "count", "flag", "year"])
def test_monotone_auc_equals_pandas(sides, column):
    earlier, _, table, _ = sides
    y = (earlier["label"] == "risky").to_numpy()
    want = symmetric_auc(y, numeric_view(earlier[column]))
    got = monotone_auc(table, column, label="label", positive="risky")
    assert got == want  # both count ties in integers and divide once: the same float
    assert got == _mann_whitney(y, _missing_lowest(earlier[column]))  # exact against integer ranks


@pytest.mark.parametrize("column", ["request_ts", "seen"])
def test_monotone_auc_of_datetimes_puts_missing_below_the_minimum(sides, column):
    """Exact against integer ranks with missing timestamps lowest. (pandas'
    ``numeric_view`` puts them at ``min - 1.0`` nanoseconds, which rounds back to the
    minimum at 1.7e18 in float64: there missing ties with the earliest time.)"""
    earlier, _, table, _ = sides
    y = (earlier["label"] == "risky").to_numpy()
    got = monotone_auc(table, column, label="label", positive="risky")
    assert got == _mann_whitney(y, _missing_lowest(earlier[column]))


def _missing_lowest(values: pd.Series) -> np.ndarray:
    """Float view with every missing or infinite value at -inf (lowest, tied together)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values.astype("int64").to_numpy().astype(float)
        out[values.isna().to_numpy()] = -np.inf
        return out
    out = values.to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(out), out, -np.inf)


def _mann_whitney(y: np.ndarray, score: np.ndarray) -> float:
    """Twice the Mann-Whitney U from integer tie-counting, divided once."""
    from scipy.stats import rankdata

    twice_ranks = (2 * rankdata(score, method="average")).astype(np.int64)  # twice an average rank is whole
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    twice_u = int(twice_ranks[y].sum()) - n_pos * (n_pos + 1)
    auc = twice_u / (2 * n_pos * n_neg)
    return max(auc, 1.0 - auc)


def test_monotone_auc_planted_leak_and_noise(con):
    rng = np.random.default_rng(3)
    y = rng.random(2000) < 0.2
    frame = pd.DataFrame(
        {"leak": np.where(y, 1.0, 0.0) + rng.normal(0, 0.01, 2000), "noise": rng.normal(size=2000)}
    )
    frame["label"] = y
    table = table_from_frame(con, frame, name="auc")
    assert monotone_auc(table, "leak", label="label", positive=True) == 1.0
    assert monotone_auc(table, "noise", label="label", positive=True) < 0.56


def test_monotone_auc_one_class_is_nan_and_text_is_refused(con):
    table = table_from_frame(
        con, pd.DataFrame({"x": [1.0, 2.0], "s": ["a", "b"], "label": [0, 0]}), name="one"
    )
    assert math.isnan(monotone_auc(table, "x", label="label", positive=1))
    with pytest.raises(TypeError, match="'s'"):
        monotone_auc(table, "s", label="label", positive=1)
    with pytest.raises(KeyError, match="'nope'"):
        monotone_auc(table, "nope", label="label", positive=1)


def test_sub_microsecond_timestamps_are_refused_by_name(con):
    frame = pd.DataFrame({"ts": pd.to_datetime(["2026-01-01 00:00:00.000000001"])})
    with pytest.raises(ValueError, match="'ts'"):
        table_from_frame(con, frame, name="ns")


def test_a_float_time_cut_equal_to_a_row_counts_that_row_exactly(con):
    """The cut (earlier max, later min) is a row's own float: the engine compares doubles,
    never the float's decimal text (DuckDB reads a float literal as a DECIMAL)."""
    rng = np.random.default_rng(7)
    wrong = 0
    for i in range(60):
        values = rng.random(40)
        earlier = pd.DataFrame({"t": values[:25]})
        later = pd.DataFrame({"t": np.concatenate([values[25:], [values[:25].max()]])})
        first = table_from_frame(con, earlier, name=f"cut_early_{i}")
        second = table_from_frame(con, later, name=f"cut_late_{i}")
        got = time_order(first, second, "t", gap=0.0)
        want = (
            int((later["t"] <= earlier["t"].max()).sum()),
            int((earlier["t"] >= later["t"].min()).sum()),
        )
        wrong += (got.later_too_early, got.earlier_too_late) != want
    assert wrong == 0


def _id_like_frame(n: int) -> pd.DataFrame:
    """Columns on either side of :func:`unique_per_row`'s rule: ids (int, whole floats with
    a NaN, text), distinct measurements (fractional, or whole but one infinite), and
    columns a little short of 99% distinct."""
    rng = np.random.default_rng(7)
    whole = np.arange(n, dtype=float)
    whole[3] = np.nan
    with_inf = np.arange(n, dtype=float)
    with_inf[5] = np.inf
    short = np.arange(n)
    short[: n // 20] = 0  # 5% share one value: below 99% distinct
    return pd.DataFrame(
        {
            "row": np.arange(n),
            "whole_id": whole,
            "text_id": [f"r{i}" for i in range(n)],
            "amount": rng.random(n) + np.arange(n),
            "with_inf": with_inf,
            "short": short,
            "flag": np.arange(n) % 2 == 0,
            "code": np.arange(n) % 7,
        }
    )


@pytest.mark.parametrize("n", [99, 100, 400])
def test_unique_per_row_equals_pandas(con, n):
    from sentinel_checks.engine.row_repeats import unique_per_row
    from sentinel_checks.stats.row_repeats import unique_per_row as pandas_unique_per_row

    frame = _id_like_frame(n)
    columns = list(frame.columns)
    want = pandas_unique_per_row(frame, columns)
    got = unique_per_row(table_from_frame(con, frame, name=f"ids{n}"), columns)
    assert got == want
    assert want == ([] if n < 100 else ["row", "whole_id", "text_id"])
