import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks import (
    check_entity_overlap,
    check_row_overlap,
    check_target_leakage,
    check_time_order,
)
from sentinel_checks.result import Status


def stamps(*values):
    return pd.Series(pd.to_datetime(list(values)))


class TestTimeOrder:
    def test_ordered_splits_pass(self):
        r = check_time_order(stamps("2025-01-01", "2025-01-31"), stamps("2025-02-01"), pair=("train", "val"))
        assert r.status is Status.PASS
        assert r.measured == 0

    def test_interleaved_splits_fail_with_the_window_and_counts(self):
        r = check_time_order(
            stamps("2025-01-01", "2025-02-10"),
            stamps("2025-02-01", "2025-02-20"),
            pair=("train", "val"),
        )
        assert r.status is Status.FAIL
        detail = r.evidence[0].detail
        assert detail["train_max"] == pd.Timestamp("2025-02-10")
        assert detail["val_min"] == pd.Timestamp("2025-02-01")
        assert detail["val_rows_too_early"] == 1
        assert detail["train_rows_too_late"] == 1
        assert r.measured == 2

    def test_a_tie_at_the_boundary_is_out_of_order(self):
        r = check_time_order(stamps("2025-01-01"), stamps("2025-01-01", "2025-01-02"), pair=("train", "val"))
        assert r.status is Status.FAIL

    def test_embargo(self):
        train, val = stamps("2025-01-01"), stamps("2025-01-02 12:00")
        assert check_time_order(train, val, pair=("train", "val"), embargo="1D").status is Status.PASS
        r = check_time_order(train, val, pair=("train", "val"), embargo="2D")
        assert r.status is Status.FAIL
        assert "embargo 2 days" in r.message

    def test_empty_split_is_an_error(self):
        r = check_time_order(stamps("2025-01-01"), stamps(), pair=("train", "val"))
        assert r.status is Status.ERROR
        assert "'val'" in r.message


class TestEntityOverlap:
    def test_disjoint_entities_pass(self):
        r = check_entity_overlap(
            pd.Series(["a", "b"]), pd.Series(["c", "d"]), column="user_id", pair=("train", "val")
        )
        assert r.status is Status.PASS

    def test_shared_entities_fail_with_sorted_examples(self):
        r = check_entity_overlap(
            pd.Series(["u9", "u1", "u5"]),
            pd.Series(["u5", "u9", "u9", "u7"]),
            column="user_id",
            pair=("train", "test"),
        )
        assert r.status is Status.FAIL
        assert r.measured == pytest.approx(2 / 3)
        assert list(r.evidence[0].items) == ["u5", "u9"]
        assert r.support["rows_affected"] == 3
        assert "user_id" in r.message and "test" in r.message

    def test_share_limit(self):
        earlier = pd.Series([f"u{i}" for i in range(100)])
        later = pd.Series([f"u{i}" for i in range(99, 199)])
        assert (
            check_entity_overlap(earlier, later, column="u", pair=("a", "b"), max_share=0.01).status
            is Status.PASS
        )
        assert (
            check_entity_overlap(earlier, later, column="u", pair=("a", "b"), max_share=0.0).status
            is Status.FAIL
        )

    def test_null_ids_are_not_entities(self):
        r = check_entity_overlap(pd.Series(["a", None]), pd.Series([None, "b"]), column="u", pair=("a", "b"))
        assert r.status is Status.PASS

    def test_integer_ids(self):
        r = check_entity_overlap(pd.Series([1, 2, 3]), pd.Series([3, 4]), column="u", pair=("a", "b"))
        assert r.status is Status.FAIL and list(r.evidence[0].items) == [3]

    def test_empty_split_is_an_error(self):
        r = check_entity_overlap(pd.Series(["a"]), pd.Series([], dtype=object), column="u", pair=("a", "b"))
        assert r.status is Status.ERROR


class TestRowOverlap:
    def frames(self, n=20_000, seed=0):
        rng = np.random.default_rng(seed)
        a = pd.DataFrame({"amount": rng.lognormal(3, 1, n), "country": rng.choice(["US", "BR", "DE"], n)})
        b = pd.DataFrame(
            {"amount": rng.lognormal(3, 1, n // 2), "country": rng.choice(["US", "BR", "DE"], n // 2)},
            index=range(10**6, 10**6 + n // 2),
        )
        return a, b

    def test_distinct_rows_pass(self):
        a, b = self.frames()
        r = check_row_overlap(a, b, columns=["amount", "country"], pair=("train", "val"))
        assert r.status is Status.PASS, r.message
        assert r.measured == 0.0

    def test_copied_rows_fail_and_name_their_index(self):
        a, b = self.frames()
        copied = b.index[:200]  # 2% of val copies train rows (retries landing on both sides)
        b.loc[copied, ["amount", "country"]] = a.iloc[:200][["amount", "country"]].to_numpy()
        r = check_row_overlap(a, b, columns=["amount", "country"], pair=("train", "val"))
        assert r.status is Status.FAIL, r.message
        assert list(r.evidence[0].items) == list(copied[:10])
        assert r.evidence[0].detail["excess"] == pytest.approx(0.02)
        assert r.measured == r.evidence[0].detail["interval"][0]  # the end that decided the fail
        assert r.evidence[0].detail["chance_share"] == 0.0

    def test_coincidences_on_coarse_features_are_not_copies(self):
        # three codes, every row repeats another by chance: a fresh sample repeats train as
        # often as train repeats itself, so the excess is 0 (it failed on the raw share before)
        rng = np.random.default_rng(1)
        a = pd.DataFrame({"code": rng.integers(0, 3, 30_000), "band": rng.integers(0, 4, 30_000)})
        b = pd.DataFrame({"code": rng.integers(0, 3, 20_000), "band": rng.integers(0, 4, 20_000)})
        r = check_row_overlap(a, b, columns=["code", "band"], pair=("train", "val"))
        assert r.evidence[0].detail["share"] == 1.0 and r.evidence[0].detail["excess"] == 0.0
        assert r.measured == r.evidence[0].detail["interval"][1] <= r.limit  # the end that decided the pass
        assert r.status is Status.PASS, r.message

    def test_a_small_split_is_inconclusive_with_the_rows_that_would_settle_it(self):
        a, b = self.frames(n=400)
        b.iloc[0, :] = a.iloc[0][["amount", "country"]].to_numpy()  # 1 of 200: 0.5%, limit 0.1%
        r = check_row_overlap(a, b, columns=["amount", "country"], pair=("train", "val"))
        assert r.status is Status.INCONCLUSIVE, r.message
        assert r.needed["n_val"] > len(b)

    def test_a_small_clean_split_passes(self):
        a, b = self.frames(n=2000)  # 1,000 val rows, none repeated: no interval needed
        r = check_row_overlap(a, b, columns=["amount", "country"], pair=("train", "val"))
        assert r.status is Status.PASS, r.message

    def test_a_duplicated_log_split_at_random_is_never_a_pass(self):
        # every row twice, split at random: copies sit within train as often as across, so no
        # excess is shown; the check must not call that clean (it is inconclusive, and says why)
        a, _ = self.frames(n=5000)
        log = pd.concat([a, a], ignore_index=True).sample(frac=1.0, random_state=0)
        train, test = log.iloc[:7000], log.iloc[7000:]
        r = check_row_overlap(train, test, columns=["amount", "country"], pair=("train", "test"))
        assert r.status is not Status.PASS, r.message
        assert "configure the session or user as an entity" in r.message

    def test_no_features_is_an_error(self):
        a, b = self.frames()
        assert check_row_overlap(a, b, columns=[], pair=("train", "val")).status is Status.ERROR


class TestTargetLeakage:
    def data(self, n=2000, seed=0):
        rng = np.random.default_rng(seed)
        y = rng.random(n) < 0.1
        frame = pd.DataFrame(
            {
                "amount": rng.lognormal(3, 1, n) * np.where(y, 1.3, 1.0),
                "country": rng.choice(["US", "BR", "DE"], n),
                "request_code": [f"c{i}" for i in range(n)],  # unique per row: an id, not a leak
            }
        )
        return frame, y

    def test_honest_features_pass(self):
        frame, y = self.data()
        r = check_target_leakage(frame, y, features=list(frame.columns))
        assert r.status is Status.PASS, r.message
        assert r.measured < 0.95

    def test_label_plus_noise_is_flagged(self):
        frame, y = self.data()
        frame["chargeback_score"] = y + np.random.default_rng(1).normal(0, 0.2, len(y))
        r = check_target_leakage(frame, y, features=list(frame.columns))
        assert r.status is Status.FAIL
        assert r.evidence[0].detail["leaky"] == ["chargeback_score"]

    def test_categorical_that_encodes_the_label_is_flagged(self):
        frame, y = self.data()
        frame["review_outcome"] = np.where(y, "blocked", "ok")
        r = check_target_leakage(frame, y, features=list(frame.columns))
        assert r.status is Status.FAIL
        assert "review_outcome" in r.message

    def test_missing_only_for_one_class_is_flagged(self):
        frame, y = self.data()
        frame["investigation_days"] = np.where(y, 3.0, np.nan)
        r = check_target_leakage(frame, y, features=["amount", "investigation_days"])
        assert r.status is Status.FAIL
        assert "investigation_days" in r.message

    def test_constant_within_one_class_is_flagged(self):
        frame, y = self.data()
        rng = np.random.default_rng(2)
        frame["manual_flag"] = np.where(y, rng.integers(0, 2, len(y)), 0)
        r = check_target_leakage(frame, y, features=["amount", "manual_flag"], max_auc=0.99)
        assert r.status is Status.FAIL
        assert "constant within one class" in r.message

    def test_one_class_is_an_error(self):
        frame, _ = self.data()
        r = check_target_leakage(frame, np.zeros(len(frame), dtype=bool), features=["amount"])
        assert r.status is Status.ERROR

    def test_same_answer_twice(self):
        frame, y = self.data()
        a = check_target_leakage(frame, y, features=list(frame.columns), seed=5)
        b = check_target_leakage(frame, y, features=list(frame.columns), seed=5)
        assert a.to_dict() == b.to_dict()
