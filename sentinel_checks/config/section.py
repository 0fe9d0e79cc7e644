"""What every config section shares: the pydantic base (unknown keys rejected, values
frozen), the type of a label value and the ``module:function`` reference check."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

_CALLABLE_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

LabelValue = bool | int | float | str


class ReplacedKeys(ValueError):
    """Keys a section no longer has; the loader names each as ``[section] key``."""

    def __init__(self, replaced: Mapping[str, str]) -> None:
        self.replaced = dict(replaced)
        super().__init__("; ".join(f"{key} was replaced {why}" for key, why in self.replaced.items()))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Keys a section no longer has, each with what replaced it: a user's old key is an
    #: error that says so, rather than a bare "unknown key".
    renamed_keys: ClassVar[Mapping[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _no_renamed_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            old = {key: why for key, why in cls.renamed_keys.items() if key in data}
            if old:
                raise ReplacedKeys(old)
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """A number key given ``true``/``false`` or text is refused, not read as 1, 0 or the
        number the text spells (review: ``[drift] max_drift_share = true`` loaded as 1.0,
        a drifted share that could never fail)."""
        field = cls.model_fields.get(info.field_name or "")
        kinds = _number_kinds(field.annotation if field is not None else None)
        if kinds and isinstance(value, bool | str):
            wanted = "a whole number" if kinds == {int} else "a number"
            if isinstance(value, bool):
                raise ValueError(f"should be {wanted}, not {str(value).lower()}")
            raise ValueError(f"should be {wanted}, not text ({value!r}): write it without quotes")
        return value


def _number_kinds(annotation: Any) -> set[type]:
    """``{int}``, ``{float}`` or both for a field typed ``int``, ``float`` (or ``X | None``);
    empty for any other type (a union with text or booleans, a list, a table)."""
    from types import NoneType, UnionType
    from typing import Union, get_args, get_origin

    if annotation in (int, float):
        return {annotation}
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not NoneType]
        if args and all(a in (int, float) for a in args):
            return set(args)
    return set()


def _check_callable_ref(value: str | None) -> str | None:
    if value is not None and not _CALLABLE_RE.match(value):
        raise ValueError(f"expected 'module:function', got {value!r}")
    return value
