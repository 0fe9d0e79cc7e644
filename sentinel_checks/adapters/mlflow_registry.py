"""MLflow: the model registry (register, aliases, tags) and loading models from it.

The only module that imports MLflow (an optional extra: ``gradient-sentinel[mlflow]``).

Loading is safe by default: the artifact is downloaded and, when MLflow stored it
with skops (as ``sentinel promote`` does), loaded by :mod:`sentinel_checks.adapters.skops_io`
with the *config's* trusted types — never with the type list stored beside the
model, which whoever can write to the registry controls. A pickled model loads
only with ``trusted = true``.

A remote registry is checked for reachability first (``/health``, a short
timeout, no retries), so an unreachable server gives one clear error before
anything changes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinel_checks.adapters import skops_io
from sentinel_checks.errors import ModelLoadError, RegistryError

EXPERIMENT = "gradient-sentinel"


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """MLflow logs table creation at INFO and emits SQLAlchemy deprecation warnings."""
    logger = logging.getLogger("mlflow")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


@contextlib.contextmanager
def _pointed_at(mlflow: Any, uri: str) -> Iterator[None]:
    """Point MLflow's fluent API at ``uri`` for a block, then put everything back.

    ``mlflow.set_tracking_uri`` also exports ``MLFLOW_TRACKING_URI`` to the process
    environment, which the gate reads as the default registry: left set, one
    project's store would leak into the next config loaded in the same process.
    """
    saved = {name: os.environ.get(name) for name in _URI_VARIABLES}
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(saved["MLFLOW_TRACKING_URI"])
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _import_mlflow(what: str) -> Any:
    try:
        with _quiet():
            import mlflow
            import mlflow.sklearn
    except ImportError as exc:
        raise RegistryError(
            f"{what}: MLflow is not installed; pip install 'gradient-sentinel[mlflow]'"
        ) from exc
    return mlflow


def _check_reachable(uri: str, timeout: float) -> None:
    if not uri.startswith(("http://", "https://")):
        return
    # A failed call must fail fast instead of MLflow's minutes of retries.
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(int(max(timeout, 1)))
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout) as response:
            if response.status != 200:
                raise RegistryError(f"MLflow at {uri} answered /health with HTTP {response.status}")
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RegistryError(
            f"cannot reach the MLflow registry at {uri}: {reason}; nothing was changed"
        ) from exc


@dataclass(frozen=True)
class Version:
    """One registered model version, as the gate needs it."""

    name: str
    version: str
    tags: Mapping[str, str]
    aliases: tuple[str, ...]

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


class Registry:
    """A registered model in an MLflow registry (a local sqlite store or a server)."""

    def __init__(
        self, tracking_uri: str, *, model_name: str, artifact_location: Path | None, timeout: float
    ) -> None:
        self.uri = tracking_uri
        self.name = model_name
        self._artifacts = artifact_location
        self.mlflow = _import_mlflow(f"registry {tracking_uri}")
        _check_reachable(tracking_uri, timeout)
        if tracking_uri.startswith("sqlite:///"):
            Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        from mlflow import MlflowClient

        with self._call("opening the registry"):
            self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    @contextlib.contextmanager
    def _call(self, what: str) -> Iterator[None]:
        try:
            with _quiet():
                yield
        except RegistryError:
            raise
        except Exception as exc:  # MlflowException, connection errors, sqlite errors
            raise RegistryError(
                f"MLflow registry {self.uri}, model {self.name!r}: {what} failed: {exc}"
            ) from exc

    # ----------------------------------------------------------------- reading

    def version_by_alias(self, alias: str) -> Version | None:
        """The version holding ``alias``, or None when no version does.

        Parameters
        ----------
        alias : str
            ``"champion"``, ``"previous"`` or ``"disabled"``.

        Returns
        -------
        Version or None

        Raises
        ------
        RegistryError
            The registry cannot be read.
        """
        from mlflow.exceptions import MlflowException

        with self._call(f"reading alias @{alias}"):
            try:
                mv = self.client.get_model_version_by_alias(self.name, alias)
            except MlflowException as exc:
                if _not_found(exc):
                    return None
                raise
            return self._version(mv)

    def version(self, number: str) -> Version:
        """One version of the registered model.

        Parameters
        ----------
        number : str
            The version number, e.g. ``"3"``.

        Returns
        -------
        Version

        Raises
        ------
        RegistryError
            The registry cannot be read or has no such version.
        """
        with self._call(f"reading version {number}"):
            return self._version(self.client.get_model_version(self.name, number))

    def model_tags(self) -> dict[str, str]:
        from mlflow.exceptions import MlflowException

        with self._call("reading the registered model"):
            try:
                return dict(self.client.get_registered_model(self.name).tags)
            except MlflowException as exc:
                if _not_found(exc):
                    return {}
                raise

    def _version(self, mv: Any) -> Version:
        return Version(self.name, str(mv.version), dict(mv.tags or {}), tuple(mv.aliases or ()))

    # ----------------------------------------------------------------- writing

    def register(self, estimator: Any, *, tags: Mapping[str, str]) -> Version:
        """Log ``estimator`` with skops serialisation and register it as a new version."""
        import sklearn
        import skops.io as sio

        mlflow = self.mlflow
        with self._call("registering the candidate"), _pointed_at(mlflow, self.uri):
            experiment = self.client.get_experiment_by_name(EXPERIMENT)
            if experiment is None:
                location = self._artifacts.as_uri() if self._artifacts is not None else None
                experiment_id = self.client.create_experiment(EXPERIMENT, artifact_location=location)
            else:
                experiment_id = experiment.experiment_id
            trusted = sorted(sio.get_untrusted_types(data=sio.dumps(estimator)))
            with mlflow.start_run(experiment_id=experiment_id, run_name="sentinel promote"):
                mlflow.set_tags(dict(tags))
                info = mlflow.sklearn.log_model(
                    estimator,
                    name="model",
                    serialization_format="skops",
                    skops_trusted_types=trusted,
                    registered_model_name=self.name,
                    pip_requirements=[f"scikit-learn=={sklearn.__version__}", "skops"],
                )
            number = str(info.registered_model_version)
            for key, value in tags.items():
                self.client.set_model_version_tag(self.name, number, key, value)
        return self.version(number)

    def set_alias(self, alias: str, version: str) -> None:
        """Point ``alias`` at ``version``.

        Parameters
        ----------
        alias : str
            The alias.
        version : str
            The version number.

        Raises
        ------
        RegistryError
            The registry refuses or cannot be reached.
        """
        with self._call(f"setting @{alias} to version {version}"):
            self.client.set_registered_model_alias(self.name, alias, version)

    def delete_alias(self, alias: str) -> None:
        """Remove ``alias`` from the registered model.

        Parameters
        ----------
        alias : str
            The alias.

        Raises
        ------
        RegistryError
            The registry refuses or cannot be reached.
        """
        with self._call(f"removing @{alias}"):
            self.client.delete_registered_model_alias(self.name, alias)

    def tag_version(self, version: str, key: str, value: str) -> None:
        """Set a tag on one version.

        Parameters
        ----------
        version : str
            The version number.
        key, value : str
            The tag.

        Raises
        ------
        RegistryError
            The registry refuses or cannot be reached.
        """
        with self._call(f"tagging version {version}"):
            self.client.set_model_version_tag(self.name, version, key, value)

    def tag_model(self, key: str, value: str) -> None:
        """Set a tag on the registered model (e.g. ``sentinel.lineage``).

        Parameters
        ----------
        key, value : str
            The tag.

        Raises
        ------
        RegistryError
            The registry refuses or cannot be reached.
        """
        with self._call("tagging the registered model"):
            self.client.set_registered_model_tag(self.name, key, value)


def log_runs(
    tracking_uri: str, experiment: str, records: list[dict[str, Any]], *, timeout: float = 10.0
) -> list[str]:
    """Log one MLflow run per record (``name``, ``params``, ``metrics``, ``tags``); returns run ids.

    Parameters
    ----------
    tracking_uri : str
        The MLflow tracking store (``http(s)://`` or ``sqlite:///path``; a sqlite
        file's folder is created).
    experiment : str
        The MLflow experiment the runs go to (created if needed).
    records : list of dict
        As :func:`~sentinel_checks.models.experiments.tracking_records` makes them;
        metrics that are not finite are left out.
    timeout : float, optional
        Seconds to wait for an HTTP store to answer ``/health``.

    Returns
    -------
    list of str
        The run ids, in the order of ``records``.

    Raises
    ------
    RegistryError
        MLflow is not installed, the store cannot be reached, or logging fails.
    """
    import math

    mlflow = _import_mlflow(f"tracking {tracking_uri}")
    _check_reachable(tracking_uri, timeout)
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    ids = []
    try:
        with _quiet(), _pointed_at(mlflow, tracking_uri):
            mlflow.set_experiment(experiment)
            for record in records:
                with mlflow.start_run(run_name=record["name"]) as run:
                    mlflow.log_params(record["params"])
                    mlflow.log_metrics(
                        {k: float(v) for k, v in record["metrics"].items() if math.isfinite(v)}
                    )
                    mlflow.set_tags(record["tags"])
                    ids.append(run.info.run_id)
    except Exception as exc:
        raise RegistryError(
            f"MLflow tracking at {tracking_uri}: logging the experiment runs failed: {exc}"
        ) from exc
    return ids


def _not_found(exc: Exception) -> bool:
    code = getattr(exc, "error_code", "")
    return code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND") or "not found" in str(exc).lower()


# --------------------------------------------------------------------------- loading


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
        mlflow = _import_mlflow(f"{key} uri = {uri!r}")
    except RegistryError as exc:
        raise ModelLoadError(str(exc)) from exc
    try:
        if tracking_uri is not None:
            _check_reachable(tracking_uri, timeout)
    except RegistryError as exc:
        raise ModelLoadError(f"{key} uri = {uri!r}: {exc}") from exc
    from sentinel_checks.data.io import fingerprint_file

    with tempfile.TemporaryDirectory(prefix="sentinel-model-") as tmp:
        try:
            pointed = (
                _pointed_at(mlflow, tracking_uri) if tracking_uri is not None else contextlib.nullcontext()
            )
            with _quiet(), pointed:
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
            with _quiet():
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
