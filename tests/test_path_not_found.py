"""A data path that names nothing: the nearest name in its folder, or what is wrong with
its folder (trial: `[data] path = "data/requestz.parquet"` said only "path not found")."""

from __future__ import annotations

from sentinel_checks.errors import NEAREST_SCAN, path_not_found

END = "(no such file or directory)"


def test_a_typo_names_the_nearest_file(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "requests.parquet").write_text("x")
    (tmp_path / "data" / "production.parquet").write_text("x")
    told = path_not_found(tmp_path / "data" / "requestz.parquet", "[data]")
    assert told.endswith(f"{END}; did you mean {tmp_path / 'data' / 'requests.parquet'}?")
    assert path_not_found(tmp_path / "data" / "labels.csv").endswith(END)  # nothing close: no guess


def test_a_file_name_is_never_matched_to_a_folder_and_a_folder_is_shown_as_one(tmp_path):
    (tmp_path / "requests.parquet").mkdir()  # a folder of that name
    assert path_not_found(tmp_path / "requestz.parquet").endswith(END)
    (tmp_path / "logs").mkdir()
    assert path_not_found(tmp_path / "logz").endswith(f"; did you mean {tmp_path / 'logs'}/?")


def test_the_folder_is_missing_or_a_file(tmp_path):
    gone = path_not_found(tmp_path / "logs" / "requests.parquet")
    assert gone.endswith(f"; its folder {tmp_path / 'logs'}/ does not exist either")
    (tmp_path / "README.md").write_text("x")
    assert path_not_found(tmp_path / "README.md" / "x.parquet").endswith(
        f"; {tmp_path / 'README.md'} is a file, not a folder"
    )


def test_no_hint_for_a_glob_a_uri_the_current_folder_or_a_huge_folder(tmp_path, monkeypatch):
    (tmp_path / "requests.parquet").write_text("x")
    assert path_not_found(tmp_path / "*.csv").endswith(END)
    assert path_not_found("s3://bucket/data/requestz.parquet").endswith(END)
    monkeypatch.chdir(tmp_path)
    assert path_not_found("requestz.parquet").endswith(END)  # the current folder: not listed
    many = tmp_path / "many"
    many.mkdir()
    for i in range(NEAREST_SCAN + 1):
        (many / f"part-{i:05d}.parquet").touch()
    assert path_not_found(many / "part-0000x.parquet").endswith(END)


def test_a_misspelt_model_file_names_the_nearest_one(tmp_path):
    """Trial (stop 49): `models/fixd.skops` got no "did you mean", where a data path did."""
    import pytest

    from sentinel_checks.config.inputs import ModelSpec
    from sentinel_checks.errors import ModelLoadError
    from sentinel_checks.models.loading import load_model

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "fixed.skops").write_bytes(b"")
    with pytest.raises(ModelLoadError) as err:
        load_model(ModelSpec(path=tmp_path / "models" / "fixd.skops"), role="candidate")
    assert str(err.value).endswith(f"; did you mean {tmp_path / 'models' / 'fixed.skops'}?"), err.value
