"""Going back: ``rollback`` to the previous champion, and ``disable`` (the kill switch)."""

from __future__ import annotations

from sentinel_checks.config import SentinelConfig
from sentinel_checks.errors import RegistryError
from sentinel_checks.registry.audit import Move, record_move
from sentinel_checks.registry.state import (
    CHAMPION,
    DISABLED,
    LINEAGE_TAG,
    PREVIOUS,
    STATE_TAG,
    current_version,
    lineage_of,
    open_registry,
    version_at,
)


def rollback(config: SentinelConfig, *, who: str | None = None, reason: str = "") -> Move:
    """Make the previous champion the champion again (also after ``disable``).

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``.
    who : str, optional
        The actor recorded; default :func:`actor`.
    reason : str, optional
        Recorded in the audit log.

    Returns
    -------
    Move
        The move, as written to the audit log.

    Raises
    ------
    RegistryError
        There is no ``@previous`` version, or the registry cannot be reached or an
        operation fails.
    """
    registry = open_registry(config)
    current = current_version(registry)
    previous = version_at(registry, PREVIOUS)
    if previous is None:
        raise RegistryError(
            f"{registry.name}: no @{PREVIOUS} version to roll back to "
            f"(champion is {current.version if current else 'not set'})"
        )
    lineage = [v for v in lineage_of(registry) if current is None or v != current.version]
    registry.set_alias(CHAMPION, previous.version)
    registry.tag_version(previous.version, STATE_TAG, CHAMPION)
    if current is not None:
        registry.tag_version(current.version, STATE_TAG, "rolled_back")
    before = lineage[: lineage.index(previous.version)] if previous.version in lineage else []
    if before:
        registry.set_alias(PREVIOUS, before[-1])
    else:
        registry.delete_alias(PREVIOUS)
    if version_at(registry, DISABLED) is not None:
        registry.delete_alias(DISABLED)
    registry.tag_model(LINEAGE_TAG, ",".join(lineage))
    return record_move(
        config,
        registry,
        "rollback",
        version=previous.version,
        previous=current.version if current else None,
        who=who,
        reason=reason,
    )


def disable(config: SentinelConfig, *, reason: str, who: str | None = None) -> Move:
    """The kill switch: remove ``@champion`` so no serving process loads it, keep it under ``@disabled``.

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``.
    reason : str
        Why, recorded in the audit log.
    who : str, optional
        The actor recorded; default :func:`actor`.

    Returns
    -------
    Move
        The move, as written to the audit log.

    Raises
    ------
    RegistryError
        There is no ``@champion``, or the registry cannot be reached or an operation fails.
    """
    registry = open_registry(config)
    current = version_at(registry, CHAMPION)
    if current is None:
        raise RegistryError(f"{registry.name}: there is no @{CHAMPION} to disable")
    registry.set_alias(DISABLED, current.version)
    registry.tag_version(current.version, STATE_TAG, DISABLED)
    registry.delete_alias(CHAMPION)
    registry.tag_model(LINEAGE_TAG, ",".join(v for v in lineage_of(registry) if v != current.version))
    return record_move(
        config, registry, "disable", version=current.version, previous=None, who=who, reason=reason
    )
