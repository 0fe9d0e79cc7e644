"""The configuration a command's ``--config`` names (else the discovered one), loaded."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig


def config_of(args: argparse.Namespace) -> SentinelConfig:
    """Load the config ``--config`` names, else the one :func:`find_config` discovers."""
    from sentinel_checks.config import find_config, load_config

    return load_config(find_config(args.config))
