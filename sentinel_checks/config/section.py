"""What every config section shares: the pydantic base (unknown keys rejected, values
frozen), the type of a label value and the ``module:function`` reference check."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_CALLABLE_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

LabelValue = bool | int | float | str


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_callable_ref(value: str | None) -> str | None:
    if value is not None and not _CALLABLE_RE.match(value):
        raise ValueError(f"expected 'module:function', got {value!r}")
    return value
