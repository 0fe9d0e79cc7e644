"""Moved to :mod:`sentinel_checks.config.toml_writer`; this path keeps the old imports working."""

from __future__ import annotations

from sentinel_checks.config.toml_writer import toml_dumps as toml_dumps
from sentinel_checks.config.toml_writer import toml_literal as toml_literal
from sentinel_checks.config.toml_writer import toml_ready as toml_ready
