"""Without `[columns] id`, production rows that are dataset rows are found by their values:
equal in every column both share but the label, the timestamp included (stop 51: without
an id, a copy of 200 dataset rows given as `[production] path` ran the whole gate and
compared rows with themselves). Missing equals missing, as in `splits.row_overlap`."""

from __future__ import annotations

import pytest

from tests.test_engine_lazy_splits import frame
from tests.test_production_rows_in_dataset import ENGINES, _config, _with_production


def _without_id(tmp_path, engine):
    config = _config(tmp_path, engine)
    config.write_text(config.read_text().replace('id = "request_id"\n', ""))
    return config


@pytest.mark.parametrize("engine", ENGINES)
def test_copied_rows_are_found_by_their_values_missing_values_included(tmp_path, engine):
    config = _without_id(tmp_path, engine)
    data = frame(3000)
    copied = data.iloc[:200].sample(frac=1, random_state=1)
    assert copied["till"].isna().any()  # rows with a missing value are copies too
    fresh = frame(400, seed=7)
    told = _with_production(config, fresh._append(copied, ignore_index=True))
    message = told["[production] path"]
    assert message.startswith(
        "[production] path: 200 of the production sample's 600 rows equal a row of the dataset in "
        "every column both hold but the label"
    ), message
    assert "no [columns] id" in message and "ts" in message, message


@pytest.mark.parametrize("engine", ENGINES)
def test_new_requests_and_rows_served_at_another_time_are_no_problem(tmp_path, engine):
    import pandas as pd

    config = _without_id(tmp_path, engine)
    later = frame(3000).iloc[:200].assign(ts=lambda d: d["ts"] + pd.Timedelta(days=200))
    rows = frame(400, seed=7)._append(later, ignore_index=True)
    assert _with_production(config, rows) == {}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_label_alone_differing_or_absent_still_is_a_copy(tmp_path, engine):
    config = _without_id(tmp_path, engine)
    copied = frame(3000).iloc[100:150].drop(columns=["label"])  # production's labels arrive late
    told = _with_production(config, copied)
    assert told["[production] path"].startswith("[production] path: 50 of the production sample's 50 rows")


@pytest.mark.parametrize("engine", ENGINES)
def test_copies_whose_timestamps_are_written_in_another_unit_are_found(tmp_path, engine):
    """Review (stop 51): a copy whose `ts` is datetime64[ms] (Spark or pyarrow writes [us])
    compared with nothing: only columns of one dtype were compared."""
    config = _without_id(tmp_path, engine)
    copied = frame(3000).iloc[:100].assign(ts=lambda d: d["ts"].astype("datetime64[ms]"))
    told = _with_production(config, copied)
    assert told["[production] path"].startswith("[production] path: 100 of the production sample's 100 rows")


@pytest.mark.parametrize("engine", ENGINES)
def test_with_an_id_copies_under_new_ids_are_found_by_their_values(tmp_path, engine):
    """Review (stop 51): with `[columns] id`, copied rows whose ids were regenerated (or
    dropped) matched nothing: only ids were compared."""
    config = _config(tmp_path, engine)
    copied = frame(3000).iloc[:100].assign(request_id=[f"new{i}" for i in range(100)])
    told = _with_production(config, frame(200, seed=7)._append(copied, ignore_index=True))
    message = told["[production] path"]
    assert message.startswith("[production] path: 100 of the production sample's 300 rows equal a row"), (
        message
    )
    assert "request_id" not in message.split("columns:")[1].split(";")[0], message  # the id is not compared


@pytest.mark.parametrize("engine", ENGINES)
def test_a_production_timestamp_of_another_kind_is_a_setup_problem(tmp_path, engine):
    """Trial (stop 51): a copy of dataset rows whose `ts` was written as epoch integers
    passed (exit 0): the rows could not be compared, and nothing said the time column had
    changed kind."""
    config = _without_id(tmp_path, engine)
    copied = frame(3000).iloc[:100].assign(ts=lambda d: d["ts"].astype("int64") // 10**9)
    message = _with_production(config, copied)["[production] path"]
    assert "ts ([columns] timestamp)" in message and "int64" in message, message


@pytest.mark.parametrize("engine", ENGINES)
def test_excluded_columns_are_not_compared(tmp_path, engine):
    """Trial (stop 51): without `[columns] id` and request_id under `exclude`, copies with
    regenerated ids passed: the excluded id column was compared."""
    config = _without_id(tmp_path, engine)
    config.write_text(config.read_text().replace("[columns]\n", '[columns]\nexclude = ["request_id"]\n'))
    copied = frame(3000).iloc[:100].assign(request_id=[f"new{i}" for i in range(100)])
    told = _with_production(config, copied)
    assert told["[production] path"].startswith("[production] path: 100 of the production sample's 100 rows")
