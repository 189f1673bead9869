"""Result directories (ics_abm.output.results): every file, provenance, hashes and atomic replacement."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ics_abm import load_scenario, run
from ics_abm.output import results as results_module
from ics_abm.output.results import (
    MANIFEST,
    PARQUET_METADATA_KEY,
    TABLES,
    ResultsError,
    check_out_dir,
    read_manifest,
    write_results,
)
from ics_abm.scenario.loading import scenario_hash, scenario_to_dict
from tests.files import leftovers, sha256, snapshot

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TOML = REPO / "scenarios" / "default.toml"
STEPS = 24
SEED = 3

EXPECTED_FILES = {
    "system.parquet", "system.csv", "trust_by_kind.parquet", "trust_by_kind.csv",
    "organisations.parquet", "organisations.csv", "manifest.json", "figure.png", "scenario.toml",
}
LIBRARIES = ("python", "numpy", "numba", "mesa", "networkx", "pandas", "pyarrow", "pydantic", "seaborn", "matplotlib")


@pytest.fixture(scope="module")
def scenario_text() -> str:
    with open(DEFAULT_TOML, encoding="utf-8", newline="") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(DEFAULT_TOML), seed=SEED, steps=STEPS)


@pytest.fixture(scope="module")
def written(tmp_path_factory, result, scenario_text) -> Path:
    out = tmp_path_factory.mktemp("written") / "out"
    returned = write_results(
        result, out, scenario_path=DEFAULT_TOML, scenario_text=scenario_text, command=["ics-abm", "run", "x"]
    )
    assert returned == out
    return out


def write(result, out: Path, text: str, **kwargs) -> Path:
    command = "ics-abm run s.toml"
    return write_results(result, out, scenario_path="s.toml", scenario_text=text, command=command, **kwargs)


def fast_figure(monkeypatch) -> None:
    """Replace the (slow, ~2 s) figure by a stub where the figure is not what is tested."""
    monkeypatch.setattr(results_module, "_write_figure", lambda result, path: path.write_bytes(b"png"))


# --------------------------------------------------------------------------------------------
# What is written
# --------------------------------------------------------------------------------------------


def test_every_file_is_written_and_nothing_else(written):
    assert {p.name for p in written.iterdir()} == EXPECTED_FILES
    assert leftovers(written.parent) == []
    assert (written / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_scenario_toml_is_a_verbatim_copy(written):
    assert (written / "scenario.toml").read_bytes() == DEFAULT_TOML.read_bytes()


def test_manifest_fields(written, result, scenario_text):
    manifest = read_manifest(written)
    assert manifest["scenario"] == result.metadata["scenario"]
    assert manifest["scenario_path"] == str(DEFAULT_TOML)
    assert manifest["scenario_text"] == scenario_text
    assert manifest["scenario_sha256"] == scenario_hash(scenario_text)
    assert manifest["scenario_sha256"] == hashlib.sha256(DEFAULT_TOML.read_bytes()).hexdigest()
    assert manifest["parameters"] == json.loads(json.dumps(scenario_to_dict(load_scenario(DEFAULT_TOML))))
    assert manifest["seed"] == SEED and manifest["steps"] == STEPS
    assert manifest["organisations"] == result.metadata["organisations"]
    assert manifest["relationships"] == result.metadata["relationships"]
    assert manifest["command"] == "ics-abm run x"
    assert manifest["ics_abm_version"]
    assert set(manifest["versions"]) == set(LIBRARIES)
    assert all(manifest["versions"].values())
    assert manifest["platform"]
    assert manifest["started_utc"].endswith("+00:00")
    assert manifest["wall_time_s"] >= 0


def test_manifest_hashes_every_other_file(written):
    files = read_manifest(written)["files"]
    assert set(files) == EXPECTED_FILES - {MANIFEST}
    for name, record in files.items():
        path = written / name
        assert record == {"sha256": sha256(path), "bytes": path.stat().st_size}


@pytest.mark.parametrize("table", TABLES)
def test_parquet_equals_csv_equals_result(written, result, table):
    from_parquet = pd.read_parquet(written / f"{table}.parquet")
    from_csv = pd.read_csv(written / f"{table}.csv")
    expected = getattr(result, table)
    pd.testing.assert_frame_equal(from_parquet, expected, check_exact=True)
    pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False, check_exact=True)
    assert list(from_csv.columns) == list(expected.columns)


@pytest.mark.parametrize("table", TABLES)
def test_parquet_carries_the_provenance(written, table):
    metadata = pq.read_schema(written / f"{table}.parquet").metadata
    provenance = json.loads(metadata[PARQUET_METADATA_KEY])
    manifest = read_manifest(written)
    # Everything that made the results; not what changes from one invocation to the next.
    for key in ("ics_abm_version", "scenario", "scenario_text", "scenario_sha256", "parameters", "seed",
                "steps", "organisations", "relationships", "versions", "platform"):
        assert provenance[key] == manifest[key], key
    assert not {"files", "started_utc", "wall_time_s", "command"} & set(provenance)


def test_results_directory_is_readable_by_others_as_usual(written):
    # Not private (mode 0700) like a tempfile.mkdtemp directory: same mode as a new directory.
    probe = written.parent / "probe"
    probe.mkdir()
    assert (written.stat().st_mode & 0o777) == (probe.stat().st_mode & 0o777)


def test_read_manifest_of_a_directory_without_one(tmp_path):
    with pytest.raises(ResultsError, match="no manifest.json"):
        read_manifest(tmp_path)


# --------------------------------------------------------------------------------------------
# Refusing, replacing, interrupted writes
# --------------------------------------------------------------------------------------------


def test_refuses_a_non_empty_directory_without_force(tmp_path, result, scenario_text):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    with pytest.raises(ResultsError) as info:
        write(result, out, scenario_text)
    assert "--force" in str(info.value) and "\n" not in str(info.value)
    assert (out / "keep.txt").read_text() == "precious"


def test_force_never_replaces_a_directory_that_is_not_a_results_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("not results")
    with pytest.raises(ResultsError, match="not an ics_abm results directory"):
        check_out_dir(tmp_path, force=True)


def test_refuses_a_file(tmp_path):
    path = tmp_path / "a_file"
    path.write_text("x")
    with pytest.raises(ResultsError, match="not a directory"):
        check_out_dir(path, force=True)


def test_empty_directory_is_used(tmp_path, result, scenario_text, monkeypatch):
    fast_figure(monkeypatch)
    out = tmp_path / "empty"
    out.mkdir()
    write(result, out, scenario_text)
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
    assert leftovers(tmp_path) == []


def test_force_replaces_a_complete_directory(tmp_path, result, scenario_text, monkeypatch):
    fast_figure(monkeypatch)
    out = tmp_path / "out"
    write(result, out, scenario_text)
    (out / "stale.txt").write_text("from the previous run")
    other = run(load_scenario(DEFAULT_TOML), seed=SEED + 1, steps=STEPS)
    write(other, out, scenario_text, force=True)
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
    assert read_manifest(out)["seed"] == SEED + 1
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("existing", [False, True])
def test_interrupted_write_leaves_nothing_or_the_old_directory(tmp_path, result, scenario_text, monkeypatch, existing):
    out = tmp_path / "out"
    fast_figure(monkeypatch)
    if existing:
        write(result, out, scenario_text)
        before = snapshot(out)

    def broken_figure(result, path):
        path.write_bytes(b"\x89PNG half a figure")  # a partial file exists when the failure comes
        raise KeyboardInterrupt

    monkeypatch.setattr(results_module, "_write_figure", broken_figure)
    with pytest.raises(KeyboardInterrupt):
        write(result, out, scenario_text, force=True)
    if existing:
        assert snapshot(out) == before  # the old complete version, untouched
    else:
        assert not out.exists()
    assert leftovers(tmp_path) == []


def test_failure_between_the_renames_puts_the_old_directory_back(tmp_path, result, scenario_text, monkeypatch):
    fast_figure(monkeypatch)
    out = tmp_path / "out"
    write(result, out, scenario_text)
    before = snapshot(out)
    real_replace = os.replace

    def replace(src, dst):
        if str(src).endswith(".partial"):  # the new directory's rename into place fails
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(results_module.os, "replace", replace)
    with pytest.raises(OSError):
        write(result, out, scenario_text, force=True)
    monkeypatch.setattr(results_module.os, "replace", real_replace)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_crash_between_the_renames_is_recovered_by_the_next_write(tmp_path, result, scenario_text, monkeypatch):
    """A hard crash (no cleanup) after the old directory was moved aside: DIR is absent, the old
    results are beside it; the next write into DIR restores them first (and then refuses)."""
    fast_figure(monkeypatch)
    out = tmp_path / "out"
    write(result, out, scenario_text)
    before = snapshot(out)
    aside = tmp_path / ".out.999999999-0123abcd.old"  # a dead process's names
    os.replace(out, aside)
    partial = tmp_path / ".out.999999999-4567abcd.partial"
    partial.mkdir()
    (partial / "system.csv").write_text("half")
    with pytest.raises(ResultsError, match="--force"):
        write(result, out, scenario_text)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_run_that_gets_there_first_is_not_replaced_without_force(tmp_path, result, scenario_text, monkeypatch):
    out = tmp_path / "out"

    def other_run_finishes_meanwhile(result, path):
        out.mkdir()
        (out / MANIFEST).write_text("{}")  # another process's complete results
        path.write_bytes(b"png")

    monkeypatch.setattr(results_module, "_write_figure", other_run_finishes_meanwhile)
    with pytest.raises(ResultsError, match="--force"):
        write(result, out, scenario_text)
    assert [p.name for p in out.iterdir()] == [MANIFEST]
    assert leftovers(tmp_path) == []


def test_leftover_partial_directories_are_cleaned(tmp_path, result, scenario_text, monkeypatch):
    fast_figure(monkeypatch)
    dead = tmp_path / ".out.999999999-89abcdef.partial"
    dead.mkdir()
    (dead / "system.parquet").write_bytes(b"PAR1 half")
    live = tmp_path / f".out.{os.getppid()}-89abcdef.partial"  # another process may still be writing
    live.mkdir()
    unrelated = tmp_path / ".out.extra.999999999-89abcdef.partial"  # belongs to a DIR named "out.extra"
    unrelated.mkdir()
    write(result, tmp_path / "out", scenario_text)
    assert not dead.exists()
    assert live.exists() and unrelated.exists()
    assert {p.name for p in (tmp_path / "out").iterdir()} == EXPECTED_FILES


def test_parent_directories_are_created(tmp_path, result, scenario_text, monkeypatch):
    fast_figure(monkeypatch)
    out = tmp_path / "a" / "b" / "out"
    write(result, out, scenario_text)
    assert (out / MANIFEST).is_file()
