"""A production sample with no rows is a setup problem, as an empty dataset is (stop 51:
an empty `[production] path` ran the whole gate, exit 1, with an error under
contract.schema[production] and drift.scores[test→production], and "not judged" lines for
the rest; an empty dataset stops at the preflight, exit 2). The export went wrong, or there
is no production sample yet: either way the gate cannot compare production."""

from __future__ import annotations

import pytest

from tests.test_engine_lazy_splits import frame
from tests.test_production_rows_in_dataset import ENGINES, _config, _new_requests, _with_production


@pytest.mark.parametrize("engine", ENGINES)
def test_an_empty_production_sample_is_a_setup_problem_naming_its_file(tmp_path, engine):
    config = _config(tmp_path, engine)
    told = _with_production(config, frame(50).iloc[:0])
    assert told.keys() == {"[production] path"}, told
    message = told["[production] path"]
    assert "production.parquet" in message and "has no rows" in message, message
    assert "remove [production]" in message, message  # the way out when there is no sample yet


@pytest.mark.parametrize("engine", ENGINES)
def test_a_production_sample_of_one_row_is_no_such_problem(tmp_path, engine):
    config = _config(tmp_path, engine)
    assert _with_production(config, _new_requests(50).iloc[:1]) == {}


def test_the_cli_stops_before_any_check_on_an_empty_production_sample(tmp_path):
    from sentinel_checks.cli import main

    config = _config(tmp_path, "duckdb")
    frame(50).iloc[:0].to_parquet(tmp_path / "production.parquet", index=False)
    config.write_text(config.read_text() + '\n[production]\npath = "production.parquet"\n')
    reports = tmp_path / "reports"
    assert main(["gate", "--config", str(config), "--reports", str(reports)]) == 2
    assert "has no rows" in (reports / "gate.md").read_text()
