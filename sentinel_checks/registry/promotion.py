"""Promotion: register a gated candidate as ``@champion`` (``promote``), or the model
already in production as the first one (``adopt``).

``promote`` refuses unless ``gate.json`` says the gate passed *for exactly these
inputs*. Registry errors happen before the alias moves, so a failed promotion changes
no alias.
"""

from __future__ import annotations

from pathlib import Path

from sentinel_checks.adapters.mlflow_registry import Registry
from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.identity import config_fingerprint
from sentinel_checks.data.io import fingerprint_file
from sentinel_checks.errors import PromotionRefused
from sentinel_checks.registry.audit import Move, actor, now, record_move
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
from sentinel_checks.registry.verification import verify_report
from sentinel_checks.reports.gate_report import GateReport


def promote(
    config: SentinelConfig, report: Path, *, who: str | None = None, allow_partial: bool = False
) -> Move:
    """Register the candidate and make it the champion, if its gate report allows it.

    ``@champion`` moves to the new version, the old champion (unless disabled)
    becomes ``@previous``, ``@disabled`` is cleared, and the move is appended to
    ``[registry] audit_log``.

    Parameters
    ----------
    config : SentinelConfig
        ``[models.candidate] path`` (the file registered) and ``[registry]``.
    report : Path
        The ``gate.json`` of the gate run on these inputs.
    who : str, optional
        The actor recorded; default :func:`actor`.
    allow_partial : bool, optional
        Accept a report of a partial gate (see :func:`verify_report`).

    Returns
    -------
    Move
        The move, as written to the audit log.

    Raises
    ------
    PromotionRefused
        The candidate is not a file, the report does not allow it (:func:`verify_report`),
        the champion the gate compared against has changed, or the current champion
        is already this file.
    ModelLoadError
        The candidate file cannot be loaded under the gate's trust rules.
    RegistryError
        The registry cannot be reached or an operation fails.
    """
    from sentinel_checks.models.loading import load_model

    spec = config.models.candidate
    if spec is None or spec.path is None:
        raise PromotionRefused(
            "only a candidate model file can be promoted: set [models.candidate] path "
            "(a score column or a registry URI cannot be registered)"
        )
    gate = verify_report(config, report, allow_partial=allow_partial)
    registry = open_registry(config)
    model = load_model(spec, role="candidate")  # the same trust rules as the gate
    current = current_version(registry)
    _check_champion_unchanged(config, registry, report, gate)
    candidate_sha = f"sha256:{fingerprint_file(spec.path)}"
    if current is not None and current.tags.get("sentinel.model_sha256") == candidate_sha:
        raise PromotionRefused(
            f"{registry.name} version {current.version} is already this model ({candidate_sha})"
        )
    report_sha = f"sha256:{fingerprint_file(report)}"
    who, at = who or actor(), now()
    tags = {
        "sentinel.model_sha256": candidate_sha,
        "sentinel.gate_report": str(report.resolve()),
        "sentinel.gate_report_sha256": report_sha,
        "sentinel.config_sha256": config_fingerprint(config),
        "sentinel.promoted_by": who,
        "sentinel.promoted_at": at,
        **{f"sentinel.data.{k}": v for k, v in gate.data.items()},  # verified: the inputs as they are
    }
    version = registry.register(model.estimator, tags=tags)
    lineage = [*lineage_of(registry), version.version]
    registry.tag_model(LINEAGE_TAG, ",".join(lineage))
    serving = version_at(registry, CHAMPION)
    if serving is not None:  # a disabled champion never becomes @previous
        registry.set_alias(PREVIOUS, serving.version)
    registry.set_alias(CHAMPION, version.version)
    registry.tag_version(version.version, STATE_TAG, CHAMPION)
    if version_at(registry, DISABLED) is not None:
        registry.delete_alias(DISABLED)
    return record_move(
        config,
        registry,
        "promote",
        version=version.version,
        previous=serving.version if serving else None,
        who=who,
        at=at,
        gate_report=str(report.resolve()),
        gate_report_sha256=report_sha,
        candidate=candidate_sha,
    )


def adopt(config: SentinelConfig, *, who: str | None = None, reason: str = "") -> Move:
    """Register the model already in production (``[models.champion] path``) as the first
    ``@champion``, without a gate: the starting point for gated promotions.

    Parameters
    ----------
    config : SentinelConfig
        ``[models.champion] path`` and ``[registry]``.
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
    PromotionRefused
        No champion file is configured, or the registered model already has a champion
        (or a champion history).
    ModelLoadError
        The champion file cannot be loaded.
    RegistryError
        The registry cannot be reached or an operation fails.
    """
    from sentinel_checks.models.loading import load_model

    spec = config.models.champion
    if spec is None or spec.path is None:
        raise PromotionRefused("adopt needs [models.champion] path: the model file serving today")
    registry = open_registry(config)
    existing = current_version(registry)
    if existing is not None or lineage_of(registry):
        raise PromotionRefused(
            f"{registry.name} already has a champion history "
            f"(version {existing.version if existing else '?'}): "
            "adopt only starts an empty registry; use the gate and `sentinel promote`"
        )
    model = load_model(spec, role="champion")
    sha = f"sha256:{fingerprint_file(spec.path)}"
    who, at = who or actor(), now()
    version = registry.register(
        model.estimator,
        tags={"sentinel.model_sha256": sha, "sentinel.adopted_by": who, "sentinel.adopted_at": at},
    )
    registry.tag_model(LINEAGE_TAG, version.version)
    registry.set_alias(CHAMPION, version.version)
    registry.tag_version(version.version, STATE_TAG, CHAMPION)
    return record_move(
        config,
        registry,
        "adopt",
        version=version.version,
        previous=None,
        who=who,
        at=at,
        candidate=sha,
        reason=reason,
    )


def _check_champion_unchanged(
    config: SentinelConfig, registry: Registry, report: Path, gate: GateReport
) -> None:
    """When the gate compared against ``models:/<name>@alias`` (this registry's model or
    another registered model of the same store), that alias must still name the version
    the gate loaded: otherwise the comparison is stale (stop 51: an alias of another model
    was not looked at again)."""
    spec = config.models.champion
    if spec is None or spec.uri is None or not spec.uri.startswith("models:/"):
        return  # a file (its sha256 is compared) or runs:/… (fixed)
    if "@" not in spec.uri:
        version = spec.uri.removeprefix("models:/").rpartition("/")[2]
        if not version.isdigit():  # latest, a stage: whichever version is newest when loaded (review)
            raise PromotionRefused(
                f"[models.champion] uri = {spec.uri!r} names whichever version is {version!r} when "
                "loaded: promote cannot tell it is the version the gate compared against; name a "
                "version (models:/<name>/3) or an alias (models:/<name>@champion), and run the gate again"
            )
        return
    name, alias = spec.uri.removeprefix("models:/").split("@", 1)
    named = registry if name == registry.name else registry.other_model(name)
    recorded = gate.models.get("champion", "")
    now = named.version_by_alias(alias)
    expected = f"models:/{name}/{now.version} " if now is not None else None
    if expected is None or not recorded.startswith(expected):
        raise PromotionRefused(
            f"the champion changed since the gate ran: {report} compared against {recorded or 'nothing'}, "
            f"{spec.uri} is now {expected.strip() if expected else 'not set'}; run the gate again"
        )
