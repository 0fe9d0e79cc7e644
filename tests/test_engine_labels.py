"""engine.labels: the label's counts and checks in the engine equal
:func:`~sentinel_checks.data.labels.risky_mask` on the same values: counts, and the error's
words and first five other values in row order."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.data.labels import risky_mask
from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
from sentinel_checks.engine.labels import label_counts
from sentinel_checks.errors import DataError

_names = itertools.count()


@pytest.fixture(scope="module")
def con():
    return connect_duckdb()


def both(con, labels: pd.Series, positive, negative, allow_unlabelled: bool):
    """(engine result, pandas result): counts, or the DataError's text."""

    def pandas():
        risky, labelled = risky_mask(
            labels, positive=positive, negative=negative, where="t", allow_unlabelled=allow_unlabelled
        )
        return int(risky.sum()), int(labelled.sum())

    table = table_from_frame(con, labels.to_frame(), name=f"labels_{next(_names)}")
    out = []
    for run in (
        lambda: label_counts(
            table, "label", positive=positive, negative=negative, where="t", allow_unlabelled=allow_unlabelled
        ),
        pandas,
    ):
        try:
            out.append(run())
        except DataError as error:
            out.append(str(error))
    return out


@pytest.mark.parametrize(
    ("case", "values", "positive", "negative"),
    [
        ("clean", ["risky", "safe", "safe", "risky"] * 50, "risky", "safe"),
        ("unlabelled", ["risky", None, "safe", None] * 50, "risky", "safe"),
        # nine other values, each first seen in an order no grouping gives by chance
        (
            "many others",
            [f"x{(7 * (i // 5)) % 9}" if i % 5 == 0 else "safe" for i in range(400)],
            "risky",
            "safe",
        ),
        ("float NaN is missing", [1.0, np.nan, 0.0, 1.0] * 50, 1, 0),
        ("float others", [1.0, 0.5, 0.0, 2.5, 0.25] * 40, 1, 0),
        ("a number on text", ["1", "0"] * 50, 1, 0),
        ("booleans", [True, False, False] * 30, True, False),
    ],
)
@pytest.mark.parametrize("allow_unlabelled", [True, False])
def test_label_counts_equal_risky_mask(con, case, values, positive, negative, allow_unlabelled):
    labels = pd.Series(values, name="label")
    if labels.dtype == object and all(isinstance(v, str) or v is None for v in values):
        labels = labels.astype("string[pyarrow]")
    got, want = both(con, labels, positive, negative, allow_unlabelled)
    assert got == want
    if case == "many others":
        assert "e.g. ['x0', 'x7', 'x5', 'x3', 'x1']" in want  # row order, not sorted
