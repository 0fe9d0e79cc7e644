"""`sentinel promote` refuses a gate report whose inputs changed after the gate ran: every
input the gate judged is in gate.json and compared, not only the dataset, production and
candidate (trial, stop 50: a training log replaced by an overfitting one, a champion file
swapped, and the rows a `[data] loader` returns shuffled were each promoted on the old
report, exit 0).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.errors import PromotionRefused
from sentinel_checks.registry.verification import verify_report

FRAME = pd.DataFrame({"request_id": [1, 2, 3], "label": ["risky", "safe", "safe"], "x": [0.1, 0.2, 0.3]})

CONFIG = """
[data]
{data}

[splits]
method = "column"
column = "split"

[models.candidate]
path = "candidate.skops"

[models.champion]
path = "champion.skops"

[training]
log = "training.csv"
"""

LOADER = """
import pandas as pd
from pathlib import Path


def load():
    return pd.read_parquet(Path(__file__).parent / "rows.parquet")
"""


def _import_from(folder: Path, monkeypatch) -> None:
    """The loader module imported from ``folder``: not another test's, cached in sys.modules."""
    import sys

    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "rows_loader", raising=False)


def _project(folder: Path, *, loader: bool) -> Path:
    for name in ("candidate.skops", "champion.skops"):
        (folder / name).write_bytes(name.encode())
    (folder / "training.csv").write_text("epoch,train_loss,val_loss\n1,0.5,0.5\n")
    FRAME.to_parquet(folder / "rows.parquet")
    if loader:
        (folder / "rows_loader.py").write_text(LOADER)
    data = 'loader = "rows_loader:load"' if loader else 'path = "rows.parquet"'
    path = folder / "sentinel.toml"
    path.write_text(textwrap.dedent(CONFIG.format(data=data)))
    return path


def _passing_report(config: Path, frames: dict[str, pd.DataFrame] | None = None) -> Path:
    """A gate.json of a whole gate that passed on the inputs as they are now; ``frames``:
    what the run's loaders returned (the session's frames)."""
    from sentinel_checks.data.identity import data_identity
    from sentinel_checks.gate.run_record import gate_run
    from sentinel_checks.reports.gate_report import TestOutcome, write_reports
    from sentinel_checks.result import CheckResult, Status
    from sentinel_checks.scaffold import SHIPPED_SUITES

    cfg = load_config(config)
    passed = TestOutcome(
        "suites/test_x.py::test_x", "passed", "", CheckResult("contract.schema", Status.PASS, "ok")
    )
    coverage = {"suites": [f"{s}.py" for s in SHIPPED_SUITES], "deselected": 0}
    run = gate_run(cfg, [passed], coverage=coverage, identity=data_identity(cfg, loaded=frames or {}))
    write_reports(run, config.parent / "reports")
    return config.parent / "reports" / "gate.json"


def test_a_report_of_the_same_inputs_is_accepted(tmp_path):
    config = _project(tmp_path, loader=False)
    report = _passing_report(config)
    assert verify_report(load_config(config), report).verdict == "pass"


def test_a_replaced_training_log_is_refused(tmp_path):
    config = _project(tmp_path, loader=False)
    report = _passing_report(config)
    (tmp_path / "training.csv").write_text("epoch,train_loss,val_loss\n1,0.5,0.9\n")
    with pytest.raises(PromotionRefused, match=re.escape("another training log ([training] log)")):
        verify_report(load_config(config), report)


def test_a_swapped_champion_file_is_refused(tmp_path):
    """The comparison was made against the champion the report names, not this one."""
    config = _project(tmp_path, loader=False)
    report = _passing_report(config)
    (tmp_path / "champion.skops").write_bytes(b"another champion")
    with pytest.raises(PromotionRefused, match=re.escape("another champion ([models.champion])")):
        verify_report(load_config(config), report)


def test_a_champion_the_config_no_longer_names_is_refused(tmp_path):
    config = _project(tmp_path, loader=False)
    report = _passing_report(config)
    text = config.read_text().replace('[models.champion]\npath = "champion.skops"\n', "")
    config.write_text(text)
    with pytest.raises(
        PromotionRefused,
        match=re.escape("covers the champion ([models.champion]), which the config no longer names"),
    ):
        verify_report(load_config(config), report)


def test_the_rows_a_loader_returns_are_fingerprinted_and_compared(tmp_path, monkeypatch):
    _import_from(tmp_path, monkeypatch)
    config = _project(tmp_path, loader=True)
    from sentinel_checks.data.inputs import load_dataset

    loaded = load_dataset(load_config(config))
    report = _passing_report(config, {"dataset": loaded})
    import json

    recorded = json.loads(report.read_text())["data"]["dataset"]
    assert recorded.startswith("loader:rows_loader:load sha256:"), recorded
    assert verify_report(load_config(config), report).verdict == "pass"  # the same rows: accepted
    FRAME.assign(label=FRAME["label"][::-1].to_numpy()).to_parquet(tmp_path / "rows.parquet")
    with pytest.raises(PromotionRefused, match=re.escape("another dataset ([data])")):
        verify_report(load_config(config), report)


def test_a_loaders_rows_the_gate_never_read_are_not_taken_on_trust(tmp_path, monkeypatch):
    """A report naming the loader alone (the gate stopped before reading its rows, or a
    gate.json of before the fix) cannot show which rows it judged: refused."""
    _import_from(tmp_path, monkeypatch)
    config = _project(tmp_path, loader=True)
    report = _passing_report(config)  # no frames: the loader's name only
    with pytest.raises(PromotionRefused, match=re.escape("another dataset ([data])")):
        verify_report(load_config(config), report)


@pytest.mark.slow
def test_the_gate_records_the_rows_its_loader_returned(gate_project, monkeypatch):
    """End to end (the in-process runner): gate.json's dataset entry is the rows the run
    read through its loader, and `sentinel promote`'s check reads the same entry back."""
    import json

    from tests.conftest import BASE_CONFIG, judge_in_process

    project = gate_project(
        config_text=BASE_CONFIG.replace('path = "data/requests.parquet"', 'loader = "requests_loader:load"')
    )
    (project.folder / "requests_loader.py").write_text(
        LOADER.replace('"rows.parquet"', '"data" / "requests.parquet"')
    )
    monkeypatch.syspath_prepend(str(project.folder))
    result = judge_in_process(project.config, project.folder)
    assert result.report is not None, result.output
    recorded = result.report["data"]["dataset"]
    assert recorded.startswith("loader:requests_loader:load sha256:"), recorded
    from sentinel_checks.data.identity import data_identity

    assert data_identity(load_config(project.config), load=True).fingerprints["dataset"] == recorded
    assert json.loads((project.folder / "reports" / "gate.json").read_text())["data"]["dataset"] == recorded


def test_a_catalog_table_is_recorded_by_name(tmp_path):
    """A `[data] table` was recorded as nothing, so a report of one table promoted a
    config naming another; its name is recorded (its rows are not fingerprinted: a
    catalog table's contents are the engine's)."""
    from sentinel_checks.data.identity import data_identity

    config = _project(tmp_path, loader=False)
    config.write_text(
        config.read_text().replace('path = "rows.parquet"', 'table = "db.requests"\nengine = "duckdb"')
    )
    assert data_identity(load_config(config)).fingerprints["dataset"] == "table:db.requests"


def test_a_loader_returning_the_same_rows_in_another_order_is_the_same_data(tmp_path, monkeypatch):
    """Review: a loader running SQL without ORDER BY returns the same rows in another
    order; promote refused the sound report. The rows are fingerprinted as a set (their
    order is the data's only with `timestamp = "@row"`)."""
    _import_from(tmp_path, monkeypatch)
    config = _project(tmp_path, loader=True)
    from sentinel_checks.data.identity import data_identity

    before = data_identity(load_config(config), load=True).fingerprints["dataset"]
    FRAME.iloc[::-1].to_parquet(tmp_path / "rows.parquet")
    assert data_identity(load_config(config), load=True).fingerprints["dataset"] == before
    config.write_text(config.read_text().replace("[splits]", '[columns]\ntimestamp = "@row"\n\n[splits]'))
    ordered = data_identity(load_config(config), load=True).fingerprints["dataset"]
    FRAME.to_parquet(tmp_path / "rows.parquet")
    assert data_identity(load_config(config), load=True).fingerprints["dataset"] != ordered


def test_a_loader_failing_at_promote_is_a_refusal_reason_not_a_traceback(tmp_path, monkeypatch):
    _import_from(tmp_path, monkeypatch)
    config = _project(tmp_path, loader=True)
    from sentinel_checks.data.inputs import load_dataset

    report = _passing_report(config, {"dataset": load_dataset(load_config(config))})
    (tmp_path / "rows.parquet").unlink()  # the loader now raises
    with pytest.raises(PromotionRefused, match="the data cannot be read to compare it with the report's: "):
        verify_report(load_config(config), report)


def test_a_champion_given_as_a_registry_uri_is_left_to_the_registry_check(tmp_path):
    """verify_report compares a champion file; a registry URI's champion is checked
    against the registry when promoting (promotion._check_champion_unchanged): an
    unresolved URI would match no report, refusing every sound promotion."""
    config = _project(tmp_path, loader=False)
    text = config.read_text().replace(
        '[models.champion]\npath = "champion.skops"', '[models.champion]\nuri = "models:/risk@champion"'
    )
    config.write_text(text)
    report = _passing_report(config)
    import json

    doc = json.loads(report.read_text())
    doc["models"]["champion"] = "models:/risk/3 sha256:" + "0" * 64  # as the gate records a resolved one
    report.write_text(json.dumps(doc))
    assert verify_report(load_config(config), report).verdict == "pass"


def test_a_missing_report_says_where_it_was_looked_for_and_how_to_point_at_it(tmp_path, monkeypatch):
    """Trial (stop 51): promote run from another folder than the gate said "gate report not
    found: reports/gate.json (run `sentinel gate` first)": neither the folder it looked in
    nor --report."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PromotionRefused) as refused:
        verify_report(None, Path("reports") / "gate.json")  # type: ignore[arg-type]
    told = str(refused.value)
    assert f"reports/gate.json (in {tmp_path})" in told, told
    assert "--report <the gate's reports folder or its gate.json>" in told, told
