"""``training.curves``: overfitting, underfitting and instability in a training log."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sentinel_checks.formatting import listing, number
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, at_fault

CHECK_ID = "training.curves"


def check_training_curves(
    log: pd.DataFrame,
    *,
    epoch: str = "epoch",
    train_loss: str = "train_loss",
    val_loss: str = "val_loss",
    val_metric: str | None = None,
    overfit_patience: int = 10,
    overfit_tolerance: float = 0.01,
    min_val_metric: float | None = None,
    flat_tolerance: float = 0.01,
    spike_mads: float = 8.0,
    selected_epoch: int | None = None,
    selected_epoch_tolerance: int = 0,
) -> CheckResult:
    """Judge a training log (one row per epoch or iteration).

    * instability: any NaN/inf loss, or a step in a loss larger than ``spike_mads``
      median absolute deviations of the steps (a robust spike test);
    * overfitting: the minimum of the validation loss lies ``overfit_patience`` or more
      epochs before the end, the final validation loss is more than
      ``overfit_tolerance`` (relative) above that minimum, and train loss kept
      falling (and the kept epoch, if ``selected_epoch`` is given, is past the minimum);
    * underfitting: both losses flat (relative change below ``flat_tolerance``) and,
      with ``val_metric`` and ``min_val_metric``, the final metric below its floor;
    * early stopping: ``selected_epoch`` (the weights kept) within
      ``selected_epoch_tolerance`` epochs of the best validation loss.

    Measured: the number of problems found (limit 0).

    Parameters
    ----------
    log : pandas.DataFrame, shape (n_epochs, ...)
        The training log, one row per epoch or iteration (sorted by ``epoch`` here).
    epoch, train_loss, val_loss : str
        Column names of the epoch number and the two losses (non-numeric loss
        values count as NaN).
    val_metric : str, optional
        Column of a validation metric where higher is better (e.g. PR AUC).
    overfit_patience : int, default 10
        Epochs after the validation-loss minimum before a rise counts as overfitting.
    overfit_tolerance : float, default 0.01
        Relative rise of the final validation loss above its minimum (0.01 = 1%).
    min_val_metric : float, optional
        Floor of the final ``val_metric``.
    flat_tolerance : float, default 0.01
        Relative improvement of the validation loss (from the worst of the first
        tenth of epochs to the last) below which it counts as flat.
    spike_mads : float, default 8.0
        A rise of a loss between two epochs larger than this many median absolute
        deviations of the steps (above their median) is a spike; needs 5 steps.
    selected_epoch : int, optional
        The epoch whose weights were kept (early stopping).
    selected_epoch_tolerance : int, default 0
        Epochs ``selected_epoch`` may differ from the best validation epoch.

    Returns
    -------
    CheckResult
        Id ``training.curves``. Measured: the number of problems found (int, as
        float); limit 0; direction at most. The problems, best epoch and best
        validation loss are in the evidence.

    Notes
    -----
    Never raises for bad data: missing columns or fewer than 3 rows is a
    CheckResult with status ``error``; NaN losses are a problem found.

    References
    ----------
    Leys, C., Ley, C., Klein, O., Bernard, P. and Licata, L. (2013). Detecting
    outliers: do not use standard deviation around the mean, use absolute deviation
    around the median. J. Experimental Social Psychology 49(4), 764–766 (here the
    MAD is unscaled, without the 1.4826 factor).
    """
    missing = [c for c in (epoch, train_loss, val_loss, val_metric) if c and c not in log.columns]
    if missing:
        return CheckResult.undefined(
            CHECK_ID, f"training log lacks column(s) {missing}", reason=Reason.MISSING_COLUMNS
        )
    if len(log) < 3:
        return CheckResult.undefined(
            CHECK_ID, f"training log has {len(log)} row(s): too short to judge", reason=Reason.TOO_FEW_ROWS
        )
    log = log.sort_values(epoch, kind="stable")
    epochs = log[epoch].to_numpy()
    tr = pd.to_numeric(log[train_loss], errors="coerce").to_numpy(dtype=float)
    va = pd.to_numeric(log[val_loss], errors="coerce").to_numpy(dtype=float)
    problems: list[str] = []
    detail: dict[str, object] = {"epochs": len(log)}

    bad = ~np.isfinite(tr) | ~np.isfinite(va)
    if bad.any():
        problems.append(f"instability: NaN/inf loss at epoch(s) {_epochs(epochs[bad])}")
    finite_va = np.where(np.isfinite(va), va, np.nan)
    for name, series in (("train", tr), ("validation", va)):
        steps = np.diff(series[np.isfinite(series)])
        if len(steps) >= 5:
            mad = float(np.median(np.abs(steps - np.median(steps))))
            scale = mad if mad > 0 else float(np.mean(np.abs(steps))) or 1e-12
            spikes = np.flatnonzero(steps - np.median(steps) > spike_mads * scale)
            if len(spikes):
                where = _epochs(epochs[np.isfinite(series)][spikes + 1])
                problems.append(f"instability: {name} loss spikes at epoch(s) {where}")
    if np.isfinite(finite_va).any():
        best = int(np.nanargmin(finite_va))
        best_epoch = float(epochs[best])
        detail["best_epoch"] = best_epoch
        detail["best_val_loss"] = float(finite_va[best])
        after = len(va) - 1 - best
        train_fell = np.isfinite(tr[best]) and np.isfinite(tr[-1]) and tr[-1] < tr[best]
        kept_late = selected_epoch is None or selected_epoch > best_epoch + selected_epoch_tolerance
        rose = va[-1] > finite_va[best] * (1 + overfit_tolerance)
        if after >= overfit_patience and train_fell and rose and kept_late:
            problems.append(
                f"overfitting: validation loss rose for {after} epoch(s) after its minimum at epoch "
                f"{best_epoch:g} ({finite_va[best]:.4g} → {va[-1]:.4g}) while train loss fell"
            )
        if selected_epoch is not None and abs(selected_epoch - best_epoch) > selected_epoch_tolerance:
            problems.append(
                f"early stopping kept epoch {selected_epoch}, not the best validation epoch {best_epoch:g}"
            )
        first, last = np.nanmax(finite_va[: max(1, len(va) // 10)]), finite_va[-1]
        rel_change = (first - last) / abs(first) if first and math.isfinite(first) else 0.0
        detail["val_loss_relative_improvement"] = rel_change
        flat = abs(rel_change) < flat_tolerance
        if val_metric is not None and min_val_metric is not None:
            final = float(pd.to_numeric(log[val_metric], errors="coerce").iloc[-1])
            detail["final_val_metric"] = final
            if not math.isfinite(final) or final < min_val_metric:
                problems.append(
                    f"underfitting: final {val_metric} {final:.4g} below floor {min_val_metric:.4g}"
                    + (" with flat losses" if flat else "")
                )
        elif flat:
            problems.append(
                f"underfitting: validation loss barely moved ({rel_change:+.2%} from the first epochs)"
            )
    else:
        problems.append("instability: validation loss is never finite")
    status = Status.FAIL if problems else Status.PASS
    return CheckResult(
        id=CHECK_ID,
        status=status,
        message="; ".join(problems)
        if problems
        else (
            f"{len(log)} epochs: best validation loss {_shown(detail.get('best_val_loss'))} at epoch "
            f"{_shown(detail.get('best_epoch'))}; no overfitting, underfitting or instability"
        ),
        measured=float(len(problems)),
        limit=0.0,
        direction=Direction.AT_MOST,
        reason=Reason.OK if not problems else Reason.TRAINING_PROBLEM,
        parameters=at_fault(problems) if problems else {},  # the summary line names them
        support={"epochs": len(log)},
        evidence=(Evidence.capped("problems", problems, detail=detail),),
        hint=(
            "Stop at the best validation epoch (early stopping), lower the learning rate for "
            "spikes, fix the data pipeline for NaN losses, or give an underfit model capacity or "
            "features."
        ),
    )


def _epochs(values: np.ndarray) -> str:
    """Epochs in words: ``"5, 9, 13"``, the first five then ``"and 7 more"``; whole epochs as integers."""
    return listing([int(v) if float(v).is_integer() else float(v) for v in values.tolist()], shown=5)


def _shown(value: object) -> str:
    """A loss or an epoch of the evidence to sensible digits (``"n/a"`` when not measured)."""
    return number(value) if isinstance(value, int | float) else "n/a"
