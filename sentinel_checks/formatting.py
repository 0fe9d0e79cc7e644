"""How numbers, durations, p-values, row counts and short lists read in every message.

One neutral home for the wording helpers that checks (``CheckResult.message``,
``hint``, evidence text) and report writers share, so that no message shows a Python
repr (``np.float64(...)``, ``{'a': 1}``, ``[1, 2]``), a 16-digit float, ``p=0`` or a
pandas ``Timedelta`` string (``-123 days +00:09:56``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from sentinel_checks.result import plain

#: Below this a p-value reads ``p < 1e-15`` (double precision cannot tell it from 0).
P_FLOOR = 1e-15

#: Words for the sample-size keys of ``CheckResult.support`` / ``needed``.
_ROW_WORDS: Mapping[str, str] = {
    "n": "rows",
    "n_positive": "risky rows",
    "n_negative": "safe rows",
    "positive": "risky rows",
    "flagged": "flagged rows",
}


def number(value: float | int, key: str = "") -> str:
    """A number to sensible digits: integers grouped, p-values bounded, others to 4 digits.

    Parameters
    ----------
    value : float or int (numpy scalars accepted)
    key : str, optional
        The name the value goes by; a key ending ``_p``, starting ``p_`` or equal to
        ``p`` reads as a p-value, bounded below at ``< 1e-15`` (its label says "p":
        "mcnemar p < 1e-15", not "mcnemar p p < 1e-15").

    Returns
    -------
    str
        ``"n/a"`` for NaN or infinity, ``"yes"``/``"no"`` for a bool.

    Examples
    --------
    >>> number(888909), number(0.6714501852614245), number(2.66e-84, "mcnemar_p"), number(1.5e-6)
    ('888,909', '0.6715', '< 1e-15', '1.5e-06')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    v = float(value)
    if not math.isfinite(v):
        return "n/a"
    if key.endswith("_p") or key.startswith("p_") or key == "p":
        return f"< {P_FLOOR:.0e}" if v < P_FLOOR else f"{v:.2g}"
    if v.is_integer() and abs(v) >= 1:
        return f"{int(v):,}"
    if v != 0 and abs(v) < 1e-3:
        return f"{v:.2g}"
    return f"{v:.4g}"


def p_value(p: float) -> str:
    """A p-value as a person reads it: ``"p < 1e-15"`` when it underflows, never ``p=0``.

    Examples
    --------
    >>> p_value(0.0), p_value(2.6e-84), p_value(0.0312), p_value(0.5)
    ('p < 1e-15', 'p < 1e-15', 'p = 0.031', 'p = 0.5')
    """
    v = float(p)
    if not math.isfinite(v):
        return "p n/a"
    return "p < 1e-15" if v < P_FLOOR else f"p = {v:.2g}"


def percent(share: float, digits: int = 2) -> str:
    """A share in [0, 1] as per cent: ``percent(0.98261) == "98.26%"``; NaN reads ``n/a``.

    Examples
    --------
    >>> percent(0.98261), percent(0.0), percent(float("nan"))
    ('98.26%', '0.00%', 'n/a')
    """
    v = float(share)
    return f"{v:.{digits}%}" if math.isfinite(v) else "n/a"


def rows(n: int | float, what: str = "rows") -> str:
    """A count of rows with its unit, grouped: ``rows(1234, "risky rows") == "1,234 risky rows"``.

    One row reads in the singular (``"1 risky row"``).

    Examples
    --------
    >>> rows(1234, "risky rows"), rows(1), rows(1, "risky rows")
    ('1,234 risky rows', '1 row', '1 risky row')
    """
    count = int(n)
    unit = what[:-1] if count == 1 and what.endswith("rows") else what
    return f"{count:,} {unit}"


def duration(delta: pd.Timedelta | Any) -> str:
    """A signed duration in words, to the largest sensible unit.

    ``pd.Timedelta("-123 days +00:09:56")`` prints as that string; a person reads
    "122.99 days" better, and the sign is said in words by :func:`gap_words`.

    Returns
    -------
    str
        The absolute length: days (to 2 decimals when under 10 days, else whole
        days), hours, minutes or seconds.

    Examples
    --------
    >>> duration(pd.Timedelta("-123 days +00:09:56")), duration(pd.Timedelta("3D"))
    ('123 days', '3 days')
    >>> duration(pd.Timedelta("36h")), duration(pd.Timedelta("5min")), duration(pd.Timedelta(0))
    ('1.5 days', '5 minutes', '0 seconds')
    """
    seconds = abs(pd.Timedelta(delta).total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            amount = seconds / size
            shown = f"{amount:.0f}" if amount >= 10 or amount.is_integer() else f"{amount:.3g}"
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    shown = f"{seconds:.3g}"
    return f"{shown} second{'' if shown == '1' else 's'}"


def moment(value: Any) -> str:
    """A timestamp (or an ISO 8601 string) to the second, with its zone when it has one.

    ``2025-11-01T00:00:13.616901487+00:00`` (an ISO string as a record keeps it) reads
    as ``2025-11-01 00:00:13 UTC``; text that is no timestamp comes back unchanged.

    Examples
    --------
    >>> moment("2025-11-01T00:00:13.616901487+00:00"), moment(pd.Timestamp("2025-05-01 08:30"))
    ('2025-11-01 00:00:13 UTC', '2025-05-01 08:30:00')
    >>> moment("not a time")
    'not a time'
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if stamp is pd.NaT:
        return "n/a"
    shown = stamp.strftime("%Y-%m-%d %H:%M:%S")
    if stamp.tzinfo is None:
        return shown
    zone = stamp.tzname() or ""
    return f"{shown} {'UTC' if zone in ('UTC', '+00:00') else zone}".rstrip()


def gap_words(later: str, earlier: str, gap: pd.Timedelta | float, unit: str = "") -> str:
    """Where ``later`` starts relative to where ``earlier`` ends, in words.

    Parameters
    ----------
    later, earlier : str
        Split names (``"val"``, ``"train"``).
    gap : pandas.Timedelta or number
        ``later``'s first timestamp minus ``earlier``'s last one (negative: overlap).
    unit : str
        For a number, its unit (``"rows"``, ``"year units"``).

    Examples
    --------
    >>> gap_words("val", "train", pd.Timedelta("-123 days +00:09:56"))
    'val starts 123 days before train ends'
    >>> gap_words("val", "train", pd.Timedelta("2D")), gap_words("test", "val", 0.0, "rows")
    ('val starts 2 days after train ends', 'test starts when val ends')
    """
    if isinstance(gap, pd.Timedelta):
        negative, zero, length = gap < pd.Timedelta(0), gap == pd.Timedelta(0), duration(gap)
    else:
        v = float(gap)
        negative, zero, length = v < 0, v == 0, f"{abs(v):g} {unit}".strip()
    if zero:
        return f"{later} starts when {earlier} ends"
    return f"{later} starts {length} {'before' if negative else 'after'} {earlier} ends"


def listing(items: Iterable[Any], *, shown: int = 5, total: int | None = None, sep: str = ", ") -> str:
    """Up to ``shown`` items joined by commas, then ``"and N more"``: nothing dropped silently.
    One item beyond ``shown`` is named rather than counted: ``"and 1 more"`` would hide
    the one name a reader is missing.

    Parameters
    ----------
    items : iterable of str or numbers
    shown : int
        How many to name.
    total : int, optional
        The full count when ``items`` is already a capped sample of it.
    sep : str, default ", "
        Between two items (``"; "`` when the items hold commas).

    Examples
    --------
    >>> listing(["a", "b", "c"]), listing(range(10), shown=3), listing(["x"], total=4)
    ('a, b, c', '0, 1, 2 and 7 more', 'x and 3 more')
    >>> listing(range(4), shown=3)
    '0, 1, 2, 3'
    """
    values = list(items)
    full = len(values) if total is None else max(int(total), len(values))
    if full == shown + 1 and len(values) == full:
        shown = full
    named = sep.join(text(v) for v in values[:shown])
    rest = full - min(len(values), shown)
    return f"{named} and {rest:,} more" if rest > 0 else named


def text(value: Any, key: str = "") -> str:
    """Any evidence value as plain text: lists joined, mappings as ``key value`` pairs.

    Examples
    --------
    >>> text([0.54, 0.9572]), text({"changed": 1546, "newly_cleared": 10}), text(None)
    ('0.54 to 0.9572', 'changed 1,546, newly cleared 10', '—')
    >>> text({"flips": {"changed": 2812, "new": 1}, "family": 4})
    'flips (changed 2,812, new 1), family 4'

    """
    value = as_plain(value)
    if value is None:
        return "—"
    if isinstance(value, bool | int | float):
        return number(value, key)
    if isinstance(value, Mapping):  # a nested mapping in parentheses: its pairs stay its own
        pairs = [
            f"{k.replace('_', ' ')} ({text(v, k)})"
            if isinstance(v, Mapping) and v
            else f"{k.replace('_', ' ')} {text(v, k)}"
            for k, v in value.items()
        ]
        return ", ".join(pairs) or "—"
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = list(value)
        if len(items) == 2 and all(isinstance(x, int | float) or x is None for x in items):
            return f"{text(items[0], key)} to {text(items[1], key)}"
        return ", ".join(text(x, key) for x in items) or "—"
    return str(value)


def as_plain(value: Any) -> Any:
    """Python values for numpy/pandas ones (arrays to lists, scalars to int/float/bool).

    Results built in process still hold them (gate.json's writer makes them plain later).

    Examples
    --------
    >>> import numpy as np
    >>> as_plain(np.array([1.5, 2.0])), as_plain(np.int64(3)), as_plain(np.bool_(True))
    ([1.5, 2.0], 3, True)
    """
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and not isinstance(value, str | bytes):
        value = tolist()
    return plain(value)


def sample_sizes(sizes: Mapping[str, int], has: Mapping[str, int] | None = None) -> str:
    """Sample-size keys (``n_test``, ``n_positive``, ``val_n_positive``) in words.

    Parameters
    ----------
    sizes : mapping of str to int
        Rows by key, as ``CheckResult.needed`` holds them.
    has : mapping of str to int, optional
        The rows there are (``CheckResult.support``); the extra rows are then said.

    Examples
    --------
    >>> sample_sizes({"n_positive": 289}, {"n_positive": 130})
    'about 159 more risky rows (289 in all, has 130)'
    >>> sample_sizes({"n_train": 5000, "n_test": 900})
    'about 5,000 train rows and about 900 test rows'
    >>> sample_sizes({"test_n_positive": 400})
    'about 400 risky test rows'
    """
    have = has or {}
    parts = []
    for key, value in sizes.items():
        what = row_words(key)
        there = have.get(key)
        if there is not None and int(value) > int(there):
            more = rows(int(value) - int(there), "more " + what)
            parts.append(f"about {more} ({int(value):,} in all, has {int(there):,})")
        else:
            parts.append(f"about {rows(value, what)}")
    return " and ".join(parts)


def row_words(key: str) -> str:
    """The rows a sample-size key counts, in words.

    Examples
    --------
    >>> row_words("n_positive"), row_words("n_test"), row_words("val_n_positive"), row_words("n")
    ('risky rows', 'test rows', 'risky val rows', 'rows')
    """
    if key in _ROW_WORDS:
        return _ROW_WORDS[key]
    for known, words in _ROW_WORDS.items():
        if known != "n" and key.endswith("_" + known):
            split = key[: -len(known) - 1]
            kind, _, noun = words.rpartition(" ")
            return " ".join(w for w in (kind, split, noun) if w)
    if key.startswith("n_"):
        return f"{key[2:]} rows"
    return key.replace("_", " ")


def shortened(text: Any, limit: int) -> str:
    """``text`` on one line, cut between words with "…" when longer than ``limit``
    characters (a word longer than the limit is cut inside).

    Examples
    --------
    >>> shortened("one  two   three", 20), shortened("one two three", 9)
    ('one two three', 'one two…')
    """
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        cut = flat[: limit - 1]
        if flat[limit - 1] != " " and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        flat = cut.rstrip() + "…"
    return flat
