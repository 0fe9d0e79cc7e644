"""MLflow: the model registry (register, aliases, tags) and loading models from it.

The MLflow adapter (an optional extra: ``gradient-sentinel[mlflow]``): with its
companions :mod:`~sentinel_checks.adapters.mlflow_connection` (import, reachability),
:mod:`~sentinel_checks.adapters.mlflow_tracking` (:func:`log_runs`) and
:mod:`~sentinel_checks.adapters.mlflow_loading` (:func:`load`, re-exported here), the only
modules that import MLflow.

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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinel_checks.adapters.mlflow_connection import (
    check_reachable,
    import_mlflow,
    not_found,
    pointed_at,
    quiet,
)
from sentinel_checks.adapters.mlflow_loading import load as load
from sentinel_checks.adapters.mlflow_tracking import log_runs as log_runs
from sentinel_checks.errors import RegistryError

EXPERIMENT = "gradient-sentinel"


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
        self._timeout = timeout
        self.mlflow = import_mlflow(f"registry {tracking_uri}")
        check_reachable(tracking_uri, timeout)
        if tracking_uri.startswith("sqlite:///"):
            Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        from mlflow import MlflowClient

        with self._call("opening the registry"):
            self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    def other_model(self, name: str) -> Registry:
        """The registered model ``name`` of the same store (read only: nothing registered)."""
        return Registry(self.uri, model_name=name, artifact_location=self._artifacts, timeout=self._timeout)

    @contextlib.contextmanager
    def _call(self, what: str) -> Iterator[None]:
        try:
            with quiet():
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
                if not_found(exc):
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
                if not_found(exc):
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
        with self._call("registering the candidate"), pointed_at(mlflow, self.uri):
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
