"""The gate session's cache: each input computed once, a failure remembered as a failure.

:class:`NotConfigured` is what a step raises when an optional input or policy is
absent; :func:`once` keeps it, like a :class:`~sentinel_checks.errors.SentinelError`,
so what failed once fails the same way every time it is asked for (as a failing
session fixture does in pytest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sentinel_checks.errors import SentinelError

T = TypeVar("T")


class NotConfigured(Exception):
    """An optional input or policy is absent, so a step has nothing to judge.

    The message says what is missing and is shown as the skip reason.
    """


class Failed:
    """A cached exception: what failed once fails the same way every time it is asked for."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def once(cache: dict[str, Any], key: str, compute: Callable[[], T]) -> T:
    """``cache[key]``, computed by ``compute`` on first use; a cached failure is raised again.

    Parameters
    ----------
    cache : dict
        The values (and :class:`Failed` failures) computed so far, by key; updated in place.
    key : str
        The input's name, e.g. ``"dataset"`` or ``"scores:candidate:test"``.
    compute : callable
        Computes the value; called at most once per key.

    Returns
    -------
    object
        The cached value.

    Raises
    ------
    SentinelError, NotConfigured
        What ``compute`` raised the first time, every time. Other exceptions are
        not cached and propagate.

    Examples
    --------
    >>> cache = {}
    >>> once(cache, "x", lambda: 1), once(cache, "x", lambda: 2)
    (1, 1)
    """
    if key not in cache:
        try:
            cache[key] = compute()
        except (SentinelError, NotConfigured) as exc:
            cache[key] = Failed(exc)
    value = cache[key]
    if isinstance(value, Failed):
        raise value.exc
    return value
