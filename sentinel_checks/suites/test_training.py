"""Runbook phase 2, step 4: the training run was healthy (training.curves)."""

from sentinel_checks.gate import steps


def test_training_curves_are_healthy(gate):
    gate.run(steps.training_curves)
