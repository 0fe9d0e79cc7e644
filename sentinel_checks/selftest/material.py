"""What the self-test's faults act on: the clean inputs in memory and facts about them.

:class:`Material` is what one gate run reads; :class:`Context` holds the facts faults
need (computed once from the clean inputs); a :class:`Fault` is a pure function of
both, a strength and a random generator (:mod:`sentinel_checks.selftest.faults`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.labels import risky_mask

#: Columns the self-test adds to its copies (never features unless a fault says so).
SPLIT_COLUMN = "__sentinel_split"
SCORE_COLUMN = "__sentinel_score"
LEAK_COLUMN = "__sentinel_leak"


@dataclass(frozen=True)
class Material:
    """What one gate run reads, in memory.

    ``dataset`` carries the clean split of every row in :data:`SPLIT_COLUMN` (the
    split the user's config makes, frozen, so faults act on rows rather than on the
    split rule); ``config`` is the TOML mapping the run is given; ``scores`` are the
    candidate's scores (``dataset``/``production``), computed once, for score faults.
    """

    dataset: pd.DataFrame
    production: pd.DataFrame | None
    training_log: pd.DataFrame | None
    config: dict[str, Any]


@dataclass(frozen=True)
class Context:
    """Facts about the clean inputs that faults need (computed once)."""

    config: SentinelConfig
    features: list[str]
    numeric_features: list[str]
    scores: pd.Series | None  # candidate scores by dataset index
    production_scores: pd.Series | None
    production_positives: int = 0  # labelled risky rows in production

    @property
    def cols(self) -> Any:
        return self.config.columns

    def y(self, frame: pd.DataFrame) -> np.ndarray:
        """True where the label is the risky class (NaN labels, or no label column in a
        production sample whose labels have not arrived: False)."""
        if self.cols.label not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        risky, _ = risky_mask(
            frame[self.cols.label],
            positive=self.cols.positive,
            negative=self.cols.negative,
            where="self-test material",
            allow_unlabelled=True,
        )
        return risky

    def labelled(self, frame: pd.DataFrame) -> np.ndarray:
        """True where the row has a label (all False without a label column)."""
        if self.cols.label not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        return frame[self.cols.label].notna().to_numpy()


Apply = Callable[[Material, Context, float, np.random.Generator], Material]


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    expects: tuple[str, ...]  # detected when any of these checks fails
    strengths: tuple[float, ...]
    default: float
    unit: str
    apply: Apply
    needs: Callable[[Context], str | None]  # None when the fault applies, else why not


def split_of(material: Material) -> pd.Series:
    """The frozen split of every dataset row (:data:`SPLIT_COLUMN`)."""
    return material.dataset[SPLIT_COLUMN]


def config_with(config: dict[str, Any], *keys: str, value: Any) -> dict[str, Any]:
    """A copy of a nested mapping with ``keys`` set to ``value``.

    >>> base = {"models": {"candidate": {"path": "m.skops"}}, "seed": 0}
    >>> config_with(base, "models", "candidate", value={"score_column": "s"})
    {'models': {'candidate': {'score_column': 's'}}, 'seed': 0}
    >>> base["models"]["candidate"]
    {'path': 'm.skops'}
    """
    out = dict(config)
    node = out
    for key in keys[:-1]:
        node[key] = dict(node.get(key, {}))
        node = node[key]
    node[keys[-1]] = value
    return out
