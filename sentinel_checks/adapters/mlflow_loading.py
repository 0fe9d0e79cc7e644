"""MLflow: loading scikit-learn models from ``models:/…`` and ``runs:/…`` URIs.

Loading is safe by default: the artifact is downloaded and, when MLflow stored it
with skops (as ``sentinel promote`` does), loaded by :mod:`sentinel_checks.adapters.skops_io`
with the *config's* trusted types — never with the type list stored beside the
model, which whoever can write to the registry controls. A pickled model loads
only with ``trusted = true``.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from sentinel_checks.adapters import skops_io
from sentinel_checks.adapters.mlflow_connection import check_reachable, import_mlflow, pointed_at, quiet
from sentinel_checks.errors import ModelLoadError, RegistryError


def load(
    uri: str,
    *,
    key: str,
    trusted: bool,
    trusted_types: list[str],
    tracking_uri: str | None,
    timeout: float = 10.0,
) -> tuple[Any, str]:
    """Load a scikit-learn model from ``models:/…`` or ``runs:/…``; returns (model, identity).

    The identity names the resolved version (``models:/name/3``) and the model file's hash.

    Parameters
    ----------
    uri : str
        ``models:/name/<version>``, ``models:/name@alias`` or ``runs:/<id>/path``.
    key : str
        The config table that names it, for error messages (``"[models.champion]"``).
    trusted : bool
        Allow a pickled model (unpickling runs code), and any type in a skops file.
    trusted_types : list of str
        Types to accept in a skops file beyond those skops trusts.
    tracking_uri : str or None
        The registry (``[registry] store``); MLflow's own default when ``None``.
    timeout : float, optional
        Seconds to wait for an HTTP store to answer ``/health``.

    Returns
    -------
    (object, str)
        The model and its identity, e.g. ``"models:/risk/3 sha256:<hex>"``.

    Raises
    ------
    ModelLoadError
        MLflow is not installed, the store cannot be reached, the URI does not resolve,
        the model is not a scikit-learn model, or it is pickled and not ``trusted``.
    """
    try:
        mlflow = import_mlflow(f"{key} uri = {uri!r}")
    except RegistryError as exc:
        raise ModelLoadError(str(exc)) from exc
    try:
        if tracking_uri is not None:
            check_reachable(tracking_uri, timeout)
    except RegistryError as exc:
        raise ModelLoadError(f"{key} uri = {uri!r}: {exc}") from exc
    from sentinel_checks.data.io import fingerprint_file

    with tempfile.TemporaryDirectory(prefix="sentinel-model-") as tmp:
        try:
            pointed = (
                pointed_at(mlflow, tracking_uri) if tracking_uri is not None else contextlib.nullcontext()
            )
            with quiet(), pointed:
                identity = _resolve(mlflow, uri)
                local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=tmp))
                import yaml

                flavors = yaml.safe_load((local / "MLmodel").read_text(encoding="utf-8"))["flavors"]
        except Exception as exc:  # unreachable store, unknown alias or version, not an MLflow model
            raise ModelLoadError(f"{key} uri = {uri!r}: MLflow could not load it: {exc}") from exc
        conf = flavors.get("sklearn")
        if conf is None:
            raise ModelLoadError(
                f"{key} uri = {uri!r}: not a scikit-learn model (flavours {sorted(flavors)})"
            )
        path = local / conf["pickled_model"]
        fmt = conf.get("serialization_format", "pickle")
        identity = f"{identity} sha256:{fingerprint_file(path)}"
        if fmt == "skops":
            return skops_io.load(path, trusted_types=trusted_types, trust_all=trusted, key=key), identity
        if not trusted:
            raise ModelLoadError(
                f"{key} uri = {uri!r}: the model is stored as a {fmt} file, and unpickling runs "
                "arbitrary code; set trusted = true in that table for a registry you trust "
                "(models registered by `sentinel promote` use skops and need no trust)"
            )
        try:
            with quiet():
                return mlflow.sklearn.load_model(str(local)), identity
        except Exception as exc:
            raise ModelLoadError(f"{key} uri = {uri!r}: MLflow could not load it: {exc}") from exc


def _resolve(mlflow: Any, uri: str) -> str:
    """``models:/name@alias`` → ``models:/name/<version>``; other URIs as given."""
    if uri.startswith("models:/") and "@" in uri:
        name, alias = uri.removeprefix("models:/").split("@", 1)
        mv = mlflow.MlflowClient().get_model_version_by_alias(name, alias)
        return f"models:/{name}/{mv.version}"
    return uri
