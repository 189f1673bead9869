"""The command-line interface (ics_abm.cli): ``ics-abm run`` and ``ics-abm validate``.

Runs are short (<= 24 months). ``figure.png`` is drawn only with ``--figure``; where it is drawn but
is not what a test is about it is replaced by a stub, because drawing it takes about 2 s; the
figure itself is tested in test_plotting.py and is drawn for real by the first run here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm import __version__
from ics_abm.cli import run as run_module
from ics_abm.output import results as results_module
from ics_abm.output.results import TABLES, read_manifest
from ics_abm.scenario.loading import scenario_hash
from tests.files import leftovers, sha256, snapshot

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TOML = REPO / "scenarios" / "default.toml"
STEPS = "24"

EXPECTED_FILES = {
    "system.parquet", "system.csv", "trust_by_kind.parquet", "trust_by_kind.csv",
    "organisations.parquet", "organisations.csv", "manifest.json", "scenario.toml",
}
TABLE_FILES = [f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")]

TINY = """\
[scenario]
name = "tiny"
steps = 12
seed = 5

[organisations]
acute = 2
commissioner = 1
local_authority = 1
"""

runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli_module.app, [str(a) for a in args])


def assert_clean_failure(result, code: int = 2) -> str:
    """Non-zero exit, no traceback, and the message is ``Error: ...``, returned."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def assert_one_line_error(result, code: int = 2) -> str:
    """As :func:`assert_clean_failure`, and stderr is exactly that one line (our own errors)."""
    line = assert_clean_failure(result, code)
    assert result.stderr.strip() == line
    assert line.endswith(".")
    return line


@pytest.fixture
def stub_figure(monkeypatch):
    monkeypatch.setattr(results_module, "_write_figure", lambda result, path: path.write_bytes(b"png"))


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """One real run of the default scenario, figure and all."""
    out = tmp_path_factory.mktemp("cli") / "first"
    result = invoke("run", DEFAULT_TOML, "--seed", 2, "--steps", STEPS, "--out", out, "--figure")
    assert result.exit_code == 0, result.output
    return out, result


# --------------------------------------------------------------------------------------------
# ics-abm run
# --------------------------------------------------------------------------------------------


def test_run_writes_every_file(first):
    out, result = first
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES | {"figure.png"}
    assert leftovers(out.parent) == []
    assert (out / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = read_manifest(out)
    assert manifest["figures"] == ["figure.png"] and manifest["command"].endswith(" --figure")
    assert "add --figure" not in result.output
    assert (out / "scenario.toml").read_bytes() == DEFAULT_TOML.read_bytes()


def test_the_figure_is_drawn_only_on_request(tiny, tmp_path, monkeypatch):
    def no_figure(result, path):
        raise AssertionError("figure drawn without --figure")

    monkeypatch.setattr(results_module, "_write_figure", no_figure)
    for out, flags in ((tmp_path / "default", ()), (tmp_path / "no-figure", ("--no-figure",))):
        result = invoke("run", tiny, "--out", out, *flags)
        assert result.exit_code == 0, result.output
        assert {p.name for p in out.iterdir()} == EXPECTED_FILES
        assert "Results written to" in result.output and "add --figure to draw one" in result.output
        manifest = read_manifest(out)
        assert manifest["figures"] == results_module.FIGURE_ON_REQUEST and "--figure" in manifest["figures"]
        assert "--figure" not in manifest["command"].split()


def test_run_manifest(first):
    out, _ = first
    manifest = read_manifest(out)
    assert manifest["seed"] == 2 and manifest["steps"] == int(STEPS)
    assert manifest["scenario"] == "default"
    assert manifest["scenario_path"] == str(DEFAULT_TOML)
    assert manifest["scenario_sha256"] == scenario_hash(DEFAULT_TOML.read_text(encoding="utf-8"))
    assert manifest["ics_abm_version"] == __version__
    assert manifest["command"].startswith("ics-abm run ") and f"--out {out}" in manifest["command"]
    for name, record in manifest["files"].items():
        assert record["sha256"] == sha256(out / name), name


def test_run_tables_parquet_equals_csv(first):
    out, _ = first
    for table in TABLES:
        from_parquet = pd.read_parquet(out / f"{table}.parquet")
        from_csv = pd.read_csv(out / f"{table}.csv")
        pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False, check_exact=True)
    system = pd.read_parquet(out / "system.parquet")
    assert list(system["step"]) == list(range(1, int(STEPS) + 1))
    assert set(system["seed"]) == {2}


def test_run_summary(first):
    out, result = first
    assert str(out) in result.stdout
    for words in ("mean trust", "collaboration rate", "in deficit", "Wall time"):
        assert words in result.stdout
    assert result.stderr == ""  # no progress bar for a short run that is not on a terminal


def test_same_seed_same_bytes_other_seed_other_results(first, tmp_path, stub_figure):
    out, _ = first
    again, other = tmp_path / "again", tmp_path / "other"
    assert invoke("run", DEFAULT_TOML, "--seed", 2, "--steps", STEPS, "--out", again).exit_code == 0
    assert invoke("run", DEFAULT_TOML, "--seed", 9, "--steps", STEPS, "--out", other).exit_code == 0
    for name in TABLE_FILES:
        assert sha256(again / name) == sha256(out / name), name
    assert sha256(other / "system.parquet") != sha256(out / "system.parquet")
    first_system = pd.read_parquet(out / "system.parquet").drop(columns="seed")
    other_system = pd.read_parquet(other / "system.parquet").drop(columns="seed")
    assert not first_system.equals(other_system)


def test_defaults_come_from_the_scenario(tiny, tmp_path, monkeypatch, stub_figure):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", tiny.name)
    assert result.exit_code == 0, result.output
    out = tmp_path / "results" / "tiny-seed5"
    manifest = read_manifest(out)
    assert (manifest["seed"], manifest["steps"]) == (5, 12)
    assert len(pd.read_csv(out / "system.csv")) == 12


def test_scenario_copy_and_hash_are_of_the_bytes_on_disk(tmp_path, stub_figure):
    crlf = tmp_path / "crlf.toml"
    crlf.write_bytes(TINY.replace("\n", "\r\n").encode("utf-8"))  # Windows line endings kept verbatim
    assert invoke("run", crlf, "--out", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out" / "scenario.toml").read_bytes() == crlf.read_bytes()
    assert read_manifest(tmp_path / "out")["scenario_sha256"] == hashlib.sha256(crlf.read_bytes()).hexdigest()


def test_default_out_is_a_safe_name():
    assert run_module._default_out("a/b c", 1) == Path("results") / "a_b_c-seed1"
    assert run_module._default_out("..", 0) == Path("results") / "scenario-seed0"


def test_parallel_gives_the_same_tables(tiny, tmp_path, stub_figure):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert invoke("run", tiny, "--out", serial).exit_code == 0
    result = invoke("run", tiny, "--out", parallel, "--parallel")
    assert result.exit_code == 0, result.output
    assert "--parallel" in read_manifest(parallel)["command"]
    for name in TABLE_FILES:
        assert sha256(serial / name) == sha256(parallel / name), name


def test_progress_bar_when_not_a_terminal(tiny, tmp_path, monkeypatch, stub_figure):
    monkeypatch.setattr(run_module, "PROGRESS_MIN_STEPS", 6)  # a "long" run, without the wait
    result = invoke("run", tiny, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "12/12" in result.stderr


def test_refuses_a_non_empty_out_dir(first, tiny, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(first[0], out)
    before = snapshot(out)
    line = assert_one_line_error(invoke("run", tiny, "--out", out))
    assert str(out) in line and "--force" in line
    assert snapshot(out) == before


def test_force_replaces_the_out_dir(first, tiny, tmp_path, stub_figure):
    out = tmp_path / "out"
    shutil.copytree(first[0], out)
    (out / "stale.txt").write_text("from before")
    result = invoke("run", tiny, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
    assert read_manifest(out)["scenario"] == "tiny"
    assert leftovers(tmp_path) == []


def test_interrupted_write_keeps_the_old_directory(first, tiny, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(first[0], out)
    before = snapshot(out)

    def full_disk(result, path):
        path.write_bytes(b"\x89PNG trunc")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(results_module, "_write_figure", full_disk)
    line = assert_one_line_error(invoke("run", tiny, "--out", out, "--force", "--figure"))
    assert "no space left on device" in line
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_leftover_partial_is_cleaned(tiny, tmp_path, stub_figure):
    partial = tmp_path / ".out.999999999-deadbeef.partial"
    partial.mkdir()
    (partial / "system.csv").write_text("half")
    assert invoke("run", tiny, "--out", tmp_path / "out").exit_code == 0
    assert leftovers(tmp_path) == []
    assert {p.name for p in (tmp_path / "out").iterdir()} == EXPECTED_FILES


# --------------------------------------------------------------------------------------------
# Bad input: one sentence, non-zero exit, never a traceback
# --------------------------------------------------------------------------------------------


def test_scenario_with_a_typo(tmp_path):
    bad = tmp_path / "typo.toml"
    bad.write_text(TINY + "\n[trust]\ngain_rat = 0.1\n", encoding="utf-8")
    line = assert_one_line_error(invoke("run", bad, "--out", tmp_path / "out"))
    assert str(bad) in line and "trust.gain_rat" in line and "gain_rate" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--seed", "-1"], ["--seed", "-1"]),
        (["--steps", "0"], ["--steps", "0"]),
        (["--steps", "-5"], ["--steps", "-5"]),
    ],
)
def test_bad_numbers(tiny, tmp_path, args, words):
    line = assert_one_line_error(invoke("run", tiny, "--out", tmp_path / "out", *args))
    assert all(w in line for w in words)
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file(tmp_path):
    missing = tmp_path / "nope.toml"
    line = assert_one_line_error(invoke("run", missing))
    assert str(missing) in line and "not found" in line


def test_scenario_is_a_directory(tmp_path):
    line = assert_one_line_error(invoke("run", tmp_path))
    assert "directory" in line


def test_out_is_a_file(tiny, tmp_path):
    line = assert_one_line_error(invoke("run", tiny, "--out", tiny))
    assert "not a directory" in line
    assert tiny.read_text(encoding="utf-8") == TINY


@pytest.mark.parametrize("args", [["--seed", "abc"], ["--steps", "1.5"], ["--bogus"]])
def test_usage_errors(tiny, args):
    assert_clean_failure(invoke("run", tiny, *args))


def test_no_arguments_shows_help():
    result = invoke()
    assert "run" in result.output and "validate" in result.output


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


# --------------------------------------------------------------------------------------------
# ics-abm validate
# --------------------------------------------------------------------------------------------


def test_validate_all_good(tiny):
    result = invoke("validate", DEFAULT_TOML, tiny)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"ok: {DEFAULT_TOML}", f"ok: {tiny}"]


def test_validate_mixed(tiny, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "b"\nsteps = 0\n', encoding="utf-8")
    missing = tmp_path / "missing.toml"
    result = invoke("validate", tiny, bad, missing)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout.splitlines() == [f"ok: {tiny}"]
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"Error: {bad}: ") and "scenario.steps" in errors[0]
    assert errors[1].startswith(f"Error: {missing}: ")


# --------------------------------------------------------------------------------------------
# As a real process
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def processes(tmp_path_factory):
    """``python -m ics_abm.cli`` runs, started when the module starts so that their start-up
    (imports and the numba cache: a second or more) overlaps the in-process tests."""
    work = tmp_path_factory.mktemp("process")
    (work / "tiny.toml").write_text(TINY, encoding="utf-8")
    (work / "typo.toml").write_text(TINY.replace("acute", "acutee"), encoding="utf-8")

    def start(*args):
        return subprocess.Popen(
            [sys.executable, "-m", "ics_abm.cli", *args],
            cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    started = {"good": start("run", "tiny.toml", "--out", "out"), "typo": start("run", "typo.toml")}
    yield work, started
    for process in started.values():
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_subprocess_run(processes):
    work, started = processes
    stdout, stderr = started["good"].communicate(timeout=300)
    assert started["good"].returncode == 0, stderr
    assert "Results written to out" in stdout
    assert {p.name for p in (work / "out").iterdir()} == EXPECTED_FILES  # no figure.png unless asked
    assert json.loads((work / "out" / "manifest.json").read_text())["scenario"] == "tiny"


def test_subprocess_bad_input(processes):
    _, started = processes
    _, stderr = started["typo"].communicate(timeout=300)
    assert started["typo"].returncode == 2
    assert "Traceback" not in stderr
    assert stderr.startswith("Error: typo.toml: ") and "organisations.acutee" in stderr
    assert len(stderr.strip().splitlines()) == 1
