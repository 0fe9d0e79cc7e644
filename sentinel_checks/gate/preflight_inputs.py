"""The preflight's look at where the inputs lie: a production sample read as part of the dataset."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.gate.preflight import SetupProblem


def production_in_dataset(config: SentinelConfig) -> list[SetupProblem]:
    """One problem under ``[production] path`` when a file of the production sample is
    also one of the dataset's: a ``[data] path`` directory (every ``*.parquet`` below it)
    or glob that takes in ``[production] path``, e.g. ``data/`` with production in
    ``data/production/`` (trial: the 8,000 production rows were read into the dataset,
    landed in test, and the test→production checks compared rows with themselves, with
    no word said), or a copy of one: a dataset file with the same bytes (sha256, trial).

    Returns
    -------
    list of SetupProblem
        Empty when either input is a catalog table or a loader, or they share no file.
    """
    from sentinel_checks.data.parquet_files import files_named
    from sentinel_checks.gate.preflight import SetupProblem

    production = config.production
    if production is None or production.path is None or config.data.path is None:
        return []
    dataset = {_identity(p): p for p in files_named(config.data.path)}
    own = files_named(production.path)
    shared = sorted(p for p in own if _identity(p) in dataset)
    if shared:
        there = dataset[_identity(shared[0])]  # the dataset's name for it: a link, or the file
        named = "" if there == shared[0] else f", read there as {there}"
        return [
            SetupProblem(
                "[production] path",
                f"{len(shared):,} file(s) of the production sample ({production.path}; first {shared[0]}"
                f"{named}) are also read as the dataset by [data] path {config.data.path}: {_WHY}",
            )
        ]
    copies = _copies(own, set(dataset.values()))
    if not copies:
        return []
    copy, original = copies[0]
    return [
        SetupProblem(
            "[production] path",
            f"{len(copies):,} file(s) read as the dataset by [data] path {config.data.path} hold the "
            f"same bytes as the production sample ({production.path}): {copy} is a copy of {original}; "
            f"{_WHY}",
        )
    ]


_WHY = (
    "production rows would be split into train, val and test and compared with themselves; move "
    "the production files out of the dataset's folder, or point [data] path at the dataset's files only"
)


def _copies(production: set[Path], dataset: set[Path]) -> list[tuple[Path, Path]]:
    """(dataset file, production file) pairs of equal bytes, by sha256; only files of equal
    size are read (a copy has its original's size), so a dataset with no such file costs
    one ``stat`` per file. A parquet file with no row is no copy (empty parts of one schema
    are byte-equal); a file that cannot be read is left to the loaders, which name it."""
    from sentinel_checks.data.fingerprints import fingerprint_file

    sizes = {p: _size(p) for p in production | dataset}
    wanted = {sizes[p] for p in production} - {None}
    candidates = sorted(p for p in dataset if sizes[p] in wanted and _has_rows(p))
    originals: dict[str, Path] = {}
    for path in sorted(p for p in production if sizes[p] in {sizes[c] for c in candidates}):
        with contextlib.suppress(OSError):
            originals.setdefault(fingerprint_file(path), path)
    copies = []
    for path in candidates if originals else []:
        with contextlib.suppress(OSError):
            if (digest := fingerprint_file(path)) in originals:
                copies.append((path, originals[digest]))
    return copies


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _has_rows(path: Path) -> bool:
    """False for a parquet file whose footer counts no row; True otherwise (another format,
    or a footer that cannot be read: its bytes are compared)."""
    if path.suffix != ".parquet":
        return True
    import pyarrow.parquet as pq

    try:
        return bool(pq.ParquetFile(path).metadata.num_rows > 0)
    except Exception:  # not readable as parquet: the loaders name it
        return True


def _identity(path: Path) -> tuple[int, int] | Path:
    """The file itself (device and inode: a hard link is the same file), else its path."""
    try:
        stat = path.stat()
    except OSError:
        return path
    return (stat.st_dev, stat.st_ino)
