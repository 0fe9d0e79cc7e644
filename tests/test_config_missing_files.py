"""An invalid config lists its missing input files with its invalid keys, in one run:
a user who fixed the misspelt key only to be told next of the misspelt data path went
round the fix-rerun loop twice (trial). The files are read from the TOML as written,
resolved against the config's folder as a valid config's are."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sentinel_checks.config import load_config
from sentinel_checks.errors import ConfigError

INVALID = """
[data]
path = "data/requets.parquet"

[splits]
method = "column"
column = "split"

[leakage]
max_entity_overlap = 0.1

[models.candidate]
path = "models/candidate.skops"
"""


def _config(folder: Path, text: str) -> Path:
    (folder / "data").mkdir()
    (folder / "data" / "requests.parquet").write_bytes(b"")
    path = folder / "sentinel.toml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("check_files", [True, False])  # `sentinel gate` reads without the file check
def test_an_invalid_config_also_lists_its_missing_files(tmp_path, check_files):
    path = _config(tmp_path, INVALID)
    with pytest.raises(ConfigError) as err:
        load_config(path, check_files=check_files)
    keys = [key for key, _ in err.value.located]
    assert keys == ["[leakage] max_entity_overlap", "[data] path", "[models.candidate] path"]
    located = dict(err.value.located)
    assert f"did you mean {tmp_path / 'data' / 'requests.parquet'}?" in located["[data] path"]
    assert str(tmp_path / "models" / "candidate.skops") in located["[models.candidate] path"]
    text = str(err.value)
    assert "invalid configuration (3 problems):" in text
    assert f"  [data] path: path not found: {tmp_path / 'data' / 'requets.parquet'}" in text


def test_files_that_exist_add_nothing_and_a_path_of_the_wrong_type_is_told_once(tmp_path):
    path = _config(tmp_path, INVALID.replace("requets", "requests").replace('"models/candidate.skops"', "5"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    keys = sorted(key for key, _ in err.value.located)
    assert keys == ["[leakage] max_entity_overlap", "[models.candidate] path"]
    assert "path not found" not in str(err.value)


ALL_INPUTS = """
[data]
path = "no/data.parquet"

[splits]
method = "column"
column = "split"

[production]
path = "no/production.parquet"

[models.candidate]
path = "no/candidate.skops"

[models.champion]
path = "no/champion.skops"

[training]
log = "no/training.csv"

[monitor]
reference = "no/reference.parquet"
labels = "no/labels.parquet"
"""


def test_an_invalid_config_lists_the_same_input_files_a_valid_one_checks(tmp_path):
    """The two lists of input keys (the raw TOML's, the validated config's) stay in step:
    every file a valid config refuses as missing, an invalid one lists too."""
    path = _config(tmp_path, ALL_INPUTS)
    with pytest.raises(ConfigError) as valid:
        load_config(path)
    checked = [line.split(":")[0].strip() for line in str(valid.value).splitlines()[1:]]
    path.write_text(textwrap.dedent(ALL_INPUTS) + "\n[gate]\nsede = 1\n")
    with pytest.raises(ConfigError) as invalid:
        load_config(path)
    listed = [key for key, _ in invalid.value.located if key != "[gate] sede"]
    assert len(checked) == 7 and sorted(listed) == sorted(checked), (checked, listed)


@pytest.mark.parametrize("invalid", [False, True])
def test_a_relative_path_missing_says_it_is_read_from_the_configs_folder(tmp_path, monkeypatch, invalid):
    """A relative path is read from the config's folder, not the working directory: a
    user who wrote it from where they run the gate was shown only an absolute path that
    looked wrong (noticed, stops 48–49). The message says so, and names the file the
    working directory does hold."""
    project, elsewhere = tmp_path / "project", tmp_path / "configs"
    (project / "data").mkdir(parents=True)
    (project / "data" / "requests.parquet").write_bytes(b"")
    elsewhere.mkdir()
    text = '[data]\npath = "data/requests.parquet"\n\n[splits]\nmethod = "column"\ncolumn = "split"\n'
    if invalid:
        text += "\n[gate]\nsede = 1\n"
    path = elsewhere / "sentinel.toml"
    path.write_text(text)
    monkeypatch.chdir(project)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    told = dict(err.value.located)["[data] path"] if invalid else str(err.value)
    assert str(elsewhere / "data" / "requests.parquet") in told
    assert f'"data/requests.parquet" is read from the config\'s folder {elsewhere}' in told
    assert f"the working directory holds {project / 'data' / 'requests.parquet'}" in told
    # an absolute path missing adds neither sentence
    path.write_text(text.replace('"data/requests.parquet"', f'"{tmp_path / "no.parquet"}"'))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "config's folder" not in str(err.value) and "working directory" not in str(err.value)


def test_sentinel_gate_says_a_missing_relative_path_is_read_from_the_configs_folder(tmp_path, monkeypatch):
    """Trial (stop 50): the wording reached an invalid config and `sentinel promote`, not
    `sentinel gate` on a valid config (its files are found missing by the preflight)."""
    import json

    from sentinel_checks.cli import main

    project, elsewhere = tmp_path / "project", tmp_path / "configs"
    (project / "data").mkdir(parents=True)
    (project / "data" / "requests.parquet").write_bytes(b"")
    elsewhere.mkdir()
    config = elsewhere / "sentinel.toml"
    config.write_text(
        '[data]\npath = "data/requests.parquet"\n\n[splits]\nmethod = "column"\ncolumn = "split"\n'
    )
    monkeypatch.chdir(project)
    assert main(["gate", "--config", str(config), "--reports", str(tmp_path / "reports")]) == 2
    doc = json.loads((tmp_path / "reports" / "gate.json").read_text())
    (entry,) = [c for c in doc["checks"] if c["test"] == "sentinel preflight::[data] path"]
    assert f'"data/requests.parquet" is read from the config\'s folder {elsewhere}' in entry["message"], entry
    assert f"the working directory holds {project / 'data' / 'requests.parquet'}" in entry["message"], entry
