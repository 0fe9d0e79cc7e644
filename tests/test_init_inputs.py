"""Issue 17, `sentinel init`: every format the loader reads, index columns as ids, no
invented label (the gate refuses an unset one with the two-valued columns found),
integer-period and row-order time, files that end with a newline."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.cli import main
from sentinel_checks.config import load_config
from sentinel_checks.data.io import feature_columns, load_frame
from sentinel_checks.scaffold import infer_roles
from tests.conftest import run_sentinel

N = 600


def _requests(n: int = N, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "request_ts": pd.date_range("2025-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M:%S"),
            "user_id": [f"u{i % 50}" for i in range(n)],
            "amount": rng.gamma(2.0, 40.0, n).round(2),
            "channel": rng.choice(["web", "app", "pos"], n),
            "label": rng.choice(["risky", "safe"], n, p=[0.1, 0.9]),
        }
    )


def _write(frame: pd.DataFrame, path: Path, *, index: bool = False) -> Path:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        frame.to_parquet(path, index=index)
    else:
        frame.to_csv(path, index=index)  # compression from the suffix
    return path


def _init(folder: Path, data: Path) -> str:
    assert main(["init", "--dir", str(folder), "--data", str(data), "--ci", "none"]) == 0
    return (folder / "sentinel.toml").read_text()


# ----------------------------------------------------------------- 1: every format the loader reads


@pytest.mark.parametrize(
    "name", ["d.csv", "d.csv.gz", "d.csv.bz2", "d.csv.xz", "d.csv.zip", "d.parquet", "d.pq", "D.CSV.GZ"]
)
def test_init_reads_every_format_the_loader_reads_and_the_config_loads_it(tmp_path, name):
    data = _write(_requests(), tmp_path / name)
    _init(tmp_path, data)
    roles = infer_roles(data)
    assert (roles.label, roles.positive, roles.timestamp) == ("label", "risky", "request_ts")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "candidate.skops").touch()
    cfg = load_config(tmp_path / "sentinel.toml")
    assert cfg.data.path is not None
    assert len(load_frame(cfg.data, base_dir=tmp_path)) == N  # the loader reads what init read


@pytest.mark.parametrize("name", ["d.jsonl", "d.json", "d.txt", "d.xlsx"])
def test_init_refuses_a_format_the_loader_cannot_read_naming_the_file_and_the_formats(tmp_path, name, capsys):
    data = tmp_path / name
    data.write_text('{"a": 1}\n')
    assert main(["init", "--dir", str(tmp_path), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert name in err and ".csv.gz" in err and ".parquet" in err and "Traceback" not in err
    assert not (tmp_path / "sentinel.toml").exists()


# ----------------------------------------------------------------- 2: index columns are ids


def test_a_pandas_index_written_to_csv_is_excluded_never_a_feature(tmp_path):
    data = _write(_requests(), tmp_path / "d.csv", index=True)  # writes "Unnamed: 0" = 0..n-1
    assert "Unnamed: 0" in pd.read_csv(data, nrows=1).columns
    text = _init(tmp_path, data)
    assert tomllib.loads(text)["columns"]["exclude"] == ["Unnamed: 0"]
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "candidate.skops").touch()
    cfg = load_config(tmp_path / "sentinel.toml")
    frame = load_frame(cfg.data, base_dir=tmp_path)
    assert "Unnamed: 0" not in feature_columns(frame, cfg)
    assert "amount" in feature_columns(frame, cfg)


@pytest.mark.parametrize("name,start", [("index", 0), ("idx", 1), ("level_0", 0), ("row", 1)])
def test_an_integer_column_named_like_an_index_and_counting_rows_is_excluded(tmp_path, name, start):
    frame = _requests()
    frame.insert(0, name, np.arange(start, start + len(frame)))
    roles = infer_roles(_write(frame, tmp_path / "d.parquet"))
    assert roles.exclude == [name]
    assert name not in roles.segments and name not in roles.entities and roles.timestamp != name


def test_a_column_named_index_that_does_not_count_rows_is_left_a_feature(tmp_path):
    frame = _requests()
    frame["index"] = np.random.default_rng(1).integers(0, 1000, len(frame))  # e.g. a price index
    roles = infer_roles(_write(frame, tmp_path / "d.parquet"))
    assert roles.exclude == []


# ----------------------------------------------------------------- 3: never an invented label

UNLABELLED = {
    "when": pd.date_range("2025-01-01", periods=N, freq="h"),
    "amount": np.linspace(1, 100, N),
    "CANCELLED": ["Y", "N", "N"] * (N // 3),
    "promo": [True, False] * (N // 2),
}


def test_without_an_obvious_label_the_label_is_left_unset_with_a_todo(tmp_path):
    data = _write(pd.DataFrame(UNLABELLED), tmp_path / "d.parquet")
    text = _init(tmp_path, data)
    columns = tomllib.loads(text)["columns"]
    assert "label" not in columns and "positive" not in columns and "negative" not in columns
    assert "# label = " in text and "TODO" in text and "CANCELLED, promo" in text


def _unlabelled_project(folder: Path) -> Path:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    frame = pd.DataFrame(UNLABELLED)
    data = _write(frame, folder / "flights.parquet")
    _init(folder, data)
    (folder / "models").mkdir()
    model = LogisticRegression().fit(frame[["amount"]], frame["CANCELLED"].eq("Y"))
    sio.dump(model, folder / "models" / "candidate.skops")
    return folder / "sentinel.toml"


def test_the_preflight_refuses_an_unset_label_naming_the_two_valued_columns(tmp_path):
    from sentinel_checks.gate.preflight import preflight
    from sentinel_checks.gate.session import GateSession

    problems = preflight(GateSession(load_config(_unlabelled_project(tmp_path))))
    told = [str(p) for p in problems if p.key == "[columns] label"]
    assert len(told) == 1, problems
    assert "label is not set; two-valued columns: CANCELLED, promo" in told[0]
    assert "'label' is not a column" not in " ".join(map(str, problems))


def test_a_label_column_named_label_still_needs_no_key(tmp_path):
    """The default ``label = "label"`` stays: data with a column ``label`` needs no key."""
    from sentinel_checks.gate.preflight import preflight
    from sentinel_checks.gate.session import GateSession

    frame = pd.DataFrame(UNLABELLED).rename(columns={"CANCELLED": "label"})
    frame["label"] = frame["label"].eq("Y").astype(int)
    frame.to_parquet(tmp_path / "d.parquet")
    (tmp_path / "sentinel.toml").write_text(
        '[data]\npath = "d.parquet"\n[columns]\nfeatures = ["amount"]\n'
        '[splits]\nmethod = "time"\nval_start = "2025-01-15"\ntest_start = "2025-01-20"\n'
        '[models.candidate]\nscore_column = "amount"\n'
    )
    problems = preflight(GateSession(load_config(tmp_path / "sentinel.toml")))
    assert not [p for p in problems if p.key == "[columns] label"], problems


@pytest.mark.slow
def test_init_then_gate_on_data_without_a_label_exits_2_in_seconds_with_the_suggestion(tmp_path):
    config = _unlabelled_project(tmp_path)
    started = time.monotonic()
    code, out = run_sentinel("gate", "--config", str(config), "--reports", "reports", cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert code == 2, out[-3000:]
    assert "label is not set; two-valued columns: CANCELLED, promo" in out
    assert "Traceback" not in out and "passed" not in out
    print(f"init -> gate refused in {elapsed:.1f} s")


# ----------------------------------------------------------------- 4: files end with a newline


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_every_written_file_ends_with_one_newline(tmp_path, ci):
    data = _write(pd.DataFrame(UNLABELLED), tmp_path / "d.parquet")
    assert main(["init", "--dir", str(tmp_path / "repo"), "--data", str(data), "--ci", ci]) == 0
    files = [p for p in (tmp_path / "repo").rglob("*") if p.is_file()]
    assert len(files) >= 9
    for path in files:
        text = path.read_text()
        assert text.endswith("\n") and not text.endswith("\n\n"), path


# ----------------------------------------------------------------- 5: integer and row-order time


def _periods(name: str, values: np.ndarray, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {name: values, "amount": rng.gamma(2.0, 40.0, len(values)), "is_fraud": rng.random(len(values)) < 0.1}
    )


@pytest.mark.parametrize(
    "name,values",
    [
        ("YEAR", np.repeat(np.arange(2010, 2020), 60)),
        ("step", np.repeat(np.arange(1, 121), 5)),
        ("period", np.random.default_rng(0).integers(1, 25, N)),  # unsorted, named as a period
    ],
)
def test_an_integer_period_column_is_the_time_axis_with_boundaries_among_its_values(tmp_path, name, values):
    data = _write(_periods(name, values), tmp_path / "d.csv")
    text = _init(tmp_path, data)
    raw = tomllib.loads(text)
    assert raw["columns"]["timestamp"] == name
    val, test = raw["splits"]["val_start"], raw["splits"]["test_start"]
    assert isinstance(val, int) and isinstance(test, int) and val < test
    assert {val, test} <= set(values.tolist())
    share_before_val = float((values < val).mean())
    assert 0.5 <= share_before_val <= 0.85
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "candidate.skops").touch()
    from sentinel_checks.data.io import prepare_frame
    from sentinel_checks.data.splits import build_splits

    cfg = load_config(tmp_path / "sentinel.toml")  # the split init proposes is a real split
    splits = build_splits(prepare_frame(load_frame(cfg.data, base_dir=tmp_path), cfg), cfg)
    assert min(len(splits.train), len(splits.val), len(splits.test)) > 0


def test_a_cyclic_integer_column_in_no_order_is_only_suggested_with_row_order(tmp_path):
    values = np.random.default_rng(0).integers(0, 24, N)  # hour of day: not a time axis
    text = _init(tmp_path, _write(_periods("hour", values), tmp_path / "d.csv"))
    raw = tomllib.loads(text)
    assert "timestamp" not in raw["columns"]
    assert '# timestamp = "hour"' in text and '# timestamp = "@row"' in text and "TODO" in text


def test_without_any_time_column_row_order_is_suggested_commented_with_fractions(tmp_path):
    frame = _periods("amount2", np.random.default_rng(0).normal(size=N))
    text = _init(tmp_path, _write(frame, tmp_path / "d.parquet"))
    raw = tomllib.loads(text)
    assert "timestamp" not in raw["columns"]
    assert '# timestamp = "@row"' in text
    assert (raw["splits"]["val_start"], raw["splits"]["test_start"]) == (0.7, 0.85)


# ------------------------------------------- a float label (0.0 / 1.0): a number, never quoted text


def _float_labelled(name: str) -> pd.DataFrame:
    frame = _requests().drop(columns="label")
    frame[name] = np.where(np.arange(N) % 10 == 0, 1.0, 0.0)
    return frame


def test_a_float_label_is_written_as_the_number_the_loader_compares_with_a_number_note(tmp_path):
    from sentinel_checks.data.labels import risky_mask

    data = _write(_float_labelled("is_fraud"), tmp_path / "d.csv")
    text = _init(tmp_path, data)
    columns = tomllib.loads(text)["columns"]
    assert columns["positive"] == 1.0 and not isinstance(columns["positive"], str)
    assert columns["negative"] == 0.0 and not isinstance(columns["negative"], str)
    line = next(x for x in text.splitlines() if x.startswith("positive = "))
    assert "quotes" in line and "text in quotes" not in line and "number" in line, line
    labels = pd.read_csv(data)["is_fraud"]  # the loader compares labels == positive
    risky, _ = risky_mask(labels, positive=columns["positive"], negative=columns["negative"], where="d.csv")
    assert risky.sum() == N // 10


def test_a_float_two_valued_column_not_named_like_a_label_gets_a_number_note(tmp_path):
    data = _write(_float_labelled("repaid"), tmp_path / "d.csv")
    text = _init(tmp_path, data)
    assert "# 'repaid' holds 0.0 and 1.0" in text
    note = next(x for x in text.splitlines() if x.startswith("# positive = "))
    assert "text in quotes" not in note and "number" in note and "no quotes" in note, note


def test_a_text_label_note_still_asks_for_quotes(tmp_path):
    data = _write(_requests(), tmp_path / "d.csv")
    line = next(x for x in _init(tmp_path, data).splitlines() if x.startswith("positive = "))
    assert line.startswith('positive = "risky"') and "in quotes" in line, line
    todo = _init(tmp_path / "u", _write(pd.DataFrame(UNLABELLED), tmp_path / "u.parquet"))
    note = next(x for x in todo.splitlines() if x.startswith("# positive = "))
    assert "text in quotes" in note, note
