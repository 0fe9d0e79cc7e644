"""Every check id the gate reports, in one place (for config validation and docs).

A check's own module defines its id (``RECALL_ID = "quality.recall"``); this set
lists them all so a configuration naming a check (``[gate] block_inconclusive``)
is validated against what exists.
"""

from __future__ import annotations

CHECK_IDS: frozenset[str] = frozenset(
    {
        "contract.labels",
        "contract.schema",
        "drift.calibration",
        "drift.features",
        "drift.labels",
        "drift.scores",
        "model.scores",
        "promotion.vs_champion",
        "quality.auc",
        "quality.baselines",
        "quality.calibration",
        "quality.precision",
        "quality.recall",
        "quality.segments",
        "quality.threshold",
        "quality.too_good",
        "quality.val_test_gap",
        "splits.entity_overlap",
        "splits.purge",
        "splits.row_overlap",
        "splits.target_leakage",
        "splits.time_order",
        "training.curves",
    }
)
