"""The audit log of registry moves (JSON lines: who, when, which version, which gate report)."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import asdict, dataclass
from typing import Any

from sentinel_checks.adapters.mlflow_registry import Registry
from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.jsonl import append_line, read_lines


@dataclass(frozen=True)
class Move:
    """One registry change, as written to the audit log."""

    action: str
    model: str
    version: str | None
    previous: str | None
    actor: str
    at: str
    registry: str
    gate_report: str | None = None
    gate_report_sha256: str | None = None
    candidate: str | None = None
    reason: str = ""


def actor() -> str:
    """Who is acting: $SENTINEL_ACTOR, the CI's user ($GITHUB_ACTOR, $GITLAB_USER_LOGIN), else the login."""
    for var in ("SENTINEL_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def now() -> str:
    """The time of a move: UTC, ISO 8601, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def record_move(
    config: SentinelConfig,
    registry: Registry,
    action: str,
    *,
    version: str | None,
    previous: str | None,
    who: str | None,
    at: str | None = None,
    **extra: Any,
) -> Move:
    """Build the move, append it to the audit log, return it."""
    move = Move(
        action=action,
        model=registry.name,
        version=version,
        previous=previous,
        actor=who or actor(),
        at=at or now(),
        registry=registry.uri,
        **extra,
    )
    append_move(config, move)
    return move


def append_move(config: SentinelConfig, move: Move) -> None:
    """Append one move to ``[registry] audit_log``."""
    append_line(config.registry.audit_log, asdict(move))


def read_audit(config: SentinelConfig) -> list[dict[str, Any]]:
    """Every move recorded so far (a torn last line from a crash is skipped).

    Parameters
    ----------
    config : SentinelConfig
        ``[registry] audit_log`` is the JSON-lines file read.

    Returns
    -------
    list of dict
        The moves (fields of :class:`Move`), oldest first; ``[]`` without a log.
    """
    return read_lines(config.registry.audit_log)
