"""What identifies a gate run's inputs: the config, the data and the models.

``gate.json`` records these; ``sentinel promote`` recomputes them and refuses a
report that was written for other inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.fingerprints import (
    combined_fingerprint,
    file_fingerprints,
    fingerprint_file,
    fingerprint_frame,
)
from sentinel_checks.data.parquet_files import is_many, parquet_files
from sentinel_checks.data.time_axis import ROW_ORDER
from sentinel_checks.errors import DataError
from sentinel_checks.models.loading import model_identity

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class DataIdentity:
    """What identifies the run's data, as ``gate.json`` records it (``data``, ``data_files``)."""

    #: ``{"dataset": "sha256:<hex>" or "loader:<module:function> sha256:<hex>",
    #: "production": ..., "training_log": "sha256:<hex>"}``
    fingerprints: dict[str, str] = field(default_factory=dict)
    #: for an input that is a directory or glob of parquet files: each file's relative
    #: ``path``, ``bytes`` and ``sha256`` (dicts), sorted by path
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def data_identity(
    cfg: SentinelConfig, *, loaded: Mapping[str, pd.DataFrame] | None = None, load: bool = False
) -> DataIdentity:
    """``dataset`` / ``production``: the file's sha256; of a directory or glob of parquet
    files, the sha256 over each file's name and sha256
    (:func:`~sentinel_checks.data.fingerprints.combined_fingerprint`) and each file's
    own entry; of a loader, the rows it returned; ``training_log``: the file's sha256.
    Every file is read once.

    Parameters
    ----------
    cfg : SentinelConfig
        The validated configuration (``[data]``, ``[production]``, ``[training] log``).
    loaded : mapping of str to DataFrame, optional
        The frames a run's loaders returned, by input (``"dataset"``, ``"production"``),
        as :func:`~sentinel_checks.data.inputs.load_dataset` and ``load_production``
        give them (timestamps parsed).
    load : bool
        Call the loaders whose frame ``loaded`` lacks (``sentinel promote``: the rows
        they return now, compared with the rows the gate judged).

    Returns
    -------
    DataIdentity
        A loader's entry is ``"loader:<module:function> sha256:<hex>"``
        (:func:`~sentinel_checks.data.fingerprints.fingerprint_frame` of its rows, in any
        order unless ``[columns] timestamp = "@row"``), or
        ``"loader:<module:function>"`` alone when its rows were not read (the gate
        stopped before; it matches no loaded rows); a catalog table's, ``"table:<name>"``
        (its rows are not fingerprinted). A source that is not configured, or
        a path that is not a file (nor a directory or glob with parquet files), is left out.

    Raises
    ------
    OSError
        A file cannot be read.
    DataError
        With ``load``: a loader fails (:func:`~sentinel_checks.data.io.load_frame`).
    """
    loaded = loaded or {}
    out = DataIdentity()
    for name, source in (("dataset", cfg.data), ("production", cfg.production)):
        if source is None:
            continue
        if source.path is not None and is_many(source.path):
            try:
                found = parquet_files(source.path, what=name)
            except DataError:
                continue  # nothing to fingerprint: loading the data says why
            entries = file_fingerprints(found.files, base=found.base)
            out.fingerprints[name] = f"sha256:{combined_fingerprint(entries)}"
            out.files[name] = [e.to_dict() for e in entries]
        elif source.path is not None and source.path.is_file():
            out.fingerprints[name] = f"sha256:{fingerprint_file(source.path)}"
        elif source.loader is not None:
            frame = loaded.get(name)
            if frame is None and load:
                frame = _load(cfg, name)
            # as a set of rows, unless their order is the time axis
            ordered = cfg.columns.timestamp == ROW_ORDER
            rows = f" sha256:{fingerprint_frame(frame, ordered=ordered)}" if frame is not None else ""
            out.fingerprints[name] = f"loader:{source.loader}{rows}"
        elif source.table is not None:  # its name: a catalog table's rows are the engine's
            out.fingerprints[name] = f"table:{source.table}"
    log = cfg.training.log
    if log is not None and log.is_file():  # trial: a replaced training log was promoted on the old report
        out.fingerprints["training_log"] = f"sha256:{fingerprint_file(log)}"
    return out


def _load(cfg: SentinelConfig, name: str) -> pd.DataFrame | None:
    """The ``dataset`` or ``production`` frame as the gate loads it."""
    from sentinel_checks.data.inputs import load_dataset, load_production

    return load_dataset(cfg) if name == "dataset" else load_production(cfg)


def data_fingerprints(cfg: SentinelConfig) -> dict[str, str]:
    """``dataset`` / ``production``: one fingerprint per input (:attr:`DataIdentity.fingerprints`
    of :func:`data_identity`).

    Parameters
    ----------
    cfg : SentinelConfig
        The validated configuration (``[data]`` and ``[production]``).

    Returns
    -------
    dict of str to str
        ``{"dataset": "sha256:<hex>" or "loader:<module:function>", "production": ...}``.
    """
    return data_identity(cfg).fingerprints


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
