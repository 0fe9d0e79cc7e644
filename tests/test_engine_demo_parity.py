"""On the demo's request log, the engine's split statistics equal the pandas ones for
both stories: the incident's random row split (overlaps everywhere) and the fixed
time+user split (none), so the verdicts they decide cannot differ by engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.data.splits import group_time_split
from sentinel_checks.demo.data import FEATURES_BASE, LEAKY_FEATURE, generate
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.leakage_statistics import monotone_auc
from sentinel_checks.engine.row_repeats import row_repeats
from sentinel_checks.engine.split_statistics import shared_entities, time_order
from sentinel_checks.entities import shared_entities as pandas_shared
from sentinel_checks.result import EVIDENCE_CAP
from sentinel_checks.stats.leakage import numeric_view, symmetric_auc, time_range
from sentinel_checks.stats.row_repeats import row_repeats as pandas_row_repeats

PAIRS = [("train", "val"), ("train", "test"), ("val", "test")]
EMBARGO = pd.Timedelta("1D")


@pytest.fixture(scope="module")
def stories() -> dict[str, dict[str, pd.DataFrame]]:
    log = generate(20_000, seed=3).offline
    fixed = group_time_split(
        log,
        timestamp="request_ts",
        entities=["user_id", "session_id"],
        val_start="2025-09-15",
        test_start="2025-10-01",
        embargo="1D",
    )
    where = np.random.default_rng(0).choice(["train", "val", "test"], size=len(log), p=[0.6, 0.2, 0.2])
    incident = {name: log[where == name].reset_index(drop=True) for name in ("train", "val", "test")}
    return {
        "fixed": {name: getattr(fixed, name).reset_index(drop=True) for name in ("train", "val", "test")},
        "incident": incident,
    }


@pytest.mark.parametrize("story", ["incident", "fixed"])
def test_demo_split_statistics_equal_pandas(stories, story):
    splits = stories[story]
    con = connect_duckdb(threads=1)
    tables = {name: table_from_frame(con, frame, name=name) for name, frame in splits.items()}
    overlaps = 0
    for a, b in PAIRS:
        got = time_order(tables[a], tables[b], "request_ts", gap=EMBARGO)
        first, second = time_range(splits[a]["request_ts"]), time_range(splits[b]["request_ts"])
        want = (
            int((splits[b]["request_ts"] < first.max + EMBARGO).sum()),
            int((splits[a]["request_ts"] > second.min - EMBARGO).sum()),
        )
        assert (got.first, got.second) == (first, second)
        assert (got.later_too_early, got.earlier_too_late) == want
        overlaps += sum(want)
        for entity in ("user_id", "session_id"):
            mine = shared_entities(tables[a], tables[b], [entity])
            theirs = pandas_shared(splits[a][entity], splits[b][entity])
            assert (mine.n_earlier, mine.n_later, mine.later_rows) == (
                theirs.n_earlier,
                theirs.n_later,
                theirs.later_rows,
            )
            assert mine.count == theirs.count
            assert mine.shared.tolist() == theirs.shared.tolist()[:EVIDENCE_CAP]
            overlaps += theirs.count
        mine_rows = row_repeats(tables[a], tables[b], FEATURES_BASE)
        theirs_rows = pandas_row_repeats(splits[a], splits[b], FEATURES_BASE)
        assert (mine_rows.count, mine_rows.within) == (theirs_rows.count, theirs_rows.within)
        assert np.array_equal(mine_rows.mask, theirs_rows.mask)
    # the incident's random split overlaps in time and users; the fixed one does not
    assert (overlaps > 0) == (story == "incident")
    y = (splits["train"]["label"] == "risky").to_numpy()
    for feature in ("amount", "account_age_days", "hour", "ip_risk", LEAKY_FEATURE):
        want_auc = symmetric_auc(y, numeric_view(splits["train"][feature]))
        got_auc = monotone_auc(tables["train"], feature, label="label", positive="risky")
        assert got_auc == pytest.approx(want_auc, rel=1e-12, abs=0), feature
