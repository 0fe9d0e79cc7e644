"""Runbook phase 2, step 4: the training run was healthy (training.curves)."""

from sentinel_checks.checks.training import check_training_curves


def test_training_curves_are_healthy(gate, sentinel_config, sentinel_training_log):
    t = sentinel_config.training
    gate.check(
        check_training_curves(
            sentinel_training_log,
            epoch=t.epoch,
            train_loss=t.train_loss,
            val_loss=t.val_loss,
            val_metric=t.val_metric,
            overfit_patience=t.overfit_patience,
            overfit_tolerance=t.overfit_tolerance,
            min_val_metric=t.min_val_metric,
            flat_tolerance=t.flat_tolerance,
            spike_mads=t.spike_mads,
            selected_epoch=t.selected_epoch,
            selected_epoch_tolerance=t.selected_epoch_tolerance,
        )
    )
