"""Runbook steps 10–12: may the candidate replace the model in production?

Check: promotion.vs_champion — candidate and champion on the same rows (test, and the
labelled production sample), each at its operating threshold; FNR and precision
judged for non-inferiority on a paired bootstrap interval, the target metric must
improve, and the candidate must not be overfit to validation. The comparison is
written to reports/promotion.md and promotion.json, the decision record.
"""

from sentinel_checks.checks.promotion import check_champion_missing, check_vs_champion
from sentinel_checks.checks.quality import check_val_test_gap


def test_candidate_may_replace_the_champion(
    gate, sentinel_config, sentinel_promotion, sentinel_candidate_eval, sentinel_promotion_split
):
    p, q = sentinel_config.promotion, sentinel_config.quality
    if not sentinel_promotion.has_champion:
        gate.check(check_champion_missing(required=p.require_champion))
    ev = sentinel_candidate_eval
    gate.check(
        check_vs_champion(
            sentinel_promotion.compare(sentinel_promotion_split),
            max_fnr_increase=p.max_fnr_increase,
            max_precision_drop=p.max_precision_drop,
            target_metric=p.target_metric,
            min_target_lead=p.min_target_lead,
            target_bound=p.target_bound,
            max_flip_rate=p.max_flip_rate,
            min_positives=q.min_positives,
            val_test_gap=check_val_test_gap(
                ev.summary("val"),
                ev.summary("test"),
                max_gap=q.max_val_test_gap,
                max_auc_gap=q.max_val_test_auc_gap,
            ),
        )
    )
