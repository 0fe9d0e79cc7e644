"""The README's "Quick start on your own data", run as written on generated data: its
``sentinel init`` command on a request log, then its ``sentinel gate`` command, reading
each setup stop as a user would (the fix it names is applied) until the gate judges."""

from __future__ import annotations

import json
import re
import shlex
import sys
import textwrap

import pytest

from sentinel_checks.adapters import skops_io
from sentinel_checks.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from sentinel_checks.scaffold import SHIPPED_SUITES
from tests.test_monitor_readme import _blocks, _section


def _commands(section: str) -> tuple[list[str], list[str]]:
    """The ``sentinel init`` command of step 2 and the ``sentinel gate`` command of step 3."""
    [init] = re.findall(r"`(sentinel init --data [^`]+)`", section)
    gate = next(
        line.split("#", 1)[0]
        for block in _blocks(section, "bash")
        for line in block.splitlines()
        if line.strip().startswith("sentinel gate")
    )
    return shlex.split(init), shlex.split(gate)


@pytest.mark.slow
def test_the_readme_quick_start_works_as_written(tmp_path, small_model, monkeypatch, capsys):
    init, gate = _commands(_section("Quick start on your own data"))
    model, log = small_model
    data = tmp_path / init[init.index("--data") + 1]
    data.parent.mkdir(parents=True)
    log.offline.drop(columns=["score"], errors="ignore").to_parquet(data)
    monkeypatch.chdir(tmp_path)
    for suite in SHIPPED_SUITES:  # another in-process gate run may have imported its own suites/
        monkeypatch.delitem(sys.modules, suite, raising=False)

    assert main(init[1:]) == EXIT_OK
    config = tmp_path / gate[gate.index("--config") + 1]
    text = config.read_text()
    assert text.endswith("\n") and not text.endswith("\n\n")
    model_path = re.search(r'\[models\.candidate\]\npath = "([^"]+)"', text)
    assert model_path, text  # init names where the candidate goes
    (tmp_path / model_path.group(1)).parent.mkdir(parents=True, exist_ok=True)
    skops_io.dump(model, tmp_path / model_path.group(1))

    # 1st run: a skops file with types not trusted by default stops the gate (exit 2), naming them and the key
    assert main(gate[1:]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "trusted_types" in err and "gate not run: setup error" in err, err
    types = ", ".join(f'"{t}"' for t in skops_io.untrusted_types(tmp_path / model_path.group(1)))
    text = text.replace(model_path.group(0), f"{model_path.group(0)}\ntrusted_types = [{types}]")
    config.write_text(text)

    # 2nd run: the data has a column the model was not trained on; the stop lists the model's features
    assert main(gate[1:]) == EXIT_USAGE
    err = capsys.readouterr().err
    listed = re.search(
        r"The model was trained on ([^:]+): list them, in that order, under \[models\.candidate\] features",
        err,
    )
    assert listed, err
    features = ", ".join(f'"{f.strip()}"' for f in listed.group(1).split(","))
    config.write_text(text.replace(model_path.group(0), f"{model_path.group(0)}\nfeatures = [{features}]"))

    # 3rd run: judged; the verdict is the gate's business (the generated log keeps the demo's leaky feature)
    code = main(gate[1:])
    out = capsys.readouterr().out
    assert code in (EXIT_OK, EXIT_FAILED), out
    report = json.loads((tmp_path / "reports" / "gate.json").read_text())
    assert report["verdict"] == ("pass" if code == EXIT_OK else "fail")
    assert "Data & splits:" in out and "Model quality:" in out and f"gate {report['verdict'].upper()}" in out
    assert (tmp_path / "reports" / "gate.html").is_file() and (tmp_path / "reports" / "gate.md").is_file()


@pytest.mark.slow
def test_the_readme_model_snippet_makes_a_candidate_the_gate_scores_as_is(
    tmp_path, small_model, monkeypatch, capsys
):
    """The quick start's training snippet, run as written on a log with the README's
    column names: the pipeline it saves gets the frame of feature columns the gate
    passes (no features stop) and is judged once its skops types are trusted."""
    section = _section("Quick start on your own data")
    [snippet] = _blocks(section, "python")
    init, gate = _commands(section)
    _, log = small_model
    data = tmp_path / init[init.index("--data") + 1]
    data.parent.mkdir(parents=True)
    log.offline.drop(columns=["score"], errors="ignore").to_parquet(data)
    monkeypatch.chdir(tmp_path)
    exec(compile(textwrap.dedent(snippet), "README.md quick start", "exec"), {})
    for suite in SHIPPED_SUITES:  # another in-process gate run may have imported its own suites/
        monkeypatch.delitem(sys.modules, suite, raising=False)

    assert main(init[1:]) == EXIT_OK
    config = tmp_path / gate[gate.index("--config") + 1]
    text = config.read_text()
    model_path = re.search(r'\[models\.candidate\]\npath = "([^"]+)"', text)
    assert model_path and (tmp_path / model_path.group(1)).is_file(), text  # where the snippet saved it
    assert main(gate[1:]) == EXIT_USAGE  # the skops types to review, as the README says
    assert "trusted_types" in capsys.readouterr().err
    types = ", ".join(f'"{t}"' for t in skops_io.untrusted_types(tmp_path / model_path.group(1)))
    config.write_text(text.replace(model_path.group(0), f"{model_path.group(0)}\ntrusted_types = [{types}]"))
    code = main(gate[1:])
    out = capsys.readouterr().out
    assert code in (EXIT_OK, EXIT_FAILED), out  # judged: the model scored the gate's feature frame
    report = json.loads((tmp_path / "reports" / "gate.json").read_text())
    assert report["verdict"] == ("pass" if code == EXIT_OK else "fail")
