"""What every config section shares: the pydantic base (unknown keys rejected, values
frozen), the type of a label value and the ``module:function`` reference check."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

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


def _check_callable_ref(value: str | None) -> str | None:
    if value is not None and not _CALLABLE_RE.match(value):
        raise ValueError(f"expected 'module:function', got {value!r}")
    return value
