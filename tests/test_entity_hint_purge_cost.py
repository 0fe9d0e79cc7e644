"""The purge cost the ``splits.entity_overlap`` hint states for a pair ending in test
counts every test row the purge drops: ids seen in train *or* val (the purge's rule),
checked against a brute-force count on both engines."""

from __future__ import annotations

import pandas as pd
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from tests.conftest import BASE_CONFIG

DATA = '[data]\npath = "data/requests.parquet"\n'


def _planted(offline: pd.DataFrame) -> pd.DataFrame:
    """Users seen in val and test but never in train."""
    frame = offline.copy()
    ts = pd.to_datetime(frame["request_ts"])
    val = frame.index[(ts >= "2025-09-16") & (ts < "2025-09-30")][:60]
    test = frame.index[ts >= "2025-10-03"][:600]
    frame["user_id"] = frame["user_id"].astype(str)
    frame.loc[val, "user_id"] = [f"val-and-test-{i % 20}" for i in range(len(val))]
    frame.loc[test, "user_id"] = [f"val-and-test-{i % 20}" for i in range(len(test))]
    return frame


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_the_train_test_hint_counts_test_rows_whose_id_is_in_train_or_val(gate_project, small_log, engine):
    config = BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n').replace(
        "purge_entities = true", "purge_entities = false"
    )
    project = gate_project(offline=_planted(small_log.offline), config_text=config)
    session = GateSession(load_config(project.config))
    train, val, test = (session.splits[name]["user_id"] for name in ("train", "val", "test"))
    brute = int(test.isin(set(train) | set(val)).sum())
    train_only = int(test.isin(set(train)).sum())
    assert brute > train_only  # the planted users make the two counts differ
    result = steps.entity_overlap(session, "user_id", ("train", "test"))
    assert result.support["rows_purged"] == brute, result.support
    share = brute / len(test)
    assert f"{share:.0%} of test rows" in result.hint, result.hint
    assert result.support["rows_affected"] == train_only  # the overlap itself is train's
    val_test = steps.entity_overlap(session, "user_id", ("val", "test"))
    assert val_test.support["rows_purged"] == brute  # the same purge, whichever pair shows it
    train_val = steps.entity_overlap(session, "user_id", ("train", "val"))
    assert train_val.support["rows_purged"] == int(val.isin(set(train)).sum())
