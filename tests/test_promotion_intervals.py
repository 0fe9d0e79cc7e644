"""promotion.vs_champion decided on intervals: an equal candidate gets the same verdict on
every resample, a worse one fails, a better one is recorded "shown better", a small
sample is inconclusive with the rows that would settle it; the cell bootstrap draws
exactly the row metrics where scores are few (tests/test_comparison_cells.py compares
it with a row-by-row bootstrap)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from sentinel_checks.checks.findings import lead_finding
from sentinel_checks.checks.promotion import check_vs_champion
from sentinel_checks.config import load_config
from sentinel_checks.errors import ConfigError
from sentinel_checks.gate.policy import promotion_confidence
from sentinel_checks.reports.gate_report import GateRun, TestOutcome
from sentinel_checks.reports.promotion import decide, promotion_document, promotion_markdown
from sentinel_checks.result import Status
from sentinel_checks.stats.comparison import compare_paired
from sentinel_checks.stats.paired_cells import paired_cell_bootstrap
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.ranking import RankedScores
from tests.test_comparison_cells import decision_row_weights

#: A per-interval confidence of the order the gate uses (0.95 over 3 criteria x 2 splits).
GATE_CONFIDENCE = 1 - 0.05 / 6


def _pair(seed: int, n: int, *, cand_sep: float = 2.5, champ_sep: float = 2.5, prevalence: float = 0.05):
    """Labels and two models' scores drawn independently (own noise) from the same rows."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < prevalence
    latent = rng.normal(0, 1, n)  # what both models see
    cand = 1 / (1 + np.exp(-(0.7 * latent + 0.7 * rng.normal(0, 1, n) + cand_sep * y - 3)))
    champ = 1 / (1 + np.exp(-(0.7 * latent + 0.7 * rng.normal(0, 1, n) + champ_sep * y - 3)))
    return y, cand, champ


@cache
def _threshold(sep: float) -> float:
    """The threshold at which a model of separation ``sep`` has recall 0.80 in the population
    (on 400,000 rows of its own): operating points fixed, so only the test rows vary."""
    y, cand, _ = _pair(999, 400_000, cand_sep=sep)
    return float(np.quantile(cand[y], 0.2))


def _compare(y, cand, champ, *, cand_sep=2.5, champ_sep=2.5, resamples=200, seed=0):
    return compare_paired(
        y,
        cand,
        champ,
        split="test",
        candidate_threshold=_threshold(cand_sep),
        champion_threshold=_threshold(champ_sep),
        resamples=resamples,
        confidence=GATE_CONFIDENCE,
        seed=seed,
    )


def _criteria(result):
    return {c["criterion"]: c for c in result.evidence[0].items}


def test_an_equal_candidate_is_never_blocked_on_twenty_resamples():
    """Candidate and champion of equal quality, ~130 risky rows (the payments log): the old
    rule (point lead ≥ 0, FNR upper bound ≤ 0.03) blocked about half of these draws."""
    statuses, leads, fnr_highs = [], [], []
    for seed in range(20):
        y, cand, champ = _pair(seed, 2600)
        comparison = _compare(y, cand, champ, seed=seed)
        result = check_vs_champion(comparison)
        statuses.append(result.status)
        leads.append(comparison.delta["pr_auc"].point)
        fnr_highs.append(comparison.delta["fnr"].high)
        assert result.status is not Status.FAIL, result.message
        assert result.passed
        assert _criteria(result)["target_metric_improves"]["finding"] != "shown_worse"
    assert set(statuses) == {Status.INCONCLUSIVE}  # the same verdict every time: the data cannot tell
    # what the old rule judged: the point lead's sign is a coin flip, the upper bound above the margin
    assert min(leads) < 0 < max(leads)
    assert sum(high > 0.03 for high in fnr_highs) >= 10  # most upper bounds above the margin


def test_an_equal_candidate_on_enough_rows_passes_every_time():
    for seed in range(3):
        y, cand, champ = _pair(100 + seed, 60_000, prevalence=0.2)  # ≈ 12,000 risky rows
        result = check_vs_champion(_compare(y, cand, champ, seed=seed))
        assert result.status is Status.PASS, result.message
        assert {c["finding"] for c in _criteria(result).values()} <= {"shown_no_worse", "shown_better"}


def test_a_worse_candidate_fails_on_the_ranking_it_lost():
    y, cand, champ = _pair(7, 60_000, cand_sep=1.8, champ_sep=2.5)
    result = check_vs_champion(
        _compare(y, cand, champ, cand_sep=1.8), max_fnr_increase=1.0, max_precision_drop=1.0
    )
    target = _criteria(result)["target_metric_improves"]
    assert target["finding"] == "shown_worse" and target["verdict"] == "fail"
    assert target["high"] < -0.01  # the whole interval below -max_target_drop
    assert result.status is Status.FAIL


def test_a_clearly_better_candidate_is_recorded_shown_better():
    # ≈ 3,000 risky rows: enough to show the FNR change (0 by construction) within 0.03
    y, cand, champ = _pair(8, 60_000, cand_sep=3.3, champ_sep=2.5)
    comparison = _compare(y, cand, champ, cand_sep=3.3)
    result = check_vs_champion(comparison)
    criteria = _criteria(result)
    assert criteria["target_metric_improves"]["finding"] == "shown_better"
    assert criteria["target_metric_improves"]["low"] > 0
    assert result.status is Status.PASS, result.message
    assert check_vs_champion(comparison, require_improvement=True).status is Status.PASS
    text = promotion_markdown(
        promotion_document(_run(result), evaluations={}, comparisons={"test": comparison}, results=[result])
    )
    assert "| target_metric_improves | shown better |" in text
    assert f"{comparison.n:,} ({comparison.n_positive:,})" in text  # the rows it rests on


def test_a_small_sample_is_inconclusive_with_the_rows_that_would_settle_it():
    y, cand, champ = _pair(9, 1500)  # ≈ 75 risky rows
    comparison = _compare(y, cand, champ)
    result = check_vs_champion(comparison)
    assert result.status is Status.INCONCLUSIVE and result.passed
    open_rows = [c for c in _criteria(result).values() if c["verdict"] == "inconclusive"]
    assert open_rows and all(c["finding"] == "neither" for c in open_rows)
    fnr = comparison.delta["fnr"]
    fnr_row = _criteria(result)["fnr_non_inferior"]
    if fnr_row["verdict"] == "inconclusive" and fnr.point <= 0.03:  # to show no worse: the upper half
        assert fnr_row["needed"] == rows_to_show_difference(
            comparison.n_positive, -fnr.point, fnr.high - fnr.point, -0.03
        )
    assert result.needed == {"n_positive": max(c["needed"] for c in open_rows)}
    assert result.needed["n_positive"] > comparison.n_positive
    assert f"needs ≈ {result.needed['n_positive']:,} risky rows" in result.message
    decision, reasons = decide(_run(result), [result])
    assert decision == "promote" and "inconclusive, not blocking" in reasons[0]


def test_require_improvement_fails_a_candidate_shown_not_to_improve():
    y, cand, champ = _pair(10, 60_000, cand_sep=2.45, prevalence=0.2)
    comparison = _compare(y, cand, champ, cand_sep=2.45)
    lead = comparison.delta["pr_auc"]
    assert lead.low > -0.03 and lead.high < 0  # slightly worse, within a drop of 0.03
    lenient = check_vs_champion(comparison, max_fnr_increase=1.0, max_target_drop=0.03)
    assert _criteria(lenient)["target_metric_improves"]["finding"] == "shown_no_worse"
    assert _criteria(lenient)["target_metric_improves"]["verdict"] == "pass"
    strict = check_vs_champion(
        comparison, max_fnr_increase=1.0, max_target_drop=0.03, require_improvement=True
    )
    assert _criteria(strict)["target_metric_improves"]["verdict"] == "fail"  # shown not to improve
    assert strict.status is Status.FAIL


@pytest.mark.parametrize(
    ("low", "high", "finding"),
    [
        (0.001, 0.02, "shown_better"),
        (-0.005, 0.02, "shown_no_worse"),
        (-0.02, 0.02, "neither"),
        (-0.05, -0.011, "shown_worse"),
        (float("nan"), 0.1, "undefined"),
    ],
)
def test_lead_findings(low, high, finding):
    assert lead_finding(low, high, margin=0.01) == finding


def test_the_cell_bootstrap_draws_the_row_metrics_exactly():
    # issue 18: the bootstrap resamples cells (label x score slots x decisions), not rows;
    # every drawn metric is the row metric under the drawn weights
    y, a, b = _pair(12, 3000)
    fa, fb = a >= 0.1, b >= 0.1
    fast, drawn = paired_cell_bootstrap(y, a, b, fa, fb, resamples=37, seed=5, return_cells=True)
    assert len(drawn.cells) < len(y)
    ra, rb = RankedScores(y, a), RankedScores(y, b)
    for i in range(37):
        w = np.zeros(len(y))
        w[drawn.first_row] = drawn.weights[i]
        wd = decision_row_weights(drawn, y, fa, fb, i)  # FNR and precision: their own draws
        wdp = wd * y
        for k, (flag, r) in enumerate(((fa, ra), (fb, rb))):
            caught, flagged = float(wdp @ flag), float(wd @ flag)
            expected = [1 - caught / wdp.sum(), caught / flagged, r.roc_auc(w), r.pr_auc(w)]
            for m, metric in enumerate(("fnr", "precision", "roc_auc", "pr_auc")):
                assert fast[metric][i, k] == pytest.approx(expected[m], abs=1e-12), metric


MINIMAL = """
[data]
path = "data.csv"

[splits]
method = "column"
column = "split"
"""


def _config(folder, extra: str = ""):
    (folder / "data.csv").write_text("label,split\n1,train\n")
    path = folder / "sentinel.toml"
    path.write_text(MINIMAL + extra)
    return load_config(path)


def test_the_gate_splits_its_confidence_over_criteria_and_splits(tmp_path):
    # the promotion family's share (0.20) of the 5% budget, over 2 splits, then 3 criteria;
    # two-sided coverage: twice the one-sided error
    assert promotion_confidence(_config(tmp_path)) == pytest.approx(1 - 2 * 0.05 * 0.20 / 2 / 3)
    one = _config(tmp_path, '[promotion]\nsplits = ["test"]\n')
    assert promotion_confidence(one) == pytest.approx(1 - 2 * 0.05 * 0.20 / 1 / 3)
    strict = _config(tmp_path, "[gate]\nfalse_block_rate = 0.01\n")
    assert promotion_confidence(strict) == pytest.approx(1 - 2 * 0.01 * 0.20 / 2 / 3)


def test_removed_or_changed_keys_say_what_replaced_them(tmp_path):
    with pytest.raises(
        ConfigError, match=r"\[promotion\] target_bound: was replaced.*require_improvement = true"
    ):
        _config(tmp_path, '[promotion]\ntarget_bound = "bootstrap"\n')
    with pytest.raises(ConfigError, match=r"baseline_margin = -0.01 is negative.*baseline_margin = 0.01"):
        _config(tmp_path, "[quality]\nbaseline_margin = -0.01\n")


def _run(*results) -> GateRun:
    outcomes = [TestOutcome(f"t{i}", "passed", "", r) for i, r in enumerate(results)]
    return GateRun(config_path="sentinel.toml", data={}, seed=0, outcomes=outcomes)
