"""``contract.schema`` on indicator columns and constant features (issue 16, item 12):
missing is a level; a constant feature is a warning in plain English."""

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks import check_schema
from sentinel_checks.config import Columns
from sentinel_checks.result import Status

COLUMNS = Columns(label="label", positive=1, negative=0, timestamp="ts", id="request_id")


def joined(n=600, seed=0):
    """Requests left-joined to a watch list: ``on_watchlist`` is 1.0 or missing."""
    rng = np.random.default_rng(seed)
    listed = rng.random(n) < 0.15
    return pd.DataFrame(
        {
            "label": (rng.random(n) < np.where(listed, 0.6, 0.05)).astype(int),
            "ts": pd.date_range("2025-01-01", periods=n, freq="h"),
            "request_id": [f"r{i}" for i in range(n)],
            "amount": rng.lognormal(3, 1, n),
            "on_watchlist": np.where(listed, 1.0, np.nan),
        }
    )


def judge(frame, **kw):
    return check_schema(frame, columns=COLUMNS, features=["amount", "on_watchlist"], **kw)


def test_an_indicator_that_is_one_value_or_missing_is_not_constant():
    r = judge(joined())
    assert r.status is Status.PASS, r.message


def test_a_boolean_flag_true_or_missing_is_not_constant():
    frame = joined().assign(on_watchlist=lambda d: d["on_watchlist"].map({1.0: True}).astype("boolean"))
    r = judge(frame)
    assert r.status is Status.PASS, r.message


def test_a_truly_constant_feature_is_a_warning_in_plain_english():
    r = judge(joined().assign(on_watchlist=1.0))
    assert r.status is Status.WARN, r.message
    assert "on_watchlist" in r.message and "every row" in r.message, r.message
    for jargon in ("(1×", "e.g. [", "more than one distinct value", "column_in_dataframe"):
        assert jargon not in r.message, r.message


def test_a_constant_feature_beside_a_violation_fails_and_still_names_both():
    frame = joined().assign(on_watchlist=1.0)
    frame.loc[3, "label"] = 7
    r = judge(frame)
    assert r.status is Status.FAIL
    assert "label" in r.message and "on_watchlist" in r.message, r.message


@pytest.mark.parametrize(
    ("mutate", "plain", "jargon"),
    [
        (lambda d: d.drop(columns="amount"), "amount: column is missing", "column_in_dataframe"),
        (lambda d: d.assign(request_id="same"), "request_id: duplicate values", "field_uniqueness"),
        (lambda d: d.assign(request_id=None), "request_id: null values", "not_nullable"),
    ],
    ids=["missing column", "duplicate ids", "null ids"],
)
def test_violations_are_described_without_pandera_names(mutate, plain, jargon):
    r = judge(mutate(joined()))
    assert r.status is Status.FAIL
    assert plain in r.message and jargon not in r.message and "(1×" not in r.message, r.message


@pytest.mark.parametrize("rows", [6, 0])
def test_constant_features_in_the_engine_equal_the_frames(rows):
    """The engine reads min and max (COUNT(DISTINCT) ran out of memory at 100M rows): the
    same features and values as pandas, with missing values, NaN, texts, booleans, ±0.0."""
    from sentinel_checks.adapters.pandera_schema import constant_features as on_frame
    from sentinel_checks.engine.contract_counts import constant_features as in_engine
    from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame

    frame = pd.DataFrame(
        {
            "one": [2.5] * 6,
            "two": [1.0, 1.0, 1.0, 1.0, 1.0, 2.0],
            "with_nan": [1.0, 1.0, np.nan, 1.0, 1.0, 1.0],
            "with_none": ["a", "a", None, "a", "a", "a"],
            "text": ["web"] * 6,
            "texts": ["web", "app", "web", "web", "web", "web"],
            "flag": [True] * 6,
            "flags": [True, False, True, True, True, True],
            "zeros": [0.0, -0.0, 0.0, 0.0, 0.0, 0.0],
            "empty": [np.nan] * 6,
        }
    ).iloc[:rows]
    features = [*frame.columns, "absent"]
    con = connect_duckdb(threads=1)
    try:
        found = in_engine(table_from_frame(con, frame, name="t"), features)
    finally:
        con.disconnect()
    expected = on_frame(frame, features)
    assert found == expected
    assert sorted(found) == ([] if rows == 0 else ["flag", "one", "text", "zeros"]), found
