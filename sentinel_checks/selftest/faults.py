"""The self-test's fault catalogue: each fault corrupts a copy of the gate's inputs.

A fault is a pure function of the clean inputs (:class:`Material`), a strength and a
random generator. It never touches the user's files: the self-test writes each
corrupted copy into its own temporary folder and runs the real gate on it. Each fault
names the checks expected to catch it; the strengths trace a detection curve (the
weakest corruption each check still catches), the default strength is the one the
self-test's verdict is judged at.

The faults of the data and the split are here, with the catalogue; the faults of the
model's scores and training log are in :mod:`sentinel_checks.selftest.model_faults`,
the types they share in :mod:`sentinel_checks.selftest.material` (both re-exported
here, their public names importable from this module as before).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from sentinel_checks.entities import EntityKey, entity_codes
from sentinel_checks.selftest.material import LEAK_COLUMN as LEAK_COLUMN
from sentinel_checks.selftest.material import SCORE_COLUMN as SCORE_COLUMN
from sentinel_checks.selftest.material import SPLIT_COLUMN as SPLIT_COLUMN
from sentinel_checks.selftest.material import Apply as Apply
from sentinel_checks.selftest.material import Context as Context
from sentinel_checks.selftest.material import Fault as Fault
from sentinel_checks.selftest.material import Material as Material
from sentinel_checks.selftest.material import config_with
from sentinel_checks.selftest.material import split_of as _split
from sentinel_checks.selftest.model_faults import miscalibrated as miscalibrated
from sentinel_checks.selftest.model_faults import overfitting as overfitting
from sentinel_checks.selftest.model_faults import training_nan as training_nan
from sentinel_checks.selftest.model_faults import uninformative_candidate as uninformative_candidate

# --------------------------------------------------------------------------- helpers


def _new_ids(existing: pd.Series, n: int) -> Any:
    """``n`` request ids that do not occur in ``existing`` (same kind of value)."""
    if pd.api.types.is_integer_dtype(existing.dtype):
        start = int(existing.max()) + 1 if len(existing) else 0
        return np.arange(start, start + n, dtype=existing.dtype)
    return [f"selftest-{i}" for i in range(n)]


def _copy_into_train(
    material: Material,
    ctx: Context,
    *,
    column: EntityKey,
    source: str,
    share: float,
    rng: np.random.Generator,
    at_boundary: bool,
) -> Material:
    """Copy one row of a share of ``source``'s entities (ids in ``column``, one column or
    the columns of a composite id) into train: the same entity now sits on both sides."""
    data = material.dataset
    codes = entity_codes(data, column)  # -1: no id, no entity
    in_source = (_split(material).eq(source) & (codes >= 0)).to_numpy()
    entities = pd.unique(codes[in_source])
    k = max(1, round(share * len(entities)))
    chosen = entities[rng.choice(len(entities), size=min(k, len(entities)), replace=False)]
    picked = in_source & np.isin(codes, chosen)
    rows = data[picked][~pd.Series(codes[picked]).duplicated().to_numpy()].copy()
    ts = ctx.cols.timestamp
    if ts is not None:
        train_ts = data.loc[_split(material).eq("train"), ts]
        if at_boundary:  # the session began just before the boundary
            rows[ts] = train_ts.max()
        else:
            rows[ts] = train_ts.sample(
                n=len(rows), replace=True, random_state=rng.integers(1 << 31)
            ).to_numpy()
    if ctx.cols.id is not None:
        rows[ctx.cols.id] = _new_ids(data[ctx.cols.id], len(rows))
    rows[SPLIT_COLUMN] = "train"
    rows.index = pd.RangeIndex(len(data), len(data) + len(rows))
    return replace(material, dataset=pd.concat([data, rows]))


# --------------------------------------------------------------------------- the faults


def random_split(m: Material, ctx: Context, share: float, rng: np.random.Generator) -> Material:
    """A share of rows gets a split drawn at random (in the clean split's proportions)."""
    split = _split(m)
    moved = rng.random(len(split)) < share
    proportions = split.value_counts(normalize=True)
    drawn = rng.choice(proportions.index.to_numpy(), size=int(moved.sum()), p=proportions.to_numpy())
    data = m.dataset.copy()
    data.loc[moved, SPLIT_COLUMN] = drawn
    return replace(m, dataset=data)


def users_across_splits(m: Material, ctx: Context, share: float, rng: np.random.Generator) -> Material:
    """A share of test users also get a row in train (at a random train time)."""
    return _copy_into_train(
        m, ctx, column=ctx.cols.entities[0], source="test", share=share, rng=rng, at_boundary=False
    )


def session_straddle(m: Material, ctx: Context, share: float, rng: np.random.Generator) -> Material:
    """A share of validation sessions begin in train: one row at the last train time."""
    return _copy_into_train(
        m, ctx, column=ctx.cols.entities[-1], source="val", share=share, rng=rng, at_boundary=True
    )


def leaky_feature(m: Material, ctx: Context, auc: float, rng: np.random.Generator) -> Material:
    """A new feature: the label plus Gaussian noise scaled so its own ROC AUC is ``auc``."""
    sigma = 1.0 / (math.sqrt(2.0) * float(norm.ppf(auc)))

    def leak(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out[LEAK_COLUMN] = ctx.y(frame) + rng.normal(0.0, sigma, len(frame))
        return out

    production = None if m.production is None else leak(m.production)
    config = config_with(m.config, "columns", "features", value=[*ctx.features, LEAK_COLUMN])
    return replace(m, dataset=leak(m.dataset), production=production, config=config)


def covariate_shift(m: Material, ctx: Context, sds: float, rng: np.random.Generator) -> Material:
    """Production: the first three numeric features move up by ``sds`` train standard deviations."""
    assert m.production is not None
    train = m.dataset[_split(m).eq("train")]
    production = m.production.copy()
    for name in ctx.numeric_features[:3]:
        step = sds * float(train[name].std())
        shifted = production[name] + step
        integer = pd.api.types.is_integer_dtype(production[name].dtype)
        production[name] = shifted.round().astype(production[name].dtype) if integer else shifted
    return replace(m, production=production)


def prevalence_shift(m: Material, ctx: Context, factor: float, rng: np.random.Generator) -> Material:
    """Production: safe rows dropped at random until the risky share is ``factor`` times higher."""
    assert m.production is not None
    production = m.production
    labelled = ctx.labelled(production)
    y = ctx.y(production)
    pos, neg = int(y[labelled].sum()), int((~y[labelled]).sum())
    target = min(factor * pos / (pos + neg), 0.99)
    keep_neg = pos * (1 - target) / (target * neg) if neg else 1.0
    drop = labelled & ~y & (rng.random(len(production)) >= keep_neg)
    return replace(m, production=production[~drop])


def segment_label_flip(m: Material, ctx: Context, share: float, rng: np.random.Generator) -> Material:
    """In one segment value, a share of test and production labels is flipped."""
    column, value = _flip_segment(m, ctx)

    def flip(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        chosen = rows & (rng.random(len(frame)) < share) & ctx.labelled(frame)
        if not chosen.any():  # nothing labelled here (production labels not arrived)
            return frame
        out = frame.copy()
        risky = ctx.y(out)
        labels = out[ctx.cols.label].astype(object).to_numpy()
        labels[chosen & risky] = ctx.cols.negative
        labels[chosen & ~risky] = ctx.cols.positive
        out[ctx.cols.label] = pd.Series(labels, index=out.index).astype(frame[ctx.cols.label].dtype)
        return out

    in_test = (_split(m).eq("test") & m.dataset[column].astype("string").eq(value)).to_numpy()
    dataset = flip(m.dataset, in_test)
    production = m.production
    if production is not None:
        production = flip(production, production[column].astype("string").eq(value).fillna(False).to_numpy())
    return replace(m, dataset=dataset, production=production)


def _flip_segment(m: Material, ctx: Context) -> tuple[str, str]:
    """The segment value to corrupt: the smallest one (first segment column) with
    enough risky test rows to be judged, so the overall recall may still pass."""
    column = ctx.cols.segments[0]
    test = m.dataset[_split(m).eq("test")]
    risky = test[ctx.y(test)][column].astype("string").value_counts()
    enough = risky[risky >= 3 * ctx.config.quality.segment_min_positives]
    chosen = enough if len(enough) else risky
    return column, str(chosen.sort_values(kind="stable").index[0])


# --------------------------------------------------------------------------- applicability


def _needs_timestamp_or_entities(ctx: Context) -> str | None:
    if ctx.cols.timestamp is None and not ctx.cols.entities:
        return "needs [columns] timestamp or entities"
    return None


def _needs_entities(ctx: Context) -> str | None:
    return None if ctx.cols.entities else "needs [columns] entities"


def _needs_features(ctx: Context) -> str | None:
    return None if ctx.features else "needs feature columns"


def _needs_production(ctx: Context) -> str | None:
    return None if ctx.config.production is not None else "needs [production]"


def _needs_labelled_production(ctx: Context) -> str | None:
    return _needs_production(ctx) or (
        None if ctx.production_positives else "needs labelled risky rows in production"
    )


def _needs_numeric_production(ctx: Context) -> str | None:
    return _needs_production(ctx) or (None if ctx.numeric_features else "needs a numeric feature")


def _needs_segments(ctx: Context) -> str | None:
    return None if ctx.cols.segments else "needs [columns] segments"


def _needs_scores(ctx: Context) -> str | None:
    return None if ctx.scores is not None else "needs a candidate model or score column"


def _needs_training_log(ctx: Context) -> str | None:
    return None if ctx.config.training.log is not None else "needs [training] log"


CATALOGUE: tuple[Fault, ...] = (
    Fault(
        "random_split",
        "rows assigned to train/val/test at random instead of by time and entity",
        ("splits.time_order", "splits.entity_overlap"),
        (0.001, 0.01, 0.1, 1.0),
        1.0,
        "share of rows",
        random_split,
        _needs_timestamp_or_entities,
    ),
    Fault(
        "users_across_splits",
        "test users also appear in train (first entity column)",
        ("splits.entity_overlap",),
        (0.001, 0.01, 0.05),
        0.01,
        "share of test users",
        users_across_splits,
        _needs_entities,
    ),
    Fault(
        "session_straddle",
        "validation sessions that began before the boundary (last entity column)",
        ("splits.entity_overlap",),
        (0.001, 0.01, 0.05),
        0.01,
        "share of val sessions",
        session_straddle,
        _needs_entities,
    ),
    Fault(
        "leaky_feature",
        "a feature that is the label plus noise",
        ("splits.target_leakage",),
        (0.9, 0.97, 0.99, 0.999),
        0.99,
        "its ROC AUC",
        leaky_feature,
        _needs_features,
    ),
    Fault(
        "covariate_shift",
        "three numeric features of production shifted",
        ("drift.features", "drift.scores"),
        (0.05, 0.2, 0.5, 1.0),
        1.0,
        "train standard deviations",
        covariate_shift,
        _needs_numeric_production,
    ),
    Fault(
        "prevalence_shift",
        "more risky requests in production than in test",
        ("drift.labels",),
        (1.1, 1.25, 1.5, 2.0),
        2.0,
        "prevalence factor",
        prevalence_shift,
        _needs_labelled_production,
    ),
    Fault(
        "segment_label_flip",
        "labels flipped within one segment value (test and production)",
        ("quality.segments",),
        (0.01, 0.05, 0.2),
        0.2,
        "share of labels",
        segment_label_flip,
        _needs_segments,
    ),
    Fault(
        "uninformative_candidate",
        "a candidate whose scores ignore the risky class",
        ("quality.auc", "quality.recall", "quality.precision", "quality.baselines"),
        (0.25, 0.5, 0.75, 1.0),
        1.0,
        "share of noise",
        uninformative_candidate,
        _needs_scores,
    ),
    Fault(
        "miscalibrated",
        "candidate probabilities squashed (ranking unchanged)",
        ("quality.calibration",),
        (1.2, 1.5, 2.0, 4.0),
        2.0,
        "temperature",
        miscalibrated,
        _needs_scores,
    ),
    Fault(
        "training_nan",
        "NaN validation losses in the training log",
        ("training.curves",),
        (1.0,),
        1.0,
        "NaN epochs",
        training_nan,
        _needs_training_log,
    ),
    Fault(
        "overfitting",
        "validation loss rising while train loss falls",
        ("training.curves",),
        (5.0, 10.0, 20.0, 40.0),
        20.0,
        "epochs rising",
        overfitting,
        _needs_training_log,
    ),
)


def catalogue(names: list[str] | None = None) -> list[Fault]:
    """The faults to run, in catalogue order (``names``: a subset, each must exist)."""
    if not names:
        return list(CATALOGUE)
    known = {f.name: f for f in CATALOGUE}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown fault(s) {unknown}; known: {sorted(known)}")
    return [f for f in CATALOGUE if f.name in set(names)]
