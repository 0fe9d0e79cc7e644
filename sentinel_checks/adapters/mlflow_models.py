"""MLflow: load a scikit-learn flavoured model from a registry or run URI.

MLflow's sklearn flavour stores a pickle: loading one runs code. A registry is a
trusted source by the organisation's policy; the config must still say so
(``trusted = true``) before the gate loads from it.
"""

from __future__ import annotations

from typing import Any

from sentinel_checks.errors import ModelLoadError


def load(uri: str, *, key: str) -> Any:
    try:
        import mlflow.sklearn
    except ImportError as exc:
        raise ModelLoadError(
            f"{key} uri = {uri!r}: MLflow is not installed; pip install 'gradient-sentinel[mlflow]'"
        ) from exc
    try:
        return mlflow.sklearn.load_model(uri)
    except Exception as exc:  # unreachable tracking server, unknown version, wrong flavour
        raise ModelLoadError(f"{key} uri = {uri!r}: MLflow could not load it: {exc}") from exc
