"""``[data] engine = "spark"``: every engine statistic equals DuckDB's exactly on 100k
generated rows (nulls, NaN, ±inf, ties, composite ids, a zoned and a naive datetime),
and the gate's split checks judge the same on both engines.

Marked ``spark`` and ``slow``: the local[2] session takes 20–30 s to start. Without Java
or PySpark these tests fail, saying what is missing; ``SENTINEL_SKIP_SPARK=1`` skips them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.engine import leakage_statistics as leakage
from sentinel_checks.engine import row_repeats as rows
from sentinel_checks.engine import split_statistics as split
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.gate.session import GateSession
from sentinel_checks.result import Status
from tests.conftest import BASE_CONFIG
from tests.test_engine_gate import DATA, PARAMETERS, RANDOM_SPLIT, TIME_SPLIT, _split_results
from tests.test_engine_parity import generated

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROWS = 100_000
ZONE = "Europe/Paris"


def active_session():
    """What ``[engine.spark] session`` names in these tests: the fixture's session."""
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


@pytest.fixture(scope="module")
def both(spark_session) -> Iterator[dict[str, tuple[object, object]]]:
    """The same 100k rows, split 2/3 earlier, on DuckDB and on Spark."""
    import ibis

    frame = generated(ROWS, 7)
    cut = len(frame) * 2 // 3
    earlier, later = frame.iloc[:cut].reset_index(drop=True), frame.iloc[cut:].reset_index(drop=True)
    duck = connect_duckdb(threads=1)
    spark = ibis.pyspark.connect(spark_session)
    yield {
        name: (table_from_frame(con, earlier, name="earlier"), table_from_frame(con, later, name="later"))
        for name, con in (("duckdb", duck), ("spark", spark))
    }
    duck.disconnect()


def on_both(both, statistic, *args, **kwargs):
    return [statistic(*both[engine], *args, **kwargs) for engine in ("duckdb", "spark")]


@pytest.mark.parametrize("column", ["request_ts", "seen", "score", "count"])
def test_time_range_equals_duckdb(both, column):
    tz = ZONE if column == "request_ts" else None
    duck, spark = (split.time_range(both[engine][0], column, tz=tz) for engine in ("duckdb", "spark"))
    assert spark == duck
    assert str(spark.min) == str(duck.min)  # shown in the column's own zone on both


@pytest.mark.parametrize(
    ("column", "gap"),
    [
        ("request_ts", pd.Timedelta(0)),
        ("request_ts", pd.Timedelta("6h")),
        ("seen", pd.Timedelta("1h")),
        ("score", 0.5),
    ],
)
def test_time_order_equals_duckdb(both, column, gap):
    duck, spark = on_both(
        both, split.time_order, column, gap=gap, tz=ZONE if column == "request_ts" else None
    )
    assert spark == duck
    assert duck.later_too_early > 0 and duck.earlier_too_late > 0


@pytest.mark.parametrize("key", [["user_id"], ["year", "case"], ["case"], ["country"], ["country", "case"]])
def test_shared_entities_equal_duckdb(both, key):
    duck, spark = on_both(both, split.shared_entities, key)
    assert (spark.n_earlier, spark.n_later, spark.later_rows) == (
        duck.n_earlier,
        duck.n_later,
        duck.later_rows,
    )
    assert spark.shared.tolist() == duck.shared.tolist()
    assert spark.count == duck.count > 0


@pytest.mark.parametrize("key", [["user_id"], ["year", "case"]])
def test_missing_entities_equal_duckdb(both, key):
    duck, spark = (split.missing_entities(both[engine][1], key) for engine in ("duckdb", "spark"))
    assert spark == duck > 0


@pytest.mark.parametrize(
    "columns", [["amount", "count", "flag"], ["year", "country", "flag"], ["user_id"], []]
)
def test_row_repeats_equal_duckdb(both, columns):
    duck, spark = on_both(both, rows.row_repeats, columns)
    assert (spark.count, spark.within) == (duck.count, duck.within)
    assert np.array_equal(spark.mask, duck.mask)


def test_unique_per_row_equals_duckdb(both):
    """Id-like columns on both engines: whole floats (one NaN), text and integers are;
    a distinct float with a fraction or an ``inf`` (``x % 1``, not Ibis' int64 floor) is not."""
    from tests.test_engine_parity import _id_like_frame

    frame = _id_like_frame(400)
    columns = list(frame.columns)
    got = {
        engine: rows.unique_per_row(
            table_from_frame(both[engine][0]._find_backend(), frame, name="ids"), columns
        )
        for engine in ("duckdb", "spark")
    }
    assert got["spark"] == got["duckdb"] == ["row", "whole_id", "text_id"]


@pytest.mark.parametrize("column", ["amount", "year"])  # both with nulls; amount with ±inf
def test_quantile_bins_equal_duckdb(both, column):
    """``engine.bins.binned`` (nested CASEs on edges brought in as data) counts the same rows per bin on
    Spark as on DuckDB, nulls and NaN included (every tenth null made NaN: NaN sorts
    above every edge on both)."""
    import ibis

    from sentinel_checks.engine.bins import binned
    from sentinel_checks.engine.ibis_connection import ROW

    edges = [-1.0, 0.0, 0.25, 0.5, 1.0, 1999.5, 2000.0]

    def counts(table):
        value = table[column].cast("float64")
        nan = ibis.ifelse(value.isnull() & (table[ROW] % 10 == 0), ibis.literal(float("nan")), value)
        edged, index = binned(table.mutate(v=nan), "v", edges)
        bins = edged.select(b=index)
        got = bins.group_by("b").aggregate(n=bins.count()).to_pandas()
        return dict(zip(got["b"].astype(int), got["n"].astype(int), strict=True))

    duck, spark = (counts(both[engine][0]) for engine in ("duckdb", "spark"))
    assert spark == duck and len(duck) > 1
    assert sum(duck.values()) == int(both["duckdb"][0].count().execute())
    assert np.isin(list(duck), np.arange(len(edges) + 1)).all()
    nans = int(both["duckdb"][0].filter(lambda t: t[column].isnull() & (t[ROW] % 10 == 0)).count().execute())
    assert nans > 0 and duck[len(edges)] >= nans  # the NaNs above the last edge


@pytest.mark.parametrize("column", ["amount", "score", "count", "flag", "year", "request_ts", "seen"])
def test_monotone_auc_equals_duckdb(both, column):
    duck, spark = (
        leakage.monotone_auc(both[engine][0], column, label="label", positive="risky")
        for engine in ("duckdb", "spark")
    )
    assert spark == duck


def test_monotone_auc_planted_leak_and_noise_on_spark(spark_session):
    """A feature that is the label is found (AUC 1); noise is not (near 0.5)."""
    import ibis

    rng = np.random.default_rng(3)
    label = np.where(rng.random(4000) < 0.3, "risky", "safe")
    frame = pd.DataFrame(
        {"leak": (label == "risky").astype(int) * 10.0, "noise": rng.normal(size=4000), "label": label}
    )
    table = table_from_frame(ibis.pyspark.connect(spark_session), frame, name="planted")
    assert leakage.monotone_auc(table, "leak", label="label", positive="risky") == 1.0
    assert leakage.monotone_auc(table, "noise", label="label", positive="risky") < 0.55


def _config(gate_project, engine: str, base: str = BASE_CONFIG, **frames):
    text = base.replace(DATA, DATA + f'engine = "{engine}"\n')
    if engine == "spark":
        text += '\n[engine.spark]\nsession = "tests.test_engine_spark:active_session"\n'
    return load_config(gate_project(config_text=text, **frames).config)


def test_split_checks_judge_the_same_on_spark_and_duckdb(gate_project, spark_session, closing):
    duck = _split_results(closing(GateSession(_config(gate_project, "duckdb"))))
    session = GateSession(_config(gate_project, "spark"))
    mine = spark_session.createDataFrame([(1,)], "x int")
    for name in ("train", "test", "production"):  # the user's own views of these names
        mine.createOrReplaceTempView(name)
    spark = _split_results(session)
    session.close()
    assert spark == duck
    assert not spark_session.sparkContext._jsc.sc().isStopped()  # the user's session is left running
    # and its views are its own still (review: the gate registered "train" etc. over them)
    for name in ("train", "test", "production"):
        assert spark_session.table(name).columns == ["x"], name
        spark_session.catalog.dropTempView(name)


def test_split_checks_fail_the_same_on_spark_on_a_planted_leak(
    gate_project, small_log, spark_session, closing
):
    """A random row split with 300 train rows logged again in test: every split check
    fails, identically on Spark and DuckDB."""
    offline = small_log.offline.sample(6000, random_state=0).reset_index(
        drop=True
    )  # Spark is slow on 2 cores
    offline["split"] = np.random.default_rng(0).choice(["train", "val", "test"], size=len(offline))
    copies = offline[offline["split"] == "train"].head(300).assign(split="test")
    offline = pd.concat([offline, copies], ignore_index=True)
    base = BASE_CONFIG.replace(TIME_SPLIT, RANDOM_SPLIT)
    results = {
        engine: _split_results(closing(GateSession(_config(gate_project, engine, base, offline=offline))))
        for engine in ("duckdb", "spark")
    }
    assert results["spark"] == results["duckdb"]
    failed = {(r[0], r[PARAMETERS]["pair"]) for r in results["spark"] if r[1] is Status.FAIL}
    assert {("splits.time_order", "train→test"), ("splits.entity_overlap", "train→test")} <= failed
    assert ("splits.row_overlap", "train→test") in failed
