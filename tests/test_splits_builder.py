import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import config_from_mapping
from sentinel_checks.data.splits import assign_time_splits, build_splits, group_time_split
from sentinel_checks.errors import ConfigError, DataError


def ts(*values, tz=None):
    s = pd.Series(pd.to_datetime(list(values), format="ISO8601"), name="ts")
    return s.dt.tz_localize(tz) if tz else s


def test_boundaries_are_half_open():
    values = ts("2025-01-31 23:59:59", "2025-02-01", "2025-02-28 23:59", "2025-03-01", "2025-04-01")
    out = assign_time_splits(values, val_start="2025-02-01", test_start="2025-03-01", end="2025-04-01")
    assert out.tolist() == ["train", "val", "val", "test", None]


def test_embargo_drops_the_start_of_later_splits():
    values = ts(
        "2025-01-31",
        "2025-02-01",
        "2025-02-01 23:59",
        "2025-02-02",
        "2025-03-01 12:00",
        "2025-03-02",
    )
    out = assign_time_splits(values, val_start="2025-02-01", test_start="2025-03-01", embargo="1D")
    assert out.tolist() == ["train", None, None, "val", None, "test"]


def test_naive_boundary_is_read_in_the_column_timezone():
    values = ts("2025-01-31 23:30", "2025-02-01 00:30", tz="Europe/Berlin")
    out = assign_time_splits(values, val_start="2025-02-01", test_start="2025-03-01")
    assert out.tolist() == ["train", "val"]


def test_aware_boundary_on_a_naive_column_is_an_error():
    with pytest.raises(ConfigError, match="has a timezone but column 'ts' is naive"):
        assign_time_splits(ts("2025-01-01"), val_start="2025-02-01T00:00Z", test_start="2025-03-01")


def test_null_timestamps_cannot_be_placed():
    values = pd.Series([pd.Timestamp("2025-01-01"), pd.NaT], name="ts")
    with pytest.raises(DataError, match="'ts' has 1 null timestamp"):
        assign_time_splits(values, val_start="2025-02-01", test_start="2025-03-01")


def test_group_time_split_purges_entities_seen_earlier():
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-02-06", "2025-03-05", "2025-03-06"]),
            "user_id": ["a", "a", "b", "b", "c"],
        }
    )
    splits = group_time_split(
        frame, timestamp="ts", entities=["user_id"], val_start="2025-02-01", test_start="2025-03-01"
    )
    assert splits.train["user_id"].tolist() == ["a"]
    assert splits.val["user_id"].tolist() == ["b"]  # a's February row purged
    assert splits.test["user_id"].tolist() == ["c"]  # b's March row purged
    assert splits.unassigned == 2
    assert "purged 2 row(s) whose user_id" in splits.notes[0]


def cfg(tmp_path, splits, **columns):
    (tmp_path / "d.csv").write_text("x\n1\n")
    raw = {"data": {"path": "d.csv"}, "splits": splits, "columns": {"timestamp": "ts", **columns}}
    return config_from_mapping(raw, source=tmp_path / "sentinel.toml")


def test_column_method(tmp_path):
    frame = pd.DataFrame({"split": ["tr", "va", "te", "tr"], "ts": pd.Timestamp("2025-01-01")})
    config = cfg(
        tmp_path,
        {
            "method": "column",
            "column": "split",
            "train_value": "tr",
            "val_value": "va",
            "test_value": "te",
        },
    )
    assert build_splits(frame, config).sizes() == {"train": 2, "val": 1, "test": 1}


def test_column_method_rejects_unknown_values(tmp_path):
    frame = pd.DataFrame({"split": ["train", "validation", "test"]})
    config = cfg(tmp_path, {"method": "column", "column": "split"})
    with pytest.raises(
        DataError, match=r"split column 'split' has 1 row\(s\) with values other than.*'validation'"
    ):
        build_splits(frame, config)


def test_column_method_missing_column(tmp_path):
    config = cfg(tmp_path, {"method": "column", "column": "split"})
    with pytest.raises(DataError, match=r"split column 'split' \(\[splits\] column\) is missing"):
        build_splits(pd.DataFrame({"x": [1]}), config)


def test_time_method_without_timestamp_column_in_data(tmp_path):
    config = cfg(tmp_path, {"method": "time", "val_start": "2025-02-01", "test_start": "2025-03-01"})
    with pytest.raises(DataError, match="timestamp column 'ts' is missing"):
        build_splits(pd.DataFrame({"x": [1]}), config)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("    return ['train', 'val', 'test', None]", {"train": 1, "val": 1, "test": 1}),
        (
            "    return {'train': df.iloc[:2], 'val': df.iloc[2:3], 'test': df.iloc[3:]}",
            {"train": 2, "val": 1, "test": 1},
        ),
    ],
)
def test_callable_method(tmp_path, body, expected):
    module = f"mysplit_{len(expected) + sum(expected.values())}"
    (tmp_path / f"{module}.py").write_text(f"def split(df):\n{body}\n")
    config = cfg(tmp_path, {"method": "callable", "function": f"{module}:split"})
    frame = pd.DataFrame({"x": np.arange(4)})
    assert build_splits(frame, config).sizes() == expected


def test_callable_returning_bad_labels(tmp_path):
    (tmp_path / "badsplit.py").write_text("def split(df):\n    return ['train', 'holdout']\n")
    config = cfg(tmp_path, {"method": "callable", "function": "badsplit:split"})
    with pytest.raises(DataError, match="labels other than.*'holdout'"):
        build_splits(pd.DataFrame({"x": [1, 2]}), config)
