"""examples/retrain_pipeline: run from a clean folder as CI would, with only the installed package."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from sentinel_checks.cli import main
from tests.conftest import REPO

SCRIPT = REPO / "examples" / "retrain_pipeline" / "retrain.py"


@pytest.mark.slow
def test_bad_retrain_is_blocked_sound_one_promoted_and_rollback_returns(tmp_path, capsys):
    shutil.copy(SCRIPT, tmp_path / "retrain.py")
    proc = subprocess.run(
        [sys.executable, "retrain.py", "--workdir", "pipeline"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["adopted"] == "1"
    # the bad retrain: the gate fails, nothing is promoted, the champion is unchanged
    assert summary["bad_gate_exit"] == 1
    assert "bad_promote_exit" not in summary
    assert summary["champion_after_bad"] == "1"
    # the sound retrain: passes and becomes the champion
    assert summary["sound_gate_exit"] == 0 and summary["sound_promote_exit"] == 0
    assert summary["champion_after_sound"] == "2"
    # the rollback drill returns the previous champion
    assert summary["rollback_exit"] == 0 and summary["champion_after_rollback"] == "1"

    demo = tmp_path / "pipeline" / "demo"
    # forcing the bad model through is refused: its gate report failed
    bad = ["promote", "--config", str(demo / "gate_retrained_bad.toml")]
    assert main([*bad, "--report", str(tmp_path / "pipeline" / "reports_bad" / "gate.json")]) == 1
    assert "the gate did not pass" in capsys.readouterr().err
    audit = [
        json.loads(line)
        for line in (tmp_path / "pipeline" / "registry" / "audit.jsonl").read_text().splitlines()
    ]
    assert [(m["action"], m["version"]) for m in audit] == [
        ("adopt", "1"),
        ("promote", "2"),
        ("rollback", "1"),
    ]
    decision = json.loads((tmp_path / "pipeline" / "reports_bad" / "promotion.json").read_text())["decision"]
    assert decision == "do_not_promote"
