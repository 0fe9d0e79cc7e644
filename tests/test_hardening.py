"""Hardening: hypothesis-generated configs and frames never crash with an internal
traceback and never yield a passing gate.

Configs are fuzzed against the validator (hundreds of examples: a mutated config is
either valid or a ConfigError that names the key). Frames are fuzzed through the
real gate (a handful of examples, each a full gate run on a small log): whatever the
corruption, the gate does not pass and says what is wrong in its own words.
"""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sentinel_checks.config import config_from_mapping
from sentinel_checks.data.io import load_frame
from sentinel_checks.errors import ConfigError, DataError
from tests.conftest import BASE_CONFIG, judge_in_process, run_gate

VALID = tomllib.loads(BASE_CONFIG)

# values of every awkward kind a hand-edited TOML file can hold
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node, prefix=()):
    """Every key path of a nested mapping."""
    for key, value in node.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


KEY_PATHS = sorted(_paths(VALID))


@st.composite
def mutated_configs(draw):
    raw = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(KEY_PATHS))
        node = raw
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                break
        else:
            action = draw(st.sampled_from(["drop", "retype", "unknown_key", "unicode_key"]))
            if action == "drop":
                node.pop(path[-1], None)
            elif action == "retype":
                node[path[-1]] = draw(ODD_VALUES)
            else:
                name = draw(st.text(min_size=1, max_size=8)) if action == "unicode_key" else "typo_key"
                node[name + "\u00e9"] = draw(ODD_VALUES)
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_configs())
def test_a_mutated_config_is_valid_or_a_config_error_naming_a_key(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("cfg")
    (folder / "data").mkdir()
    for name in ("requests.parquet", "production.parquet"):
        (folder / "data" / name).write_bytes(b"")
    try:
        config_from_mapping(raw, source=folder / "sentinel.toml")
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith(str(folder / "sentinel.toml")), message
        assert "Traceback" not in message
    # any other exception fails the test: that would be an internal error


# --------------------------------------------------------------------------- frames through the gate


def _all_null(frame, rng, column):
    out = frame.copy()
    out[column] = None
    return out


def _extreme(frame, rng, column):
    out = frame.copy()
    if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
        picks = rng.random(len(out)) < 0.01
        out[column] = out[column].astype(float)
        out.loc[picks, column] = rng.choice([np.inf, -np.inf, 1e308, -1e308, np.nan], size=int(picks.sum()))
    else:
        out[column] = "\u2603" * 200
    return out


def _unicode_names(frame, rng, column):
    return frame.rename(columns={column: column + "_\u00fc\u4e2d"})


def _empty(frame, rng, column):
    return frame.iloc[:0]


def _wrong_type(frame, rng, column):
    out = frame.copy()
    out[column] = [f"x{i}" for i in range(len(out))]
    return out


def _shuffled_labels(frame, rng, column):
    out = frame.copy()
    out["label"] = rng.choice(["risky", "safe", "RISKY", None], size=len(out))
    return out


CORRUPTIONS = {
    "all_null": _all_null,
    "extreme": _extreme,
    "unicode_name": _unicode_names,
    "empty": _empty,
    "wrong_type": _wrong_type,
    "labels": _shuffled_labels,
}
COLUMNS = ["label", "request_ts", "user_id", "request_id", "amount", "country", "device_new", "score"]


# Corruptions the gate rightly lets pass (measured over every combination, see the
# issue note): production labels all missing are late labels, not a fault; ids and
# entities rewritten into other valid ids (unique strings, or one user for all of
# production, where entities are not judged) are still valid data. One is a known
# limit: a categorical feature replaced by a single unseen value in production
# drifts (drift.features warns) but fails only with an `allowed` rule or as a
# [drift] critical_features entry.
LEGITIMATE = {
    ("all_null", "label", "production"),
    ("extreme", "user_id", "production"),
    ("wrong_type", "user_id", "offline"),
    ("wrong_type", "user_id", "production"),
    ("wrong_type", "request_id", "offline"),
    ("wrong_type", "request_id", "production"),
    ("extreme", "country", "production"),
}


@pytest.fixture(scope="module")
def gate_log(small_log):
    return small_log.offline.reset_index(drop=True), small_log.production.reset_index(drop=True)


def _write(folder, offline, production):
    (folder / "data").mkdir()
    offline.to_parquet(folder / "data/requests.parquet")
    production.to_parquet(folder / "data/production.parquet")
    config = folder / "sentinel.toml"
    config.write_text(BASE_CONFIG)
    return config


@pytest.mark.slow
def test_the_uncorrupted_log_passes(tmp_path, gate_log):
    """The control: without a corruption the same setup passes, so the failures below
    come from the corruptions."""
    run = judge_in_process(_write(tmp_path, *gate_log), tmp_path)
    assert run.code == 0 and run.report["verdict"] == "pass", run.output[-3000:]


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    corruption=st.sampled_from(sorted(CORRUPTIONS)),
    column=st.sampled_from(COLUMNS),
    where=st.sampled_from(["offline", "production"]),
    seed=st.integers(0, 2**16),
)
@pytest.mark.slow
def test_a_corrupted_frame_never_passes_and_never_crashes(
    tmp_path_factory, gate_log, corruption, column, where, seed
):
    assume((corruption, column, where) not in LEGITIMATE)
    offline, production = gate_log
    folder = tmp_path_factory.mktemp("gate")
    frames = {"offline": offline, "production": production}
    frames[where] = CORRUPTIONS[corruption](frames[where], np.random.default_rng(seed), column)
    config = _write(folder, frames["offline"], frames["production"])
    run = judge_in_process(config, folder)  # the gate's steps: the verdict pytest would give
    report = run.report
    assert report is not None, run.output[-3000:]
    assert run.code != 0 and report["verdict"] != "pass", run.output[-3000:]
    assert "Traceback" not in run.output, run.output[-3000:]
    # every failure is a judged check or an error in the gate's own words
    for check in report["checks"]:
        if check["outcome"] in ("failed", "error"):
            message = str(check.get("message", ""))
            assert "Traceback" not in message, message
            internal = ("KeyError", "AttributeError", "IndexError", "TypeError", "ZeroDivisionError")
            assert not message.startswith(internal), message


def test_csv_with_duplicate_column_names_is_a_data_error(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("label,amount,amount\nsafe,1,2\n")
    from sentinel_checks.config import DataSource

    with pytest.raises(DataError, match=r"duplicate column names \['amount'\]"):
        load_frame(DataSource(path=path), base_dir=tmp_path)


@pytest.mark.parametrize("reports", [".", "data"])
def test_a_reports_folder_holding_inputs_is_refused_and_nothing_is_written(gate_project, reports):
    """The gate never writes where its inputs are (it could overwrite one of them)."""
    project = gate_project()
    before = {p: p.read_bytes() for p in project.folder.rglob("*") if p.is_file()}
    (project.folder / "data" / "gate.json").write_text("a file of the user's")
    before[project.folder / "data" / "gate.json"] = b"a file of the user's"
    proc = run_gate_cli(project, reports)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "holds input file(s)" in proc.stdout + proc.stderr
    after = {p: p.read_bytes() for p in project.folder.rglob("*") if p.is_file()}
    assert after == before  # nothing written, nothing overwritten


def run_gate_cli(project, reports):
    import subprocess
    import sys

    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sentinel_checks.cli",
            "gate",
            "--config",
            str(project.config),
            "--reports",
            reports,
        ],
        cwd=project.folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_parquet_with_duplicate_column_names_is_a_data_error(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sentinel_checks.config import DataSource

    path = tmp_path / "data.parquet"
    pq.write_table(
        pa.table([pa.array(["safe"]), pa.array([1.0]), pa.array([2.0])], names=["label", "x", "x"]), path
    )
    with pytest.raises(DataError, match=r"duplicate column names \['x'\]"):
        load_frame(DataSource(path=path), base_dir=tmp_path)


def test_plain_pytest_with_a_reports_folder_holding_inputs_writes_nothing(gate_project):
    """The same refusal without the CLI: ``pytest suites/ --sentinel-reports data``."""

    project = gate_project()
    before = {p: p.read_bytes() for p in project.folder.rglob("*") if p.is_file()}
    run = run_gate(project.config, project.folder, "--sentinel-reports", "data")  # the last one counts
    assert run.code != 0 and run.report is None, run.output[-3000:]
    assert "holds input file(s)" in run.output
    after = {p: p.read_bytes() for p in project.folder.rglob("*") if p.is_file()}
    assert after == before
