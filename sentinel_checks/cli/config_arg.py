"""The configuration a command's ``--config`` names (else the discovered one), loaded."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig


def config_of(args: argparse.Namespace) -> SentinelConfig:
    """Load the config ``--config`` names, else the one :func:`find_config` discovers."""
    from sentinel_checks.config import load_config

    return load_config(find_cli_config(args.config))


def find_cli_config(chosen: str | None) -> Path:
    """The config a ``sentinel`` command uses: ``--config``, else ``$SENTINEL_CONFIG``,
    else ``./sentinel.toml``, else ``./pyproject.toml`` with ``[tool.sentinel]``.

    Raises
    ------
    ConfigError
        None found: the message names this command's own flag (``--config``, not the
        pytest plugin's ``--sentinel-config``) and the files looked for.
    """
    import os

    from sentinel_checks.config import find_config
    from sentinel_checks.errors import ConfigError

    if chosen is not None:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file not found: {path} (from --config)")
        return path
    if os.environ.get("SENTINEL_CONFIG"):
        return find_config(None)  # a file named but missing: its message names SENTINEL_CONFIG
    try:
        return find_config(None)
    except ConfigError:
        raise ConfigError(
            f"no configuration found in {Path.cwd()}: looked for sentinel.toml and a pyproject.toml "
            "with [tool.sentinel]; pass --config PATH, set SENTINEL_CONFIG, or run `sentinel init` "
            "(see docs/configuration.md)"
        ) from None
