"""Promotion, rollback and the kill switch against a real MLflow registry.

Needs the ``[mlflow]`` extra (``make install`` and ``.ci/run`` install it). Two
backends: the default local store (sqlite inside the project) and a real
``mlflow server`` started on 127.0.0.1 by this module. Gate reports come from real
gate runs (the promotion suite) in a subprocess, as a user's CI would make them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from sentinel_checks.adapters import skops_io
from sentinel_checks.cli import main
from sentinel_checks.config import load_config
from sentinel_checks.demo.build import make_pipeline, sound_model
from sentinel_checks.errors import PromotionRefused, RegistryError
from sentinel_checks.registry import lifecycle as registry
from tests.conftest import BASE_CONFIG, REPO, SOUND_FEATURES, free_port, run_gate, small_splits_of

PROMOTION_SUITE = REPO / "suites" / "test_promotion.py"
WEAK_FEATURES = ["amount", "country", "channel"]


@pytest.fixture(scope="module")
def model_files(tmp_path_factory, small_log):
    """Three skops files: a sound model (two seeds: two distinct promotable candidates)
    and a weak one that misses risky requests the sound one catches."""
    folder = tmp_path_factory.mktemp("models")
    splits = small_splits_of(small_log.offline)
    y = splits.train["label"].eq("risky").to_numpy()
    models = {
        "sound_a": sound_model(SOUND_FEATURES, seed=0),
        "sound_b": sound_model(SOUND_FEATURES, seed=1),
        "weak": make_pipeline(WEAK_FEATURES, class_weight="balanced", seed=0, max_depth=2, max_iter=20),
    }
    paths = {}
    for name, model in models.items():
        features = WEAK_FEATURES if name == "weak" else SOUND_FEATURES
        model.fit(splits.train[features], y)
        paths[name] = folder / f"{name}.skops"
        skops_io.dump(model, paths[name])
    types = sorted({t for p in paths.values() for t in skops_io.untrusted_types(p)})
    return paths, types


def _model_table(role: str, *, path: Path | None = None, uri: str | None = None, types: list[str]) -> str:
    source = f'path = "{path}"' if path is not None else f'uri = "{uri}"'
    features = WEAK_FEATURES if path is not None and path.stem == "weak" else SOUND_FEATURES
    listed = ", ".join(f'"{t}"' for t in types)
    shown = ", ".join(f'"{f}"' for f in features)
    return f"\n[models.{role}]\n{source}\ntrusted_types = [{listed}]\nfeatures = [{shown}]\n"


def _project(
    gate_project, model_files, *, candidate: str, champion: str | None, registry_uri: str | None = None
):
    """A gate project whose candidate (and champion) are model files or registry URIs."""
    paths, types = model_files
    config = BASE_CONFIG.replace('[models.candidate]\nscore_column = "score"\n', "")
    extra = _model_table("candidate", path=paths[candidate], types=types)
    if champion is not None:
        if champion.startswith("models:/"):
            extra += _model_table("champion", uri=champion, types=types)
        else:
            extra += _model_table("champion", path=paths[champion], types=types)
    # Candidates and champions here are near-equal sound models: a point lead is noise.
    extra += "\n[promotion]\nmin_target_lead = -0.02\n"
    if registry_uri is not None:
        extra += f'\n[registry]\ntracking_uri = "{registry_uri}"\n'
    return gate_project(config_text=config, extra=extra)


def _gate(project, *, expect: int = 0):
    result = run_gate(project.config, project.folder, suites=PROMOTION_SUITE)
    assert result.report is not None, result.output
    assert result.code == expect, result.output[-4000:]
    return result


def _promote(project, *args: str) -> int:
    """`sentinel promote`: these tests gate with the promotion suite alone (for speed), so
    they accept a partial report; test_a_partial_gate_cannot_promote shows the default."""
    return main(
        [
            "promote",
            "--config",
            str(project.config),
            "--report",
            str(project.folder / "reports" / "gate.json"),
            "--allow-partial",
            *args,
        ]
    )


def _aliases(project) -> dict[str, str | None]:
    info = registry.status(load_config(project.config))
    return {k: (v or {}).get("version") for k, v in info["aliases"].items()}


def _swap_candidate(project, model_files, name: str) -> None:
    """Point [models.candidate] at another model file (a new retrain)."""
    paths, _ = model_files
    text = project.config.read_text()
    current = next(p for p in paths.values() if f'path = "{p}"' in text.split("[models.champion]")[0])
    project.config.write_text(text.replace(f'path = "{current}"', f'path = "{paths[name]}"', 1))


# --------------------------------------------------------------------------- local store


@pytest.mark.slow
def test_promote_refuses_a_failed_gate_and_changes_nothing(gate_project, model_files, capsys):
    project = _project(gate_project, model_files, candidate="weak", champion="sound_a")
    result = _gate(project, expect=1)
    assert "promotion.vs_champion" in result.failed_ids()
    assert (
        json.loads((project.folder / "reports" / "promotion.json").read_text())["decision"]
        == "do_not_promote"
    )
    assert _promote(project) == 1
    err = capsys.readouterr().err
    assert "the gate did not pass" in err and "promotion.vs_champion" in err
    assert _aliases(project) == {"champion": None, "previous": None, "disabled": None}
    assert registry.read_audit(load_config(project.config)) == []


@pytest.mark.slow
def test_promote_refuses_a_report_for_other_data_or_another_model(gate_project, model_files, small_log):
    project = _project(gate_project, model_files, candidate="sound_a", champion="sound_b")
    _gate(project)
    cfg = load_config(project.config)
    report = project.folder / "reports" / "gate.json"
    registry.verify_report(cfg, report, allow_partial=True)  # as run: allowed
    # the data changed after the gate ran
    small_log.offline.iloc[:-1].to_parquet(project.folder / "data" / "requests.parquet")
    with pytest.raises(PromotionRefused, match=r"another dataset \(\[data\]\)"):
        registry.verify_report(load_config(project.config), report, allow_partial=True)
    small_log.offline.to_parquet(project.folder / "data" / "requests.parquet")
    registry.verify_report(load_config(project.config), report, allow_partial=True)
    # a different candidate file than the one the gate judged
    _swap_candidate(project, model_files, "sound_b")
    with pytest.raises(PromotionRefused, match=r"another candidate \(\[models.candidate\]\)") as info:
        registry.verify_report(load_config(project.config), report, allow_partial=True)
    assert "another config file" in str(info.value)  # the config file changed too
    # an edited report is not trusted either
    doc = json.loads(report.read_text())
    doc["verdict"] = "fail"
    report.write_text(json.dumps(doc))
    with pytest.raises(PromotionRefused, match="did not pass"):
        registry.verify_report(load_config(project.config), report, allow_partial=True)
    # a passing verdict beside a failed check pytest counted as xfailed (a gate.json of
    # before that blocked): refused, the check named
    doc["verdict"] = "pass"
    doc["checks"][0] |= {"outcome": "skipped", "status": "fail"}
    report.write_text(json.dumps(doc))
    with pytest.raises(PromotionRefused, match="verdict is 'pass' but it records failed checks: "):
        registry.verify_report(load_config(project.config), report, allow_partial=True)


@pytest.mark.slow
def test_a_partial_gate_cannot_promote(gate_project, model_files, capsys):
    """A report of some suites, or with tests deselected, is not a gate that passed."""
    project = _project(gate_project, model_files, candidate="sound_a", champion="sound_b")
    _gate(project)  # the promotion suite only
    cfg = load_config(project.config)
    report = project.folder / "reports" / "gate.json"
    with pytest.raises(PromotionRefused, match=r"did not run every suite \(missing: test_data_contract.py"):
        registry.verify_report(cfg, report)
    assert json.loads(report.read_text())["coverage"]["deselected"] == 0
    result = run_gate(project.config, project.folder, "-k", "production", suites=PROMOTION_SUITE)
    assert result.report["coverage"]["deselected"] == 1
    with pytest.raises(PromotionRefused, match="1 gate test\\(s\\) were deselected"):
        registry.verify_report(cfg, report, allow_partial=False)
    registry.verify_report(cfg, report, allow_partial=True)
    assert main(["promote", "--config", str(project.config), "--report", str(report)]) == 1
    assert "--allow-partial" in capsys.readouterr().err


@pytest.mark.slow
def test_promote_rollback_disable_and_the_champion_fixture(gate_project, model_files, tmp_path):
    # 1. first retrain: passes against the champion file (an equal model), becomes version 1
    project = _project(gate_project, model_files, candidate="sound_a", champion="sound_b")
    _gate(project)
    assert _promote(project, "--actor", "alice") == 0
    assert _aliases(project) == {"champion": "1", "previous": None, "disabled": None}
    # promoting the same model again is refused
    assert _promote(project) == 1

    # 2. the champion now comes from the registry; a second retrain is gated against it
    text = project.config.read_text()
    champion_table = text[text.index("[models.champion]") :].split("\n[", 1)[0]
    paths, types = model_files
    text = text.replace(
        champion_table, _model_table("champion", uri="models:/risk-classifier@champion", types=types).strip()
    )
    project.config.write_text(text)
    _swap_candidate(project, model_files, "sound_b")
    gate = _gate(project)
    assert gate.report["models"]["champion"].startswith("models:/risk-classifier/1 sha256:")
    assert _promote(project, "--actor", "bob") == 0
    assert _aliases(project) == {"champion": "2", "previous": "1", "disabled": None}

    # 3. rollback: version 1 serves again, and the champion fixture loads it
    assert main(["rollback", "--config", str(project.config), "--reason", "alerts"]) == 0
    assert _aliases(project) == {"champion": "1", "previous": None, "disabled": None}
    gate = _gate(project)
    assert gate.report["models"]["champion"].startswith("models:/risk-classifier/1 ")
    # nothing older to return to
    with pytest.raises(RegistryError, match="no @previous"):
        registry.rollback(load_config(project.config))

    # 4. promote version 3 (sound_b again, gated against v1), disable it, roll back to 1
    assert _promote(project, "--actor", "carol") == 0
    assert _aliases(project) == {"champion": "3", "previous": "1", "disabled": None}
    assert main(["disable", "--config", str(project.config), "--reason", "FNR alert"]) == 0
    cfg = load_config(project.config)
    assert _aliases(project) == {"champion": None, "previous": "1", "disabled": "3"}
    assert registry.status(cfg)["serving"] is None  # the kill switch is on
    # the last report compared against version 1, which no longer serves: stale
    with pytest.raises(PromotionRefused, match="champion changed since the gate ran"):
        registry.promote(cfg, project.folder / "reports" / "gate.json", allow_partial=True)
    assert main(["rollback", "--config", str(project.config)]) == 0
    assert _aliases(project) == {"champion": "1", "previous": None, "disabled": None}

    moves = registry.read_audit(cfg)
    assert [(m["action"], m["version"]) for m in moves] == [
        ("promote", "1"),
        ("promote", "2"),
        ("rollback", "1"),
        ("promote", "3"),
        ("disable", "3"),
        ("rollback", "1"),
    ]
    assert [m["actor"] for m in moves[:2]] == ["alice", "bob"]
    assert moves[0]["gate_report_sha256"].startswith("sha256:") and moves[4]["reason"] == "FNR alert"
    tags = registry.open_registry(cfg).version("2").tags
    assert tags["sentinel.promoted_by"] == "bob" and tags["sentinel.state"] == "rolled_back"


@pytest.mark.slow
def test_registry_models_load_without_pickle_trust_but_pickles_need_it(gate_project, model_files):
    """A version registered by promote is skops: it loads with the config's trusted types."""
    from sentinel_checks.config import ModelSpec
    from sentinel_checks.errors import ModelLoadError
    from sentinel_checks.models.loading import load_model

    project = _project(gate_project, model_files, candidate="sound_a", champion="sound_b")
    _gate(project)
    assert _promote(project) == 0
    cfg = load_config(project.config)
    uri = cfg.registry.store
    _, types = model_files
    loaded = load_model(
        ModelSpec(uri="models:/risk-classifier@champion", trusted_types=types),
        role="champion",
        tracking_uri=uri,
    )
    assert loaded.identity.startswith("models:/risk-classifier/1 sha256:")
    # using MLflow leaves no store behind in the environment for the next config to pick up
    assert "MLFLOW_TRACKING_URI" not in os.environ and "MLFLOW_REGISTRY_URI" not in os.environ
    with pytest.raises(ModelLoadError, match="not trusted by default"):
        load_model(ModelSpec(uri="models:/risk-classifier@champion"), role="champion", tracking_uri=uri)
    with pytest.raises(ModelLoadError, match="could not load"):
        load_model(
            ModelSpec(uri="models:/risk-classifier@nope", trusted_types=types),
            role="champion",
            tracking_uri=uri,
        )


@pytest.mark.slow
def test_an_unreachable_registry_is_a_clear_error_and_changes_nothing(gate_project, model_files):
    port = free_port()
    project = _project(
        gate_project,
        model_files,
        candidate="sound_a",
        champion="sound_b",
        registry_uri=f"http://127.0.0.1:{port}",
    )
    _gate(project)
    cfg = load_config(project.config)
    started = time.monotonic()
    with pytest.raises(
        RegistryError,
        match=rf"cannot reach the MLflow registry at http://127.0.0.1:{port}.*nothing was changed",
    ):
        registry.promote(cfg, project.folder / "reports" / "gate.json", allow_partial=True)
    assert time.monotonic() - started < 15
    assert _promote(project) == 2  # the CLI: a usage/infrastructure error, not a refusal
    assert not cfg.registry.audit_log.exists()


# --------------------------------------------------------------------------- a real server


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
    mlflow_bin = shutil.which("mlflow", path=str(Path(sys.executable).parent)) or shutil.which("mlflow")
    if mlflow_bin is None:
        pytest.fail("the mlflow command is not installed (pip install 'gradient-sentinel[mlflow]')")
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [
            mlflow_bin,
            "server",
            "--backend-store-uri",
            f"sqlite:///{folder / 'server.db'}",
            "--artifacts-destination",
            str(folder / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mlflow server exited: {(folder / 'server.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("mlflow server did not start within 120 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.mark.slow
def test_promote_and_rollback_through_a_real_mlflow_server(gate_project, model_files, mlflow_server):
    project = _project(
        gate_project, model_files, candidate="sound_a", champion="sound_b", registry_uri=mlflow_server
    )
    _gate(project)
    assert _promote(project) == 0
    _swap_candidate(project, model_files, "sound_b")
    _gate(project)
    assert _promote(project) == 0
    assert _aliases(project) == {"champion": "2", "previous": "1", "disabled": None}
    assert main(["rollback", "--config", str(project.config)]) == 0
    assert _aliases(project) == {"champion": "1", "previous": None, "disabled": None}
    # the champion fixture loads the served version over HTTP
    paths, types = model_files
    text = project.config.read_text()
    champion_table = text[text.index("[models.champion]") :].split("\n[", 1)[0]
    project.config.write_text(
        text.replace(
            champion_table,
            _model_table("champion", uri="models:/risk-classifier@champion", types=types).strip(),
        )
    )
    gate = _gate(project)
    assert gate.report["models"]["champion"].startswith("models:/risk-classifier/1 sha256:"), gate.output


def test_audit_log_survives_a_torn_last_line(tmp_path):
    cfg_path = tmp_path / "sentinel.toml"
    cfg_path.write_text(
        textwrap.dedent(
            """
            [data]
            path = "d.csv"
            [splits]
            method = "column"
            column = "split"
            """
        )
    )
    (tmp_path / "d.csv").write_text("split,label\n")
    cfg = load_config(cfg_path)
    move = registry.Move("promote", "m", "1", None, "me", "now", "sqlite://")
    registry._audit(cfg, move)
    with cfg.registry.audit_log.open("a") as fh:
        fh.write('{"action": "promote", "ver')  # a crash mid-write
    registry._audit(cfg, registry.Move("rollback", "m", "1", None, "me", "later", "sqlite://"))
    assert [m["action"] for m in registry.read_audit(cfg)] == ["promote", "rollback"]
