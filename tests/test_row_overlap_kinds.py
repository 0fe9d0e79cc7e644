"""``splits.row_overlap`` on the data shapes real logs have (issue 16, item 3): copies of
one event against coincidences of coarse features, an id used as a feature, the hint."""

import numpy as np
import pandas as pd

from sentinel_checks.checks import check_row_overlap
from sentinel_checks.result import Status

CODES = ["sex", "race", "education", "region"]


def census(n, *, seed, start=0):
    """People described by four codes of ~5 levels: distinct people share rows by chance."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.integers(0, 5, n) for c in CODES})
    frame["person_id"] = [f"p{i}" for i in range(start, start + n)]
    frame["interview_ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 365 * 24 * 3600, n)), unit="s"
    )
    frame["label"] = rng.random(n) < 0.2
    return frame.set_index(pd.RangeIndex(start, start + n))


RAW = [*CODES, "person_id", "interview_ts"]  # every column but the label (no split column here)


def judge(train, test, *, columns=CODES, **kw):
    kw.setdefault("copy_columns", RAW)
    kw.setdefault("event_columns", ["person_id", "interview_ts"])
    return check_row_overlap(train, test, columns=columns, pair=("train", "test"), **kw)


class TestCoarseFeaturesAreNotCopies:
    def test_a_coarse_census_table_passes_and_never_says_deduplicate(self):
        train, test = census(3000, seed=0), census(1500, seed=1, start=3000)
        r = judge(train, test)
        assert r.evidence[0].detail["share"] > 0.9  # nearly every person shares a row by chance
        assert r.status is Status.PASS, r.message
        assert "dedup" not in r.message.lower() and "dedup" not in r.hint.lower(), (r.message, r.hint)

    def test_without_ids_a_coarse_table_never_fails_nor_says_deduplicate(self):
        # no id or timestamp: nothing tells a copy from a coincidence, and at 1,500 rows the
        # noise of the chance rate (±0.5%) exceeds the 0.1% limit: inconclusive at worst, and
        # the hint says what would tell them apart
        train, test = census(3000, seed=0), census(1500, seed=1, start=3000)
        r = check_row_overlap(train, test, columns=CODES, pair=("train", "test"))
        assert r.status in (Status.PASS, Status.INCONCLUSIVE), r.message
        assert "dedup" not in r.message.lower() and "dedup" not in r.hint.lower(), (r.message, r.hint)
        assert "[columns] id and timestamp" in r.hint


class TestCopiesOfOneEvent:
    def test_true_copies_across_splits_fail_even_among_coincidences(self):
        # 1% of test are the same interviews as train rows (same person, same time):
        # among coarse codes the excess over chance is nil, but they are the same events
        train, test = census(3000, seed=0), census(1500, seed=1, start=3000)
        copied = train.iloc[:15]
        test = pd.concat([test.iloc[15:], copied.set_axis(range(9000, 9015))])
        r = judge(train, test)
        assert r.status is Status.FAIL, r.message
        assert r.measured == 15 / 1500
        assert r.support["copies"] == 15
        assert list(r.evidence[0].items) == list(range(9000, 9010))  # capped at 10
        assert "person_id" in r.message and "interview_ts" in r.message

    def test_a_raw_column_that_cannot_be_hashed_falls_back_to_features_and_events(self):
        train, test = census(3000, seed=0), census(1500, seed=1, start=3000)
        test = pd.concat([test.iloc[15:], train.iloc[:15].set_axis(range(9000, 9015))])
        train, test = train.assign(tags=[["a"]] * len(train)), test.assign(tags=[["a"]] * len(test))
        r = judge(train, test, copy_columns=[*RAW, "tags"])
        assert r.status is Status.FAIL and r.support["copies"] == 15, r.message
        assert r.parameters["copies_compared_on"] == "features and person_id, interview_ts"

    def test_clean_splits_report_no_copies(self):
        train, test = census(3000, seed=0), census(1500, seed=1, start=3000)
        r = judge(train, test)
        assert r.support["copies"] == 0
        assert "no test row is a copy" in r.message, r.message


class TestIdAsFeature:
    def requests(self, n, *, seed, start=0):
        rng = np.random.default_rng(seed)
        return pd.DataFrame(
            {
                "row_id": np.arange(start, start + n),
                "amount": rng.lognormal(3, 1, n),
                "country": rng.choice(["US", "BR", "DE"], n),
            },
            index=range(start, start + n),
        )

    def test_an_id_among_the_features_is_named_and_the_overlap_computed_without_it(self):
        train, val = self.requests(4000, seed=0), self.requests(2000, seed=1, start=4000)
        retried = train.iloc[:100].copy()  # 5% of val: retries of train requests, logged with new ids
        retried["row_id"] = np.arange(10_000, 10_100)
        val = pd.concat([val.iloc[100:], retried.set_axis(range(10_000, 10_100))])
        r = check_row_overlap(train, val, columns=["row_id", "amount", "country"], pair=("train", "val"))
        assert r.status is Status.FAIL, r.message
        assert "'row_id'" in r.message and "unique per row" in r.message, r.message
        assert r.evidence[0].detail["excess"] == 0.05
        assert r.measured == r.evidence[0].detail["interval"][0]  # the end that decided the fail
        assert r.parameters["dropped_id_like"] == "row_id"

    def test_an_id_among_clean_features_is_a_warning_never_a_silent_pass(self):
        train, val = self.requests(4000, seed=0), self.requests(2000, seed=1, start=4000)
        r = check_row_overlap(train, val, columns=["row_id", "amount", "country"], pair=("train", "val"))
        assert r.status is Status.WARN, r.message
        assert "every feature row is unique because 'row_id' is unique per row" in r.message, r.message
        assert "[columns] id" in r.hint

    def test_a_continuous_measurement_unique_per_row_is_not_an_id(self):
        train, val = self.requests(4000, seed=0), self.requests(2000, seed=1, start=4000)
        r = check_row_overlap(train, val, columns=["amount", "country"], pair=("train", "val"))
        assert r.status is Status.PASS, r.message
        assert "unique per row" not in r.message

    def test_only_an_id_to_compare_is_inconclusive(self):
        train, val = self.requests(400, seed=0), self.requests(200, seed=1, start=400)
        r = check_row_overlap(train, val, columns=["row_id"], pair=("train", "val"))
        assert r.status is Status.INCONCLUSIVE, r.message
        assert "'row_id'" in r.message


class TestHint:
    def duplicated_log(self):
        rng = np.random.default_rng(0)
        a = pd.DataFrame({"amount": rng.lognormal(3, 1, 2500), "country": rng.choice(["US", "BR"], 2500)})
        log = pd.concat([a, a], ignore_index=True).sample(frac=1.0, random_state=0)
        return log.iloc[:3500], log.iloc[3500:]

    def test_without_entities_it_suggests_configuring_one(self):
        train, test = self.duplicated_log()
        r = check_row_overlap(train, test, columns=["amount", "country"], pair=("train", "test"))
        assert r.status is Status.INCONCLUSIVE
        assert "configure the session or user as an entity" in r.message

    def test_with_entities_configured_it_points_to_their_check_instead(self):
        train, test = self.duplicated_log()
        r = check_row_overlap(
            train, test, columns=["amount", "country"], pair=("train", "test"), entities=["session_id"]
        )
        assert r.status is Status.INCONCLUSIVE
        text = r.message + " " + r.hint
        assert "configure the session" not in text and "as an entity" not in text, text
        assert "splits.entity_overlap on session_id" in r.message, r.message


def test_only_the_feature_repeats_count_the_earlier_rows_repeating_each_other():
    """The copies (every raw column) never read ``within`` (an engine's GROUP BY over every
    earlier row): it is counted for the compared features only, once."""
    from sentinel_checks.stats.row_repeats import RowRepeats, row_repeats

    train, test = census(3000, seed=0), census(1500, seed=1, start=3000)
    counted: list[tuple[str, ...]] = []

    def repeats(names):
        got = row_repeats(train, test, names)

        def within() -> int:
            counted.append(tuple(names))
            return got.within

        return RowRepeats(got.mask, got.count, within)

    r = judge(train, test, repeats=repeats)
    assert r.status is Status.PASS, r.message
    assert counted == [tuple(CODES)]
    assert r.support["duplicates_within_train"] == row_repeats(train, test, CODES).within


def test_a_counted_within_is_read_once_and_given_as_a_number_is_kept():
    from sentinel_checks.stats.row_repeats import RowRepeats

    calls: list[int] = []
    lazy = RowRepeats(np.zeros(2, bool), 0, lambda: calls.append(1) or 7)
    assert calls == []  # not counted when made
    assert (lazy.within, lazy.within, calls) == (7, 7, [1])
    assert RowRepeats(np.zeros(2, bool), 0, 3).within == 3
