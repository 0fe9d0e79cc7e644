"""``engine.bins.edges_at_or_below``: the binary search equals numpy's ``searchsorted`` and
the one-comparison-per-edge sum it replaced, for every value an engine may hold."""

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pytest

from sentinel_checks.engine.bins import edges_at_or_below
from sentinel_checks.engine.ibis_connection import connect_duckdb, with_floats


@pytest.fixture(scope="module")
def con() -> Iterator[object]:
    backend = connect_duckdb(threads=1, memory_limit="512MB")
    yield backend
    backend.disconnect()


def _counted(con, values: np.ndarray, edges: np.ndarray) -> tuple[list, list]:
    """(the binary search, the sum of one comparison per edge) for each value, in order."""
    import ibis

    rows = ibis.memtable(pa.table({"i": np.arange(len(values)), "x": pa.array(values, from_pandas=False)}))
    edged = with_floats(rows, **{f"e{i}": float(e) for i, e in enumerate(edges)})
    bounds = [edged[f"e{i}"] for i in range(len(edges))]
    summed = sum(((edged.x >= b).cast("int64") for b in bounds), ibis.literal(0, type="int64"))
    got = (
        edged.select("i", searched=edges_at_or_below(edged.x, bounds), summed=summed.fill_null(0))
        .order_by("i")
        .to_pandas()
    )
    return got["searched"].tolist(), got["summed"].tolist()


@pytest.mark.parametrize("n_edges", [0, 1, 2, 3, 7, 19, 32])
def test_equals_searchsorted_on_ties_edges_and_both_ends(con, n_edges):
    rng = np.random.default_rng(n_edges)
    edges = np.unique(rng.normal(size=n_edges).round(2)) if n_edges else np.array([])
    values = np.concatenate([edges, rng.normal(size=300).round(2), [-np.inf, np.inf, -1e9, 1e9]])
    searched, summed = _counted(con, values, edges)
    want = np.searchsorted(edges, values, side="right").tolist()
    assert searched == want
    assert summed == want


def test_a_null_counts_no_edge_and_a_nan_every_edge_as_the_sum_did(con):
    edges = np.array([-1.0, 0.0, 2.5, 4.0])
    values = np.array([np.nan, 0.0, None, 4.0], dtype=object)
    searched, summed = _counted(con, pa.array(values, type=pa.float64(), from_pandas=False), edges)
    assert searched == summed == [4, 2, 0, 4]  # NaN sorts above every number on DuckDB
