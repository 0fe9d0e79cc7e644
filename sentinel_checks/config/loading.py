"""Finding, reading and validating a config file: discovery (``--sentinel-config``,
``$SENTINEL_CONFIG``, ``./sentinel.toml``, ``[tool.sentinel]``), one
:class:`~sentinel_checks.errors.ConfigError` naming every offending key, and relative
paths resolved against the config file."""

from __future__ import annotations

import glob
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from sentinel_checks.config.inputs import Models, ModelSpec
from sentinel_checks.config.sentinel_config import SentinelConfig
from sentinel_checks.config.validation_text import validation_error_text
from sentinel_checks.errors import ConfigError, path_not_found

#: Environment variable naming the config file (below ``--sentinel-config``, above the defaults).
CONFIG_ENV = "SENTINEL_CONFIG"
DEFAULT_CONFIG_NAME = "sentinel.toml"


def find_config(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """Which config file to read: the explicit path, ``$SENTINEL_CONFIG``, then
    ``./sentinel.toml``, then ``./pyproject.toml`` if it has ``[tool.sentinel]``.

    Parameters
    ----------
    explicit : str or PathLike, optional
        ``--sentinel-config``; relative to ``cwd``, ``~`` expanded.
    cwd : Path, optional
        The folder searched (default: the current working directory).

    Returns
    -------
    Path
        An existing file.

    Raises
    ------
    ConfigError
        The explicit or ``$SENTINEL_CONFIG`` path is not a file, no default file is
        found, or ``pyproject.toml`` is not valid TOML.
    """
    cwd = Path.cwd() if cwd is None else cwd
    for given, origin in (
        (explicit, "--sentinel-config"),
        (os.environ.get(CONFIG_ENV), CONFIG_ENV),
    ):
        if given:
            path = Path(given).expanduser()
            path = path if path.is_absolute() else cwd / path
            if not path.is_file():
                raise ConfigError(f"config file not found: {path} (from {origin})")
            return path
    candidate = cwd / DEFAULT_CONFIG_NAME
    if candidate.is_file():
        return candidate
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file() and "sentinel" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    raise ConfigError(
        f"no configuration found in {cwd}: pass --sentinel-config PATH, set {CONFIG_ENV}, "
        f"or create {DEFAULT_CONFIG_NAME} (see docs/configuration.md)"
    )


def load_config(path: str | os.PathLike[str], *, check_files: bool = True) -> SentinelConfig:
    """Read, validate and resolve one config file.

    Relative paths in it are made absolute against the file's folder.

    Parameters
    ----------
    path : str or PathLike
        A TOML file (``sentinel.toml``), or a ``pyproject.toml`` with ``[tool.sentinel]``.
    check_files : bool, default True
        Refuse a configured input file that does not exist. ``sentinel gate`` passes
        False and lets its preflight report a missing file among every other setup
        problem, with the reports of a stopped run.

    Returns
    -------
    SentinelConfig
        The validated configuration; ``source`` is the resolved file.

    Raises
    ------
    ConfigError
        The file is missing, unreadable or not TOML, a ``pyproject.toml`` has no
        ``[tool.sentinel]``, a key is unknown, missing or invalid (every one named), or
        a configured input file does not exist (with ``check_files``).
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    raw = _read_toml(path)
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("sentinel")
        if raw is None:
            raise ConfigError(f"{path}: no [tool.sentinel] table")
    return config_from_mapping(raw, source=path, check_files=check_files)


def config_from_mapping(raw: Mapping[str, Any], *, source: Path, check_files: bool = True) -> SentinelConfig:
    """Validate a parsed mapping as if it had been read from ``source``.

    Parameters
    ----------
    raw : mapping
        The parsed TOML tables (``{"data": {...}, "columns": {...}, ...}``).
    source : Path
        The file it stands for: relative paths resolve against its folder, and errors name it.
    check_files : bool, default True
        As :func:`load_config`.

    Returns
    -------
    SentinelConfig

    Raises
    ------
    ConfigError
        A key is unknown, missing or invalid, or a configured input file does not exist.
    """
    try:
        config = SentinelConfig.model_validate(dict(raw))
    except pydantic.ValidationError as exc:
        text, located = validation_error_text(exc, source, also=_missing_as_written(raw, source))
        raise ConfigError(text, located=located) from None
    config = config.model_copy(update={"source": source})
    return _resolve_paths(config, check_files=check_files)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def missing_file(path: Path) -> str | None:
    """Why a configured input file is missing, or ``None`` when it is there: a glob of
    parquet files (``*``, ``?``, ``[``) that matches nothing, else the path not found,
    in the wording of every data reader."""
    if any(mark in str(path) for mark in "*?["):
        return None if glob.glob(str(path), recursive=True) else f"no file matches the glob {path}"
    return None if path.exists() else path_not_found(path)


#: The input files of a config, where its TOML writes them: (table path, key, as told).
_INPUT_FILES = (
    (("data",), "path", "[data] path"),
    (("production",), "path", "[production] path"),
    (("models", "candidate"), "path", "[models.candidate] path"),
    (("models", "champion"), "path", "[models.champion] path"),
    (("training",), "log", "[training] log"),
    (("monitor",), "reference", "[monitor] reference"),
    (("monitor",), "labels", "[monitor] labels"),
)


def _missing_as_written(raw: Mapping[str, Any], source: Path) -> list[tuple[str, str]]:
    """The input files an invalid config names that do not exist, read from its tables as
    written (a path that is not a string is pydantic's problem, told once): listed with
    its invalid keys, so one run tells both (trial: fix the key, rerun, then the path)."""
    found = []
    for tables, key, told in _INPUT_FILES:
        table: Any = raw
        for name in tables:
            table = table.get(name) if isinstance(table, Mapping) else None
        value = table.get(key) if isinstance(table, Mapping) else None
        if isinstance(value, str) and value:
            full = Path(value).expanduser()
            missing = missing_file(
                Path(os.path.normpath(full if full.is_absolute() else source.parent / full))
            )
            if missing is not None:
                found.append((told, missing))
    return found


def _resolve_paths(config: SentinelConfig, *, check_files: bool = True) -> SentinelConfig:
    """Make relative paths absolute against the config file and check they exist."""
    base = config.base_dir
    problems: list[str] = []

    def resolve(path: Path | None, key: str, must_exist: bool = True) -> Path | None:
        if path is None:
            return None
        full = path.expanduser()
        full = full if full.is_absolute() else (base / full)
        full = Path(os.path.normpath(full))
        missing = missing_file(full) if must_exist else None
        if missing is not None:
            problems.append(f"  {key}: {missing}")
        return full

    data = config.data.model_copy(update={"path": resolve(config.data.path, "[data] path")})
    production = config.production
    if production is not None:
        production = production.model_copy(update={"path": resolve(production.path, "[production] path")})
    models: dict[str, ModelSpec | None] = {}
    for role in ("candidate", "champion"):
        spec: ModelSpec | None = getattr(config.models, role)
        if spec is not None:
            spec = spec.model_copy(update={"path": resolve(spec.path, f"[models.{role}] path")})
        models[role] = spec
    training = config.training.model_copy(update={"log": resolve(config.training.log, "[training] log")})
    mon = config.monitor
    monitor = mon.model_copy(
        update={
            "reference": resolve(mon.reference, "[monitor] reference"),
            "labels": resolve(mon.labels, "[monitor] labels"),
            "history": resolve(mon.history, "", must_exist=False),
            "evidently_workspace": resolve(mon.evidently_workspace, "", must_exist=False),
        }
    )
    if problems and check_files:
        raise ConfigError("\n".join([f"{config.source}: missing file(s):", *problems]))
    reg = config.registry
    uri = reg.store
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_absolute():
        uri = f"sqlite:///{resolve(Path(uri.removeprefix('sqlite:///')), '', must_exist=False)}"
    registry = reg.model_copy(
        update={
            "tracking_uri": uri,
            "artifact_location": resolve(reg.artifact_location, "", must_exist=False),
            "audit_log": resolve(reg.audit_log, "", must_exist=False),
        }
    )
    return config.model_copy(
        update={
            "data": data,
            "production": production,
            "models": Models(**models),
            "training": training,
            "registry": registry,
            "monitor": monitor,
        }
    )
