"""The README's "Watch production" section, run as written on generated data: its
``[monitor]`` table appended to a quick-start config whose candidate is a model file,
then its commands, verbatim, from the project folder."""

from __future__ import annotations

import re
import shlex

import pytest

from sentinel_checks.adapters import skops_io
from sentinel_checks.cli import EXIT_FAILED, EXIT_OK, main
from tests.conftest import REPO, SOUND_FEATURES


def _section(title: str) -> str:
    text = (REPO / "README.md").read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


@pytest.mark.slow
def test_the_readme_monitoring_section_works_as_written(gate_project, small_model, small_log, monkeypatch):
    section = _section("Watch production")
    toml = "\n".join(_blocks(section, "toml"))  # the [monitor] table the section asks for
    [bash] = _blocks(section, "bash")
    model, _ = small_model
    project = gate_project(extra=toml)
    skops_io.dump(model, project.folder / "candidate.skops")
    types = ", ".join(f'"{t}"' for t in skops_io.untrusted_types(project.folder / "candidate.skops"))
    shown = ", ".join(f'"{f}"' for f in SOUND_FEATURES)
    text = project.config.read_text().replace(
        '[models.candidate]\nscore_column = "score"',
        f'[models.candidate]\npath = "candidate.skops"\ntrusted_types = [{types}]\nfeatures = [{shown}]',
    )
    (project.folder / "sentinel.toml").write_text(text)
    commands = [shlex.split(line.split("#", 1)[0]) for line in bash.strip().splitlines()]
    batch = next(arg for cmd in commands for arg in cmd if arg.endswith(".parquet"))
    (project.folder / batch).parent.mkdir(parents=True, exist_ok=True)
    small_log.production.drop(columns=["score"]).to_parquet(project.folder / batch)
    monkeypatch.chdir(project.folder)

    codes = []
    for argv in commands:
        assert argv[0] == "sentinel", argv
        codes.append(main(argv[1:]))
        assert codes[-1] != 2, f"{shlex.join(argv)}: setup error (exit 2)"
        if argv[1] == "gate":
            assert (project.folder / "reports" / "threshold.json").is_file()
    *gate, monitor, report = codes
    assert gate and gate[0] in (
        EXIT_OK,
        EXIT_FAILED,
    )  # the verdict is the gate's business; the threshold is written
    assert monitor in (EXIT_OK, EXIT_FAILED)  # healthy or alerting, never a setup error (2)
    assert report == EXIT_OK
    assert (project.folder / "reports" / "monitoring" / "latest.json").is_file()
    page = (project.folder / "reports" / "monitoring" / "trend.html").read_text()
    assert "<img" in page and "Production monitoring: 1 batch" in page
