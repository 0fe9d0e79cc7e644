"""The fixed sets of option values checks and statistics accept, as types.

Each option-typed keyword parameter is annotated with one of these ``Literal``
types and validated where it enters with :func:`check_option`: a misspelt option
(``bound="wilsn"``) is a ``ValueError`` naming the parameter, the value and the
allowed values, never a silent fallback to another branch. The config models
(:mod:`sentinel_checks.config`) use the same types, so a config file and a direct
call accept the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

#: How a proportion (recall, precision) is judged: the lower end of its Wilson
#: score interval or the point estimate.
ProportionBound = Literal["wilson", "point"]

#: How a lead (candidate minus baseline or champion) is judged: the lower end of its
#: paired bootstrap interval or the point estimate.
LeadBound = Literal["bootstrap", "point"]

#: A ranking metric computed from scores: area under the precision-recall curve or ROC curve.
RankMetric = Literal["pr_auc", "roc_auc"]

#: Severity of a monitoring alert: ``warning`` (reported) or ``critical`` (fails).
Severity = Literal["warning", "critical"]


def allowed(option_type: Any) -> tuple[str, ...]:
    """The values a ``Literal`` option type admits.

    >>> allowed(ProportionBound)
    ('wilson', 'point')
    """
    return tuple(str(v) for v in get_args(option_type))


def check_option(name: str, value: object, option_type: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is one of the values of ``option_type``.

    Parameters
    ----------
    name : str
        The parameter's name, shown in the message.
    value : object
        What the caller passed.
    option_type : a ``Literal[...]`` type
        The allowed values.

    Raises
    ------
    ValueError
        When ``value`` is not one of the allowed values.

    >>> check_option("bound", "wilsn", ProportionBound)
    Traceback (most recent call last):
    ...
    ValueError: bound='wilsn' is not a known option; use one of 'wilson', 'point'
    """
    values = allowed(option_type)
    if not isinstance(value, str) or value not in values:
        raise ValueError(
            f"{name}={value!r} is not a known option; use one of {', '.join(repr(v) for v in values)}"
        )


def check_option_map(name: str, mapping: Mapping[str, object], option_type: Any) -> None:
    """:func:`check_option` on every value of a mapping (e.g. a severity per rule)."""
    for key, value in mapping.items():
        check_option(f"{name}[{key!r}]", value, option_type)
