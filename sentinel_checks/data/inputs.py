"""The configured inputs, loaded outside pytest (for commands such as ``sentinel experiments``).

The same steps, in the same order and with the same errors, as the plugin's
session fixtures: load and prepare the dataset, resolve the features, build the
splits, and load the production sample when one is configured.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.io import feature_columns, load_frame, prepare_frame
from sentinel_checks.data.splits import Splits, build_splits
from sentinel_checks.errors import DataError


@dataclass(frozen=True)
class GateInputs:
    dataset: pd.DataFrame
    features: list[str]
    splits: Splits
    production: pd.DataFrame | None


def load_dataset(config: SentinelConfig) -> pd.DataFrame:
    """The offline dataset, timestamps parsed; an empty one is a DataError."""
    frame = load_frame(config.data, base_dir=config.base_dir, what="dataset")
    if frame.empty:
        raise DataError(f"dataset {frame.attrs.get('sentinel_origin')} has no rows")
    return prepare_frame(frame, config, what="dataset")


def load_production(config: SentinelConfig) -> pd.DataFrame | None:
    """The production sample, or ``None`` when none is configured."""
    if config.production is None:
        return None
    frame = load_frame(config.production, base_dir=config.base_dir, what="production")
    return prepare_frame(frame, config, what="production")


def load_inputs(config: SentinelConfig) -> GateInputs:
    dataset = load_dataset(config)
    features = feature_columns(dataset, config, require_present=True)
    return GateInputs(dataset, features, build_splits(dataset, config), load_production(config))
