"""Runbook 1, data: the contract of the dataset and the production sample, and each split's labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.gate import policy
from sentinel_checks.gate.session import GateSession

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.result import CheckResult


# --------------------------------------------------------------------------- runbook 1: data


def dataset_contract(s: GateSession) -> CheckResult:
    """``contract.schema`` of the offline dataset (features as configured, present or not).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.dataset`` (the frame at ``[data] path``), or, when the
        engine reads the dataset where it lies, counts its failure cases there.

    Returns
    -------
    CheckResult
        Check id ``contract.schema`` (dataset ``"dataset"``). Its limits are the
        ``[columns]`` and ``[contract] features`` sections (no :mod:`~sentinel_checks.gate.policy` map).

    Raises
    ------
    DataError
        The dataset is missing, unreadable or empty.
    ConfigError
        Raised by the session when the configuration cannot be used.
    """
    from sentinel_checks.checks import check_schema
    from sentinel_checks.data.io import feature_columns

    cfg = s.config
    counted = _contract_in_engine(s)
    if counted is not None:
        return counted
    dataset = s.dataset
    return check_schema(
        dataset,
        columns=cfg.columns,
        features=feature_columns(dataset, cfg),
        rules=cfg.contract.features,
        dataset="dataset",
        extra_required=cfg.required_columns(),
    )


def _contract_in_engine(s: GateSession) -> CheckResult | None:
    """``contract.schema`` of the dataset counted where it lies
    (:mod:`~sentinel_checks.engine.contract_counts`), equal to the pandas result; ``None``
    when the engine does not read the dataset there (or a rule compares values of another
    type than its column's): the pandas frame is validated then."""
    from sentinel_checks.checks.contract import contract_schema
    from sentinel_checks.data.io import feature_columns
    from sentinel_checks.engine import contract_counts

    typed = s.engine_typed_frame
    source = s.engine_source
    if typed is None or source is None:
        return None
    cfg = s.config
    features = feature_columns(typed, cfg)
    schema = contract_schema(
        cfg.columns,
        features=features,
        rules=cfg.contract.features,
        extra_required=cfg.required_columns(),
    )
    return _judged_in_engine(
        s,
        source,
        schema,
        typed,
        dataset="dataset",
        constant=lambda: contract_counts.constant_features(source, features),
    )


def _judged_in_engine(
    s: GateSession,
    table: Table,
    schema: Any,
    typed: pd.DataFrame,
    *,
    dataset: str,
    rows: int | None = None,
    constant: Callable[[], Mapping[str, Any]] | None = None,
) -> CheckResult | None:
    """``contract.schema`` judged from the failure cases counted in the engine
    (:func:`~sentinel_checks.engine.contract_counts.contract_failures` of ``table``, an
    ibis Table, against the pandera ``schema`` and the zero-row ``typed`` frame), or
    ``None`` when a rule cannot be counted there (``NotCountable``: noted on the session
    ``s``, pandas validates it). ``rows`` is counted
    in the engine when not given; ``constant`` (the features constant over the rows) is
    asked only once the failures are counted, ``{}`` when not given."""
    from sentinel_checks.checks.contract import judge_schema
    from sentinel_checks.engine import contract_counts

    try:
        groups = contract_counts.contract_failures(table, schema, typed)
    except contract_counts.NotCountable as error:
        s.note(_not_counted(dataset, error))
        return None
    return judge_schema(
        groups,
        rows=int(table.count().execute()) if rows is None else rows,
        columns=len(typed.columns),
        checked=len(schema.columns),
        constant={} if constant is None else constant(),
        dataset=dataset,
    )


def production_contract(s: GateSession) -> CheckResult:
    """``contract.schema`` of the production sample (the label may be absent).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.production`` and ``s.dataset`` (the reference for
        each feature's kind; the dataset's typed columns when it lies in the engine),
        or, when the engine reads the production sample where it lies, counts its
        failure cases there (:func:`_production_contract_in_engine`).

    Returns
    -------
    CheckResult
        Check id ``contract.schema`` (dataset ``"production"``), with limits from
        ``[columns]`` and ``[contract] features``.

    Raises
    ------
    NotConfigured
        No ``[production]`` sample is configured.
    DataError
        The production sample or the dataset is missing, unreadable or empty.
    """
    from sentinel_checks.checks import check_schema
    from sentinel_checks.data.io import feature_columns

    cfg = s.config
    counted = _production_contract_in_engine(s)
    if counted is not None:
        return counted
    production = s.production
    typed = s.engine_typed_frame  # the dataset's dtypes, without its rows, when it lies in the engine
    dataset = typed if typed is not None else s.dataset
    return check_schema(
        production,
        columns=cfg.columns,
        features=feature_columns(dataset, cfg),
        rules=cfg.contract.features,
        dataset="production",
        label_required=False,
        extra_required=cfg.required_columns(production=True),
        reference=dataset,
    )


def _production_contract_in_engine(s: GateSession) -> CheckResult | None:
    """``contract.schema`` of the production sample counted where it lies, as the dataset's
    (:func:`_contract_in_engine`): pandera on its zero-row typed frame for the column-level
    checks, :func:`~sentinel_checks.engine.contract_counts.contract_failures` for the rows;
    the reference (each feature's kind) is the dataset's typed frame, or the dataset, as on
    the pandas path. ``None`` when the engine does not read the sample there, or a rule
    compares values of another type than its column's: the pandas frame is validated then."""
    from sentinel_checks.checks import check_schema
    from sentinel_checks.checks.contract import contract_schema
    from sentinel_checks.data.io import feature_columns

    table = s.engine_production
    if table is None:
        return None
    typed = s.engine_production_typed_frame
    assert typed is not None  # read from the files the engine reads
    cfg = s.config
    reference = s.engine_typed_frame
    dataset = reference if reference is not None else s.dataset
    features = feature_columns(dataset, cfg)
    rules, required = cfg.contract.features, cfg.required_columns(production=True)
    rows = int(table.count().execute())
    if rows == 0:  # the pandas words for an empty sample
        return check_schema(
            typed,
            columns=cfg.columns,
            features=features,
            rules=rules,
            dataset="production",
            label_required=False,
            extra_required=required,
            reference=dataset,
        )
    schema = contract_schema(
        cfg.columns,
        features=features,
        rules=rules,
        label_required=False,
        extra_required=required,
        reference=dataset,
    )
    return _judged_in_engine(s, table, schema, typed, dataset="production", rows=rows)


def _not_counted(dataset: str, error: Exception) -> str:
    """The note of a contract the engine could not count: pandas validated ``dataset``."""
    return (
        f"contract.schema of {dataset} was validated through pandas, not counted in the engine: "
        f"{error}; give the [contract.features] rule values of the column's type "
        "(text for a text column, numbers for a numeric one, whole numbers in allowed) to count it there"
    )


def split_labels(s: GateSession, split: str) -> CheckResult:
    """``contract.labels`` of one split.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.engine_label_counts`` when the engine split the data,
        else ``s.split_labels`` (boolean arrays, True = risky).
    split : str
        ``"train"``, ``"val"`` or ``"test"``.

    Returns
    -------
    CheckResult
        Check id ``contract.labels``; limits from ``[contract]``
        (:func:`~sentinel_checks.gate.policy.labels`).

    Raises
    ------
    DataError
        The dataset cannot be loaded or split, or its label is not binary.
    """
    from sentinel_checks.checks import check_labels
    from sentinel_checks.checks.contract import check_label_counts

    counts = s.engine_label_counts(split)  # counted in the engine when it split the data
    if counts is not None:
        return check_label_counts(*counts, split=split, **policy.labels(s.config))
    return check_labels(s.split_labels[split], split=split, **policy.labels(s.config))
