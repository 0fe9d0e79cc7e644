"""sha256 fingerprints of input files and frames (what identifies a run's inputs)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
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


def fingerprint_files(files: Sequence[Path], *, base: Path) -> str:
    """sha256 over many files: each file's name below ``base`` and its bytes' sha256.

    The files of a directory or glob (:func:`~sentinel_checks.data.parquet_files.parquet_files`);
    a file added, removed, renamed or rewritten changes it. Each file is read once, as
    :func:`fingerprint_file` reads one (the cost of hashing the data once).

    Parameters
    ----------
    files : sequence of Path
        The files, in any order (sorted by name here).
    base : Path
        The folder their names are taken relative to (a file outside it: its full path).

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    OSError
        A file cannot be opened or read.
    """
    digest = hashlib.sha256()
    named = []
    for path in files:
        try:
            named.append((path.relative_to(base).as_posix(), path))
        except ValueError:
            named.append((path.as_posix(), path))
    for name, path in sorted(named):
        digest.update(f"{name}\0{fingerprint_file(path)}\n".encode())
    return digest.hexdigest()


def fingerprint_frame(frame: pd.DataFrame) -> str:
    """sha256 over the column names, dtypes and per-row hashes of a frame (order-sensitive).

    Parameters
    ----------
    frame : DataFrame
        Any frame; object and Arrow-backed string columns hash alike.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    # object and Arrow-backed strings hash alike; only the kind of column is part of the identity
    kinds = [(str(c), "text" if pd.api.types.is_string_dtype(t) else str(t)) for c, t in frame.dtypes.items()]
    digest.update(repr(kinds).encode())
    digest.update(value_hashes(frame).tobytes())  # chunked: no full-frame temporary
    return digest.hexdigest()
