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
    a file name got no hint), or what is wrong with its folder.

    >>> path_not_found("no/such/logs.parquet", "[data]")  # doctest: +NORMALIZE_WHITESPACE
    '[data] path not found: no/such/logs.parquet (no such file or directory);
     its folder no/such/ does not exist either'
    """
    told = f"{what} path not found" if what else "path not found"
    return f"{told}: {path} (no such file or directory){nearest_hint(path)}"


#: Entries of a folder read for the nearest name; a larger folder gets no hint.
NEAREST_SCAN = 5_000


def nearest_hint(path: object) -> str:
    """``"; did you mean data/requests.parquet?"`` (a file for a name with a suffix,
    else a file or a folder, shown with ``/``), ``"; its folder data/ does not exist
    either"``, ``"; data is a file, not a folder"`` or ``""`` (a glob, a URI, the current
    folder, a folder of more than :data:`NEAREST_SCAN` entries or that cannot be
    listed, nothing close)."""
    import difflib
    import itertools
    from pathlib import Path

    from sentinel_checks.data.parquet_files import GLOB_MARKS

    text = str(path)
    if not text or "://" in text or any(mark in text for mark in GLOB_MARKS):
        return ""
    target = Path(text)
    folder = target.parent
    if str(folder) in ("", "."):
        return ""
    try:
        if folder.is_file():
            return f"; {folder} is a file, not a folder"
        if not folder.is_dir():
            return f"; its folder {folder}/ does not exist either"
        entries = list(itertools.islice(folder.iterdir(), NEAREST_SCAN + 1))
        if len(entries) > NEAREST_SCAN:
            return ""
        kinds = {e.name: e.is_dir() for e in entries if not e.name.startswith(".")}
    except OSError:
        return ""
    names = [name for name, is_dir in kinds.items() if not (is_dir and target.suffix)]
    close = difflib.get_close_matches(target.name, names, n=1, cutoff=0.75)
    if not close:
        return ""
    return f"; did you mean {folder / close[0]}{'/' if kinds[close[0]] else ''}?"


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
