"""How an invalid configuration is told: each pydantic error at the key the user wrote
(``[gate] seed``, ``[[experiments.runs]] #2 features_add (item 1)``, ``[splits]`` for a
missing table), with a hint for a misspelt or misplaced key (the closest key of the table,
or the table a key belongs in). Used by :func:`~sentinel_checks.config.loading.load_config`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic

from sentinel_checks.config.section import ReplacedKeys
from sentinel_checks.config.sentinel_config import SentinelConfig


def validation_error_text(
    exc: pydantic.ValidationError, source: Path, also: Sequence[tuple[str, str]] = ()
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The message of an invalid config, one line per problem, and each problem as
    (the key as written, what is wrong), in the order listed; ``also``: more problems
    (the missing input files), listed after pydantic's, a key already listed skipped."""
    located: list[tuple[str, str]] = []
    wanted: dict[str, list[str]] = {}  # a key -> the kinds of value its failed branches take
    for err in exc.errors():
        loc = _location(err["loc"])
        key = _toml_key(loc)
        replaced = (err.get("ctx") or {}).get("error")
        if isinstance(replaced, ReplacedKeys):  # a section-level error: name each key in its table
            located += [
                (f"{_table_text(loc)} {old}", f"was replaced {why}") for old, why in replaced.replaced.items()
            ]
            continue
        # a table missing, or failing its own rule: named by its header ([splits]); not a
        # value of the wrong type written at its key, nor an array of tables' entries
        table = (
            err["type"] in {"missing", "value_error", "assertion_error"}
            and bool(loc)
            and all(isinstance(p, str) for p in loc)
            and _section_at(loc) is not None
            and not _holds_tables(loc)
        )
        if table:
            key = _table_text(loc)
        if err["type"] == "extra_forbidden":
            msg = "unknown key" + _did_you_mean(loc)
        elif err["type"] == "missing":
            msg = "required key is missing"
            if table:
                msg = "required table is missing" + _ADD_TABLE.get(key, "")
        elif err["type"] in {"model_type", "model_attributes_type", "dict_type"}:  # no class names
            header = f", {_table_text(loc)} with its keys" if _section_at(loc) else " of keys"
            msg = f"should be a table{header} (got {err.get('input')!r})"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            if "input" in err and err["type"] not in {"value_error"}:
                msg += f" (got {err['input']!r})"
        located.append((key, msg))
        if err["type"] in _TYPE_WORDS:
            wanted.setdefault(key, []).append(_TYPE_WORDS[err["type"]])
    located = _one_per_key(located, wanted)
    told = {key for key, _ in located}
    located += [(key, msg) for key, msg in also if key not in told]
    n = len(located)
    head = f"{source}: invalid configuration ({n} problem{'s' if n != 1 else ''}):"
    return "\n".join([head, *(f"  {key}: {msg}" for key, msg in located)]), tuple(located)


#: What to write for a required table that is missing, by its header.
_ADD_TABLE = {
    "[data]": (
        '; add it: path = "data/requests.parquet" (a parquet or CSV file, a folder or glob of '
        'parquet files), loader = "module:function", or table = "name" of the engine\'s catalog'
    ),
    "[splits]": (
        '; add it: method = "time" with val_start and test_start (the first timestamp of each), '
        'method = "column" with column = "<the column naming each row\'s split>", or '
        'method = "callable" with function = "module:function"'
    ),
}

#: What a value of the type pydantic expected is, by its error type.
_TYPE_WORDS = {
    "bool_type": "true or false",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "string_type": "text",
    "list_type": "a list",
    "datetime_type": "a date and time",
}


def _one_per_key(located: list[tuple[str, str]], wanted: dict[str, list[str]]) -> list[tuple[str, str]]:
    """One problem per key, first seen first: a union's branches each report the value at
    the same key (``positive = ["risky"]``: not a boolean, an integer, a number or text).
    When each branch failed on the value's type, the kinds it could be are told together;
    otherwise the first branch's message."""
    out: dict[str, str] = {}
    for key, msg in located:
        kinds = list(dict.fromkeys(wanted.get(key, ())))
        if key in out or len(kinds) < 2:
            out.setdefault(key, msg)
            continue
        got = msg[msg.rindex(" (got ") :] if " (got " in msg else ""
        out[key] = f"should be {', '.join(kinds[:-1])} or {kinds[-1]}{got}"
    return list(out.items())


def _location(loc: tuple[str | int, ...]) -> list[str | int]:
    """pydantic's location of an error as the config's own path: a list's index stays an
    int (an entry of ``[[experiments.runs]]``, an item of a list), a table's key a str (a
    column named "2"); the tag pydantic adds for the branch of a union that failed
    (``str``, ``list[str]``, ``function-after[…]``) after an item, a table or a key is dropped."""
    out: list[str | int] = []
    for part in loc:
        bracketed = isinstance(part, str) and "[" in part  # list[str], function-after[…]
        typed = isinstance(part, str) and part in {"str", "int", "float", "bool"}
        tag = typed and (isinstance(out[-1], int) or _is_value_key(out)) if out else False
        if not (out and (bracketed or tag)):
            out.append(part)
    return out


def _is_value_key(path: list[str | int]) -> bool:
    """Whether ``path`` ends at a key of a fixed table (``["columns", "positive"]``), where a
    following ``str``/``int`` is a union's branch tag, not a column the user named (``int``
    under ``[contract.features]``, a table of the user's names)."""
    owner = _section_at(path[:-1]) if path and isinstance(path[-1], str) else None
    field = None if owner is None else owner.model_fields.get(str(path[-1]))
    return field is not None and _named_tables_of(field.annotation) is None


def _did_you_mean(loc: list[str | int]) -> str:
    """The hint of an unknown key at ``loc``: the closest key its table has
    (:func:`difflib.get_close_matches`, cutoff 0.6), else the spelling advice."""
    from difflib import get_close_matches

    *tables, last = loc or [""]
    leaf = str(last)
    model: Any = SentinelConfig
    parts = iter(tables)
    for part in parts:
        if isinstance(part, int):  # an entry of an array of tables ([[experiments.runs]]): its keys
            continue
        field = model.model_fields.get(str(part))
        annotation = None if field is None else field.annotation
        named = None if annotation is None else _named_tables_of(annotation)
        if named is not None:  # [contract.features.<column>]: the user's name, then fixed keys
            if next(parts, None) is None:
                return " (check the spelling; see docs/configuration.md)"
            model = named
            continue
        model = None if annotation is None else _model_in(annotation)
        if model is None:  # a table of names (models, features): no fixed keys to suggest
            return " (check the spelling; see docs/configuration.md)"
    keys = sorted(name for name, f in model.model_fields.items() if not f.exclude)  # not `source`
    here = ".".join(str(t) for t in tables if not isinstance(t, int))
    # [drift] drift_process: it belongs in [gate]
    hints = [header for path, header, key in _keys_below(SentinelConfig) if key == leaf and path != here]
    if tables and _model_in(getattr(SentinelConfig.model_fields.get(leaf), "annotation", None)) is not None:
        hints.append(f"[{leaf}] (a table of its own)")  # [quality] splits
    said = ""
    if hints:
        said = f"; it belongs in {' or '.join(hints)}" + (f", not in {_table_text(tables)}" if tables else "")
    close = get_close_matches(leaf, keys, n=1)
    if close:
        said += f"{'; or' if said else ';'} did you mean {close[0]!r}?"
    elif not said:  # a key of a table below this one, misspelt: [contract] max_nul_share
        below = {key: header for _, header, key in reversed(_keys_below(model, here))}
        near = get_close_matches(leaf, list(below), n=1)
        if near:
            said = f"; did you mean {below[near[0]]} {near[0]}?"
    return (
        f"{said} (see docs/configuration.md)" if said else " (check the spelling; see docs/configuration.md)"
    )


def _keys_below(model: type[pydantic.BaseModel], table: str = "") -> list[tuple[str, str, str]]:
    """(table's path, its header as written in TOML, key) of every key in the tables below
    ``model`` (``model`` is at ``table``), depth first: ``("gate", "[gate]", "seed")``; a
    table of the user's names is shown as ``<column>`` (``[contract.features.<column>]``),
    an array of tables with double brackets (``[[experiments.runs]]``)."""
    found = []
    for name, field in model.model_fields.items():
        if field.annotation is None:
            continue
        inner = _model_in(field.annotation)
        here = f"{table}.{name}" if table else name
        header = f"[{here}]"
        if inner is None:
            inner = _named_tables_of(field.annotation)
            header = f"[{here}.<column>]"
        elif _is_list(field.annotation):
            header = f"[[{here}]]"
        if inner is None:
            continue
        found += [(here, header, k) for k, f in inner.model_fields.items() if not f.exclude]
        found += _keys_below(inner, here)
    return found


def _is_list(annotation: Any) -> bool:
    """Whether a field holds a list (``list[X]``, ``list[X] | None``)."""
    from typing import get_args, get_origin

    return get_origin(annotation) is list or any(_is_list(a) for a in get_args(annotation))


def _named_tables_of(annotation: Any) -> type[pydantic.BaseModel] | None:
    """``X`` of a table of the user's names whose tables are sections (``dict[str, X]``,
    optionally ``| None``), else None."""
    from typing import get_args, get_origin

    if get_origin(annotation) is dict:
        value = get_args(annotation)[-1]
        return value if isinstance(value, type) and issubclass(value, pydantic.BaseModel) else None
    found = [m for m in map(_named_tables_of, get_args(annotation)) if m is not None]
    return found[0] if len(found) == 1 else None


def _model_in(annotation: Any) -> type[pydantic.BaseModel] | None:
    """The config section a field holds (``X``, ``X | None``), or None (also for a table of
    the user's names, ``dict[str, X]``: :func:`_named_tables_of`)."""
    from typing import get_args, get_origin

    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    if isinstance(annotation, type) or get_origin(annotation) is dict:  # keys are the user's names
        return None
    found = [m for m in map(_model_in, get_args(annotation)) if m is not None]
    return found[0] if len(found) == 1 else None


def _toml_key(loc: list[str | int]) -> str:
    """An error's location as the user wrote it: ``[gate] seed``, ``[[experiments.runs]] #2
    features_add (item 1)``, ``[columns] entities (item 1)``, ``[[experiments.runs]] #1``."""
    if not loc:
        return "(top level)"
    for i in range(1, len(loc)):  # an entry of an array of tables, then what is inside it
        if isinstance(loc[i], int) and _holds_tables(loc[:i]):
            head = f"[[{'.'.join(map(str, loc[:i]))}]] #{int(loc[i]) + 1}"
            return f"{head} {_key_text(loc[i + 1 :])}".rstrip()
    names = [p for p in loc if isinstance(p, str)]
    first_item = next((i for i, p in enumerate(loc) if isinstance(p, int)), len(loc))
    tables, key = loc[: first_item - 1], loc[first_item - 1 :]
    if not tables:
        return _key_text(key) if names else "(top level)"
    return f"[{'.'.join(map(str, tables))}] {_key_text(key)}"


def _key_text(parts: list[str | int]) -> str:
    """``features_add (item 1)`` for ``["features_add", 0]``: a key, then its items (1-based)."""
    keys = ".".join(str(p) for p in parts if isinstance(p, str))
    items = ", ".join(str(p + 1) for p in parts if isinstance(p, int))
    return f"{keys} (item {items})" if items else keys


def _table_text(tables: list[str | int]) -> str:
    """A table's header as written in TOML: ``[gate]``, ``[contract.features.2]`` (a column
    named "2"), or ``[[experiments.runs]] #2`` for the second entry of an array of tables
    (pydantic's location ``("experiments", "runs", 1)``: a list's index is an int)."""
    if len(tables) > 1 and isinstance(tables[-1], int) and _holds_tables(tables[:-1]):
        return f"[[{'.'.join(map(str, tables[:-1]))}]] #{tables[-1] + 1}"
    return f"[{'.'.join(map(str, tables))}]"


def _holds_tables(path: list[str | int]) -> bool:
    """Whether the config field at ``path`` (names of fixed tables) is an array of tables."""
    owner = _section_at(path[:-1])
    field = None if owner is None else owner.model_fields.get(str(path[-1]))
    annotation = None if field is None else field.annotation
    return annotation is not None and _model_in(annotation) is not None and _is_list(annotation)


def _section_at(path: list[str | int]) -> type[pydantic.BaseModel] | None:
    """The config section (a table, or an array of tables) at ``path`` of fixed table
    names (``["models", "candidate"]``), or None when ``path`` names a value, a table of
    the user's names or nothing."""
    model: type[pydantic.BaseModel] | None = SentinelConfig
    for part in path:
        field = None if model is None else model.model_fields.get(str(part))
        model = None if field is None or field.annotation is None else _model_in(field.annotation)
    return model
