"""MLflow plumbing shared by the registry, tracking and loading adapters: importing MLflow
(an optional extra: ``gradient-sentinel[mlflow]``) quietly, pointing its fluent API at
one store for a block, and checking that a remote store is reachable.

A remote registry is checked for reachability first (``/health``, a short
timeout, no retries), so an unreachable server gives one clear error before
anything changes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from typing import Any

from sentinel_checks.errors import RegistryError


@contextlib.contextmanager
def quiet() -> Iterator[None]:
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
def pointed_at(mlflow: Any, uri: str) -> Iterator[None]:
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


def import_mlflow(what: str) -> Any:
    """``mlflow`` (with ``mlflow.sklearn``), or RegistryError naming the extra to install."""
    try:
        with quiet():
            import mlflow
            import mlflow.sklearn
    except ImportError as exc:
        raise RegistryError(
            f"{what}: MLflow is not installed; pip install 'gradient-sentinel[mlflow]'"
        ) from exc
    return mlflow


def check_reachable(uri: str, timeout: float) -> None:
    """RegistryError unless an ``http(s)://`` store answers ``/health``; other stores pass."""
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


def not_found(exc: Exception) -> bool:
    """Whether an MLflow error means the model, version or alias does not exist."""
    code = getattr(exc, "error_code", "")
    return code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND") or "not found" in str(exc).lower()
