import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import DataSource, config_from_mapping
from sentinel_checks.data.io import (
    binary_target,
    feature_columns,
    fingerprint_frame,
    load_frame,
    parse_timestamps,
    prepare_frame,
)
from sentinel_checks.errors import DataError


def config(tmp_path, **columns):
    (tmp_path / "d.csv").write_text("x\n1\n")
    raw = {
        "data": {"path": "d.csv"},
        "splits": {"method": "column", "column": "split"},
        "columns": {
            "label": "label",
            "positive": "fraud",
            "negative": "legit",
            "timestamp": "ts",
            **columns,
        },
    }
    return config_from_mapping(raw, source=tmp_path / "sentinel.toml")


def test_reads_parquet_csv_and_callable(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "ts": ["2025-01-01", "2025-01-02"]})
    df.to_parquet(tmp_path / "x.parquet")
    df.to_csv(tmp_path / "x.csv.gz", index=False)
    (tmp_path / "mylog.py").write_text(
        "import pandas as pd\ndef load():\n    return pd.DataFrame({'a': [1, 2]})\n"
    )
    for source in (
        DataSource(path=tmp_path / "x.parquet"),
        DataSource(path=tmp_path / "x.csv.gz"),
        DataSource(loader="mylog:load"),
    ):
        frame = load_frame(source, base_dir=tmp_path)
        assert frame["a"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (lambda p: DataSource(path=p / "missing.parquet"), "path not found"),
        (lambda p: DataSource(path=p / "x.txt"), "cannot tell the format"),
        (lambda p: DataSource(path=p / "broken.parquet"), "cannot read as parquet"),
        (lambda p: DataSource(loader="nosuchmodule:load"), "cannot import 'nosuchmodule'"),
        (lambda p: DataSource(loader="badloader:missing"), "has no callable 'missing'"),
        (lambda p: DataSource(loader="badloader:boom"), "raised ZeroDivisionError"),
        (lambda p: DataSource(loader="badloader:not_a_frame"), "expected a pandas DataFrame"),
    ],
)
def test_bad_sources_name_the_file_or_loader(tmp_path, source, message):
    (tmp_path / "x.txt").write_text("a\n1\n")
    (tmp_path / "broken.parquet").write_text("not parquet")
    (tmp_path / "badloader.py").write_text(
        "def boom():\n    return 1 / 0\ndef not_a_frame():\n    return [1, 2]\n"
    )
    with pytest.raises(DataError, match=message):
        load_frame(source(tmp_path), base_dir=tmp_path)


def test_duplicate_column_names_are_rejected(tmp_path):
    (tmp_path / "d.csv").write_text("a,a\n1,2\n")
    (tmp_path / "dupes.py").write_text(
        "import pandas as pd\ndef load():\n    return pd.DataFrame([[1, 2]], columns=['a', 'a'])\n"
    )
    with pytest.raises(DataError, match=r"duplicate column names \['a'\]"):
        load_frame(DataSource(loader="dupes:load"), base_dir=tmp_path)


class TestTimestamps:
    def test_iso_strings_parse(self):
        out = parse_timestamps(pd.Series(["2025-01-01", "2025-01-02T10:00:00"]), column="ts")
        assert str(out.dtype) == "datetime64[ns]"

    def test_offsets_become_utc(self):
        out = parse_timestamps(pd.Series(["2025-01-01T00:00:00Z", "2025-01-01T02:00:00+02:00"]), column="ts")
        assert str(out.dt.tz) == "UTC"
        assert out.iloc[0] == out.iloc[1]

    def test_mixed_naive_and_aware_is_an_error(self):
        with pytest.raises(DataError, match="mixes timezone-aware and naive.*1 aware, 1 naive"):
            parse_timestamps(pd.Series(["2025-01-01 00:00", "2025-01-02 00:00+02:00"]), column="ts")

    def test_mixed_datetime_objects_is_an_error(self):
        values = pd.Series([dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 1, tzinfo=dt.UTC)], dtype=object)
        with pytest.raises(DataError, match="'ts' \\(\\[columns\\] timestamp\\) mixes"):
            parse_timestamps(values, column="ts")

    def test_unparseable_values_are_named(self):
        with pytest.raises(
            DataError,
            match=r"\(\[columns\] timestamp\) has 1 value\(s\) that are not timestamps, e.g. \['soon'\]: name the column",
        ):
            parse_timestamps(pd.Series(["2025-01-01", "soon"]), column="ts")

    def test_numbers_are_periods_kept_as_numbers_and_booleans_are_refused(self):
        # numbers order rows as they are (a year, a period index), never read as epochs
        years = pd.Series([2010, 2011, 12000])
        assert parse_timestamps(years, column="ts") is years
        with pytest.raises(DataError, match="'ts' \\(\\[columns\\] timestamp\\) holds booleans"):
            parse_timestamps(pd.Series([True, False]), column="ts")

    def test_counts_in_the_message_have_thousands_separators(self):
        values = pd.Series(["2025-01-01"] + ["soon"] * 1234)
        with pytest.raises(DataError, match=r"has 1,234 value\(s\) that are not timestamps"):
            parse_timestamps(values, column="ts")

    def test_nulls_stay_null(self):
        out = parse_timestamps(pd.Series(["2025-01-01", None]), column="ts")
        assert out.isna().tolist() == [False, True]

    def test_prepare_frame_parses_the_configured_column(self, tmp_path):
        cfg = config(tmp_path)
        frame = pd.DataFrame({"ts": ["2025-01-01", "2025-01-03"], "label": ["fraud", "legit"]})
        assert pd.api.types.is_datetime64_any_dtype(prepare_frame(frame, cfg)["ts"])
        assert frame["ts"].dtype == object  # the caller's frame is not changed


class TestBinaryTarget:
    def test_string_labels(self, tmp_path):
        cfg = config(tmp_path)
        y = binary_target(pd.DataFrame({"label": ["fraud", "legit", "legit"]}), cfg)
        assert y.tolist() == [True, False, False]

    def test_value_outside_the_two_classes(self, tmp_path):
        cfg = config(tmp_path)
        with pytest.raises(DataError, match=r"label column 'label' has 1 value\(s\) outside.*\['unknown'\]"):
            binary_target(pd.DataFrame({"label": ["fraud", "unknown"]}), cfg)

    def test_null_labels(self, tmp_path):
        cfg = config(tmp_path)
        with pytest.raises(DataError, match="1 null"):
            binary_target(pd.DataFrame({"label": ["fraud", None]}), cfg)

    def test_missing_label_column(self, tmp_path):
        cfg = config(tmp_path)
        with pytest.raises(DataError, match="label column 'label' is missing"):
            binary_target(pd.DataFrame({"x": [1]}), cfg)


def test_features_default_to_every_column_without_a_role(tmp_path):
    cfg = config(tmp_path, entities=["user_id"], exclude=["notes"], id="request_id")
    frame = pd.DataFrame(
        columns=["request_id", "user_id", "ts", "label", "split", "amount", "notes", "country"]
    )
    assert feature_columns(frame, cfg) == ["amount", "country"]


def test_frame_fingerprint_is_stable_and_sensitive():
    a = pd.DataFrame({"x": np.arange(5), "y": list("abcde")})
    assert fingerprint_frame(a) == fingerprint_frame(a.copy())
    b = a.copy()
    b.loc[2, "x"] = 99
    assert fingerprint_frame(a) != fingerprint_frame(b)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_training_log_from_csv_or_json(tmp_path, suffix):
    from sentinel_checks.data.io import load_training_log

    frame = pd.DataFrame({"epoch": [1, 2, 3], "train_loss": [0.9, 0.7, 0.6], "val_loss": [0.95, 0.8, 0.75]})
    path = tmp_path / f"log{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records")
    assert load_training_log(path)["val_loss"].tolist() == [0.95, 0.8, 0.75]


def test_training_log_errors_name_the_file(tmp_path):
    from sentinel_checks.data.io import load_training_log

    with pytest.raises(DataError, match="training log not found"):
        load_training_log(tmp_path / "missing.csv")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match=r"bad.json: cannot read"):
        load_training_log(tmp_path / "bad.json")
