"""The demo folder's manifest (``demo.json``) and the check that keeps a user's files safe.

The manifest records the sha256 of every file ``sentinel demo`` wrote. Before writing
anything, :func:`refuse_foreign_files` makes sure each file the demo is about to write
either does not exist or is one the manifest lists with its recorded content: nothing
a user created or edited in the folder is ever overwritten. It only reads the folder,
so it is tested without building the demo.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from sentinel_checks.data.fingerprints import fingerprint_file
from sentinel_checks.errors import SentinelError

MANIFEST = "demo.json"

#: Every file ``sentinel demo`` writes, relative to its folder (the manifest last).
DEMO_FILES: tuple[str, ...] = (
    "data/requests.parquet",
    "data/incident_requests.parquet",
    "data/production.parquet",
    "models/champion.skops",
    "models/incident.skops",
    "models/fixed.skops",
    "training/incident.csv",
    "training/fixed.csv",
    "incident.toml",
    "fixed.toml",
    MANIFEST,
)


class DemoWriteError(SentinelError):
    """The demo folder holds files the demo did not create (or that were edited)."""


def read_manifest(folder: Path) -> dict[str, str]:
    """The files a previous ``sentinel demo`` wrote in ``folder`` (path -> sha256);
    empty when there is no manifest. A ``demo.json`` that is not a manifest is a
    :class:`DemoWriteError`: the folder is not the demo's."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        return {str(k): str(v) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DemoWriteError(
            f"{path} exists but is not a demo manifest ({exc}); choose another --out folder"
        ) from exc


def foreign_files(folder: Path, planned: Sequence[str], manifest: Mapping[str, str]) -> list[Path]:
    """The ``planned`` files that exist in ``folder`` but are not the demo's own: not in
    the ``manifest``, or with content other than it records. The manifest itself is the
    demo's own when it was read (``manifest`` not empty)."""
    foreign = []
    for rel in planned:
        path = folder / rel
        if not path.exists() or (rel == MANIFEST and manifest):
            continue
        if rel not in manifest or not path.is_file() or fingerprint_file(path) != manifest[rel]:
            foreign.append(path)
    return foreign


def refuse_foreign_files(folder: Path, planned: Sequence[str] = DEMO_FILES) -> None:
    """Raise :class:`DemoWriteError`, naming them, if writing ``planned`` into ``folder``
    would overwrite files the demo did not create (or that were edited since).

    Reads ``folder``'s manifest and the files; writes nothing.
    """
    foreign = foreign_files(folder, planned, read_manifest(folder))
    if foreign:
        listed = "\n  ".join(str(path) for path in foreign)
        raise DemoWriteError(
            "sentinel demo would overwrite files it did not create (or that were edited since):\n  "
            f"{listed}\nMove them away or choose another folder with --out."
        )
