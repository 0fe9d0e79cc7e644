"""``splits.target_leakage`` on Spark over a parquet directory equals the pandas session's,
field for field, clean and with a planted leak (the Spark half of
``tests/test_engine_target_leakage.py``; the whole plan runs in test_engine_spark_plan.py).
A held fold table broke it on Spark: Ibis' ``cache()`` there does not register the
uploaded fold table (TABLE_OR_VIEW_NOT_FOUND). Marked ``spark`` and ``slow``."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.gate.session import GateSession
from tests.test_engine_lazy_splits import fields
from tests.test_engine_spark_plan import SPARK
from tests.test_engine_target_leakage import CONFIG, FEATURES, frame

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.mark.parametrize("leak", [False, True])
def test_target_leakage_on_spark_equals_pandas(tmp_path, spark_session, leak, closing, monkeypatch):
    from sentinel_checks.engine import class_rank

    # the folds' digits packed 7 to an uploaded row: each class spans many blocks on Spark
    monkeypatch.setattr(class_rank, "DIGITS_PER_ROW", 7)
    data = frame(n=1500, leak=leak)
    for col in ("ts", "seen"):  # Spark 4 reads parquet timestamps at microseconds only
        data[col] = data[col].astype("datetime64[us]")
    data.to_parquet(tmp_path / "one.parquet", index=False)
    parts = tmp_path / "parts"
    for i, rows in enumerate(np.array_split(np.arange(len(data)), 3)):
        (parts / f"part-{i}").mkdir(parents=True)
        data.iloc[rows].to_parquet(parts / f"part-{i}" / "data.parquet", index=False)
    features = "[" + ", ".join(f'"{f}"' for f in FEATURES) + "]"
    out = {}
    for name, where, extra in (
        ("pandas", 'path = "one.parquet"', ""),
        ("spark", 'path = "parts"\nengine = "spark"', SPARK),
    ):
        config = tmp_path / f"{name}.toml"
        config.write_text(textwrap.dedent(CONFIG.format(data=where, features=features)) + extra)
        out[name] = closing(GateSession(load_config(config)))
    want = out["pandas"].target_leakage
    got = out["spark"].target_leakage
    assert out["spark"].engine_table("train") is not None  # read where it lies, on Spark
    assert out["spark"].materialized() == []
    assert fields(got) == fields(want)
    assert want.status.value == ("fail" if leak else "pass")
