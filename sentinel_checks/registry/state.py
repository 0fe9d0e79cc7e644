"""The registry's state: the aliases, the lineage tag, and what serving code should load.

Aliases on one registered model carry the state:

``@champion``  the version serving code loads (``models:/<name>@champion``)
``@previous``  the version ``sentinel rollback`` returns to
``@disabled``  set by ``sentinel disable`` (the kill switch): ``@champion`` is removed

The order of champion versions lives in the registered model's tag
``sentinel.lineage`` (``"1,3,4"``), so rollback can step back more than once.
"""

from __future__ import annotations

from typing import Any

from sentinel_checks.adapters.mlflow_registry import Registry, Version
from sentinel_checks.config import SentinelConfig
from sentinel_checks.registry.audit import read_audit

CHAMPION, PREVIOUS, DISABLED = "champion", "previous", "disabled"
LINEAGE_TAG = "sentinel.lineage"
STATE_TAG = "sentinel.state"


def open_registry(config: SentinelConfig) -> Registry:
    """The registry ``[registry]`` names, ready for the moves below.

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``: ``store`` (MLflow tracking URI), ``model_name``,
        ``artifact_location``, ``timeout_seconds``.

    Returns
    -------
    Registry
        A handle on the registered model (nothing is contacted until it is used).
    """
    r = config.registry
    return Registry(
        r.store,
        model_name=r.model_name,
        artifact_location=r.artifact_location,
        timeout=r.timeout_seconds,
    )


def status(config: SentinelConfig) -> dict[str, Any]:
    """Which version holds each alias, the lineage, and the last moves of the audit log.

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``.

    Returns
    -------
    dict
        ``model``, ``registry`` (URI), ``aliases`` (per alias ``None`` or
        ``{"version", "tags"}``), ``lineage`` (versions, oldest first), ``serving``
        (:func:`serving_uri`) and ``audit`` (the last 10 moves).

    Raises
    ------
    RegistryError
        The registry cannot be reached.
    """
    registry = open_registry(config)
    aliases = {}
    for alias in (CHAMPION, PREVIOUS, DISABLED):
        v = version_at(registry, alias)
        aliases[alias] = None if v is None else {"version": v.version, "tags": dict(v.tags)}
    return {
        "model": registry.name,
        "registry": registry.uri,
        "aliases": aliases,
        "lineage": lineage_of(registry),
        "serving": serving_uri(registry),
        "audit": read_audit(config)[-10:],
    }


def serving_uri(registry: Registry) -> str | None:
    """What serving code should load: ``models:/<name>@champion``, or ``None`` when the kill
    switch is on (fall back to the rules engine / manual review, never to an unknown model).

    Parameters
    ----------
    registry : Registry
        The registry (:func:`open_registry`).

    Returns
    -------
    str or None
        The URI, or ``None`` when no version holds ``@champion``.

    Raises
    ------
    RegistryError
        The registry cannot be reached.
    """
    champion = version_at(registry, CHAMPION)
    return None if champion is None else f"models:/{registry.name}@{CHAMPION}"


def current_version(registry: Registry) -> Version | None:
    """The version in service, or the one disabled by the kill switch."""
    return version_at(registry, CHAMPION) or version_at(registry, DISABLED)


def version_at(registry: Registry, alias: str) -> Version | None:
    """The version holding ``alias``, or None."""
    return registry.version_by_alias(alias)


def lineage_of(registry: Registry) -> list[str]:
    """The champion versions so far, oldest first (the ``sentinel.lineage`` tag)."""
    text = registry.model_tags().get(LINEAGE_TAG, "")
    return [v for v in text.split(",") if v]
