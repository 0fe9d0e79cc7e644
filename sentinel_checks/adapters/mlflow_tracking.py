"""MLflow tracking: logging experiment runs (``sentinel experiments --mlflow``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sentinel_checks.adapters.mlflow_connection import check_reachable, import_mlflow, pointed_at, quiet
from sentinel_checks.errors import RegistryError


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

    mlflow = import_mlflow(f"tracking {tracking_uri}")
    check_reachable(tracking_uri, timeout)
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    ids = []
    try:
        with quiet(), pointed_at(mlflow, tracking_uri):
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
