"""Errors the gate raises for bad input. Each names the file, key or column at fault.

The CLI maps every :class:`SentinelError` to exit code 2 (usage, configuration or
data error), distinct from 1 (the gate ran and failed).
"""

from __future__ import annotations


class SentinelError(Exception):
    """Base class: an input the gate cannot work with. The message is for a human."""


class ConfigError(SentinelError):
    """The configuration file is missing, unreadable or invalid. ``located``: for an invalid
    config, each problem its message lists, as (the key as written, e.g. ``"[gate] seed"``,
    what is wrong with it), in the message's order (empty otherwise)."""

    def __init__(self, message: str = "", *, located: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.located = located


class DataError(SentinelError):
    """A dataset is missing, unreadable, or does not have the configured shape."""


def path_not_found(path: object, what: str = "") -> str:
    """The one wording of a data path that names nothing, on every engine and command,
    with the nearest name in its folder when one is close (``difflib``; trial: a typo in
    a file name got no hint), or the folder that is missing too.

    >>> path_not_found("logs/", "[data]")
    '[data] path not found: logs/ (no such file or directory)'
    """
    return f"{what + ' ' if what else ''}path not found: {path} (no such file or directory){_nearest(path)}"


def _nearest(path: object) -> str:
    """``"; did you mean data/requests.parquet?"``, ``"; its folder data/ does not exist
    either"`` or ``""`` (a glob, a folder that cannot be listed, nothing close)."""
    import difflib
    from pathlib import Path

    text = str(path)
    if not text or any(c in text for c in "*?["):
        return ""
    target = Path(text)
    folder = target.parent
    try:
        if not folder.is_dir():
            return f"; its folder {folder}/ does not exist either" if str(folder) not in ("", ".") else ""
        names = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return ""
    close = difflib.get_close_matches(target.name, names, n=1, cutoff=0.75)
    return f"; did you mean {folder / close[0]}?" if close else ""


class EngineResourceError(DataError):
    """The engine ran out of memory or disk computing a table the run holds (a split, the
    production sample): a setup mistake of ``[engine.duckdb]`` / ``[engine.spark]``, which the
    preflight reports once (exit 2) before any check runs."""


class UnreadableDataFile(DataError):
    """A data file the engine could not read while computing on it (a damaged page of one
    part, a file gone): the message names the file and :attr:`key`, the config key of
    the data (``"[data] path"``, ``"[production] path"``). The preflight reports it once
    (exit 2) before any check runs."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


class ColumnSettingError(DataError):
    """The data do not fit a ``[columns]`` setting (the timestamp column holds no times):
    the message names the file and the column, :attr:`key` the setting to change
    (``"[columns] timestamp"``). The preflight reports it under that key, not the file's
    (trial: ``timestamp = "user_id"`` was told as a problem of ``[data]`` and of
    ``[production]``)."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


class ModelLoadError(SentinelError):
    """A model cannot be loaded, is untrusted, or cannot score."""


class RegistryError(SentinelError):
    """The model registry cannot be reached, or a registry operation failed (nothing was changed)."""


class PromotionRefused(SentinelError):
    """A promotion the gate does not allow: the gate failed, or its report is for other inputs."""


class ReportError(SentinelError):
    """A file the gate wrote (``gate.json``, ``threshold.json``) is missing, unreadable,
    not the document it should be, or of a schema version this library does not read."""

    def __init__(self, message: str, *, path: object = None, missing: bool = False) -> None:
        super().__init__(message)
        self.path = path
        self.missing = missing


#: Errors that make a gate test a bad input (exit 2), not a failed gate (exit 1).
INPUT_ERRORS = (ConfigError, DataError, ModelLoadError)
