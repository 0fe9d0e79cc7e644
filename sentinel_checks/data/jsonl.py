"""Append-only JSON-lines files (the registry's audit log, the monitoring history).

One line per record, appended with a single ``O_APPEND`` write and ``fsync``: a
crash mid-write can leave at most a torn last line, which the next append closes
first and readers skip, so earlier records always stay readable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def append_line(path: Path, record: dict[str, Any]) -> None:
    """Append one record as a JSON line, with a single write and ``fsync``.

    A torn last line left by a crash is closed first, so it stays one unreadable
    line that :func:`read_lines` skips.

    Parameters
    ----------
    path : Path
        The JSON-lines file; it and its folder are created when absent.
    record : dict
        A JSON-serialisable record, written with sorted keys.

    Raises
    ------
    OSError
        The file cannot be created or written.
    TypeError
        ``record`` holds a value JSON cannot encode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line  # close a torn line left by a crash
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_lines(path: Path) -> list[dict[str, Any]]:
    """Every complete record; a torn or foreign line is skipped.

    Parameters
    ----------
    path : Path
        The JSON-lines file.

    Returns
    -------
    list of dict
        The records that are JSON objects, in file order; ``[]`` when the file is absent.
    """
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            records.append(value)
    return records
