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


#: The paths of a config, where its TOML writes them: (table path, key, as told); those
#: told are input files that must exist, the others (told "") are written by the gate.
_PATHS = (
    (("data",), "path", "[data] path"),
    (("production",), "path", "[production] path"),
    (("models", "candidate"), "path", "[models.candidate] path"),
    (("models", "champion"), "path", "[models.champion] path"),
    (("training",), "log", "[training] log"),
    (("monitor",), "reference", "[monitor] reference"),
    (("monitor",), "labels", "[monitor] labels"),
    (("monitor",), "history", ""),
    (("monitor",), "evidently_workspace", ""),
    (("registry",), "artifact_location", ""),
    (("registry",), "audit_log", ""),
)


def _resolved(written: Path, base: Path) -> Path:
    """``written`` (a config's path) made absolute against the config's folder ``base``."""
    full = written.expanduser()
    return Path(os.path.normpath(full if full.is_absolute() else base / full))


def _missing_at(written: Path, base: Path) -> str | None:
    """Why the input file a config writes as ``written`` is missing (:func:`missing_file`
    of it read from the config's folder ``base``), or ``None``. A relative path says it is
    read from the config's folder, and names the file the working directory holds, if it
    does (a path written from where the gate runs: the absolute path alone looked wrong)."""
    missing = missing_file(_resolved(written, base))
    if missing is None or written.expanduser().is_absolute():
        return missing
    told = f'"{written}" is read from the config\'s folder {base}'
    from_here = Path.cwd() / written
    if missing_file(from_here) is None:
        told += f"; the working directory holds {from_here}: write it relative to {base} or absolute"
    return f"{missing} ({told})"


def _at(tables: tuple[str, ...], key: str, within: Any) -> Any:
    """The value at ``tables`` then ``key`` in a raw TOML mapping or a config model."""
    for name in (*tables, key):
        within = within.get(name) if isinstance(within, Mapping) else getattr(within, name, None)
    return within


def missing_inputs_as_written(config: SentinelConfig) -> dict[str, str]:
    """Why each configured input file that is missing is missing, by key (``"[data]
    path"``), worded from the path as its TOML writes it (:func:`_missing_at`: a relative
    path is said to be read from the config's folder): what the preflight says of a
    valid config's missing file. ``{}`` for a config not read from a file."""
    source = config.source
    try:
        raw: Any = _read_toml(source) if source.is_file() else {}
    except ConfigError:
        return {}
    if source.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("sentinel") or {}
    return dict(_missing_as_written(raw, source))


def _missing_as_written(raw: Mapping[str, Any], source: Path) -> list[tuple[str, str]]:
    """The input files an invalid config names that do not exist, read from its tables as
    written (a path that is not a string is pydantic's problem, told once): listed with
    its invalid keys, so one run tells both (trial: fix the key, rerun, then the path)."""
    found = []
    for tables, key, told in _PATHS:
        value = _at(tables, key, raw)
        if told and isinstance(value, str) and value:
            missing = _missing_at(Path(value), source.parent)
            if missing is not None:
                found.append((told, missing))
    return found


def _replaced(model: Any, tables: tuple[str, ...], key: str, value: Path) -> Any:
    """A copy of the config model ``model`` with ``value`` at ``tables`` then ``key``
    (an absent table, such as no ``[production]``, stays absent)."""
    if not tables:
        return model.model_copy(update={key: value})
    inner = getattr(model, tables[0])
    if inner is None:
        return model
    return model.model_copy(update={tables[0]: _replaced(inner, tables[1:], key, value)})


def _resolve_paths(config: SentinelConfig, *, check_files: bool = True) -> SentinelConfig:
    """Make relative paths absolute against the config file and check the inputs exist."""
    base = config.base_dir
    problems: list[str] = []
    for tables, key, told in _PATHS:
        path = _at(tables, key, config)
        if path is None:
            continue
        missing = _missing_at(path, base) if told else None
        if missing is not None:
            problems.append(f"  {told}: {missing}")
        config = _replaced(config, tables, key, _resolved(path, base))
    if problems and check_files:
        raise ConfigError("\n".join([f"{config.source}: missing file(s):", *problems]))
    uri = config.registry.store
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_absolute():
        uri = f"sqlite:///{_resolved(Path(uri.removeprefix('sqlite:///')), base)}"
    return config.model_copy(update={"registry": config.registry.model_copy(update={"tracking_uri": uri})})
