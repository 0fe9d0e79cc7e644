"""Reports written through a temporary file keep the permissions a plain write gives."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sentinel_checks.reports.gate_report import write_atomic


@pytest.fixture(params=[0o022, 0o002, 0o027])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    assert os.umask(old) == request.param  # writing left the process umask as it was


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_report_gets_the_mode_open_would_give_it(tmp_path, umask):
    plain = tmp_path / "plain.json"
    plain.write_text("{}")
    written = write_atomic(tmp_path / "gate.json", "{}\n")
    assert _mode(written) == _mode(plain) == 0o666 & ~umask
    assert written.read_text() == "{}\n"


def test_a_report_rewritten_keeps_the_mode_the_user_gave_it(tmp_path, umask):
    path = tmp_path / "gate.json"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert _mode(path) == 0o640 and path.read_text() == "new"


def test_no_temporary_file_is_left_beside_the_report(tmp_path, umask):
    write_atomic(tmp_path / "gate.md", "# gate\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gate.md"]


def test_a_report_that_cannot_be_written_leaves_nothing_behind(tmp_path, umask):
    (tmp_path / "gate.json").mkdir()  # a folder where the file should go: replace fails
    with pytest.raises(OSError):
        write_atomic(tmp_path / "gate.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gate.json"]


def test_a_private_report_is_never_readable_by_others_while_written(tmp_path, umask, monkeypatch):
    """Review: the temporary copy was 0o644 with the full content until the chmod."""
    path = tmp_path / "gate.json"
    path.write_text("old")
    path.chmod(0o600)
    seen = []
    real_fdopen = os.fdopen

    def spy(fd, *args, **kwargs):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", spy)
    write_atomic(path, "secret")
    assert seen == [0o600] and _mode(path) == 0o600
