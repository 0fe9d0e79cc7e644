"""What identifies a gate run's inputs: the config, the data and the models.

``gate.json`` records these; ``sentinel promote`` recomputes them and refuses a
report that was written for other inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.fingerprints import fingerprint_file, fingerprint_files
from sentinel_checks.data.parquet_files import is_many, parquet_files
from sentinel_checks.errors import DataError
from sentinel_checks.models.loading import model_identity


def data_fingerprints(cfg: SentinelConfig) -> dict[str, str]:
    """``dataset`` / ``production``: the file's sha256 (of a directory or glob of parquet
    files: over each file's name and sha256, :func:`~sentinel_checks.data.fingerprints.fingerprint_files`),
    or the loader that makes it.

    Parameters
    ----------
    cfg : SentinelConfig
        The validated configuration (``[data]`` and ``[production]``).

    Returns
    -------
    dict of str to str
        ``{"dataset": "sha256:<hex>" or "loader:<module:function>", "production": ...}``;
        a source that is not configured, or a path that is not a file, is left out.
    """
    out: dict[str, str] = {}
    for name, source in (("dataset", cfg.data), ("production", cfg.production)):
        if source is None:
            continue
        if source.path is not None and is_many(source.path):
            try:
                found = parquet_files(source.path, what=name)
            except DataError:
                continue  # nothing to fingerprint: loading the data says why
            out[name] = f"sha256:{fingerprint_files(found.files, base=found.base)}"
        elif source.path is not None and source.path.is_file():
            out[name] = f"sha256:{fingerprint_file(source.path)}"
        elif source.loader is not None:
            out[name] = f"loader:{source.loader}"
    return out


def config_fingerprint(cfg: SentinelConfig) -> str:
    """The sha256 of the configuration file, as ``gate.json`` records it.

    Parameters
    ----------
    cfg : SentinelConfig
        The validated configuration; ``cfg.source`` is the file it was read from.

    Returns
    -------
    str
        ``"sha256:<hex>"``, or ``""`` when the config was not read from a file.
    """
    return f"sha256:{fingerprint_file(cfg.source)}" if cfg.source.is_file() else ""


def model_identities(cfg: SentinelConfig, loaded: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each configured model's identity: as loaded (registry URIs resolved to a version),
    else its file's sha256.

    Parameters
    ----------
    cfg : SentinelConfig
        The validated configuration (``[models.candidate]``, ``[models.champion]``).
    loaded : mapping of str to str, optional
        Identities of the models already loaded, by role (:attr:`GateSession.models`).

    Returns
    -------
    dict of str to str
        ``{"candidate": identity, "champion": identity}`` for the roles configured.
    """
    loaded = loaded or {}
    out: dict[str, str] = {}
    for role in ("candidate", "champion"):
        spec = getattr(cfg.models, role)
        identity = loaded.get(role) or (model_identity(spec) if spec is not None else None)
        if identity is not None:
            out[role] = identity
    return out


def identity_hashes(identity: str) -> frozenset[str]:
    """The ``sha256:<hex>`` parts of a model identity.

    An identity is a file's ``sha256:<hex>``, or an MLflow URI followed by the
    ``sha256:<hex>`` of the file it resolved to (``models:/risk/3 sha256:…``);
    two identities name the same model file when they share a hash.

    Parameters
    ----------
    identity : str
        A model identity as recorded in ``gate.json``.

    Returns
    -------
    frozenset of str
        Its ``sha256:<hex>`` parts (empty when it has none).

    Examples
    --------
    >>> sorted(identity_hashes("models:/risk/3 sha256:ab12"))
    ['sha256:ab12']
    """
    return frozenset(part for part in identity.split() if part.startswith("sha256:") and len(part) > 7)
