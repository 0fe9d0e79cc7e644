import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks import check_labels, check_schema
from sentinel_checks.config import Columns, FeatureRule
from sentinel_checks.reasons import Reason
from sentinel_checks.result import Status

COLUMNS = Columns(label="label", positive="fraud", negative="legit", timestamp="ts", entities=["user_id"])


def frame(n=20):
    return pd.DataFrame(
        {
            "label": ["fraud", "legit"] * (n // 2),
            "ts": pd.date_range("2025-01-01", periods=n, freq="h"),
            "user_id": [f"u{i % 5}" for i in range(n)],
            "amount": np.linspace(1, 100, n),
            "channel": ["web", "app"] * (n // 2),
        }
    )


def schema(df, **kw):
    kw.setdefault("features", ["amount", "channel"])
    return check_schema(df, columns=COLUMNS, **kw)


def test_clean_frame_passes():
    result = schema(frame())
    assert result.status is Status.PASS, result.message
    # the columns checked out of the data's, so the count agrees with support (trial)
    columns = result.support["columns"]
    assert columns == len(frame().columns) and f" of its {columns} column(s)" in result.message, (
        result.message
    )


def test_null_entity_ids_pass_the_contract():  # a row without an id belongs to no entity (issue 16)
    df = frame()
    df.loc[5, "user_id"] = None
    assert schema(df).status is Status.PASS


def fault_missing_column(df):
    return df.drop(columns="amount")


def fault_label_outside(df):
    df.loc[3, "label"] = "maybe"
    return df


def fault_null_label(df):
    df.loc[4, "label"] = None
    return df


def fault_text_timestamp(df):
    df["ts"] = df["ts"].astype(str)
    return df


@pytest.mark.parametrize(
    ("fault", "column"),
    [
        (fault_missing_column, "amount"),
        (fault_label_outside, "label"),
        (fault_null_label, "label"),
        (fault_text_timestamp, "ts"),
    ],
)
def test_planted_contract_violation_fails_and_names_the_column(fault, column):
    result = schema(fault(frame()))
    assert result.status is Status.FAIL
    assert column in result.message
    assert any(ev.detail["column"] == column for ev in result.evidence)
    assert result.measured >= 1


def test_feature_rules_report_failure_rows_and_total():
    df = frame()
    df.loc[[2, 7], "amount"] = -1.0
    df.loc[9, "channel"] = "fax"
    rules = {
        "amount": FeatureRule(min=0.0),
        "channel": FeatureRule(allowed=["web", "app"]),
    }
    result = schema(df, rules=rules)
    assert result.status is Status.FAIL
    by_column = {ev.detail["column"]: ev for ev in result.evidence}
    assert by_column["amount"].total == 2
    assert list(by_column["amount"].items) == [2, 7]
    assert by_column["channel"].detail["examples"] == ["fax"]


def test_dtype_rule():
    result = schema(frame(), rules={"channel": FeatureRule(dtype="numeric")})
    assert result.status is Status.FAIL
    assert "not of dtype numeric" in result.message


def test_production_labels_may_be_missing_but_not_wrong():
    df = frame()
    df["label"] = df["label"].astype(object)
    df.loc[[0, 1, 2], "label"] = None
    assert schema(df, label_required=False).status is Status.PASS
    df.loc[3, "label"] = "maybe"
    assert schema(df, label_required=False).status is Status.FAIL


def test_empty_frame_is_an_error():
    assert schema(frame().iloc[:0]).status is Status.ERROR


@pytest.mark.parametrize(
    ("y", "reason"),
    [
        (np.array([], dtype=bool), Reason.EMPTY),
        (np.zeros(500, dtype=bool), Reason.ONE_CLASS),
        (np.ones(500, dtype=bool), Reason.ONE_CLASS),
        (np.r_[np.ones(29, dtype=bool), np.zeros(500, dtype=bool)], Reason.TOO_FEW_ROWS),
    ],
)
def test_labels_fail_when_a_split_cannot_be_judged(y, reason):
    result = check_labels(y, split="val", min_positives=30, min_negatives=30)
    assert result.status is Status.FAIL
    assert result.reason is reason
    assert "val" in result.message


def test_labels_pass_with_enough_of_each_class():
    y = np.r_[np.ones(30, dtype=bool), np.zeros(500, dtype=bool)]
    result = check_labels(y, split="test", min_positives=30, min_negatives=30)
    assert result.status is Status.PASS
    assert result.support == {"n": 530, "n_positive": 30, "n_negative": 500}
    assert result.evidence[0].detail["prevalence"] == pytest.approx(30 / 530)


class TestRowIdsAndFeatureHealth:
    """Ids unique and present; features never entirely empty, never constant offline;
    production keeps each feature's kind."""

    with_id = Columns(label="label", positive="fraud", negative="legit", timestamp="ts", id="request_id")

    def framed(self, n=20):
        df = frame(n)
        df["request_id"] = [f"r{i}" for i in range(n)]
        return df

    def judge(self, df, **kw):
        kw.setdefault("features", ["amount", "channel"])
        return check_schema(df, columns=self.with_id, **kw)

    def test_clean_frame_with_ids_passes(self):
        assert self.judge(self.framed()).status is Status.PASS

    @pytest.mark.parametrize(
        ("mutate", "needle"),
        [
            (lambda df: df.assign(request_id="same"), "request_id: duplicate values"),
            (lambda df: df.assign(request_id=None), "request_id: null values"),
            (lambda df: df.assign(amount=np.nan), "amount: null in every row"),
        ],
        ids=["duplicate ids", "null ids", "all-null feature"],
    )
    def test_planted_fault_fails_and_names_it(self, mutate, needle):
        result = self.judge(mutate(self.framed()))
        assert result.status is Status.FAIL
        assert needle in result.message, result.message

    def test_a_constant_feature_is_a_warning_naming_it(self):
        # issue 16: a constant feature carries no information but breaks nothing (warn)
        result = self.judge(self.framed().assign(channel="web"))
        assert result.status is Status.WARN
        assert "'channel' (always web)" in result.message, result.message

    def test_production_may_be_constant_but_not_empty_nor_change_kind(self):
        offline = self.framed()
        one_channel = self.framed().assign(channel="web")
        ok = self.judge(one_channel, label_required=False, reference=offline)
        assert ok.status is Status.PASS, ok.message  # a small batch from one channel is fine
        text_amount = self.framed().assign(amount=[f"{v:.2f} EUR" for v in offline["amount"]])
        bad = self.judge(text_amount, label_required=False, reference=offline)
        assert bad.status is Status.FAIL
        assert "amount: kind is numeric as offline" in bad.message
        empty = self.judge(self.framed().assign(channel=None), label_required=False, reference=offline)
        assert "channel: null in every row" in empty.message


def test_examples_and_rows_are_the_first_in_row_order_whatever_order_pandera_gives():
    # > 16 failure cases: pandera sorts them with an unstable sort; the examples are the
    # first 5 distinct failing values in row order and the rows the first 10, as the engine
    # (sentinel_checks.engine.contract_counts) reads them
    df = frame(200)
    bad = np.arange(3, 200, 4)
    df.loc[bad, "channel"] = [f"c{(7 * i) % 11}" for i in range(len(bad))]
    df.loc[bad[::2] + 1, "amount"] = -np.arange(len(bad[::2])) - 1.0
    result = schema(
        df, rules={"amount": FeatureRule(min=0.0), "channel": FeatureRule(allowed=["web", "app"])}
    )
    by_column = {ev.detail["column"]: ev for ev in result.evidence}
    channel = df.loc[bad, "channel"]
    assert by_column["channel"].detail["examples"] == list(pd.unique(channel))[:5]
    assert list(by_column["channel"].items) == bad[:10].tolist()
    assert list(by_column["amount"].items) == (bad[::2] + 1)[:10].tolist()
    assert by_column["amount"].detail["examples"] == ["-1.0", "-2.0", "-3.0", "-4.0", "-5.0"]


@pytest.mark.parametrize(
    ("risky", "safe", "status"),
    [(470, 30, Status.WARN), (750, 250, Status.WARN), (740, 260, Status.PASS), (252, 248, Status.PASS)],
)
def test_a_risky_majority_is_a_warning_that_the_classes_may_be_swapped(risky, safe, status):
    """Trial: ``positive = "safe"`` / ``negative = "risky"`` passed the whole gate (recall
    measured on the safe class), while train was 94% "risky"; nothing said so. A bare
    majority warned on balanced real data (50.4%): the bar is three risky per safe row."""
    y = np.r_[np.ones(risky, dtype=bool), np.zeros(safe, dtype=bool)]
    result = check_labels(y, split="train")
    assert result.status is status
    if status is Status.WARN:
        assert result.reason is Reason.RISKY_MAJORITY
        assert (
            "the risky class is the large majority" in result.message
            and "[columns] positive" in result.message
        )
        assert "swap them back" in (result.hint or "")
