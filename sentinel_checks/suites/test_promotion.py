"""Runbook steps 10–12: may the candidate replace the model in production?

Check: promotion.vs_champion — candidate and champion on the same rows (test, and the
labelled production sample), each at its operating threshold; FNR and precision
judged for non-inferiority on a paired bootstrap interval, the target metric must
improve, and the candidate must not be overfit to validation. The comparison is
written to reports/promotion.md and promotion.json, the decision record.
"""

from sentinel_checks.gate import steps


def test_candidate_may_replace_the_champion(gate, sentinel_promotion_split):
    gate.run(steps.vs_champion, split=sentinel_promotion_split)
