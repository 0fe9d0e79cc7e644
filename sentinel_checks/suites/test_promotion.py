"""Runbook steps 10–12: may the candidate replace the model in production?

Check: promotion.vs_champion — candidate and champion on the same rows (test, and the
labelled production sample), each at its operating threshold; FNR and precision
judged for non-inferiority on a paired bootstrap interval, the target metric must
improve, and the candidate must not be overfit to validation. The comparison is
written to reports/promotion.md and promotion.json, the decision record.
"""

from sentinel_checks.checks.promotion import check_champion_missing, check_promotion_policy


def test_candidate_may_replace_the_champion(
    gate, sentinel_config, sentinel_promotion, sentinel_candidate_eval, sentinel_promotion_split
):
    if not sentinel_promotion.has_champion:
        gate.check(check_champion_missing(required=sentinel_config.promotion.require_champion))
    ev = sentinel_candidate_eval
    gate.check(
        check_promotion_policy(
            sentinel_promotion.compare(sentinel_promotion_split),
            promotion=sentinel_config.promotion,
            quality=sentinel_config.quality,
            validation=ev.summary("val"),
            test=ev.summary("test"),
        )
    )
