"""Time splits and time order on an integer period column and on row order (issue 16, item 6)."""

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks import check_time_order
from sentinel_checks.config import config_from_mapping
from sentinel_checks.data.io import prepare_frame
from sentinel_checks.data.splits import Splits, assign_time_splits, build_splits
from sentinel_checks.errors import ConfigError
from sentinel_checks.result import Status


def yearly(n_per_year=50, years=range(2010, 2021)):
    rng = np.random.default_rng(0)
    year = np.repeat(np.asarray(list(years), dtype=np.int64), n_per_year)
    return pd.DataFrame(
        {"year": year, "x": rng.normal(size=len(year)), "label": rng.integers(0, 2, len(year))}
    )


def cfg(tmp_path, splits, **columns):
    (tmp_path / "d.csv").write_text("x\n1\n")
    raw = {"data": {"path": "d.csv"}, "splits": splits, "columns": columns}
    return config_from_mapping(raw, source=tmp_path / "sentinel.toml")


def split_with(tmp_path, frame, splits, **columns):
    config = cfg(tmp_path, splits, **columns)
    return build_splits(prepare_frame(frame, config), config)


# ------------------------------------------------------------------ integer period column


def test_integer_year_boundaries_are_values_of_the_column():
    year = pd.Series(np.arange(2010, 2021), name="year")
    out = assign_time_splits(year, val_start="2016", test_start=2018, end="2020")
    assert out.tolist() == ["train"] * 6 + ["val"] * 2 + ["test"] * 2 + [None]


def test_integer_year_column_through_the_config(tmp_path):
    frame = yearly()
    splits = split_with(
        tmp_path, frame, {"method": "time", "val_start": "2016", "test_start": 2018}, timestamp="year"
    )
    assert sorted(splits.train["year"].unique()) == list(range(2010, 2016))
    assert sorted(splits.val["year"].unique()) == [2016, 2017]
    assert sorted(splits.test["year"].unique()) == [2018, 2019, 2020]
    assert splits.unassigned == 0


def test_embargo_on_integer_time_is_a_number_of_units(tmp_path):
    splits = split_with(
        tmp_path,
        yearly(),
        {"method": "time", "val_start": 2016, "test_start": 2018, "embargo": 1},
        timestamp="year",
    )
    assert sorted(splits.val["year"].unique()) == [2017]  # 2016 is in the embargo
    assert sorted(splits.test["year"].unique()) == [2019, 2020]
    assert splits.unassigned == 100


def test_duration_embargo_on_integer_time_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"embargo = '2D' is a duration.*'year'.*number of year units"):
        split_with(
            tmp_path,
            yearly(),
            {"method": "time", "val_start": 2016, "test_start": 2018, "embargo": "2D"},
            timestamp="year",
        )


def test_a_date_boundary_on_integer_time_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"\[splits\] val_start = '2016-03-01' is not a value of .*'year'"):
        split_with(
            tmp_path,
            yearly(),
            {"method": "time", "val_start": "2016-03-01", "test_start": "2018-01-01"},
            timestamp="year",
        )


def test_boundaries_mixing_dates_and_numbers_are_refused_at_load(tmp_path):
    with pytest.raises(
        ConfigError, match=r"mix dates and numbers \(val_start = '2016-03-01', test_start = 2018\)"
    ):
        cfg(tmp_path, {"method": "time", "val_start": "2016-03-01", "test_start": 2018}, timestamp="year")


@pytest.mark.parametrize("written", ["02/04/2025", "2025/04/02", "April 2 2025", "2025-4-2"])
def test_a_boundary_not_written_year_first_is_refused_at_load(tmp_path, written):
    """Trial: ``val_start = "02/04/2025"`` meant 2 April; pandas read 4 February, the
    validation split took the candidate's training rows, and the gate passed."""
    with pytest.raises(ConfigError, match=r"val_start = .* is not an ISO 8601 date: write the year first"):
        cfg(tmp_path, {"method": "time", "val_start": written, "test_start": "2025-06-01"})


@pytest.mark.parametrize(
    ("val", "test"),
    [
        ("2025-04-02", "2025-06-01"),
        ("2025-04-02T12:00", "2025-06-01"),
        ("2025-04-02 00:00+00:00", "2025-06-01T00:00Z"),
    ],
)
def test_iso_boundaries_load(tmp_path, val, test):
    assert cfg(tmp_path, {"method": "time", "val_start": val, "test_start": test}).splits.val_start == val


def test_boundaries_with_and_without_a_utc_offset_are_refused_naming_both(tmp_path):
    """Found with the ISO check: pandas' TypeError comparing them escaped the config loader."""
    with pytest.raises(ConfigError, match=r"one has a UTC offset and the other not"):
        cfg(tmp_path, {"method": "time", "val_start": "2025-04-02T00:00+00:00", "test_start": "2025-06-01"})


def test_a_number_boundary_on_a_datetime_column_names_the_key(tmp_path):
    frame = pd.DataFrame({"ts": pd.date_range("2025-01-01", periods=90, freq="D"), "label": 0})
    with pytest.raises(ConfigError, match=r"\[splits\] val_start = 2016 .*datetime"):
        split_with(tmp_path, frame, {"method": "time", "val_start": 2016, "test_start": 2018}, timestamp="ts")


def test_time_order_on_integer_time_passes_and_speaks_in_units(tmp_path):
    splits = split_with(
        tmp_path, yearly(), {"method": "time", "val_start": 2016, "test_start": 2018}, timestamp="year"
    )
    result = check_time_order(splits.train["year"], splits.val["year"], pair=("train", "val"))
    assert result.status is Status.PASS
    assert "val starts 1 year unit after train ends" in result.message
    assert "days" not in result.message


def test_time_order_on_integer_time_fails_on_a_planted_shuffle():
    frame = yearly()
    rng = np.random.default_rng(1)
    labels = rng.choice(["train", "val", "test"], size=len(frame), p=[0.6, 0.2, 0.2])
    splits = Splits.from_assignment(frame, labels)
    result = check_time_order(splits.train["year"], splits.val["year"], pair=("train", "val"))
    assert result.status is Status.FAIL
    assert "year unit" in result.message


def test_time_order_embargo_in_units():
    early, late = pd.Series([2014, 2015], name="year"), pd.Series([2016, 2017], name="year")
    assert check_time_order(early, late, pair=("train", "val"), embargo=1).status is Status.PASS
    assert check_time_order(early, late, pair=("train", "val"), embargo=2).status is Status.FAIL


# ------------------------------------------------------------------ row order as time


def test_row_order_with_fraction_boundaries(tmp_path):
    frame = pd.DataFrame({"x": np.arange(100.0), "label": np.arange(100) % 2})
    splits = split_with(
        tmp_path, frame, {"method": "time", "val_start": 0.6, "test_start": 0.8}, timestamp="@row"
    )
    assert splits.sizes() == {"train": 60, "val": 20, "test": 20}
    assert splits.val["x"].tolist() == list(np.arange(60.0, 80.0))


def test_row_order_with_position_boundaries_and_embargo(tmp_path):
    frame = pd.DataFrame({"x": np.arange(100.0), "label": np.arange(100) % 2})
    splits = split_with(
        tmp_path,
        frame,
        {"method": "time", "val_start": 50, "test_start": 75, "end": 100, "embargo": 5},
        timestamp="@row",
    )
    assert splits.sizes() == {"train": 50, "val": 20, "test": 20}
    assert splits.test["x"].iloc[0] == 80.0
    result = check_time_order(splits.train["@row"], splits.val["@row"], pair=("train", "val"), embargo=5)
    assert result.status is Status.PASS
    assert "val starts 6 rows after train ends" in result.message


def test_row_order_catches_a_shuffled_split_column(tmp_path):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "x": np.arange(300.0),
            "label": np.arange(300) % 2,
            "split": rng.choice(["train", "val", "test"], 300),
        }
    )
    splits = split_with(tmp_path, frame, {"method": "column", "column": "split"}, timestamp="@row")
    result = check_time_order(splits.train["@row"], splits.test["@row"], pair=("train", "test"))
    assert result.status is Status.FAIL


def test_row_order_fraction_outside_the_rows_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"splits.*val_start = 0.9 is not before test_start = 0.6"):
        cfg(tmp_path, {"method": "time", "val_start": 0.9, "test_start": 0.6}, timestamp="@row")


# ------------------------------------------------------------------ datetimes unchanged


def test_a_datetime_column_still_splits_with_a_duration_embargo(tmp_path):
    frame = pd.DataFrame({"ts": pd.date_range("2025-01-01", periods=90, freq="D"), "label": 0})
    splits = split_with(
        tmp_path,
        frame,
        {"method": "time", "val_start": "2025-02-01", "test_start": "2025-03-01", "embargo": "2D"},
        timestamp="ts",
    )
    assert splits.sizes() == {"train": 31, "val": 26, "test": 29}
    result = check_time_order(splits.train["ts"], splits.val["ts"], pair=("train", "val"), embargo="2D")
    assert result.status is Status.PASS
    assert "val starts 3 days" in result.message


def test_a_number_embargo_on_datetimes_is_a_config_error(tmp_path):
    frame = pd.DataFrame({"ts": pd.date_range("2025-01-01", periods=90, freq="D"), "label": 0})
    with pytest.raises(ConfigError, match=r"embargo = 3 .*duration"):
        split_with(
            tmp_path,
            frame,
            {"method": "time", "val_start": "2025-02-01", "test_start": "2025-03-01", "embargo": 3},
            timestamp="ts",
        )


# ------------------------------------------------------------------ the whole gate


def as_days(frame, start):
    return frame.assign(day=(frame["request_ts"] - start).dt.days.astype("int64")).drop(columns="request_ts")


@pytest.mark.slow
@pytest.mark.parametrize("axis", ["integer day", "row order"])
def test_the_gate_runs_every_time_check_on_integer_and_row_time(gate_project, small_log, axis):
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.runner import gate_run_in_process
    from tests.conftest import BASE_CONFIG

    start = small_log.offline["request_ts"].min().normalize()
    if axis == "integer day":
        offline, production = as_days(small_log.offline, start), as_days(small_log.production, start)
        val = (pd.Timestamp("2025-09-15") - start).days
        test = (pd.Timestamp("2025-10-01") - start).days
        config = BASE_CONFIG.replace('timestamp = "request_ts"', 'timestamp = "day"')
        config = config.replace('val_start = "2025-09-15"', f"val_start = {val}")
        config = config.replace('test_start = "2025-10-01"', f'test_start = "{test}"')
        config = config.replace('embargo = "1D"', "embargo = 1")
    else:
        offline = small_log.offline.sort_values("request_ts", kind="stable").drop(columns="request_ts")
        production = small_log.production.drop(columns="request_ts")
        config = BASE_CONFIG.replace('timestamp = "request_ts"', 'timestamp = "@row"')
        config = config.replace('val_start = "2025-09-15"', "val_start = 0.7")
        config = config.replace('test_start = "2025-10-01"', "test_start = 0.85")
        config = config.replace('embargo = "1D"', "embargo = 50")
    project = gate_project(offline=offline.reset_index(drop=True), production=production, config_text=config)
    run, _ = gate_run_in_process(load_config(project.config))
    by_id = {}
    for o in run.outcomes:
        if o.result is not None:
            by_id.setdefault(o.result.id, []).append(o.result)
    order = by_id["splits.time_order"]
    assert len(order) == 3 and all(r.status is Status.PASS for r in order)
    unit = "day unit" if axis == "integer day" else "rows"
    assert all(unit in r.message and "days 00:00" not in r.message for r in order)
    errors = [o for o in run.outcomes if o.result is not None and o.result.status is Status.ERROR]
    assert not errors, [o.result.message for o in errors]
