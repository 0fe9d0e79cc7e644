"""The preflight's look at where the inputs lie: a production sample read as part of the dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

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
        return [
            SetupProblem(
                "[production] path",
                f"{len(shared):,} file(s) of the production sample ({production.path}; first {shared[0]}) "
                f"are also read as the dataset by [data] path {config.data.path}: {_WHY}",
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
    one ``stat`` per file. An unreadable file is left to the loaders, which name it."""
    from sentinel_checks.data.fingerprints import fingerprint_file

    def size(path: Path) -> int | None:
        try:
            return path.stat().st_size
        except OSError:
            return None

    sizes = {size(p): p for p in sorted(production)}
    candidates = sorted(p for p in dataset if size(p) in sizes and size(p) is not None)
    if not candidates:
        return []
    try:
        digests = {
            fingerprint_file(p): p for p in sorted(production) if size(p) in {size(c) for c in candidates}
        }
        return [(c, digests[h]) for c in candidates if (h := fingerprint_file(c)) in digests]
    except OSError:
        return []


def _identity(path: Path) -> tuple[int, int] | Path:
    """The file itself (device and inode: a hard link is the same file), else its path."""
    try:
        stat = path.stat()
    except OSError:
        return path
    return (stat.st_dev, stat.st_ino)
