"""A production sample holding rows of the dataset is a setup problem (trial, stop 50:
a shuffled copy of the test split's rows given as `[production] path` passed the gate,
exit 0: every test→production check compared rows with themselves; the preflight caught
only a file with the same bytes). Rows are matched on `[columns] id`, in the engine when
the data is read where it lies."""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_engine_fail_fast import _problems, _project
from tests.test_engine_lazy_splits import frame

ENGINES = ["duckdb", "pandas"]


def _config(tmp_path, engine: str):
    config = _project(tmp_path, rows=3000)
    if engine == "pandas":
        text = (
            config.read_text()
            .replace('engine = "duckdb"\n', "")
            .replace('path = "parts"', 'path = "parts/*/*.parquet"')
        )
        config.write_text(text)
    return config


def _with_production(config, rows) -> dict[str, str]:
    path = config.parent / "production.parquet"
    rows.to_parquet(path, index=False)
    config.write_text(config.read_text() + '\n[production]\npath = "production.parquet"\n')
    return _problems(config)


def _new_requests(n: int):
    fresh = frame(n, seed=7)
    fresh["request_id"] = [f"p{i}" for i in range(n)]  # requests the dataset does not hold
    return fresh


@pytest.mark.parametrize("engine", ENGINES)
def test_production_rows_that_are_dataset_rows_are_a_setup_problem(tmp_path, engine):
    config = _config(tmp_path, engine)
    copied = frame(3000).iloc[2500:].sample(frac=1, random_state=3)  # the last 500 rows, shuffled
    rows = _new_requests(300)._append(copied, ignore_index=True)
    told = _with_production(config, rows)["[production] path"]
    assert told.startswith(
        "[production] path: 500 of the production sample's 800 rows carry a request_id ([columns] id) "
        "that is a row of the dataset too"
    ), told
    assert "compares rows with themselves" in told and "(e.g. r2" in told, told


@pytest.mark.parametrize("engine", ENGINES)
def test_production_of_other_requests_is_no_problem_and_missing_ids_never_match(tmp_path, engine):
    config = _config(tmp_path, engine)
    _with_null_ids(tmp_path)  # the dataset's missing ids: a null must not match a null
    rows = _new_requests(400)
    rows.loc[rows.index[:10], "request_id"] = None  # no id: belongs to no request, as in the dataset
    assert _with_production(config, rows) == {}


def _with_null_ids(tmp_path):
    """The dataset's parts rewritten with the first 20 request ids of each part missing."""
    data = frame(3000)
    for i, part in enumerate(sorted((tmp_path / "parts").glob("part-*"))):
        rows = data.iloc[i * 750 : (i + 1) * 750].copy()
        rows.loc[rows.index[:20], "request_id"] = None
        rows.to_parquet(part / "data.parquet", index=False)


def _int_ids(tmp_path):
    """The dataset's parts rewritten with integer request ids 0..2999."""
    data = frame(3000)
    data["request_id"] = np.arange(3000)
    for i, part in enumerate(sorted((tmp_path / "parts").glob("part-*"))):
        data.iloc[i * 750 : (i + 1) * 750].to_parquet(part / "data.parquet", index=False)
    return data


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "as_written",
    [
        lambda ids: ids,  # integers both sides
        lambda ids: ids.astype(str),  # text beside integers (review: pandas matched nothing)
        lambda ids: ids.astype("float64").where(ids != ids.iloc[0]),  # a CSV's floats, one null (review)
        lambda ids: ids.astype("int32"),  # another integer width
    ],
    ids=["int", "text", "float-with-null", "int32"],
)
def test_the_same_ids_match_whatever_type_production_writes_them_in(tmp_path, engine, as_written):
    """The dataset's integer ids, written in production as text, as floats (a CSV column
    with a missing id reads as float64) or another width, are the same requests: compared
    as integers, as numbers, or as text with a whole float written as an integer."""
    config = _config(tmp_path, engine)
    data = _int_ids(tmp_path)
    rows = data.iloc[2500:].assign(request_id=lambda d: as_written(d["request_id"]))
    expected = int(rows["request_id"].notna().sum())
    told = _with_production(config, rows)["[production] path"]
    assert told.startswith(f"[production] path: {expected} of the production sample's 500 rows"), told


@pytest.mark.parametrize("engine", ENGINES)
def test_whole_floats_match_integer_ids_and_other_floats_do_not(tmp_path, engine):
    config = _config(tmp_path, engine)
    data = _int_ids(tmp_path)
    rows = data.iloc[:300].assign(
        request_id=lambda d: (d["request_id"] + 0.5).where(d.index >= 3, d["request_id"])
    )
    told = _with_production(config, rows.astype({"request_id": "float64"}))["[production] path"]
    assert told.startswith("[production] path: 3 of the production sample's 300 rows"), (
        told
    )  # 0.5 apart: others
