"""Read ``gate.json`` back: the typed document (:class:`GateReport`, :class:`CheckEntry`).

:func:`~sentinel_checks.reports.gate_report.gate_document` writes what this module reads;
every reader of ``gate.json`` (the gate's exit code, ``sentinel promote``, the self-test)
goes through :meth:`GateReport.read`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sentinel_checks.errors import ReportError

#: 2: check entries carry ``needed`` and ``inconclusive_blocks``; ``statuses`` counts results.
#: 3: ``counts`` has one key per status (inconclusive and warned checks are no longer
#: counted as passed); ``exit_code``; ``data_files`` lists each file of a directory input.
#: 4: every check entry has ``status`` (one without a check result, no ``id``: from its
#: pytest outcome); ``statuses`` counts every entry, adding up to the number of ``checks``.
SCHEMA_VERSION = 4
#: The gate.json schema versions :meth:`GateReport.read` understands.
READABLE_SCHEMA_VERSIONS = frozenset({1, 2, 3, 4})


def read_json_document(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in ``path``; :class:`ReportError` naming the file otherwise.

    Parameters
    ----------
    path : Path
        The JSON file.
    what : str
        What the file should be, for messages (e.g. ``"gate report"``).

    Returns
    -------
    dict
        The parsed object.

    Raises
    ------
    ReportError
        The file is missing (``missing=True``), unreadable, not JSON, or not a JSON object.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{what} not found: {path}", path=path, missing=True) from None
    except OSError as exc:
        raise ReportError(f"{what} {path} is not readable: {exc}", path=path) from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ReportError(f"{what} {path} is not readable JSON: {exc}", path=path) from None
    if not isinstance(doc, dict):
        raise ReportError(f"{what} {path} is not a {what} document (not a JSON object)", path=path)
    return doc


@dataclass(frozen=True)
class CheckEntry:
    """One test of a :class:`GateReport`: its outcome and, when it recorded one, its check."""

    test: str
    outcome: str  # passed, failed, skipped, error
    message: str = ""
    id: str | None = None
    label: str | None = None
    status: str | None = None  # the check's, else the pytest outcome's (None before schema 4)
    reason: str | None = None
    input_error: bool = False
    fields: Mapping[str, Any] = field(default_factory=dict)  # the entry as written

    @property
    def name(self) -> str:
        """The check's label, else the test's node id."""
        return self.label or self.test

    @property
    def recorded_check(self) -> bool:
        """The test recorded a check result (it has a check ``id``)."""
        return self.id is not None

    @property
    def bad(self) -> bool:
        """The test failed or errored, or its check failed whatever pytest counted."""
        # a failed check pytest counted as xfailed or passed blocks too (gate_report.blocks)
        hidden = self.status in ("fail", "error") or (
            self.status == "inconclusive" and bool(self.fields.get("inconclusive_blocks"))
        )
        return self.outcome in ("failed", "error") or (self.recorded_check and hidden)

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any]) -> CheckEntry:
        """One entry of ``gate.json``'s ``checks``.

        Parameters
        ----------
        entry : mapping
            The entry as written; ``test`` and ``outcome`` are required strings.

        Returns
        -------
        CheckEntry

        Raises
        ------
        ValueError
            ``test`` or ``outcome`` is missing or not a string (:meth:`GateReport.from_dict`
            turns it into a :class:`ReportError`).
        """
        if not isinstance(entry.get("test"), str) or not isinstance(entry.get("outcome"), str):
            raise ValueError(f"a check entry needs 'test' and 'outcome' strings, got {dict(entry)!r:.200}")

        def text(key: str) -> str | None:
            value = entry.get(key)
            return None if value is None else str(value)

        return cls(
            test=entry["test"],
            outcome=entry["outcome"],
            message=str(entry.get("message", "")),
            id=text("id"),
            label=text("label"),
            status=text("status"),
            reason=text("reason"),
            input_error=entry.get("input_error") is True,
            fields=dict(entry),
        )


@dataclass(frozen=True)
class GateReport:
    """``gate.json`` as a typed document: what :func:`gate_document` writes, read back.

    Every reader of ``gate.json`` (the gate's exit code, ``sentinel promote``, the
    self-test) goes through :meth:`read`.
    """

    schema_version: int
    verdict: str  # pass, fail, no_checks
    config: str = ""
    config_sha256: str = ""
    data: Mapping[str, str] = field(default_factory=dict)
    #: each file of a directory or glob input: ``path``, ``bytes``, ``sha256`` (by input)
    data_files: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    models: Mapping[str, str] = field(default_factory=dict)
    coverage: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    checks: tuple[CheckEntry, ...] = ()
    notes: tuple[str, ...] = ()  # what the run's setup said beside the checks

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], *, source: object = "gate.json") -> GateReport:
        """Validate a parsed ``gate.json``; :class:`ReportError` naming ``source`` when it is not one.

        Parameters
        ----------
        doc : mapping
            The parsed JSON object.
        source : object, optional
            What to name in errors (a path).

        Returns
        -------
        GateReport

        Raises
        ------
        ReportError
            No or an unsupported ``schema_version``, or a field of the wrong type.
        """
        version = doc.get("schema_version")
        if version is None:
            raise ReportError(f"{source} is not a gate.json document: it has no schema_version", path=source)
        if not isinstance(version, int) or version not in READABLE_SCHEMA_VERSIONS:
            raise ReportError(
                f"{source}: gate.json schema_version {version!r} is not supported "
                f"(this library reads {sorted(READABLE_SCHEMA_VERSIONS)})",
                path=source,
            )
        try:
            verdict = doc["verdict"]
            if not isinstance(verdict, str):
                raise ValueError(f"verdict {verdict!r} is not a string")
            notes = doc.get("notes", [])
            if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
                raise ValueError("notes is not a list of strings")
            checks = doc.get("checks", [])
            if not isinstance(checks, list) or not all(isinstance(c, Mapping) for c in checks):
                raise ValueError("checks is not a list of objects")
            seed = doc.get("seed")
            return cls(
                schema_version=version,
                verdict=verdict,
                config=str(doc.get("config", "")),
                config_sha256=str(doc.get("config_sha256", "")),
                data={str(k): str(v) for k, v in dict(doc.get("data") or {}).items()},
                data_files={
                    str(k): tuple(dict(f) for f in v) for k, v in dict(doc.get("data_files") or {}).items()
                },
                models={str(k): str(v) for k, v in dict(doc.get("models") or {}).items()},
                coverage=dict(doc.get("coverage") or {}),
                seed=None if seed is None else int(seed),
                counts={str(k): int(v) for k, v in dict(doc.get("counts") or {}).items()},
                checks=tuple(CheckEntry.from_dict(c) for c in checks),
                notes=tuple(notes),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ReportError(f"{source} is not a valid gate.json document: {exc}", path=source) from None

    @classmethod
    def read(cls, path: Path) -> GateReport:
        """Read and validate ``path``; :class:`ReportError` naming the file when it is
        missing, unreadable, not a gate report, or of an unsupported schema version.

        Parameters
        ----------
        path : Path
            A ``gate.json`` file.

        Returns
        -------
        GateReport

        Raises
        ------
        ReportError
            As said; ``missing`` is True when the file does not exist.
        """
        return cls.from_dict(read_json_document(path, "gate report"), source=path)

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @property
    def bad(self) -> list[CheckEntry]:
        """The tests that failed or errored."""
        return [c for c in self.checks if c.bad]
