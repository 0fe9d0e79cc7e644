"""skops: the safe default for model files (no code runs on load)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sentinel_checks.errors import ModelLoadError


def untrusted_types(path: Path) -> list[str]:
    """Types in a ``.skops`` file that skops does not trust by default.

    Parameters
    ----------
    path : Path
        The ``.skops`` file.

    Returns
    -------
    list of str
        Fully qualified type names, sorted.

    Raises
    ------
    ModelLoadError
        The file is not a readable skops file.
    """
    import skops.io as sio

    try:
        return sorted(sio.get_untrusted_types(file=path))
    except Exception as exc:  # a corrupt zip, a file that is not skops at all
        raise ModelLoadError(f"{path}: not a readable skops file: {exc}") from exc


def load(path: Path, *, trusted_types: list[str], trust_all: bool, key: str) -> Any:
    """Load a skops file, refusing types that are neither skops-trusted nor listed by the user.

    Parameters
    ----------
    path : Path
        The ``.skops`` file.
    trusted_types : list of str
        Types the user reviewed and accepts (``trusted_types`` of the model's table).
    trust_all : bool
        Accept every type (``trusted = true``).
    key : str
        The config table, named in the error (e.g. ``"[models.candidate]"``).

    Returns
    -------
    object
        The model.

    Raises
    ------
    ModelLoadError
        The file is unreadable, holds types neither trusted nor listed (unless
        ``trust_all``), or skops cannot load it.
    """
    import skops.io as sio

    found = untrusted_types(path)
    unknown = [t for t in found if t not in set(trusted_types)]
    if unknown and not trust_all:
        listed = "\n".join(f'    "{t}",' for t in unknown)
        raise ModelLoadError(
            f"{path}: the skops file contains types that are not trusted by default:\n{listed}\n"
            f"Review them, then list them under {key} trusted_types = [...] "
            "(or set trusted = true for a file you built yourself)."
        )
    try:
        return sio.load(path, trusted=found)
    except Exception as exc:
        raise ModelLoadError(f"{path}: skops could not load the model: {exc}") from exc


def dump(model: Any, path: Path) -> None:
    """Save a model as a skops file (no code runs when it is loaded).

    Parameters
    ----------
    model : object
        The model.
    path : Path
        The file written; its folder must exist.
    """
    import skops.io as sio

    sio.dump(model, path)
