"""Property tests of the split logic, and of the public helper users point at their own code.

Profiles: ``ci`` (derandomized, fixed examples) under CI=true, ``dev`` otherwise
(see the repository's conftest.py).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from sentinel_checks.checks import check_entity_overlap, check_row_overlap, check_time_order
from sentinel_checks.data.splits import SPLIT_PAIRS, assign_time_splits, group_time_split
from sentinel_checks.result import Status
from sentinel_checks.strategies import assert_sound_split, request_logs, split_boundaries


@st.composite
def log_and_boundaries(draw, **kw):
    log = draw(request_logs(**kw))
    val_start, test_start = draw(split_boundaries(log))
    return log, val_start, test_start


@given(log_and_boundaries())
def test_time_split_places_every_row_in_exactly_one_half_open_window(case):
    log, v, t = case
    out = assign_time_splits(log["request_ts"], val_start=v, test_start=t)
    ts = log["request_ts"]
    assert set(out) <= {"train", "val", "test"}  # no row lost without embargo or end
    assert (ts[out == "train"] < v).all()
    assert ((ts[out == "val"] >= v) & (ts[out == "val"] < t)).all()
    assert (ts[out == "test"] >= t).all()


@given(log_and_boundaries(tz="UTC"), st.sampled_from(["0s", "1h", "3h"]))
def test_time_split_respects_the_embargo(case, embargo):
    log, v, t = case
    out = assign_time_splits(log["request_ts"], val_start=v, test_start=t, embargo=embargo)
    frames = {name: log[out == name] for name in ("train", "val", "test")}
    for a, b in SPLIT_PAIRS:
        if len(frames[a]) and len(frames[b]):
            result = check_time_order(
                frames[a]["request_ts"], frames[b]["request_ts"], pair=(a, b), embargo=embargo
            )
            assert result.status is Status.PASS, result.message


@given(log_and_boundaries())
def test_group_time_split_is_sound(case):
    log, v, t = case

    def split(frame):
        return group_time_split(
            frame,
            timestamp="request_ts",
            entities=["user_id", "session_id"],
            val_start=v,
            test_start=t,
        )

    splits = assert_sound_split(split, log, entities=["user_id", "session_id"])
    for a, b in SPLIT_PAIRS:  # the leakage check is silent on a sound split
        if len(splits[a]) and len(splits[b]):
            r = check_entity_overlap(
                splits[a]["user_id"], splits[b]["user_id"], column="user_id", pair=(a, b)
            )
            assert r.status is Status.PASS


@given(log_and_boundaries(), st.data())
def test_entity_overlap_detects_an_injected_user(case, data):
    log, v, t = case
    splits = group_time_split(log, timestamp="request_ts", entities=["user_id"], val_start=v, test_start=t)
    later_name = data.draw(st.sampled_from(["val", "test"]))
    earlier, later = splits.train, splits[later_name].copy()
    if earlier.empty or later.empty:
        return
    row = data.draw(st.integers(0, len(later) - 1))
    later.iloc[row, later.columns.get_loc("user_id")] = earlier["user_id"].iloc[0]
    r = check_entity_overlap(
        earlier["user_id"], later["user_id"], column="user_id", pair=("train", later_name)
    )
    assert r.status is Status.FAIL
    assert earlier["user_id"].iloc[0] in r.evidence[0].items


@given(log_and_boundaries(), st.data())
def test_row_overlap_detects_a_copied_row_and_ignores_row_order(case, data):
    log, v, t = case
    splits = group_time_split(log, timestamp="request_ts", entities=["user_id"], val_start=v, test_start=t)
    if splits.train.empty or splits.val.empty:
        return
    features = ["amount", "country"]
    copied = splits.train.iloc[[data.draw(st.integers(0, len(splits.train) - 1))]]
    val = pd.concat([splits.val, copied.set_axis([-1])])
    shuffled = val.sample(frac=1.0, random_state=data.draw(st.integers(0, 99)))
    r1 = check_row_overlap(splits.train, val, columns=features, pair=("train", "val"), max_share=0.0)
    r2 = check_row_overlap(splits.train, shuffled, columns=features, pair=("train", "val"), max_share=0.0)
    # one copy in a small split: shown beyond the limit or inconclusive, never a pass
    assert r1.status in (Status.FAIL, Status.INCONCLUSIVE) and -1 in r1.evidence[0].items
    assert (r1.measured, r1.support) == (r2.measured, r2.support)


@given(log_and_boundaries())
def test_split_does_not_depend_on_row_order(case):
    log, v, t = case
    out = pd.Series(assign_time_splits(log["request_ts"], val_start=v, test_start=t), index=log.index)
    shuffled = log.sample(frac=1.0, random_state=1)
    again = pd.Series(
        assign_time_splits(shuffled["request_ts"], val_start=v, test_start=t), index=shuffled.index
    )
    assert out.equals(again.reindex(out.index))


# ---------------------------------------------------------------- the helper has teeth


def random_row_split(frame):
    """The incident's split: rows at random, users and times on every side."""
    rng = np.random.default_rng(0)
    return rng.choice(["train", "val", "test"], size=len(frame))


def inclusive_boundary_split(frame):
    """Off by one: a request exactly at the boundary lands in both train and val."""
    ts = frame["request_ts"]
    bound = ts.sort_values().iloc[len(ts) // 2]  # a real row's time
    return {"train": frame[ts <= bound], "val": frame[ts >= bound], "test": frame.iloc[:0]}


def time_only_split(frame):
    """Time-ordered, but a user active across the boundary is on both sides."""
    bound = frame["request_ts"].median()
    return np.where(frame["request_ts"] < bound, "train", "val")


@pytest.mark.parametrize(
    ("broken", "entities", "complaint"),
    [
        (random_row_split, ["user_id"], "unsound split"),
        (inclusive_boundary_split, [], "is in both 'train' and 'val'"),
        (time_only_split, ["user_id"], "splits.entity_overlap"),
    ],
)
def test_assert_sound_split_catches_a_broken_split_function(broken, entities, complaint):
    @given(request_logs(min_rows=10))
    # Finding one counterexample is the point; shrinking it would only cost time.
    @settings(report_multiple_bugs=False, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    def property_over_logs(log):
        assert_sound_split(broken, log, entities=entities)

    with pytest.raises(AssertionError, match=complaint):
        property_over_logs()


def test_assert_sound_split_catches_row_order_dependence():
    def by_position(frame):  # the first half of the rows as given, whatever their time
        half = len(frame) // 2
        return ["train"] * half + ["val"] * (len(frame) - half)

    log = pd.DataFrame(
        {
            "request_ts": pd.date_range("2025-01-01", periods=10, freq="h"),
            "user_id": [f"u{i}" for i in range(10)],
        }
    )
    with pytest.raises(AssertionError, match="depends on row order"):
        assert_sound_split(by_position, log, entities=["user_id"])


@given(request_logs(label_values=("fraud", "legit")))
def test_strategy_logs_have_what_the_properties_need(log):
    assert set(log["label"]) == {"fraud", "legit"}
    assert all(s.startswith(f"{u}-") for s, u in zip(log["session_id"], log["user_id"], strict=True))
    assert log.index.is_unique
