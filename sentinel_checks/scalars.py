"""Numpy scalars as Python values: the one conversion, for evidence, Ibis literals and
comparing a model's ``classes_`` with a configured label by kind."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["python_scalar"]


def python_scalar(value: Any) -> Any:
    """A numpy scalar as its Python value; anything else (a pandas Timestamp included) as it is.

    Parameters
    ----------
    value : any
        A numpy scalar (``np.int64``, ``np.float32``, ``np.bool_``, ``np.str_`` …) or any
        other value.

    Returns
    -------
    any
        ``value.item()`` for a numpy scalar (int, float, bool, str …); ``value`` unchanged
        otherwise.

    Examples
    --------
    >>> python_scalar(np.int64(3)), python_scalar(np.bool_(True)), python_scalar("risky")
    (3, True, 'risky')
    """
    return value.item() if isinstance(value, np.generic) else value
