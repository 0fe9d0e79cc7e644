"""`sentinel monitor`: alerts on planted faults, none on a stable stream, safe history."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from sentinel_checks.config import load_config
from sentinel_checks.data.jsonl import read_lines
from sentinel_checks.monitor.run import run_monitor

MONITOR = """
[monitor]
score_column = "score"
threshold = {threshold}
history = "history.jsonl"
"""


@pytest.fixture
def make_project(gate_project, small_log, production_pool):
    """The small project, monitored through its score column at the threshold that
    reaches recall 0.85 on the test month. ``reference=True``: the reference is a
    labelled batch of production (the same population as the batches); otherwise the
    test split (the default)."""

    def make(*, reference: bool = True):
        test = small_log.offline[small_log.offline["request_ts"] >= "2025-10-02"]
        threshold = float(np.quantile(test.loc[test["label"] == "risky", "score"], 0.15))
        extra = MONITOR.format(threshold=threshold)
        if reference:
            extra += 'reference = "reference.parquet"\n'
        project = gate_project(extra=extra)
        if reference:
            reference = production_pool.labelled.iloc[:8_000]
            _write(_batch(reference, len(reference), -1, seed=0, replace=False), project.folder, "reference")
        return project

    return make


@pytest.fixture
def project(make_project):
    return make_project()


@pytest.fixture(scope="module")
def production_pool(small_model):
    """70k fresh production requests from the same generator (another seed), scored by the
    small log's model: batches drawn from it without replacement are independent samples
    of one population."""
    from sentinel_checks.demo.data import generate
    from tests.conftest import SOUND_FEATURES

    model, _ = small_model
    pool = generate(400_000, seed=41).production
    pool = pool.iloc[np.random.default_rng(0).permutation(len(pool))].reset_index(drop=True)
    pool["score"] = model.predict_proba(pool[SOUND_FEATURES])[:, 1]
    labelled = pool[pool["label"].notna()]
    return Pool(
        labelled=labelled.reset_index(drop=True), unlabelled=pool[pool["label"].isna()].reset_index(drop=True)
    )


@dataclass
class Pool:
    """Shuffled production requests; the first 8,000 labelled ones are the reference."""

    labelled: pd.DataFrame
    unlabelled: pd.DataFrame

    def stream(self, parts: int) -> list[pd.DataFrame]:
        """``parts`` disjoint batches of the rows the reference does not use."""
        rest = pd.concat([self.labelled.iloc[8_000:], self.unlabelled]).sample(frac=1.0, random_state=1)
        return [rest.iloc[idx] for idx in np.array_split(np.arange(len(rest)), parts)]


def _labelled(small_log):
    return small_log.production[small_log.production["label"].notna()].reset_index(drop=True)


def _batch(source: pd.DataFrame, n: int, day: int, seed: int, *, replace: bool = True) -> pd.DataFrame:
    """A batch of ``source`` rows (resampled, or all of them in order with ``replace=False``):
    fresh request ids, one day of timestamps."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(source), n) if replace else np.arange(len(source))
    batch = source.iloc[rows].copy().reset_index(drop=True)
    batch["request_id"] = [f"b{day}-{i}" for i in range(n)]
    start = pd.Timestamp("2025-11-01", tz="UTC") + pd.Timedelta(days=day)
    batch["request_ts"] = start + pd.to_timedelta(np.sort(rng.uniform(0, 86_000, n)), unit="s")
    return batch


def _write(batch: pd.DataFrame, folder, name: str):
    path = folder / f"{name}.parquet"
    batch.to_parquet(path, index=False)
    return path


def _monitor(project, path, *extra):
    return main(
        [
            "monitor",
            "--config",
            str(project.config),
            "--batch",
            str(path),
            "--reports",
            str(project.folder / "reports"),
            *extra,
        ]
    )


@pytest.mark.slow
def test_a_stable_stream_of_20_batches_raises_no_alert(project, production_pool):
    """20 batches and the reference drawn, without replacement, from one population:
    every alert would be a false alarm."""
    alerts = []
    for day, rows in enumerate(production_pool.stream(20)):
        path = _write(_batch(rows, len(rows), day, seed=day, replace=False), project.folder, f"batch{day}")
        outcome = run_monitor(load_config(project.config), path, reports_dir=project.folder / "reports")
        alerts += [(day, a.id, a.parameters["segment"], a.message) for a in outcome.alerts]
    assert not alerts, "\n".join(map(str, alerts))  # false alarms over 20 stable batches: 0
    history = read_lines(project.folder / "history.jsonl")
    assert len(history) == 20
    judged = [h for h in history if h["scopes"]["overall"]["n_positive"] >= 30]
    assert len(judged) == 20  # the recall rule was really exercised, not skipped


def test_a_shifted_score_distribution_raises_the_score_alert_and_a_retrain_trigger(
    project, small_log, capsys
):
    batch = _batch(small_log.production, 4_000, 0, seed=1)
    batch["score"] = np.clip(batch["score"] * 2.5, 0, 1)  # an upstream change inflates every score
    code = _monitor(project, _write(batch, project.folder, "shifted"))
    out = capsys.readouterr().out
    assert code == EXIT_FAILED
    assert "monitor.score_shift [overall]" in out and "monitor.flagged_fraction [overall]" in out
    assert "retrain trigger: alert: score_shift" in out and "sentinel gate" in out
    latest = json.loads((project.folder / "reports" / "monitoring" / "latest.json").read_text())
    assert {(a["id"], a["scope"]) for a in latest["alerts"]} >= {("monitor.score_shift", "overall")}


def test_recall_dropping_in_one_country_alerts_that_segment_while_overall_holds(project, production_pool):
    rows = production_pool.labelled.iloc[8_000:24_000]
    batch = _batch(rows, len(rows), 0, seed=2, replace=False)
    risky = batch["label"] == "risky"
    counts = batch.loc[risky, "country"].value_counts()
    country = counts[counts >= 35].index[-1]  # the smallest country that can be judged
    assert counts[country] / counts.sum() < 0.15
    batch.loc[risky & (batch["country"] == country), "score"] = 0.0  # never learnt this country's fraud
    outcome = run_monitor(
        load_config(project.config),
        _write(batch, project.folder, "seg"),
        reports_dir=project.folder / "reports",
    )
    recall_alerts = [a for a in outcome.alerts if a.id == "monitor.recall"]
    assert [a.parameters["segment"] for a in recall_alerts] == [f"country={country}"]
    assert recall_alerts[0].status.value == "fail"  # critical by default
    overall = next(
        r for r in outcome.results if r.id == "monitor.recall" and r.parameters["segment"] == "overall"
    )
    assert overall.passed


def test_late_labels_join_on_the_request_id(project, small_log):
    batch = _batch(_labelled(small_log), 4_000, 0, seed=3)
    labels = batch[["request_id", "label"]].copy()
    batch["label"] = None  # labels arrive later, in their own file
    path = _write(batch, project.folder, "unlabelled")
    labels_path = project.folder / "labels.csv"
    labels.to_csv(labels_path, index=False)
    config = load_config(project.config)
    before = run_monitor(config, path, reports_dir=project.folder / "r1")
    assert before.record["scopes"]["overall"]["n_labelled"] == 0
    # the same batch with its labels joined (a fresh history: the batch was already monitored)
    config = config.model_copy(
        update={"monitor": config.monitor.model_copy(update={"history": project.folder / "h2.jsonl"})}
    )
    after = run_monitor(config, path, labels_path=labels_path, reports_dir=project.folder / "r2")
    overall = after.record["scopes"]["overall"]
    assert overall["n_labelled"] == 4_000 and overall["n_positive"] == int((labels["label"] == "risky").sum())
    assert overall["recall"] is not None


@pytest.mark.slow
def test_estimated_recall_tracks_the_true_recall(make_project, small_log):
    """The label-free estimate on the production month, against the truth on its labelled
    rows (judged against the default reference, the test split)."""
    project = make_project(reference=False)
    path = _write(_labelled(small_log), project.folder, "production")
    overall = run_monitor(load_config(project.config), path, reports_dir=project.folder / "reports").record[
        "scopes"
    ]["overall"]
    assert abs(overall["estimated_recall"] - overall["recall"]) <= 0.06, overall


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("empty", "has no rows"),
        ("missing_score", "score column 'score'"),
        ("score_outside", "outside [0, 1]"),
        ("duplicate_ids", "appear more than once"),
        ("bad_label", "outside positive='risky' / negative='safe'"),
    ],
)
def test_bad_batches_are_clear_errors_and_leave_the_history_alone(project, small_log, capsys, fault, message):
    good = _batch(small_log.production, 2_000, 0, seed=4)
    assert _monitor(project, _write(good, project.folder, "good")) in (EXIT_OK, EXIT_FAILED)
    history_before = (project.folder / "history.jsonl").read_bytes()
    bad = _batch(small_log.production, 2_000, 1, seed=5)
    if fault == "empty":
        bad = bad.iloc[:0]
    elif fault == "missing_score":
        bad = bad.drop(columns="score")
    elif fault == "score_outside":
        bad.loc[3, "score"] = 1.7
    elif fault == "duplicate_ids":
        bad.loc[5, "request_id"] = bad.loc[4, "request_id"]
    elif fault == "bad_label":
        bad.loc[6, "label"] = "maybe"
    capsys.readouterr()
    assert _monitor(project, _write(bad, project.folder, "bad")) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert (project.folder / "history.jsonl").read_bytes() == history_before


def test_an_older_batch_or_the_same_batch_again_is_refused(project, small_log, capsys):
    later = _write(_batch(small_log.production, 2_000, 5, seed=6), project.folder, "later")
    earlier = _write(_batch(small_log.production, 2_000, 1, seed=7), project.folder, "earlier")
    assert _monitor(project, later) in (EXIT_OK, EXIT_FAILED)
    capsys.readouterr()
    assert _monitor(project, earlier) == EXIT_USAGE
    assert "out of order" in capsys.readouterr().err
    assert _monitor(project, later) == EXIT_USAGE
    assert "already monitored" in capsys.readouterr().err
    assert len(read_lines(project.folder / "history.jsonl")) == 1


def test_history_survives_a_crash_during_append_and_the_trend_report_reads_it(project, small_log):
    first = _write(_batch(small_log.production, 2_000, 0, seed=8), project.folder, "first")
    _monitor(project, first)
    with (project.folder / "history.jsonl").open("a") as fh:
        fh.write(
            '{"batch": "half-written',
        )  # the process died mid-append
    second = _batch(small_log.production, 2_000, 1, seed=9)
    second["score"] = np.clip(second["score"] * 2.5, 0, 1)
    _monitor(project, _write(second, project.folder, "second"))
    history = read_lines(project.folder / "history.jsonl")
    assert [h["batch"].rsplit("/", 1)[-1] for h in history] == ["first.parquet", "second.parquet"]
    assert (
        main(
            [
                "monitor",
                "report",
                "--config",
                str(project.config),
                "--reports",
                str(project.folder / "reports"),
            ]
        )
        == 0
    )
    page = (project.folder / "reports" / "monitoring" / "trend.html").read_text()
    assert page.count("<figure>") >= 4 and "monitor.score_shift [overall] warning" in page


def test_a_healthy_batch_exits_0_and_says_so(project, production_pool, capsys):
    rows = production_pool.stream(20)[0]
    assert (
        _monitor(project, _write(_batch(rows, len(rows), 0, seed=0, replace=False), project.folder, "ok"))
        == EXIT_OK
    )
    out = capsys.readouterr().out
    assert "monitor: healthy" in out and "latest.md" in out
    assert "HEALTHY" in (project.folder / "reports" / "monitoring" / "latest.md").read_text()


@pytest.mark.slow
def test_snapshots_go_to_an_evidently_workspace_and_segments_get_evidently_scores(project, production_pool):
    import warnings

    from evidently.ui.workspace import Workspace

    text = project.config.read_text().replace("[monitor]\n", '[monitor]\nevidently_workspace = "workspace"\n')
    project.config.write_text(text)
    for day, rows in enumerate(production_pool.stream(20)[:2]):
        path = _write(_batch(rows, len(rows), day, seed=day, replace=False), project.folder, f"b{day}")
        outcome = run_monitor(load_config(project.config), path, reports_dir=project.folder / "reports")
    scopes = outcome.record["scopes"]
    assert scopes["overall"]["evidently"]["method"].startswith("Wasserstein")
    assert all("evidently" in s for s in scopes.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workspace = Workspace(str(project.folder / "workspace"))
        [monitoring] = workspace.search_project("gradient-sentinel monitoring")
        assert len(workspace.list_runs(monitoring.id)) == 2


def test_a_batch_can_come_from_the_teams_loader(project, production_pool, capsys, monkeypatch):
    rows = production_pool.stream(20)[3]
    _write(_batch(rows, len(rows), 0, seed=0, replace=False), project.folder, "from_warehouse")
    (project.folder / "warehouse.py").write_text(
        "import pandas as pd\n\ndef todays_batch():\n    return pd.read_parquet('from_warehouse.parquet')\n"
    )
    monkeypatch.chdir(project.folder)  # the loader reads a relative path, as a team's might
    assert _monitor(project, "warehouse:todays_batch") == EXIT_OK
    history = read_lines(project.folder / "history.jsonl")
    assert history[-1]["batch"] == "warehouse:todays_batch"
    # the same rows again, now from the file: recognised by content
    assert _monitor(project, project.folder / "from_warehouse.parquet") == EXIT_USAGE
    assert "already monitored" in capsys.readouterr().err


def test_the_gates_threshold_is_used_only_for_the_model_it_was_chosen_for(project, tmp_path):
    from types import SimpleNamespace

    from sentinel_checks.errors import ConfigError
    from sentinel_checks.monitor.batch import operating_threshold as _threshold

    config = load_config(project.config)
    config = config.model_copy(update={"monitor": config.monitor.model_copy(update={"threshold": None})})
    (tmp_path / "threshold.json").write_text(json.dumps({"threshold": 0.3, "identity": "sha256:aaa"}))
    served = SimpleNamespace(identity="models:/risk-classifier/3 sha256:aaa")
    assert _threshold(config, tmp_path, served) == 0.3
    other = SimpleNamespace(identity="sha256:bbb")
    with pytest.raises(ConfigError, match="set \\[monitor\\] threshold"):
        _threshold(config, tmp_path, other)
    with pytest.raises(ConfigError, match="no operating threshold"):
        _threshold(config, tmp_path / "nowhere", served)


def _threshold_config(project, tmp_path, *, monitored: str):
    """The project's config with a candidate and a champion file (different bytes) and no
    configured threshold: the monitor must take it from a threshold.json."""
    for role in ("candidate", "champion"):
        (tmp_path / f"{role}.skops").write_bytes(role.encode())
    text = project.config.read_text().replace('score_column = "score"\nthreshold', "# threshold")
    text = text.replace(
        '[models.candidate]\nscore_column = "score"', '[models.candidate]\npath = "candidate.skops"'
    )
    text += f'model = "{monitored}"\n\n[models.champion]\npath = "champion.skops"\n'
    project.config.write_text(text)
    return load_config(project.config)


def test_no_threshold_json_names_the_file_looked_for_the_command_that_writes_it_and_the_key(
    project, tmp_path
):
    from types import SimpleNamespace

    from sentinel_checks.errors import ConfigError
    from sentinel_checks.monitor.batch import operating_threshold

    config = _threshold_config(project, tmp_path, monitored="candidate")
    served = SimpleNamespace(identity="sha256:aaa", role="candidate")
    with pytest.raises(ConfigError) as err:
        operating_threshold(config, tmp_path / "gate-reports", served)
    message = str(err.value)
    assert str(tmp_path / "gate-reports" / "threshold.json") in message  # the very file looked for
    assert f"sentinel gate --config {config.source} --reports {tmp_path / 'gate-reports'}" in message
    assert "--sentinel-reports" in message  # the pytest route writes it too
    assert "[monitor] threshold" in message


def test_a_threshold_json_of_another_model_names_both_roles_their_files_and_the_keys(project, tmp_path):
    from types import SimpleNamespace

    from sentinel_checks.errors import ConfigError
    from sentinel_checks.models.loading import model_identity
    from sentinel_checks.monitor.batch import operating_threshold

    config = _threshold_config(project, tmp_path, monitored="champion")
    assert config.models.candidate is not None and config.models.champion is not None
    chosen_for = model_identity(config.models.candidate)
    served = SimpleNamespace(identity=model_identity(config.models.champion), role="champion")
    (tmp_path / "threshold.json").write_text(
        json.dumps({"model": "candidate", "identity": chosen_for, "threshold": 0.3})
    )
    with pytest.raises(ConfigError) as err:
        operating_threshold(config, tmp_path, served)
    message = str(err.value)
    assert "the candidate (candidate.skops" in message
    assert "the champion (champion.skops" in message
    assert '[monitor] model = "candidate"' in message
    assert "[monitor] threshold" in message


def _scope(recall: float, flagged: float, n: int = 2_000) -> dict:
    return {
        "n": n,
        "flagged_fraction": flagged,
        "psi": 0.01,
        "recall": recall,
        "recall_low": recall - 0.08,
        "recall_high": recall + 0.06,
        "estimated_recall": recall,
        "brier": 0.03,
    }


def test_the_trend_page_marks_segment_alerts_on_their_own_line_and_draws_the_overall_limit_only_for_overall(
    project, monkeypatch
):
    """A segment far below the overall limit but healthy against its own reference, and
    another that alerted: the figure gets the overall limit(s) alone (both sides of the
    flagged band), the segment's alert on the segment's line, and the page says which rule
    applies."""
    from sentinel_checks.data.jsonl import append_line
    from sentinel_checks.monitor import trend

    config = load_config(project.config)
    reference = {"overall": _scope(0.85, 0.20), "channel=api": _scope(0.55, 0.1)}
    for day, alerts in enumerate(
        ([], [{"id": "monitor.recall", "scope": "country=BR", "severity": "critical"}])
    ):
        scopes = {
            "overall": _scope(0.84, 0.21),
            "channel=api": _scope(0.56, 0.1),  # under the overall limit 0.75, healthy against its own 0.45
            "country=BR": _scope(0.80 - 0.3 * day, 0.2),
        }
        append_line(
            config.monitor.history,
            {
                "batch": f"b{day}",
                "time_range": [f"2025-11-0{day + 1}", f"2025-11-0{day + 2}"],
                "scopes": scopes,
                "reference": reference,
                "alerts": alerts,
            },
        )
    drawn = {}

    def capture(series, *, title, limit, alerts, path, **kwargs):
        drawn[title] = {"limit": limit, "alerts": alerts, "series": series}
        path.write_bytes(b"")
        return path

    monkeypatch.setattr(trend, "trend_figure", capture)
    page = trend.write_trend_report(config, project.folder / "monitoring").read_text()
    recall = drawn["Recall of the risky class (labelled rows)"]
    assert recall["limit"] == [[pytest.approx(0.75)] * 2]  # the overall limit, one line, nothing per segment
    assert recall["alerts"]["country=BR"] == [(1, pytest.approx(0.5))]  # on the segment's own line
    assert recall["alerts"]["overall"] == [] and recall["alerts"]["channel=api"] == []
    flagged = drawn["Flagged fraction at the operating threshold"]["limit"]
    assert flagged == [[pytest.approx(0.30)] * 2, [pytest.approx(0.10)] * 2]  # the band is two-sided
    assert "The dashed line is the limit of the overall line only" in page


def test_the_monitor_report_reads_without_reprs(project, small_log):
    """Issue 17: latest.md and every check message of a batch with alerts hold no Python
    repr (``np.``, ``{'``, ``None``, ``True``/``False``, ``nan``) and no unformatted float."""
    from tests.test_messages import REPORT_REPR

    batch = _batch(small_log.production, 4_000, 0, seed=1)
    batch["score"] = np.clip(batch["score"] * 2.5, 0, 1)
    outcome = run_monitor(
        load_config(project.config),
        _write(batch, project.folder, "shifted"),
        reports_dir=project.folder / "reports",
    )
    python_words = re.compile(r"\b(None|True|False|nan)\b")
    texts = [f"{r.label}: {r.message}" for r in outcome.results]
    texts += (project.folder / "reports" / "monitoring" / "latest.md").read_text().splitlines()
    found = [t for t in texts if REPORT_REPR.search(t) or python_words.search(t)]
    assert not found, "\n".join(found)


def test_a_batch_path_that_is_a_folder_or_missing_says_which(tmp_path):
    """Trial: a folder given as the batch was reported as "file not found"."""
    from sentinel_checks.config import load_config
    from sentinel_checks.errors import DataError
    from sentinel_checks.monitor.batch import load_batch
    from tests.test_config import MINIMAL, write

    config = load_config(write(tmp_path, MINIMAL))
    (tmp_path / "batches").mkdir()
    with pytest.raises(DataError, match="batch .*batches is a folder: sentinel monitor reads one batch file"):
        load_batch(config, tmp_path / "batches", "batch")
    with pytest.raises(
        DataError, match=r"batch path not found: .*nope.parquet \(no such file or directory\)"
    ):
        load_batch(config, tmp_path / "nope.parquet", "batch")
