"""The one TOML writer: tomli-w, with the values the gate writes made TOML-ready.

:func:`toml_dumps` writes whole documents (the self-test's configs, the demo's
configs); :func:`toml_literal` renders one value on one line, for text templates
that need comments next to their values (tomli-w writes no comments), such as the
commented starter config of ``sentinel init``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w


def toml_dumps(data: Mapping[str, Any]) -> str:
    """A TOML document for ``data`` (tomli-w), after :func:`toml_ready`.

    Parameters
    ----------
    data : mapping of str to value
        Tables are mappings; values may be str, int, float, bool, dates, lists,
        tuples, :class:`~pathlib.Path` (written as a POSIX string) and numpy scalars.
        Keys whose value is None are left out (TOML has no null).

    Returns
    -------
    str
        The document, ending with a newline.

    Raises
    ------
    TypeError
        For a value tomli-w cannot write.

    Examples
    --------
    >>> print(toml_dumps({"data": {"path": Path("a/b.parquet"), "loader": None}}), end="")
    [data]
    path = "a/b.parquet"
    """
    return tomli_w.dumps(toml_ready(data))


def toml_literal(value: Any) -> str:
    """One value as a one-line TOML literal (arrays and tables inline).

    Scalars and keys are rendered by tomli-w; only the one-line punctuation of
    arrays (``[a, b]``) and inline tables (``{ k = v }``) is written here, because
    tomli-w always breaks non-empty arrays over lines.

    Parameters
    ----------
    value : str, int, float, bool, Path, numpy scalar, list, tuple or mapping
        Not None.

    Returns
    -------
    str
        E.g. ``"wilson"``, ``0.75``, ``["a", "b"]``, ``{ min = 0.0 }``.

    Raises
    ------
    TypeError
        For None or a value tomli-w cannot write.

    Examples
    --------
    >>> toml_literal(["user_id", "session_id"]), toml_literal({"min": 0.0}), toml_literal(True)
    ('["user_id", "session_id"]', '{ min = 0.0 }', 'true')
    """
    value = _ready(value)
    if value is None:
        raise TypeError("TOML has no null value")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{_key(str(k))} = {toml_literal(v)}" for k, v in value.items())
        return "{ " + items + " }"
    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")


def toml_ready(value: Any) -> Any:
    """``value`` with Paths as POSIX strings, numpy scalars as Python ones, None
    entries of mappings dropped (recursively)."""
    return _ready(value)


def _ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_ready(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        return value.item()
    return value


def _key(key: str) -> str:
    return tomli_w.dumps({key: 0})[: -len(" = 0\n")]
