"""Entity ids, single or composite, and what purging entities costs each split.

An entity (a user, a device, a vehicle) is named in ``[columns] entities`` by one
column (``"user_id"``) or by several columns that identify it together
(``["yearacc", "caseid"]``: a case id is unique only within its year). A row whose
id is missing — any part of a composite id — belongs to no entity: it is never
shared, never purged, and it is counted apart.

Composite ids are compared by value on all their columns (64-bit hashes of the
rows, :func:`~sentinel_checks.stats.leakage.value_hashes`, confirmed by value), and
shown as their parts joined by ``+`` (``"1999+12"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sentinel_checks.stats.leakage import SharedIds, member_of, shared_ids, sorted_distinct, value_hashes

#: One entity as configured: a column name, or the columns that identify it together.
EntityKey = str | Sequence[str]

SEPARATOR = "+"


def entity_columns(key: EntityKey) -> list[str]:
    """The columns of an entity key, in order.

    >>> entity_columns("user_id"), entity_columns(["yearacc", "caseid"])
    (['user_id'], ['yearacc', 'caseid'])
    """
    return [key] if isinstance(key, str) else list(key)


def entity_name(key: EntityKey) -> str:
    """The name of an entity in messages, test ids and evidence: its columns joined by ``+``.

    >>> entity_name("user_id"), entity_name(["yearacc", "caseid"])
    ('user_id', 'yearacc+caseid')
    """
    return SEPARATOR.join(entity_columns(key))


def entity_ids(frame: pd.DataFrame, key: EntityKey) -> pd.Series | pd.DataFrame:
    """The id of each row of ``frame``: the column (a Series) or the key's columns (a frame).

    Raises
    ------
    KeyError
        A column of ``key`` is missing from ``frame`` (the caller names the input).
    """
    columns = entity_columns(key)
    return frame[columns[0]] if len(columns) == 1 else frame[columns]


def missing_ids(ids: pd.Series | pd.DataFrame) -> np.ndarray:
    """Rows without an id: the value is missing, or any part of a composite id is.

    Returns
    -------
    ndarray of bool, shape (n,)

    >>> missing_ids(pd.DataFrame({"y": [1, None, 2], "c": [1, 2, None]})).tolist()
    [False, True, True]
    """
    missing = ids.isna()
    return np.asarray(missing.any(axis=1) if isinstance(missing, pd.DataFrame) else missing, dtype=bool)


def entity_codes(frame: pd.DataFrame, key: EntityKey) -> np.ndarray:
    """An integer per row naming its entity (equal ids, equal codes), ``-1`` without an id.

    Parameters
    ----------
    frame : DataFrame, n rows
    key : str or sequence of str
        The entity's column(s).

    Returns
    -------
    ndarray of int64, shape (n,)
        Codes from ``pandas.factorize`` of the id (of the 64-bit row hash for a
        composite id: a collision, chance about n²/2⁶⁵, could merge two entities).

    >>> f = pd.DataFrame({"y": [1999, 2000, 1999, None], "c": [7, 7, 7, 7]})
    >>> entity_codes(f, ["y", "c"]).tolist()
    [0, 1, 0, -1]
    """
    ids = entity_ids(frame, key)
    if isinstance(ids, pd.Series):
        return np.asarray(pd.factorize(ids, use_na_sentinel=True)[0], dtype=np.int64)
    missing = missing_ids(ids)
    codes = np.full(len(ids), -1, dtype=np.int64)
    codes[~missing] = pd.factorize(value_hashes(ids[~missing]))[0]
    return codes


def shared_entities(earlier: pd.Series | pd.DataFrame, later: pd.Series | pd.DataFrame) -> SharedIds:
    """Entities present on both sides, ignoring rows without an id.

    Parameters
    ----------
    earlier, later : Series or DataFrame
        The id column, or the columns of a composite id, of each side.

    Returns
    -------
    SharedIds
        Distinct ids per side, the shared ids (composite ones as ``"a+b"`` text,
        sorted) and the rows of ``later`` carrying one.

    >>> a = pd.DataFrame({"y": [1999, 2000], "c": [7, 8]})
    >>> b = pd.DataFrame({"y": [1999, 2000, 2000], "c": [8, 8, 8]})
    >>> r = shared_entities(a, b)
    >>> r.n_earlier, r.n_later, r.shared.tolist(), r.later_rows
    (2, 2, ['2000+8'], 2)
    """
    if isinstance(earlier, pd.Series) and isinstance(later, pd.Series):
        return shared_ids(earlier, later)
    assert isinstance(earlier, pd.DataFrame) and isinstance(later, pd.DataFrame)
    earlier, later = _integral(earlier[~missing_ids(earlier)]), _integral(later[~missing_ids(later)])
    first = sorted_distinct(value_hashes(earlier))
    later_hashes = value_hashes(later)
    hit = member_of(later_hashes, first)
    # confirm the candidates by value: a hash collision never invents a shared id
    confirmed = later[hit].drop_duplicates().merge(earlier.drop_duplicates(), how="inner")
    rows = len(later[hit].merge(confirmed, how="inner")) if len(confirmed) else 0
    text = sorted(SEPARATOR.join(str(v) for v in row) for row in confirmed.itertuples(index=False))
    return SharedIds(len(first), len(sorted_distinct(later_hashes)), np.asarray(text, dtype=object), rows)


def _integral(ids: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding whole numbers as int64: an id column with a missing value
    is float on one side and int on the other, and 1999.0 must equal 1999."""
    out = ids.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values.dtype) and bool(np.all(np.mod(values.to_numpy(), 1) == 0)):
            out[column] = values.astype(np.int64)
    return out


@dataclass(frozen=True)
class PurgeLoss:
    """Rows of one split before and after purging entities seen in an earlier split.

    ``positives_*`` count the risky class; None when the label is unknown (a
    pipeline's :func:`~sentinel_checks.data.splits.group_time_split`).
    """

    split: str
    rows_before: int
    rows_after: int
    positives_before: int | None = None
    positives_after: int | None = None

    @property
    def removed(self) -> int:
        return self.rows_before - self.rows_after

    @property
    def share(self) -> float:
        """Share of the split's rows removed, in [0, 1] (0 for an empty split)."""
        return self.removed / self.rows_before if self.rows_before else 0.0


def purge_losses(
    before: np.ndarray, after: np.ndarray, positive: np.ndarray | None = None
) -> tuple[PurgeLoss, ...]:
    """What purging cost val and test: rows (and risky rows) before and after.

    Parameters
    ----------
    before, after : ndarray of object, shape (n,)
        The split label of each row (``"train"``, ``"val"``, ``"test"`` or None)
        before and after the purge.
    positive : ndarray of bool, shape (n,), optional
        Rows of the risky class.

    Returns
    -------
    tuple of PurgeLoss
        One for ``"val"`` and one for ``"test"``.

    >>> b = np.array(["train", "val", "val", "test"], dtype=object)
    >>> a = np.array(["train", None, "val", "test"], dtype=object)
    >>> [(x.split, x.rows_before, x.rows_after) for x in purge_losses(b, a)]
    [('val', 2, 1), ('test', 1, 1)]
    """
    out = []
    for split in ("val", "test"):
        was, kept = before == split, after == split
        pos = (
            (None, None) if positive is None else (int((was & positive).sum()), int((kept & positive).sum()))
        )
        out.append(PurgeLoss(split, int(was.sum()), int(kept.sum()), *pos))
    return tuple(out)
