"""Reports written through a temporary file keep the permissions a plain write gives."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sentinel_checks.reports.gate_report import write_atomic


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_report_is_readable_by_others_as_open_would_make_it(tmp_path, umask_022):
    plain = tmp_path / "plain.json"
    plain.write_text("{}")
    written = write_atomic(tmp_path / "gate.json", "{}\n")
    assert _mode(written) == _mode(plain) == 0o644
    assert written.read_text() == "{}\n"


def test_a_report_rewritten_keeps_the_mode_the_user_gave_it(tmp_path, umask_022):
    path = tmp_path / "gate.json"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert _mode(path) == 0o640 and path.read_text() == "new"


def test_no_temporary_file_is_left_beside_the_report(tmp_path, umask_022):
    write_atomic(tmp_path / "gate.md", "# gate\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gate.md"]
