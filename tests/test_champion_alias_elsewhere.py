"""A champion named by an alias of another registered model (``models:/fraud-v1@champion``
while ``[registry] model_name`` is ``risk-classifier``) must still be the version the gate
compared against when `sentinel promote` runs (stop 51: only ``models:/<model_name>@…`` was
re-resolved, so a champion moved on the other model since the gate ran was promoted over
on a stale comparison)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from sentinel_checks.adapters.mlflow_registry import Registry
from sentinel_checks.config import SentinelConfig
from sentinel_checks.errors import PromotionRefused
from sentinel_checks.registry.promotion import _check_champion_unchanged
from sentinel_checks.reports.gate_json import GateReport


def _model(seed: int) -> LogisticRegression:
    rng = np.random.default_rng(seed)
    return LogisticRegression().fit(rng.normal(size=(40, 2)), np.arange(40) % 2)


@pytest.fixture
def store(tmp_path):
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


def _registry(store: str, name: str, tmp_path) -> Registry:
    return Registry(store, model_name=name, artifact_location=tmp_path / "artifacts", timeout=10.0)


def _config(store: str, uri: str) -> SentinelConfig:
    return SentinelConfig.model_validate(
        {
            "data": {"path": "data.parquet"},
            "splits": {"method": "column", "column": "split"},
            "models": {"candidate": {"path": "candidate.skops"}, "champion": {"uri": uri}},
            "registry": {"tracking_uri": store},
        }
    )


def _report(champion: str) -> GateReport:
    return GateReport(schema_version=1, verdict="pass", models={"champion": f"{champion} sha256:ab12"})


@pytest.mark.parametrize("name", ["fraud-v1", "risk-classifier"])
def test_a_champion_alias_is_resolved_again_on_whichever_model_it_names(store, tmp_path, name):
    other = _registry(store, name, tmp_path)
    first = other.register(_model(0), tags={})
    second = other.register(_model(1), tags={})
    other.set_alias("champion", first.version)
    config = _config(store, f"models:/{name}@champion")
    home = _registry(store, "risk-classifier", tmp_path)
    gate = _report(first.uri)  # the gate compared against version 1

    _check_champion_unchanged(config, home, tmp_path / "gate.json", gate)  # unchanged: no refusal
    other.set_alias("champion", second.version)
    with pytest.raises(PromotionRefused, match="champion changed since the gate ran") as refused:
        _check_champion_unchanged(config, home, tmp_path / "gate.json", gate)
    assert f"models:/{name}@champion is now models:/{name}/{second.version}" in str(refused.value)
    other.delete_alias("champion")
    with pytest.raises(PromotionRefused, match="is now not set"):
        _check_champion_unchanged(config, home, tmp_path / "gate.json", gate)


@pytest.mark.parametrize("uri", ["models:/fraud-v1/latest", "models:/fraud-v1/Production"])
def test_a_champion_named_by_a_moving_reference_is_refused(store, tmp_path, uri):
    """Review (stop 51): `models:/name/latest` or a stage resolves to whichever version is
    newest when loaded; promote could not tell it is the version the gate compared against."""
    home = _registry(store, "risk-classifier", tmp_path)
    with pytest.raises(PromotionRefused, match="name a version .* or an alias"):
        _check_champion_unchanged(
            _config(store, uri), home, tmp_path / "gate.json", _report("models:/fraud-v1/1")
        )


def test_a_champion_named_by_its_version_needs_no_look_again(store, tmp_path):
    home = _registry(store, "risk-classifier", tmp_path)
    config = _config(store, "models:/fraud-v1/3")
    assert (
        _check_champion_unchanged(config, home, tmp_path / "gate.json", _report("models:/fraud-v1/3")) is None
    )
