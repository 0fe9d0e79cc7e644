"""sha256 fingerprints of input files and frames (what identifies a run's inputs)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sentinel_checks.stats.leakage import value_hashes


def fingerprint_file(path: Path, *, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, hex.

    Parameters
    ----------
    path : Path
        The file, read in chunks.
    chunk : int, optional
        Bytes read at a time (1 MiB).

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    OSError
        The file cannot be opened or read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileFingerprint:
    """One file of a many-file input: its name below the input's folder, size and sha256."""

    path: str  # relative to the input's folder, "/"-separated (a file outside it: its full path)
    bytes: int
    sha256: str  # 64 hex digits

    def to_dict(self) -> dict[str, str | int]:
        return {"path": self.path, "bytes": self.bytes, "sha256": self.sha256}


def file_fingerprints(files: Sequence[Path], *, base: Path) -> list[FileFingerprint]:
    """Each file's name below ``base``, size in bytes and sha256, sorted by name.

    The files of a directory or glob (:func:`~sentinel_checks.data.parquet_files.parquet_files`);
    each file is read once, as :func:`fingerprint_file` reads one.

    Parameters
    ----------
    files : sequence of Path
        The files, in any order.
    base : Path
        The folder their names are taken relative to (a file outside it: its full path).

    Returns
    -------
    list of FileFingerprint

    Raises
    ------
    OSError
        A file cannot be opened or read.
    """
    named = []
    for path in files:
        try:
            named.append((path.relative_to(base).as_posix(), path))
        except ValueError:
            named.append((path.as_posix(), path))
    return [
        FileFingerprint(name, path.stat().st_size, fingerprint_file(path)) for name, path in sorted(named)
    ]


def combined_fingerprint(entries: Sequence[FileFingerprint]) -> str:
    """sha256 over each file's name and sha256 (``"<name>\\0<sha256>\\n"``, in the order
    given): a file added, removed, renamed or rewritten changes it.

    Parameters
    ----------
    entries : sequence of FileFingerprint
        As :func:`file_fingerprints` returns them (sorted by name).

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(f"{entry.path}\0{entry.sha256}\n".encode())
    return digest.hexdigest()


def fingerprint_frame(frame: pd.DataFrame, *, ordered: bool = True) -> str:
    """sha256 over the column names, dtypes and per-row hashes of a frame.

    Parameters
    ----------
    frame : DataFrame
        Any frame; object and Arrow-backed string columns hash alike.
    ordered : bool
        The rows' order is part of the identity; without it, the same rows in any order
        give the same fingerprint (their 64-bit hashes sorted: a loader's query without
        ``ORDER BY``, review).

    Returns
    -------
    str
        64 hex digits.
    """
    import numpy as np

    digest = hashlib.sha256()
    # object and Arrow-backed strings hash alike; only the kind of column is part of the identity
    kinds = [(str(c), "text" if pd.api.types.is_string_dtype(t) else str(t)) for c, t in frame.dtypes.items()]
    digest.update(repr(kinds).encode())
    rows = value_hashes(frame)  # chunked: no full-frame temporary
    digest.update((rows if ordered else np.sort(rows)).tobytes())
    return digest.hexdigest()
