"""Issue 15, faults: whatever stops a run or a sweep, no stale temporary file is left and the manifest's
state is true.

SIGKILL during set-up and during runs (injected at an exact point: the process kills itself while a
chosen temporary file is half written), SIGINT with one and two workers, a killed Dask worker, two
resumes of one folder at once, a full disk (a small tmpfs) and a read-only folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import ics_abm
from ics_abm.experiments.sweeps import read_manifest
from ics_abm.experiments.sweeps.folder import _locked, is_locked
from ics_abm.experiments.sweeps.store import batch_files
from tests.bad_input import DEFAULT_TOML, invoke, listing, one_sentence
from tests.sweep_helpers import LONGER, rows_per_run, write_sweep

DEFAULT = DEFAULT_TOML.read_text(encoding="utf-8")

RUNS = 60

# The command line, with the process killing itself (SIGKILL) once a temporary file whose name starts
# with TRIGGER has been written and before it is renamed into place.
_KILL_AT = textwrap.dedent("""\
    import os, signal, sys
    import ics_abm.output.directory as directory
    real = directory.fsync_path
    def fsync_or_die(path):
        if path.name.startswith({trigger!r}):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path)
    directory.fsync_path = fsync_or_die
    from ics_abm.cli import main
    sys.argv = ["ics-abm", *sys.argv[1:]]
    main()
""")


def hidden(out: Path) -> list[str]:
    """Temporary (hidden) files anywhere in a sweep folder, or beside it."""
    found = [p.name for p in out.rglob(".*")]
    return found + [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def killed_at(trigger: str, *args) -> subprocess.CompletedProcess:
    script = _KILL_AT.format(trigger=trigger)
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def assert_complete(out: Path) -> None:
    assert read_manifest(out)["progress"]["status"] == "complete"
    assert rows_per_run(out) == {r: 120 for r in range(RUNS)}  # every run exactly once
    assert hidden(out) == []


def wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def longer(tmp_path) -> Path:
    return write_sweep(tmp_path, LONGER, scenario=DEFAULT)


# --------------------------------------------------------------------------------------------
# SIGKILL
# --------------------------------------------------------------------------------------------


def test_sigkill_during_setup_leaves_a_folder_the_next_sweep_redoes(longer, tmp_path):
    out = tmp_path / "out"
    done = killed_at(".manifest.json.", "sweep", longer, "--out", out)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert [n for n in hidden(out) if n.startswith(".manifest.json.")]  # killed mid-write, really
    with pytest.raises(ics_abm.SweepError, match="holds no manifest.json"):
        read_manifest(out)  # not set up, and nothing says otherwise
    assert not is_locked(out)  # the lock died with its process

    result = invoke("sweep", longer, "--out", out)  # no --resume needed: the set-up never finished
    assert result.exit_code == 0, result.output
    assert_complete(out)


def test_sigkill_during_runs_reads_interrupted_and_resumes(longer, tmp_path):
    out = tmp_path / "out"
    done = killed_at(".batch-000002.parquet.", "sweep", longer, "--out", out)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert [n for n in hidden(out) if n.startswith(".batch-000002")]
    progress = read_manifest(out)["progress"]
    assert progress["status"] == "interrupted" and progress["batches_done"] <= 2  # true: nobody runs it
    result = invoke("sweep", longer, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    assert_complete(out)


# --------------------------------------------------------------------------------------------
# SIGINT
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_sigint_stops_everything_and_says_interrupted(workers, longer, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "ics_abm.cli", "sweep", str(longer), "--out", str(out), "--workers", str(workers)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        # As in a terminal: a test runner started in the background (`cmd &`, nohup) ignores SIGINT,
        # and a child would inherit that and never see the Ctrl-C this test sends.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_for(lambda: len(batch_files(out)) >= 2 or process.poll() is not None)
        assert process.poll() is None, process.communicate()
        if workers == 1:
            os.kill(process.pid, signal.SIGINT)
        else:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
        _, stderr = process.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1 and "interrupted" in lines[0] and "--resume" in lines[0], stderr
    assert "Traceback" not in stderr
    assert read_manifest(out)["progress"]["status"] == "interrupted"
    assert hidden(out) == []
    files = listing(out)
    time.sleep(3)
    assert listing(out) == files  # no worker writes after the command has ended
    result = invoke("sweep", longer, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    assert_complete(out)


# --------------------------------------------------------------------------------------------
# A killed Dask worker
# --------------------------------------------------------------------------------------------


def test_killed_dask_worker_leaves_no_temporary_file(longer, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        process = subprocess.Popen(
            [sys.executable, "-m", "ics_abm.cli", "sweep", str(longer), "--out", str(out), "--scheduler",
             cluster.scheduler_address], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: len(batch_files(out)) >= 2 or process.poll() is not None)
        os.kill(pids[0], signal.SIGKILL)
        # What a worker killed on another machine leaves: a temporary file this host cannot check.
        (out / "runs" / f".batch-000099.parquet.otherhost-{os.getpid()}-0123abcd.tmp").write_bytes(b"half")
        _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert_complete(out)


# --------------------------------------------------------------------------------------------
# Two resumes at once
# --------------------------------------------------------------------------------------------


def test_a_second_resume_of_a_running_sweep_is_refused(longer, tmp_path):
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "ics_abm.cli", "sweep", str(longer), "--out", str(out)],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: is_locked(out) or first.poll() is not None)
        second = invoke("sweep", longer, "--out", out, "--resume")
        line = one_sentence(second)
        assert str(out) in line and "in use by another sweep" in line
        assert first.poll() is None  # the refusal came while the first was running
    finally:
        _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert_complete(out)


def test_a_locked_folder_is_not_touched(longer, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with _locked(out):
        line = one_sentence(invoke("sweep", longer, "--out", out, "--resume"))
    assert "in use by another sweep" in line
    assert listing(out) == ["notes.txt"]


# --------------------------------------------------------------------------------------------
# A full disk and a read-only folder
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(where: Path, options: str):
    """A tmpfs mounted at ``where`` (skips the test when this process may not mount one)."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True,
                             text=True) if os.geteuid() == 0 else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({'not root' if mounted is None else mounted.stderr.strip()})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_full_disk_is_one_sentence_naming_the_folder(longer, tmp_path, monkeypatch):
    with tmpfs(tmp_path / "small", "size=160k") as small:
        result = invoke("run", DEFAULT_TOML, "--steps", 120, "--out", small / "run")
        line = one_sentence(result)
        assert str(small / "run") in line and "no space left on device" in line
        assert listing(small) == []  # no partial results directory

        out = small / "sweep"
        line = one_sentence(invoke("sweep", longer, "--out", out))
        assert str(out) in line and "no space left on device" in line
        if out.exists():  # set up before the disk filled: the manifest must say it is not running
            assert hidden(out) == []
            assert read_manifest(out)["progress"]["status"] in ("failed", "interrupted")


def test_read_only_folder_is_one_sentence_and_nothing_written(longer, tmp_path):
    with tmpfs(tmp_path / "ro", "ro,size=64k") as folder:
        for command in (("run", DEFAULT_TOML, "--steps", 2), ("sweep", longer)):
            line = one_sentence(invoke(*command, "--out", folder / "out"))
            assert str(folder / "out") in line and "read-only" in line
        assert listing(folder) == []
