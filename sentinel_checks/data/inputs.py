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
    """The configured inputs, loaded as the gate loads them.

    Attributes
    ----------
    dataset : DataFrame
        The offline dataset, timestamps parsed.
    features : list of str
        The feature columns, each present in ``dataset``.
    splits : Splits
        train/val/test as ``[splits]`` makes them.
    production : DataFrame or None
        The production sample, or ``None`` when none is configured.
    """

    dataset: pd.DataFrame
    features: list[str]
    splits: Splits
    production: pd.DataFrame | None


def load_dataset(config: SentinelConfig) -> pd.DataFrame:
    """The offline dataset, timestamps parsed; an empty one is a DataError.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration (``[data]``: a path or a loader; ``[columns] timestamp``).

    Returns
    -------
    DataFrame
        Every row of the dataset; the timestamp column, when configured, as datetime64.

    Raises
    ------
    DataError
        The file or loader fails, the frame has duplicate column names or no rows, or
        its timestamps cannot be parsed.
    """
    frame = load_frame(config.data, base_dir=config.base_dir, what="dataset")
    if frame.empty:
        raise DataError(f"dataset {frame.attrs.get('sentinel_origin')} has no rows")
    return prepare_frame(frame, config, what="dataset")


def load_production(config: SentinelConfig) -> pd.DataFrame | None:
    """The production sample, or ``None`` when none is configured.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration (``[production]``; ``[columns] timestamp``).

    Returns
    -------
    DataFrame or None
        The sample (its label column may be absent or partly null), timestamps parsed.

    Raises
    ------
    DataError
        The file or loader fails, or its timestamps cannot be parsed.
    """
    if config.production is None:
        return None
    frame = load_frame(config.production, base_dir=config.base_dir, what="production")
    return prepare_frame(frame, config, what="production")


def load_inputs(config: SentinelConfig) -> GateInputs:
    """Load the dataset, features, splits and production sample, in the gate's order.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration.

    Returns
    -------
    GateInputs
        The loaded inputs.

    Raises
    ------
    DataError
        An input cannot be loaded, a configured feature is absent, or the splits
        cannot be made.
    ConfigError
        ``[splits]`` cannot be applied (e.g. ``method = 'time'`` without a timestamp
        column, or boundaries that do not increase).
    """
    dataset = load_dataset(config)
    features = feature_columns(dataset, config, require_present=True)
    return GateInputs(dataset, features, build_splits(dataset, config), load_production(config))
