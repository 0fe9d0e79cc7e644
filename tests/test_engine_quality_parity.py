"""Quality statistics in the engine (``engine.quality_statistics``) equal the pandas ones:
threshold counts, the confusion at a threshold, calibration bins and per-segment
counts, on generated scores with ties, few distinct values, a NULL segment and
one-class segments (fast lane)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks.segments import check_segments
from sentinel_checks.engine.calibration_statistics import calibration_bins
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.quality_statistics import (
    ScoredColumns,
    SegmentCounts,
    confusion_at,
    segment_counts,
    threshold_counts,
)
from sentinel_checks.errors import DataError
from sentinel_checks.models.thresholds import choose_threshold
from sentinel_checks.stats.calibration import calibration_bins as pandas_calibration_bins
from sentinel_checks.stats.ranking import threshold_counts as pandas_threshold_counts

COLUMNS = ScoredColumns(score="score", label="label", positive="risky", negative="safe")


def scored(n: int, seed: int, kind: str) -> pd.DataFrame:
    """Scores of one of three kinds, labels that follow them, and segments of many dtypes:
    text with NULLs and a one-class value, integers, floats with NaN, booleans, categories."""
    rng = np.random.default_rng(seed)
    if kind == "ties":
        score = rng.beta(2, 5, size=n).round(2)  # ~60 distinct values, many ties
    elif kind == "few":
        score = rng.choice([0.05, 0.2, 0.2000000000000001, 0.7], size=n)  # 4 distinct, two an ulp apart
    else:
        score = rng.beta(2, 5, size=n)  # all distinct
    risky = rng.random(n) < score
    country = rng.choice(["fr", "de", "es", "zz", None], size=n, p=[0.4, 0.3, 0.2, 0.05, 0.05]).astype(object)
    risky[country == "zz"] = False  # a one-class (all safe) segment
    channel = rng.choice(["web", "app"], size=n)
    channel[risky & (channel == "app")] = "web"  # a one-class segment the other way: app has no risky row
    return pd.DataFrame(
        {
            "score": score,
            "label": np.where(risky, "risky", "safe"),
            "country": country,
            "channel": channel,
            "hour": rng.integers(0, 4, size=n),
            "ratio": rng.choice([0.5, 1.0, 1e-7, np.nan], size=n),
            "device_new": rng.random(n) < 0.3,
            "tier": pd.Categorical(rng.choice(["gold", "basic", None], size=n)),
        }
    )


KINDS = ["ties", "few", "distinct"]


@pytest.fixture(scope="module")
def con() -> Iterator[object]:
    backend = connect_duckdb(threads=1, memory_limit="512MB")
    yield backend
    backend.disconnect()


@pytest.fixture(scope="module", params=[(kind, seed) for kind in KINDS for seed in (0, 1)], ids=str)
def data(request: pytest.FixtureRequest, con: object) -> tuple[pd.DataFrame, np.ndarray, object]:
    kind, seed = request.param
    frame = scored(3000, seed, kind)
    y = (frame["label"] == "risky").to_numpy()
    return frame, y, table_from_frame(con, frame, name=f"scored_{kind}_{seed}")  # type: ignore[arg-type]


def test_threshold_counts_equal_the_pandas_ones_exactly(data) -> None:
    frame, y, table = data
    got = threshold_counts(table, COLUMNS)
    expected = pandas_threshold_counts(y, frame["score"].to_numpy())
    for field in ("thresholds", "tp", "fp"):
        a, b = getattr(got, field), getattr(expected, field)
        assert a.dtype == b.dtype, field
        assert np.array_equal(a, b), field
    assert (got.positives, got.negatives) == (expected.positives, expected.negatives)
    assert type(got.positives) is int and type(got.negatives) is int


def test_threshold_choice_and_the_pr_curve_are_the_pandas_ones(data) -> None:
    frame, y, table = data
    got = threshold_counts(table, COLUMNS)
    expected = pandas_threshold_counts(y, frame["score"].to_numpy())
    for t in [
        *expected.thresholds[:: max(1, len(expected.thresholds) // 7)],
        0.0,
        0.5,
        1.0,
        0.2000000000000001,
    ]:
        assert got.at(t) == expected.at(t) == confusion_at(table, float(t), COLUMNS)
    # the PR curve: precision and recall at every distinct score
    precision = got.tp / (got.tp + got.fp)
    assert np.array_equal(precision, expected.tp / (expected.tp + expected.fp))
    choice = choose_threshold(y, frame["score"].to_numpy(), target_recall=0.8, fixed=None)
    assert got.at(choice.threshold) == expected.at(choice.threshold)


@pytest.mark.parametrize("n_bins", [3, 10, 20])
def test_calibration_bins_equal_the_pandas_ones(data, n_bins) -> None:
    frame, y, table = data
    got = calibration_bins(table, COLUMNS, n_bins=n_bins)
    expected = pandas_calibration_bins(y, frame["score"].to_numpy(), n_bins=n_bins)
    # edges, counts and observed rates exactly; the mean score is a float sum whose
    # order differs between engines (the one documented difference)
    for field in ("lower", "upper", "count", "observed_rate"):
        a, b = getattr(got, field), getattr(expected, field)
        assert a.dtype == b.dtype, field
        assert np.array_equal(a, b), field
    np.testing.assert_allclose(got.mean_score, expected.mean_score, rtol=1e-12, atol=0)
    assert got.ece == pytest.approx(expected.ece, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("segment", ["country", "channel", "hour", "ratio", "device_new", "tier"])
def test_segment_counts_equal_the_pandas_ones(data, segment) -> None:
    frame, y, table = data
    threshold = 0.3
    flagged = frame["score"].to_numpy() >= threshold
    got = segment_counts(table, COLUMNS, segment=segment, threshold=threshold)
    expected = SegmentCounts.from_arrays(frame[segment].to_numpy(), y, flagged)
    assert got == expected
    # the reading check_segments makes of the same rows
    result = check_segments(
        frame[segment].to_numpy(), y, flagged, column=segment, split="test", min_recall=0.0, min_positives=1
    )
    # read from check_segments' own evidence, not through SegmentCounts: every name (judged
    # segments in the items, those without a risky row in not_judged), and rows, risky rows
    # and caught risky rows (recall x risky rows) of each judged one
    evidence = result.evidence[0]
    assert evidence.total == len(evidence.items)  # none cut at the evidence cap
    shown = {
        r["segment"]: (r["rows"], r["positives"], round(r["recall"] * r["positives"])) for r in evidence.items
    }
    assert sorted([*shown, *evidence.detail["not_judged"]]) == sorted(got.names)
    mine = zip(got.names, got.rows.tolist(), got.positives.tolist(), got.tp.tolist(), strict=True)
    assert {name: (n, p, tp) for name, n, p, tp in mine if p} == shown


def test_segment_names_read_as_check_segments_reads_them(con) -> None:
    frame = scored(400, 5, "ties")
    y = (frame["label"] == "risky").to_numpy()
    table = table_from_frame(con, frame, name="names")
    assert "(missing)" in segment_counts(table, COLUMNS, segment="country", threshold=0.5).names
    assert segment_counts(table, COLUMNS, segment="device_new", threshold=0.5).names == ("False", "True")
    assert segment_counts(table, COLUMNS, segment="ratio", threshold=0.5).names == (
        "(missing)",
        "0.5",
        "1.0",
        "1e-07",
    )
    counts = segment_counts(table, COLUMNS, segment="channel", threshold=0.5)
    app = counts.names.index("app")
    assert counts.positives[app] == 0 and np.isnan(counts.recall[app])
    assert counts.rows.sum() == len(frame) and counts.positives.sum() == y.sum()


def test_empty_table(con) -> None:
    frame = scored(50, 0, "ties").iloc[:0].astype({"label": "string", "country": "string"})
    table = table_from_frame(con, frame, name="empty")
    got = threshold_counts(table, COLUMNS)
    expected = pandas_threshold_counts(np.array([], dtype=bool), np.array([], dtype=float))
    assert got.tp.dtype == expected.tp.dtype and len(got.tp) == 0 and got.n == 0
    assert calibration_bins(table, COLUMNS).count.tolist() == []
    assert segment_counts(table, COLUMNS, segment="country", threshold=0.5).names == ()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.nan, "score column 'score' has 1 value that is NULL, NaN or infinite"),
        (np.inf, "score column 'score' has 1 value that is NULL, NaN or infinite"),
        (None, "score column 'score' has 1 value that is NULL, NaN or infinite"),
    ],
)
def test_an_undefined_score_is_an_error_naming_the_column(con, bad, message) -> None:
    frame = scored(200, 0, "ties")
    frame["score"] = frame["score"].astype(object)
    frame.loc[7, "score"] = bad
    frame["score"] = frame["score"].astype(float)
    table = table_from_frame(con, frame, name="bad_scores")
    for statistic in (
        lambda: threshold_counts(table, COLUMNS),
        lambda: calibration_bins(table, COLUMNS),
        lambda: confusion_at(table, 0.5, COLUMNS),
        lambda: segment_counts(table, COLUMNS, segment="country", threshold=0.5),
    ):
        with pytest.raises(DataError, match=message):
            statistic()


def test_a_label_outside_positive_and_negative_is_an_error_naming_the_column(con) -> None:
    frame = scored(200, 0, "ties")
    frame.loc[[3, 4], "label"] = "unknown"
    frame.loc[5, "label"] = None
    table = table_from_frame(con, frame, name="bad_labels")
    with pytest.raises(
        DataError, match="label column 'label' has 1 null value and 2 values outside risky / safe"
    ):
        threshold_counts(table, COLUMNS)


def test_a_missing_column_is_named(con) -> None:
    table = table_from_frame(con, scored(50, 0, "ties"), name="no_segment")
    with pytest.raises(KeyError, match="column 'region' is not in the table"):
        segment_counts(table, COLUMNS, segment="region", threshold=0.5)
    with pytest.raises(KeyError, match="column 'p' is not in the table"):
        threshold_counts(table, ScoredColumns(score="p", label="label", positive="risky", negative="safe"))


def test_bin_edges_are_numpys_quantiles_to_the_last_bit(con) -> None:
    """Many small samples of distinct scores: the interpolated edges (numpy's two lerp
    branches, either side of g = 0.5) equal np.quantile's bit for bit."""
    rng = np.random.default_rng(11)
    for case in range(40):
        n = int(rng.integers(12, 400))
        frame = pd.DataFrame(
            {"score": rng.beta(0.5, 3.0, size=n), "label": rng.choice(["risky", "safe"], size=n)}
        )
        table = table_from_frame(con, frame, name="edges")
        y = (frame["label"] == "risky").to_numpy()
        n_bins = int(rng.integers(2, 11))
        got = calibration_bins(table, COLUMNS, n_bins=n_bins)
        expected = pandas_calibration_bins(y, frame["score"].to_numpy(), n_bins=n_bins)
        assert np.array_equal(got.lower, expected.lower), case
        assert np.array_equal(got.upper, expected.upper), case
        assert np.array_equal(got.count, expected.count), case


def test_a_threshold_equal_to_a_score_flags_that_score(con) -> None:
    """A threshold that is one of the scores (as a chosen threshold always is) flags the
    rows holding it: the threshold reaches the engine as a float64, not as decimal text."""
    frame = scored(2000, 7, "distinct")
    y = (frame["label"] == "risky").to_numpy()
    table = table_from_frame(con, frame, name="distinct_scores")
    expected = pandas_threshold_counts(y, frame["score"].to_numpy())
    picked = np.random.default_rng(3).choice(expected.thresholds, size=60, replace=False)
    for t in picked:
        assert confusion_at(table, float(t), COLUMNS) == expected.at(t), repr(t)
        flagged = frame["score"].to_numpy() >= t
        assert segment_counts(
            table, COLUMNS, segment="country", threshold=float(t)
        ) == SegmentCounts.from_arrays(frame["country"].to_numpy(), y, flagged), repr(t)
