"""The self-test's faults of the model: its scores and its training log.

Score faults give the candidate transformed scores through a score column
(:data:`~sentinel_checks.selftest.material.SCORE_COLUMN`); training-log faults
corrupt the per-epoch losses. Each is a pure function of the clean inputs, a
strength and a random generator; the catalogue is in
:mod:`sentinel_checks.selftest.faults`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from sentinel_checks.selftest.material import SCORE_COLUMN, Context, Material, config_with


def _with_scores(material: Material, ctx: Context, transform: Callable[[np.ndarray], np.ndarray]) -> Material:
    """Give the candidate ``transform``-ed scores through a score column."""
    assert ctx.scores is not None
    data = material.dataset.copy()
    data[SCORE_COLUMN] = transform(ctx.scores.reindex(data.index).to_numpy(dtype=float))
    production = material.production
    if production is not None and ctx.production_scores is not None:
        production = production.copy()
        production[SCORE_COLUMN] = transform(
            ctx.production_scores.reindex(production.index).to_numpy(dtype=float)
        )
    config = config_with(material.config, "models", "candidate", value={"score_column": SCORE_COLUMN})
    return replace(material, dataset=data, production=production, config=config)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def uninformative_candidate(m: Material, ctx: Context, share: float, rng: np.random.Generator) -> Material:
    """The candidate's scores blended with noise: at 1.0 they ignore the risky class."""
    return _with_scores(m, ctx, lambda s: (1 - share) * s + share * rng.random(len(s)))


def miscalibrated(m: Material, ctx: Context, temperature: float, rng: np.random.Generator) -> Material:
    """The candidate's scores with their log-odds divided by ``temperature`` (the
    ranking, hence every threshold metric, is unchanged; only the probabilities lie)."""
    return _with_scores(m, ctx, lambda s: 1 / (1 + np.exp(-_logit(s) / temperature)))


def training_nan(m: Material, ctx: Context, count: float, rng: np.random.Generator) -> Material:
    """``count`` validation losses in the training log become NaN."""
    assert m.training_log is not None
    log = m.training_log.copy()
    column = ctx.config.training.val_loss
    where = rng.choice(len(log), size=min(int(count), len(log)), replace=False)
    log[column] = log[column].astype(float)
    log.iloc[where, log.columns.get_loc(column)] = math.nan
    return replace(m, training_log=log)


def overfitting(m: Material, ctx: Context, epochs: float, rng: np.random.Generator) -> Material:
    """``epochs`` more epochs: train loss keeps falling, validation loss climbs 1% a step."""
    assert m.training_log is not None
    t = ctx.config.training
    log = m.training_log
    last = log.iloc[-1]
    steps = np.arange(1, int(epochs) + 1)
    best = float(log[t.val_loss].min())
    extra = pd.DataFrame(
        {
            t.epoch: last[t.epoch] + steps,
            t.train_loss: float(last[t.train_loss]) * 0.99**steps,
            t.val_loss: best * (1 + 0.01 * steps),
        }
    )
    return replace(m, training_log=pd.concat([log, extra], ignore_index=True))
