"""Options are types: a misspelt option is an error, and check defaults are the config's.

Every option-typed parameter (annotated with a ``Literal[...]``, or a mapping onto
one) of a public function in ``sentinel_checks.checks.*`` and the statistics modules
is found by introspection, so a new option parameter is covered without editing this
file. Each must reject an unknown value where it enters — before any other argument
is looked at — with a ``ValueError`` naming the parameter, the value and the allowed
values.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pytest

import sentinel_checks.checks
from sentinel_checks import options
from sentinel_checks.checks.calibration import check_calibration
from sentinel_checks.checks.calibration_change import check_calibration_change
from sentinel_checks.checks.contract import check_labels
from sentinel_checks.checks.drift import check_feature_drift, check_label_drift, check_score_drift
from sentinel_checks.checks.leakage import check_target_leakage
from sentinel_checks.checks.ordering import check_time_order
from sentinel_checks.checks.overlap import check_entity_overlap, check_row_overlap
from sentinel_checks.checks.promotion import check_vs_champion
from sentinel_checks.checks.purge import check_purge
from sentinel_checks.checks.quality import check_baselines, check_precision, check_recall, check_segments
from sentinel_checks.checks.too_good import check_too_good
from sentinel_checks.checks.training import check_training_curves
from sentinel_checks.config import (
    Contract,
    DriftPolicy,
    Leakage,
    Promotion,
    Quality,
    SplitSpec,
    Training,
)
from sentinel_checks.models.baselines import fit_baselines
from sentinel_checks.stats.ranking import Confusion

STATS_MODULES = (
    "sentinel_checks.stats.ranking",
    "sentinel_checks.stats.intervals",
    "sentinel_checks.stats.comparison",
    "sentinel_checks.stats.paired_cells",
    "sentinel_checks.stats.leakage",
    "sentinel_checks.monitor.statistics",
    "sentinel_checks.models.thresholds",
)

MISSPELT = "definitely-not-an-option"


def _modules() -> Iterator[Any]:
    package = sentinel_checks.checks
    for info in pkgutil.iter_modules(package.__path__):
        yield importlib.import_module(f"{package.__name__}.{info.name}")
    for name in STATS_MODULES:
        yield importlib.import_module(name)


def _public_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for module in _modules():
        for name, fn in sorted(vars(module).items()):
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{module.__name__}.{name}", fn


def _annotation(fn: Callable[..., Any], parameter: inspect.Parameter) -> Any:
    """The parameter's annotation as a type (the modules use postponed annotations)."""
    text = parameter.annotation
    if not isinstance(text, str):
        return text
    namespace = {**vars(inspect.getmodule(fn)), "Literal": Literal}
    try:
        return eval(text, namespace)  # the library's own annotations
    except NameError:
        # names imported under TYPE_CHECKING only: never an option type
        assert "Literal" not in text and not any(alias in text for alias in _ALIASES), (
            f"{fn.__qualname__}({parameter.name}: {text}): an option annotation that does not resolve"
        )
        return None


_ALIASES = [name for name, value in vars(options).items() if typing.get_origin(value) is Literal]


def _literal(tp: Any) -> tuple[Any, bool] | None:
    """(the Literal type, whether it is the value type of a mapping) inside ``tp``, or None."""
    if typing.get_origin(tp) is Literal:
        return tp, False
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (Mapping, dict, typing.Mapping) or (
        getattr(typing.get_origin(tp), "__name__", "") == "Mapping"
    ):
        found = _literal(args[-1]) if args else None
        return (found[0], True) if found else None
    for arg in args:  # Literal[...] | None
        found = _literal(arg)
        if found and not found[1]:
            return found
    return None


@dataclass(frozen=True)
class OptionParameter:
    function: str
    fn: Callable[..., Any]
    name: str
    literal: Any
    mapped: bool  # a mapping whose values are options (e.g. a severity per rule)

    def __str__(self) -> str:
        return f"{self.function}({self.name})"


def option_parameters() -> list[OptionParameter]:
    found = []
    for qualified, fn in _public_functions():
        for parameter in inspect.signature(fn).parameters.values():
            hit = _literal(_annotation(fn, parameter))
            if hit is not None:
                found.append(OptionParameter(qualified, fn, parameter.name, *hit))
    return found


OPTION_PARAMETERS = option_parameters()


def test_the_option_parameters_are_found():
    """The discovery finds at least the options known today (it cannot silently find none)."""
    names = {f"{p.function.rsplit('.', 1)[-1]}.{p.name}" for p in OPTION_PARAMETERS}
    assert {
        "check_recall.bound",
        "check_precision.bound",
        "check_segments.bound",
        "check_baselines.metric",
        "check_baselines.bound",
        "check_vs_champion.target_metric",
        "check_baselines.rule",
        "judge_scope.severity",
        "paired_cell_leads.metric",
        "bounded_proportion.bound",
    } <= names


def test_each_option_parameter_is_found_once():
    """A name re-exported from another module (``checks.quality``) is not counted twice."""
    found = [str(p) for p in OPTION_PARAMETERS]
    assert len(found) == len(set(found))
    by_function = [f"{p.fn.__module__}.{p.fn.__qualname__}({p.name})" for p in OPTION_PARAMETERS]
    assert len(by_function) == len(set(by_function))


@pytest.mark.parametrize("option", OPTION_PARAMETERS, ids=str)
def test_a_misspelt_option_is_an_error_naming_parameter_value_and_choices(option):
    """Every other argument is a placeholder: the option must be checked first, where it enters."""
    kwargs: dict[str, Any] = {}
    args: list[Any] = []
    for parameter in inspect.signature(option.fn).parameters.values():
        if parameter.name == option.name:
            value: Any = {"rule": MISSPELT} if option.mapped else MISSPELT
            if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and not kwargs:
                args.append(value)
            else:
                kwargs[parameter.name] = value
        elif parameter.default is inspect.Parameter.empty:
            if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and not kwargs:
                args.append(object())
            else:
                kwargs[parameter.name] = object()
    with pytest.raises(ValueError) as info:
        option.fn(*args, **kwargs)
    message = str(info.value)
    assert option.name in message and MISSPELT in message, message
    for allowed in typing.get_args(option.literal):
        assert repr(allowed) in message, message


@pytest.mark.parametrize("option", [p for p in OPTION_PARAMETERS if not p.mapped], ids=str)
def test_the_default_of_an_option_is_one_of_its_values(option):
    default = inspect.signature(option.fn).parameters[option.name].default
    if default is not inspect.Parameter.empty and default is not None:
        assert default in typing.get_args(option.literal)


def test_no_option_hides_behind_a_plain_str():
    """A ``str`` keyword whose default is an option value should be typed as that option."""
    values = {v for alias in _ALIASES for v in typing.get_args(getattr(options, alias))}
    untyped = []
    for qualified, fn in _public_functions():
        for parameter in inspect.signature(fn).parameters.values():
            if parameter.annotation in ("str", "str | None") and parameter.default in values:
                untyped.append(f"{qualified}({parameter.name}={parameter.default!r})")
    assert not untyped


def test_wilsn_is_an_error_not_a_pass_on_the_point_estimate():
    """The issue's example: recall 0.825 on 40 risky rows; its 95% interval holds 0.75
    (inconclusive on the Wilson interval, a pass on the point estimate)."""
    confusion = Confusion(tp=33, fp=10, fn=7, tn=950)
    assert (
        check_recall(confusion, split="test", threshold=0.3, min_recall=0.75).status.value == "inconclusive"
    )
    with pytest.raises(ValueError, match=re.escape("bound='wilsn'")) as info:
        check_recall(confusion, split="test", threshold=0.3, min_recall=0.75, bound="wilsn")  # type: ignore[arg-type]
    assert "'wilson', 'point'" in str(info.value)


def test_a_valid_option_still_works():
    confusion = Confusion(tp=33, fp=10, fn=7, tn=950)
    point = check_recall(confusion, split="test", threshold=0.3, min_recall=0.75, bound="point")
    assert point.status.value == "pass" and point.measured == pytest.approx(0.825)
    y = np.r_[np.ones(50, dtype=bool), np.zeros(50, dtype=bool)]
    s = np.linspace(1, 0, 100)
    result = check_baselines(y, s, {"b": s[::-1]}, metric="roc_auc", bound="point")
    assert result.status.value == "pass"


# --------------------------------------------------------------------------- one set of defaults

#: check function -> {its keyword: (config model, field)}: the defaults must agree.
CONFIG_DEFAULTS: list[tuple[Callable[..., Any], dict[str, tuple[type, str]]]] = [
    (
        check_recall,
        {
            "bound": (Quality, "bound"),
            "confidence": (Quality, "confidence"),
            "min_positives": (Quality, "min_positives"),
        },
    ),
    (check_precision, {"bound": (Quality, "bound"), "confidence": (Quality, "confidence")}),
    (
        check_segments,
        {
            "min_positives": (Quality, "segment_min_positives"),
            "bound": (Quality, "segment_bound"),
            "confidence": (Quality, "confidence"),
        },
    ),
    (
        check_baselines,
        {
            "metric": (Quality, "baseline_metric"),
            "margin": (Quality, "baseline_margin"),
            "rule": (Quality, "baseline_rule"),
            "bound": (Quality, "baseline_bound"),
            "confidence": (Quality, "confidence"),
            "resamples": (Quality, "bootstrap_resamples"),
        },
    ),
    (fit_baselines, {"max_rows": (Quality, "baseline_max_train_rows")}),
    (
        check_vs_champion,
        {
            "max_fnr_increase": (Promotion, "max_fnr_increase"),
            "max_precision_drop": (Promotion, "max_precision_drop"),
            "target_metric": (Promotion, "target_metric"),
            "max_target_drop": (Promotion, "max_target_drop"),
            "min_target_lead": (Promotion, "min_target_lead"),
            "require_improvement": (Promotion, "require_improvement"),
            "max_flip_rate": (Promotion, "max_flip_rate"),
            "min_positives": (Quality, "min_positives"),
        },
    ),
    (
        check_labels,
        {
            "min_positives": (Contract, "min_positives_per_split"),
            "min_negatives": (Contract, "min_negatives_per_split"),
        },
    ),
    (
        check_feature_drift,
        {
            "max_share": (DriftPolicy, "max_drift_share"),
            "min_rows": (DriftPolicy, "min_rows"),
            "important_share": (DriftPolicy, "important_feature_share"),
            "max_missing_increase": (DriftPolicy, "max_missing_increase"),
        },
    ),
    (
        check_label_drift,
        {
            "max_odds_ratio": (DriftPolicy, "label_max_odds_ratio"),
            "max_abs_change": (DriftPolicy, "label_max_abs_change"),
        },
    ),
    (
        check_calibration,
        {
            "max_ece": (Quality, "max_ece"),
            "max_brier": (Quality, "max_brier"),
            "n_bins": (Quality, "calibration_bins"),
            "confidence": (Quality, "confidence"),
            "resamples": (Quality, "bootstrap_resamples"),
        },
    ),
    (
        check_calibration_change,
        {
            "max_ece_increase": (DriftPolicy, "max_ece_increase"),
            "max_brier_increase": (DriftPolicy, "max_brier_increase"),
            "n_bins": (Quality, "calibration_bins"),
            "confidence": (Quality, "confidence"),
            "resamples": (Quality, "bootstrap_resamples"),
        },
    ),
    (
        check_score_drift,
        {
            "max_psi": (DriftPolicy, "max_score_psi"),
            "max_flagged_change": (DriftPolicy, "max_flagged_change"),
        },
    ),
    (
        check_target_leakage,
        {
            "max_auc": (Leakage, "max_univariate_auc"),
            "flag_constant_per_class": (Leakage, "flag_constant_per_class"),
        },
    ),
    (check_too_good, {"max_auc": (Quality, "too_good_auc"), "action": (Quality, "too_good_action")}),
    (
        check_entity_overlap,
        {
            "max_share": (Leakage, "max_entity_overlap_share"),
            "max_purged_share": (SplitSpec, "max_purged_share"),
        },
    ),
    (check_row_overlap, {"max_share": (Leakage, "max_row_overlap_share")}),
    (check_purge, {"max_share": (SplitSpec, "max_purged_share")}),
    (check_time_order, {"embargo": (SplitSpec, "embargo")}),
    (
        check_training_curves,
        {
            name: (Training, name)
            for name in (
                "epoch",
                "train_loss",
                "val_loss",
                "val_metric",
                "overfit_patience",
                "overfit_tolerance",
                "min_val_metric",
                "flat_tolerance",
                "spike_mads",
                "selected_epoch",
                "selected_epoch_tolerance",
            )
        },
    ),
]


@pytest.mark.parametrize(
    ("fn", "keyword", "model", "field"),
    [(fn, k, m, f) for fn, fields in CONFIG_DEFAULTS for k, (m, f) in fields.items()],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_a_check_default_is_the_config_default(fn, keyword, model, field):
    """Policy has one set of defaults: a check called without a keyword judges as the config does."""
    default = inspect.signature(fn).parameters[keyword].default
    assert default is not inspect.Parameter.empty, f"{fn.__name__}({keyword}) has no default"
    assert default == model.model_fields[field].default, (
        f"{fn.__name__}({keyword}={default!r}) but {model.__name__}.{field} = "
        f"{model.model_fields[field].default!r}"
    )


def _config_field(option):
    """The config field that feeds an option parameter, or None."""
    for fn, fields in CONFIG_DEFAULTS:
        if fn is option.fn and option.name in fields:
            return fields[option.name]
    return None


CONFIG_FED = [p for p in OPTION_PARAMETERS if not p.mapped and _config_field(p) is not None]


def test_some_options_are_fed_by_the_config():
    assert len(CONFIG_FED) >= 5, CONFIG_FED  # the comparison below must have something to compare


@pytest.mark.parametrize("option", CONFIG_FED, ids=str)
def test_a_config_option_allows_what_its_check_allows(option):
    """Where a config field feeds an option parameter, both admit the same values."""
    model, field = _config_field(option)
    config_values = set(typing.get_args(model.model_fields[field].annotation))
    assert config_values == set(typing.get_args(option.literal))
