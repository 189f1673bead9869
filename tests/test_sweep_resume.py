"""Nothing lost: a sweep killed with SIGKILL resumes to exactly the uninterrupted results; damaged,
foreign and missing result files are redone; a folder in the way is refused with one sentence."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ics_abm
import ics_abm.cli as cli_module
from ics_abm.experiments.sweeps.store import batch_files, batch_path
from tests.sweep_helpers import LONGER, file_hashes, rows_per_run, sorted_table, write_sweep

REPO = Path(__file__).resolve().parents[1]
DEFAULT = (REPO / "scenarios" / "default.toml").read_text(encoding="utf-8")
runner = CliRunner()

SMALL = """\
replicates = 2
root_seed = 4
batch_size = 2
[levers]
"regulation.regime" = ["misaligned", "single"]
[uncertainties]
design = "lhs"
samples = 3
[uncertainties.ranges]
"legacy.strength" = [0.0, 1.0]
"""



def sweep_cli(*args):
    return runner.invoke(cli_module.app, ["sweep", *(str(a) for a in args)])


def one_sentence(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert line.startswith("Error: ") and "\n" not in line and line.endswith("."), line
    return line


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    path = write_sweep(folder, SMALL)
    reference = ics_abm.sweep(path, folder / "reference").out
    return path, reference


def test_sigkilled_sweep_resumes_to_the_uninterrupted_results(tmp_path):
    path = write_sweep(tmp_path, LONGER, scenario=DEFAULT)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "ics_abm.cli", "sweep", str(path), "--out", str(out)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len(batch_files(out)) < 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert process.poll() is None, process.communicate()  # still running: the kill comes mid-sweep
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    done_at_kill = len(batch_files(out))
    assert 3 <= done_at_kill < 30, done_at_kill  # killed mid-sweep
    status = ics_abm.experiments.sweeps.read_manifest(out)["progress"]["status"]
    assert status == "interrupted"  # the manifest says the sweep did not finish (it was killed)...
    with pytest.raises(ics_abm.SweepError, match="the sweep is incomplete"):
        ics_abm.load(out)  # ...and so does load

    result = sweep_cli(path, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    computed, kept = map(int, re.search(r"(\d+) runs computed now, (\d+) were already done", result.output).groups())
    assert computed + kept == 60
    assert kept >= 2 * done_at_kill  # the complete files were kept, not recomputed
    assert rows_per_run(out) == {r: 120 for r in range(60)}  # every run exactly once
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]  # no temporary left behind
    assert ics_abm.experiments.sweeps.read_manifest(out)["progress"]["status"] == "complete"

    reference = ics_abm.sweep(path, tmp_path / "reference")
    assert sorted_table(out).equals(sorted_table(reference.out), check_metadata=True)
    assert file_hashes(out) == file_hashes(reference.out)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_resume_redoes_damaged_foreign_and_missing_files_only(small, tmp_path):
    path, reference = small
    out = tmp_path / "out"
    ics_abm.sweep(path, out)
    other = write_sweep(tmp_path / "other", SMALL.replace("root_seed = 4", "root_seed = 5"))
    foreign = ics_abm.sweep(other, tmp_path / "foreign").out
    untouched = {b: os.stat(batch_path(out, b)) for b in (0, 4, 5)}

    truncated = batch_path(out, 1)
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    os.replace(batch_path(foreign, 2), batch_path(out, 2))  # same name, another sweep's results
    batch_path(out, 3).unlink()
    host = socket.gethostname().replace(".", "_")
    leftover = out / "runs" / f".batch-000004.parquet.{host}-{_dead_pid()}-0123abcd.tmp"
    leftover.write_bytes(b"half a file")

    result = sweep_cli(path, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    assert "6 runs computed now, 6 were already done" in result.output  # batches 1-3, 2 runs each
    assert not leftover.exists()
    for batch, before in untouched.items():
        after = os.stat(batch_path(out, batch))
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert file_hashes(out) == file_hashes(reference)
    assert rows_per_run(out) == {r: 24 for r in range(12)}


def test_resuming_a_finished_sweep_computes_nothing(small):
    path, reference = small
    before = file_hashes(reference)
    result = sweep_cli(path, "--out", reference, "--resume")
    assert result.exit_code == 0, result.output
    assert "0 runs computed now, 12 were already done" in result.output
    assert file_hashes(reference) == before


def test_fresh_sweep_into_a_non_empty_folder_is_refused(small):
    path, reference = small
    before = file_hashes(reference)
    line = one_sentence(sweep_cli(path, "--out", reference))
    assert "directory exists and is not empty; use --resume" in line
    assert file_hashes(reference) == before


def test_resuming_with_another_design_is_refused(small, tmp_path):
    _, reference = small
    changed = write_sweep(tmp_path, SMALL.replace("samples = 3", "samples = 4"))
    line = one_sentence(sweep_cli(changed, "--out", reference, "--resume"))
    assert "holds a different sweep ('test'" in line


def test_folder_that_is_not_a_sweep_is_never_used(small, tmp_path):
    path, _ = small
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    assert "not an ics_abm sweep folder" in one_sentence(sweep_cli(path, "--out", tmp_path / "mine", "--resume"))
    (tmp_path / "file").write_text("x")
    assert "is not a directory" in one_sentence(sweep_cli(path, "--out", tmp_path / "file"))
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


@pytest.mark.slow  # two pools start (about 10 s each on a busy 2-core machine)
def test_killed_process_pool_worker_is_replaced_and_nothing_is_lost(tmp_path):
    psutil = pytest.importorskip("psutil")
    path = write_sweep(tmp_path, LONGER, scenario=DEFAULT)
    out = tmp_path / "pool"
    outcome: dict = {}

    def work():
        try:
            outcome["result"] = ics_abm.sweep(path, out, workers=2)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            outcome["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 120
    while len(batch_files(out)) < 3 and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.002)
    workers = [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]
    assert workers, "no pool worker found"
    workers[0].kill()
    done_at_kill = len(batch_files(out))
    thread.join(timeout=300)
    assert "error" not in outcome, outcome.get("error")
    assert done_at_kill < 30
    assert rows_per_run(out) == {r: 120 for r in range(60)}
    reference = ics_abm.sweep(path, tmp_path / "reference")
    assert file_hashes(out) == file_hashes(reference.out)
