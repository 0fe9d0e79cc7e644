"""splits.target_leakage on the shapes real logs have (issue 16, item 1): a relation that
is not monotone, missing values that stand for one class, and pure noise that must stay
quiet under the cross-fitted binned reading."""

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.checks import check_target_leakage
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.result import Status


def _by_feature(result):
    return {row["feature"]: row for row in result.evidence[0].items}


def flights(n=2000, seed=0):
    """A delay that is missing when the flight was cancelled; label = cancelled or delay >= 60."""
    rng = np.random.default_rng(seed)
    cancelled = rng.random(n) < 0.05
    delay = rng.exponential(25.0, n)
    label = cancelled | (delay >= 60)
    delay[cancelled] = np.nan
    frame = pd.DataFrame({"delay": delay, "distance": rng.lognormal(6, 0.5, n)})
    return frame, label


def test_missing_or_at_least_60_is_a_leak():
    frame, y = flights()
    r = check_target_leakage(frame, y, features=["delay", "distance"])
    row = _by_feature(r)["delay"]
    assert row["monotone_auc"] < 0.85  # the old score: missing ranked lowest, not monotone
    assert r.status is Status.FAIL, r.message
    assert r.measured >= 0.95
    assert row["decided_by"] == "binned"
    assert "delay" in r.message and "binned" in r.message
    assert _by_feature(r)["distance"]["auc"] < 0.65
    # the summary line names the leaking feature, not only the strongest score
    assert r.parameters["failing"] == ["delay"]
    assert measured_as(r).endswith(" · failing: delay"), measured_as(r)


def test_a_u_shaped_relation_is_a_leak():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 3000)
    frame = pd.DataFrame({"x": x})
    r = check_target_leakage(frame, np.abs(x) > 0.7, features=["x"])
    row = _by_feature(r)["x"]
    assert row["monotone_auc"] < 0.6
    assert r.status is Status.FAIL and row["binned_auc"] >= 0.95 and row["decided_by"] == "binned"


def test_a_monotone_leak_is_read_as_monotone():
    rng = np.random.default_rng(2)
    y = rng.random(2000) < 0.2
    frame = pd.DataFrame({"score": y + rng.normal(0, 0.1, 2000)})
    r = check_target_leakage(frame, y, features=["score"])
    assert r.status is Status.FAIL
    assert _by_feature(r)["score"]["decided_by"] == "monotone"


def test_missing_in_almost_every_risky_row_is_named():
    rng = np.random.default_rng(3)
    n = 2000
    y = rng.random(n) < 0.2
    value = rng.normal(0, 1, n)
    missing = np.where(y, rng.random(n) < 0.98, rng.random(n) < 0.01)
    value[missing] = np.nan
    r = check_target_leakage(pd.DataFrame({"merchant_age": value}), y, features=["merchant_age"])
    assert r.status is Status.FAIL
    assert "merchant_age: missing in 9" in r.message and "% of risky rows vs " in r.message
    assert "% of safe rows" in r.message


def test_missing_only_in_risky_rows_is_named():
    """A field never missing for a safe row but missing in a fifth of the risky rows: a
    model learns "missing means risky" without exception; named, as a warning."""
    rng = np.random.default_rng(4)
    n = 2000
    y = rng.random(n) < 0.2
    value = rng.normal(0, 1, n)
    value[y & (rng.random(n) < 0.2)] = np.nan
    r = check_target_leakage(pd.DataFrame({"refund_days": value}), y, features=["refund_days"])
    assert r.status is Status.WARN, r.message
    assert "refund_days: missing in" in r.message and "and in no safe row" in r.message


@pytest.mark.parametrize("seed", range(5))
def test_noise_stays_well_below_the_limit(seed):
    """Cross fitting keeps 20 bins of pure noise from scoring above chance."""
    rng = np.random.default_rng(seed)
    n = 2000
    y = rng.random(n) < 0.1
    frame = pd.DataFrame(
        {
            "continuous": rng.normal(0, 1, n),
            "heavy_tail": rng.pareto(1.5, n),
            "few_levels": rng.integers(0, 5, n).astype(float),
            "mostly_zero": np.where(rng.random(n) < 0.9, 0.0, rng.exponential(1, n)),
            "some_missing": np.where(rng.random(n) < 0.3, np.nan, rng.normal(0, 1, n)),
            "when": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
        }
    )
    r = check_target_leakage(frame, y, features=list(frame.columns))
    assert r.status is Status.PASS, r.message
    assert r.measured < 0.62, r.message
    assert "failing" not in r.parameters


def test_folds_are_stable():
    frame, y = flights(seed=5)
    a = check_target_leakage(frame, y, features=["delay", "distance"], seed=7)
    b = check_target_leakage(frame, y, features=["delay", "distance"], seed=7)
    assert a.to_dict() == b.to_dict()
