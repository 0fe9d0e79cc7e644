"""``promotion.vs_champion``'s fix names the criterion that failed (trial, stop 49: a
candidate that failed on precision alone, its FNR shown better, was told it "misses
risky requests the champion catches")."""

from __future__ import annotations

import pytest

from sentinel_checks.checks.promotion_text import champion_hint
from sentinel_checks.result import Status


@pytest.mark.parametrize(
    ("failed", "said", "not_said"),
    [
        ("fnr_non_inferior", "misses risky requests the champion catches", "false alarms"),
        ("precision_non_inferior", "more false alarms", "misses risky requests"),
        ("target_metric_improves", "ranks risky requests demonstrably worse", "false alarms"),
        ("no_val_test_gap", "validation", "misses risky requests"),
        ("flip_rate", "decisions change", "misses risky requests"),
    ],
)
def test_the_fix_follows_the_first_failed_criterion(failed, said, not_said):
    hint = champion_hint(None, Status.FAIL, {"fail": [failed]}, {})  # type: ignore[arg-type]
    assert hint.startswith("Keep the champion.") and said in hint and not_said not in hint, hint
