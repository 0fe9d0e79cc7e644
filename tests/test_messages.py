"""Messages a person reads (issue 17): numbers, durations, p-values and lists in words.

Fast unit tests of :mod:`sentinel_checks.formatting` and of each reworded check
message; the scan of both demo gates' ``gate.md``/``gate.json`` is marked slow.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sentinel_checks import formatting
from sentinel_checks.checks.label_drift import check_label_drift
from sentinel_checks.checks.leakage import check_target_leakage
from sentinel_checks.checks.ordering import check_time_order
from sentinel_checks.checks.overlap import check_entity_overlap
from sentinel_checks.reports.explain import what_would_settle
from sentinel_checks.result import CheckResult, Status

#: What no message may hold: a numpy repr, a dict repr, a bracketed list, a long float.
REPR = re.compile(r"np\.|\{'|\[['\d(-]|\d\.\d{7,}|Timedelta|days \+\d\d:")


def readable(text: str) -> bool:
    return REPR.search(text) is None


#: In a whole report: a Python repr, a list of three or more numbers or quoted names in brackets,
#: a float to 7+ significant decimals (0.0005007 is 4 digits, formatted), a pandas duration ("-123 days +00:09:56", "1 days 00:00:00").
#: A two-number interval in brackets ("CI [0.51, 0.66]") is notation, not a repr.
REPORT_REPR = re.compile(
    r"np\.|\{'|\['|\[[-+]?\d[\d.e%+-]*, [-+]?\d[\d.e%+-]*, |\d\.0*[1-9]\d{6,}|days [+]?\d\d:\d\d:\d\d"
)


def unreadable_strings(folder: Path) -> list[str]:
    """Every message, hint and evidence string of ``gate.json`` and every line of ``gate.md``
    in ``folder`` that holds a Python repr or an unformatted number (empty: all readable)."""
    doc = json.loads((folder / "gate.json").read_text())
    found = []

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    for check in doc["checks"]:
        for text in strings([check.get("message", ""), check.get("hint", ""), check.get("evidence", [])]):
            if REPORT_REPR.search(text):
                found.append(f"gate.json {check.get('label')}: {text[:300]}")
    for line in (folder / "gate.md").read_text().splitlines():
        if REPORT_REPR.search(line):
            found.append(f"gate.md: {line[:300]}")
    return found


# -- the formatting helpers ----------------------------------------------------------


def test_duration_in_words() -> None:
    assert formatting.duration(pd.Timedelta("-123 days +00:09:56")) == "123 days"
    assert formatting.duration(pd.Timedelta("36h")) == "1.5 days"
    assert formatting.duration(pd.Timedelta("1D")) == "1 day"
    assert formatting.duration(pd.Timedelta("90s")) == "1.5 minutes"


def test_gap_words_say_before_and_after() -> None:
    gap = pd.Timestamp("2025-01-01") - pd.Timestamp("2025-05-04 23:50:04")
    assert formatting.gap_words("val", "train", gap) == "val starts 124 days before train ends"
    assert formatting.gap_words("test", "val", pd.Timedelta("7D")) == "test starts 7 days after val ends"
    assert formatting.gap_words("val", "train", -3.0, "rows") == "val starts 3 rows before train ends"


def test_p_value_never_zero() -> None:
    assert formatting.p_value(0.0) == "p < 1e-15"
    assert formatting.p_value(np.float64(3e-200)) == "p < 1e-15"
    assert formatting.p_value(0.04321) == "p = 0.043"


def test_number_has_no_sixteen_digits_or_repr() -> None:
    assert formatting.number(np.float64(0.6714501852614245)) == "0.6715"
    assert formatting.number(np.int64(1234567)) == "1,234,567"
    assert formatting.text({"a_b": np.float64(0.1234567891)}) == "a b 0.1235"


def test_listing_says_how_many_more() -> None:
    assert formatting.listing([f"c{i}" for i in range(12)], shown=5) == "c0, c1, c2, c3, c4 and 7 more"
    assert formatting.listing(["a", "b"], total=9) == "a, b and 7 more"
    assert formatting.listing(["a", "b"]) == "a, b"
    # one beyond the shown ones is named: "and 1 more" hid a name in the same room (trial)
    assert formatting.listing([f"c{i}" for i in range(6)], shown=5) == "c0, c1, c2, c3, c4, c5"
    assert formatting.listing(["a"], total=2, shown=1) == "a and 1 more"  # the sixth is not known


def test_sample_sizes_in_words() -> None:
    assert formatting.sample_sizes({"test_n_positive": 400}, {"test_n_positive": 111}) == (
        "about 289 more risky test rows (400 in all, has 111)"
    )
    assert formatting.sample_sizes({"n_train": 2000}) == "about 2,000 train rows"


def test_html_values_still_exports_the_helpers() -> None:
    from sentinel_checks.reports import html_values

    assert html_values.number is formatting.number and html_values.text is formatting.text


# -- what would settle an inconclusive result ----------------------------------------


def test_what_would_settle_names_rows_not_keys() -> None:
    r = CheckResult(
        "drift.labels",
        Status.INCONCLUSIVE,
        "m",
        support={"n_test": 211, "n_positive": 130},
        needed={"n_test": 500, "n_positive": 289},
    )
    said = what_would_settle(r)
    assert "n_test" not in said and "n_positive" not in said
    assert "about 289 more test rows" in said and "about 159 more risky rows" in said


# -- splits.time_order: the gap in words ---------------------------------------------


def _stamps(start: str, n: int, freq: str = "h") -> pd.Series:
    return pd.Series(pd.date_range(start, periods=n, freq=freq), name="DATE")


def test_time_order_overlap_reads_in_days() -> None:
    train = _stamps("2025-01-01", 3000)  # ends 2025-05-05 23:00
    val = _stamps("2025-01-01 00:09:56", 500)  # starts ≈ 125 days before train ends
    r = check_time_order(train, val, pair=("train", "val"))
    assert r.status is Status.FAIL
    assert "val starts 125 days before train ends" in r.message, r.message
    assert readable(r.message), r.message
    assert "days +" not in str(r.evidence[0].detail["observed_gap"])


def test_time_order_clean_split_reads_after() -> None:
    train, val = _stamps("2025-01-01", 1000), _stamps("2025-03-01", 1000)
    r = check_time_order(train, val, pair=("train", "val"), embargo="7D")
    assert r.status is Status.PASS
    assert "val starts" in r.message and "after train ends" in r.message and "embargo 7 days" in r.message
    assert "00:00:00" not in r.message, r.message
    assert readable(r.message), r.message


# -- hints name the user's own columns and split method ------------------------------


def test_entity_hint_fits_the_split_method() -> None:
    a = pd.Series([f"u{i}" for i in range(600)])
    b = pd.Series([f"u{i}" for i in range(300, 1200)])
    timed = check_entity_overlap(a, b, column="CUSTOMER", pair=("train", "val"), split_method="time")
    assert timed.status is Status.FAIL and "purge_entities" in timed.hint and "CUSTOMER" in timed.hint
    by_column = check_entity_overlap(a, b, column="CUSTOMER", pair=("train", "val"), split_method="column")
    assert "purge_entities" not in by_column.hint, by_column.hint
    assert "CUSTOMER" in by_column.hint and "[splits] column" in by_column.hint
    clean = check_entity_overlap(a[:300], b, column="CUSTOMER", pair=("train", "val"), split_method="column")
    assert clean.status is Status.PASS


def test_entity_hint_rejects_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="split_method"):
        check_entity_overlap(
            pd.Series(["a"]), pd.Series(["b"]), column="c", pair=("a", "b"), split_method="x"
        )


def test_leakage_hint_names_the_time_column() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(2000) < 0.2
    frame = pd.DataFrame(
        {"leak": y.astype(float) + rng.normal(0, 0.01, 2000), "noise": rng.normal(size=2000)}
    )
    r = check_target_leakage(frame, y, features=["leak", "noise"], time_column="DATE")
    assert r.status is Status.FAIL
    assert "before its DATE" in r.hint and "request_ts" not in r.hint, r.hint
    anonymous = check_target_leakage(frame, y, features=["leak", "noise"])
    assert "request_ts" not in anonymous.hint
    clean = check_target_leakage(frame, y, features=["noise"], time_column="DATE")
    assert clean.status is Status.PASS


# -- checks judging several criteria show the one that decided ------------------------


def test_label_drift_measured_is_the_deciding_criterion() -> None:
    # 0.10% → 0.16% on 200k rows a side: odds ratio 1.6, beyond the limit 1.5, but the
    # change, +0.06 pp, is shown within ±0.2 pp: the change decides the pass.
    r = check_label_drift(200, 200_000, 320, 200_000, pair=("test", "production"))
    assert r.status is Status.PASS
    assert r.measured is not None and r.limit is not None and r.measured <= r.limit, (r.measured, r.limit)
    assert "decided by the change in prevalence" in r.message, r.message
    assert r.parameters.get("criterion") == "prevalence change"


def test_label_drift_fail_still_fails_on_odds() -> None:
    r = check_label_drift(500, 10_000, 250, 10_000, pair=("test", "production"))
    assert r.status is Status.FAIL and r.measured is not None and r.limit is not None
    assert r.measured > r.limit


def test_val_test_gap_names_the_deciding_drop() -> None:
    from sentinel_checks.checks.gap import check_val_test_gap

    def side(recall: float, precision: float) -> dict[str, float]:
        n_pos, n_neg = 2000, 18_000
        tp = round(recall * n_pos)
        flagged = round(tp / precision)
        return {
            "recall": recall,
            "precision": precision,
            "roc_auc": 0.9,
            "tp": tp,
            "n_positive": n_pos,
            "n_negative": n_neg,
            "flagged": flagged,
        }

    limits = {"max_gap": 0.10, "max_auc_gap": 0.05}
    clean = check_val_test_gap(side(0.8, 0.5), side(0.8, 0.5), **limits)
    assert clean.status is Status.PASS
    bad = check_val_test_gap(side(0.8, 0.6), side(0.5, 0.6), **limits)
    assert bad.status is Status.FAIL
    assert bad.parameters["criterion"] == "recall drop"
    assert "decided by the recall drop (the furthest past its limit)" in bad.message
    assert clean.message.endswith("(the nearest its limit)"), clean.message  # why that metric (trial)
    from sentinel_checks.reports.html_values import measured_vs_limit

    assert measured_vs_limit(bad).startswith("recall drop: measured 0.2")


# -- lists say how many they leave out ------------------------------------------------


def test_segments_fail_lists_every_segment_or_says_how_many_more() -> None:
    from sentinel_checks.checks.segments import check_segments

    rng = np.random.default_rng(1)
    names = np.array([f"s{i}" for i in range(8)])
    seg = np.repeat(names, 250)
    y = np.tile(np.r_[np.ones(50, bool), np.zeros(200, bool)], 8)
    flagged = y & (rng.random(len(y)) < 0.2)  # recall ≈ 0.2 in every segment: all 8 below 0.5
    r = check_segments(seg, y, flagged, column="region", split="test", min_recall=0.5)
    assert r.status is Status.FAIL and "8 region segment(s) below" in r.message
    assert "and 3 more" in r.message, r.message
    six = np.isin(seg, names[:6])
    r6 = check_segments(seg[six], y[six], flagged[six], column="region", split="test", min_recall=0.5)
    assert "more" not in r6.message and all(f"s{i} " in r6.message for i in range(6)), r6.message
    clean = check_segments(seg, y, y, column="region", split="test", min_recall=0.5)
    assert clean.status is Status.PASS


def test_training_curves_name_epochs_without_brackets() -> None:
    from sentinel_checks.checks.training import check_training_curves

    epochs = np.arange(40)
    train = np.linspace(1.0, 0.2, 40)
    val = np.linspace(1.0, 0.4, 40)
    val[[5, 9, 13]] = np.nan
    log = pd.DataFrame({"epoch": epochs, "train_loss": train, "val_loss": val})
    r = check_training_curves(log)
    assert r.status is Status.FAIL and "NaN/inf loss at epoch(s) 5, 9, 13" in r.message, r.message
    assert readable(r.message), r.message
    clean = check_training_curves(
        pd.DataFrame(
            {
                "epoch": epochs.astype(float),
                "train_loss": train,
                "val_loss": np.linspace(1.0, 0.4123456789, 40),
            }
        )
    )
    assert clean.status is Status.PASS and readable(clean.message), clean.message
    assert "at epoch 39;" in clean.message or "at epoch 39 " in clean.message, clean.message


# -- config errors: "[section] key" everywhere, no Python reprs ----------------------


def _config_error(**sections: dict[str, object]) -> str:
    from pathlib import Path

    from sentinel_checks.config.loading import config_from_mapping
    from sentinel_checks.errors import ConfigError

    source = Path("sentinel.toml")
    raw: dict[str, dict[str, object]] = {
        "data": {"path": "data.csv"},
        "splits": {"method": "column", "column": "split"},
    }
    for name, keys in sections.items():
        raw.setdefault(name, {}).update(keys)
    with pytest.raises(ConfigError) as info:
        config_from_mapping(raw, source=source)
    return str(info.value)


def test_a_replaced_key_is_named_as_section_and_key() -> None:
    said = _config_error(drift={"label_alpha": 0.01})
    assert "[drift] label_alpha: was replaced by [gate] false_block_rate" in said, said
    assert "'label_alpha'" not in said


def test_config_errors_list_choices_without_python_reprs() -> None:
    said = _config_error(drift={"method": "wassersteen", "per_column_method": {"amount": "nope"}})
    assert "[drift] method" in said and "[drift] per_column_method" in said
    assert "['" not in said and "{'" not in said, said
    said = _config_error(drift={"label_pairs": ["train:nowhere"]})
    assert "['" not in said, said


def test_the_report_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan the slow demo test runs: it flags each kind of repr, and passes plain text."""
    bad = ["np.float64(0.5)", "{'a': 1}", "['x', 'y']", "[1, 2, 3]", "0.12345678", "gap -123 days +00:09:56"]
    checks = [{"label": f"c{i}", "message": m, "hint": "", "evidence": []} for i, m in enumerate(bad)]
    checks.append(
        {
            "label": "ok",
            "message": "recall 0.815, 99.5% CI [0.774, 0.850]",
            "hint": "",
            "evidence": [{"detail": {"observed_gap": "17 days", "score": 0.123456789}}],
        }
    )
    (tmp_path / "gate.json").write_text(json.dumps({"checks": checks}))
    (tmp_path / "gate.md").write_text("| x | measured 0.5 |\n")
    found = unreadable_strings(tmp_path)
    assert len(found) == len(bad) and not any("ok:" in f for f in found), found


def test_calibration_failed_by_brier_measures_the_brier_score() -> None:
    from sentinel_checks.checks.calibration import check_calibration

    rng = np.random.default_rng(3)
    scores = rng.uniform(0.2, 0.8, 3000)
    y = rng.random(3000) < scores  # calibrated: the ECE passes; Brier ≈ 0.22 is beyond 0.1
    r = check_calibration(y, scores, split="test", max_ece=0.05, max_brier=0.10, resamples=50)
    assert r.status is Status.FAIL
    assert r.parameters.get("criterion") == "Brier score" and r.limit == 0.10
    assert r.measured is not None and r.measured > r.limit and "decided by the Brier score" in r.message
    clean = check_calibration(y, scores, split="test", max_ece=0.05, max_brier=0.30, resamples=50)
    assert clean.status is Status.PASS and clean.parameters.get("criterion") == "ECE"


@pytest.mark.parametrize("method", ["time", "column", "callable"])
@pytest.mark.parametrize("share", [None, 0.03, 0.97])
def test_entity_hint_fits_a_gate_md_cell_with_a_long_composite_name(method, share) -> None:
    """Reviewer's input: customer_account_number made the time hint 451 characters and
    gate.md's 400-character cell cut its last option. With a 30-character composite id and
    the longest split names, every hint fits whole."""
    from sentinel_checks.checks.overlap import entity_hint
    from sentinel_checks.checks.purge import PURGE_HINT
    from sentinel_checks.reports.gate_md import CELL_CHARS, cell

    name = "customer_account_number+caseid"
    assert len(name) == 30
    hint = entity_hint(
        method, column=name, pair=("train or val", "test"), purge_share=share, max_purged_share=0.5
    )
    assert len(hint) <= CELL_CHARS and cell(hint) == hint, (len(hint), hint)
    assert hint.endswith(".") and name in hint
    assert len(PURGE_HINT) <= CELL_CHARS
