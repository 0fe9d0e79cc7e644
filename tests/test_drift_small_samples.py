"""Small production samples: distances judged against their noise at the sample sizes,
and the flagged fraction judged on an interval."""

import numpy as np
import pandas as pd

from sentinel_checks.checks.drift import check_score_drift
from sentinel_checks.result import Status
from tests.test_drift_degenerate import judge

LEVELS = {"merchant": 150, "city": 100, "device": 50}
FEATURES = [*LEVELS, "amount", "age"]


def population(n, seed, *, rolled=()):
    """Three Zipf-like categoricals of 50–150 levels and two numbers; ``rolled``: categoricals
    whose most frequent levels change (a real shift)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, k in LEVELS.items():
        weights = 1 / np.arange(1, k + 1) ** 0.8
        if name in rolled:
            weights = np.roll(weights, k // 3)
        out[name] = rng.choice([f"{name}_{i}" for i in range(k)], n, p=weights / weights.sum())
    out["amount"] = rng.lognormal(3, 1, n)
    out["age"] = rng.normal(40, 12, n)
    return pd.DataFrame(out)


TRAIN = population(5000, seed=100)


def test_same_distribution_300_row_samples_do_not_drift():
    results = [
        judge(TRAIN, population(300, seed), FEATURES, pair=("train", "production")) for seed in range(20)
    ]
    alarms = [r for r in results if r.status is not Status.PASS]
    assert len(alarms) <= 1, [r.message for r in alarms]
    # the evidence says what sampling noise alone reaches at these sizes
    noise = results[0].evidence[0].detail["noise"]
    assert noise["merchant"] > 0.1  # the noise of Jensen-Shannon on 150 levels at 300 rows


def test_a_real_shift_on_300_rows_still_fails():
    cur = population(300, seed=7, rolled=("merchant", "city"))
    result = judge(TRAIN, cur, FEATURES, pair=("train", "production"))
    assert result.status is Status.FAIL, result.message
    assert {"merchant", "city"} <= {i["feature"] for i in result.evidence[0].items if i["severe"]}


def scores(n, seed, flagged=0.39):
    rng = np.random.default_rng(seed)
    risky = rng.random(n) < flagged
    return np.where(risky, rng.uniform(0.5, 1.0, n), rng.uniform(0.0, 0.5, n))


def test_the_flagged_fraction_of_a_small_same_distribution_sample_does_not_fail():
    reference = scores(5000, 0)
    results = [
        check_score_drift(reference, scores(300, seed), threshold=0.5, pair=("test", "production"))
        for seed in range(1, 21)
    ]
    assert not [r for r in results if r.status is Status.FAIL]
    # a move the interval cannot tell from ±5 points is inconclusive, with the rows that settle it
    open_ = [r for r in results if r.status is Status.INCONCLUSIVE]
    assert all(r.needed["n_production"] > 300 for r in open_)
    assert all("flagged" in r.message and "CI" in r.message for r in open_)


def test_a_real_change_of_the_flagged_fraction_fails_and_a_stable_one_passes():
    shifted = check_score_drift(
        scores(5000, 0), scores(300, 1, flagged=0.20), threshold=0.5, pair=("t", "p"), confidence=0.99875
    )
    assert shifted.status is Status.FAIL and "flagged fraction" in shifted.message
    # the coverage as every other message gives it (trial: "99.9% CI" beside "99.88% CI")
    assert "99.88% CI [" in shifted.message, shifted.message
    stable = check_score_drift(scores(20_000, 0), scores(20_000, 1), threshold=0.5, pair=("t", "p"))
    assert stable.status is Status.PASS
    detail = stable.evidence[0].detail
    assert detail["flagged_ci_low"] >= -0.05 and detail["flagged_ci_high"] <= 0.05


def test_the_noise_of_a_distance_shrinks_with_the_sample():
    """Jensen–Shannon noise of a 150-level categorical: ≈ sqrt(149 / 8 · (1/n + 1/5000))."""
    small = judge(TRAIN, population(300, 3), FEATURES).evidence[0].detail["noise"]
    large = judge(TRAIN, population(1000, 3), FEATURES).evidence[0].detail["noise"]
    assert 0.2 < small["merchant"] < 0.45 and 0.1 < large["merchant"] < small["merchant"]
