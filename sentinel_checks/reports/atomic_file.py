"""Atomic writes of the gate's files: readers see the old file or the new one, never a
partial write, and a file keeps the permissions it had."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder.

    Readers see the old file or the new one, never a partial write. The file gets the
    mode an existing ``path`` has, else the one ``open`` would give it (``0o666`` less
    the umask).

    Parameters
    ----------
    path : Path
        The file; its folder must exist.
    text : str
        Written as UTF-8.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        The file cannot be written (the temporary file is removed).
    """
    mode = _mode_of(path)
    fd, tmp = _new_file_beside(path)
    try:
        if mode is not None:  # before any byte is written: a private report stays private
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _mode_of(path: Path) -> int | None:
    """The permission bits of an existing ``path`` (``None``: none there, or unreadable)."""
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o777
    except OSError:
        return None


def _new_file_beside(path: Path) -> tuple[int, str]:
    """A new hidden file in ``path``'s folder, opened for writing with the mode ``open``
    gives (``0o666`` less the umask, or the folder's default ACL); ``mkstemp`` would make
    it ``0o600``."""
    for _ in range(100):
        name = str(path.parent / f".{path.name}.{secrets.token_hex(6)}")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")
