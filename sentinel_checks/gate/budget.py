"""The gate's false-block budget: how the chance of blocking a sound retrain is shared.

A sound retrain (every true value within its limit) is blocked only when some check
is *shown* beyond its limit by chance. Each statistical check fails only when its
whole two-sided interval lies beyond the limit, so a check whose interval has
coverage ``c`` fails a value sitting exactly on the limit with probability at most
``(1 - c) / 2`` (one tail), and a value inside the limit less often.

The budget ``[gate] false_block_rate`` (α, default 0.05) is split across families
of checks by fixed shares, and within a family equally across its tests
(Bonferroni: the union bound, valid under any dependence between tests)::

    family            checks                                          share
    leakage           splits.row_overlap (each split pair)             0.05
    quality floors    quality.recall, quality.precision, quality.auc,  0.30
                      quality.segments with segment_bound = "wilson"
                      (test and production)
    calibration       quality.calibration, drift.calibration  0.15
    val/test gap      quality.val_test_gap                             0.10
    drift             drift.labels, drift.features (per pair: the      0.10
                      missing-share rise, and the distances' noise
                      test), the flagged fraction of drift.scores
    promotion         promotion.vs_champion (each promotion split)     0.20
    baselines         quality.baselines                                0.10

A test in a family of ``m`` tests gets the one-sided error ``α · share / m``, i.e. an
interval of two-sided coverage ``1 - 2 · α · share / m``. A check that judges
several things inside one test (segments, baselines, promotion criteria) divides its
coverage again by their number (Bonferroni within the check). By the union bound the
probability that any of these checks fails a sound retrain is at most α.

Outside the budget: checks with no sampling error in their decision (split order,
entity overlap, rows lost to the purge, target leakage by univariate AUC, the schema,
training curves), and checks that still decide on a point estimate: ``drift.scores``'
PSI, ``quality.too_good`` (a sanity flag on a *high* test ROC AUC; it only warns
unless ``too_good_action = "fail"``), ``quality.segments`` under the default
``segment_bound = "point"``, the average-precision skill of ``quality.auc``, and
``drift.features``' p-value tests (Evidently's automatic choice on samples of at most
1,000 reference rows, at 0.05; a distance counts as drift only beyond its permutation
noise, inside the budget).
These can block a sound retrain by chance beyond α, and the measured false-block
rate (docs/benchmarks.md) includes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig

Family = Literal["leakage", "quality", "calibration", "gap", "drift", "promotion", "baselines"]

#: Each family's share of the false-block budget (they sum to 1).
SHARES: dict[Family, float] = {
    "leakage": 0.05,
    "quality": 0.30,
    "calibration": 0.15,
    "gap": 0.10,
    "drift": 0.10,
    "promotion": 0.20,
    "baselines": 0.10,
}

#: The splits the quality floors and calibration are judged on.
JUDGED_SPLITS = ("test", "production")


def family_size(config: SentinelConfig, family: Family) -> int:
    """How many gate tests of ``family`` the configuration plans (at least 1).

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration.
    family : str
        One of :data:`SHARES`.

    Returns
    -------
    int
        The number of tests sharing the family's budget; tests that end up skipped
        (no production labels, no champion) still count, which only makes each
        test's share smaller (conservative).
    """
    splits = len(JUDGED_SPLITS)
    sizes: dict[Family, int] = {
        # the row overlap's excess over chance, per split pair (train→val, train→test, val→test)
        "leakage": 3,
        # recall, precision and ranking per split, and each segment column per split when
        # segments are judged on an interval (the default point rule is outside the budget)
        "quality": 3 * splits
        + (len(config.columns.segments) * splits if config.quality.segment_bound == "wilson" else 0),
        # the absolute calibration per split, and the test → production change
        "calibration": splits + 1,
        "gap": 1,
        # label pairs; each feature pair twice (its missing-share intervals, its distances'
        # noise test); each score pair (the flagged fraction's change; its PSI is a point rule)
        "drift": len(config.drift.label_pairs)
        + 2 * len(config.drift.feature_pairs)
        + len(config.drift.score_pairs),
        "promotion": len(config.promotion.splits),
        "baselines": 1,
    }
    return max(1, sizes[family])


def confidence(config: SentinelConfig, family: Family) -> float:
    """The two-sided coverage each test of ``family`` decides on.

    Parameters
    ----------
    config : SentinelConfig
        Reads ``[gate] false_block_rate`` and what decides the family's size.
    family : str
        One of :data:`SHARES`.

    Returns
    -------
    float
        ``1 - 2 · α · share / m``, in (0, 1): with the defaults and no segment
        columns, the quality floors' 6 tests get ``1 - 2 · 0.05 · 0.30 / 6 = 0.995``.
    """
    alpha = config.gate.false_block_rate * SHARES[family] / family_size(config, family)
    return 1.0 - 2.0 * alpha


def allocation(config: SentinelConfig) -> dict[str, dict[str, float]]:
    """The budget as configured: per family its share, tests, one-sided error and coverage.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration.

    Returns
    -------
    dict
        ``{family: {"share", "tests", "alpha_per_test", "confidence"}}``; the shares sum to 1.
    """
    out: dict[str, dict[str, float]] = {}
    for family, share in SHARES.items():
        m = family_size(config, family)
        out[family] = {
            "share": share,
            "tests": m,
            "alpha_per_test": config.gate.false_block_rate * share / m,
            "confidence": confidence(config, family),
        }
    return out
