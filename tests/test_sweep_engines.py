"""The same sweep on every engine gives the same bytes, and a Dask worker killed mid-sweep loses nothing.

Real engines, started by the tests: a process pool of 2 (spawned) workers, and a Dask
``LocalCluster`` of 2 worker processes on the loopback interface.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ics_abm
import ics_abm.cli as cli_module
from ics_abm.experiments.sweeps import executors
from ics_abm.experiments.sweeps.store import batch_files
from ics_abm.metrics import METRICS
from tests.sweep_helpers import file_hashes, rows_per_run, sorted_table, write_sweep

SMALL = """\
replicates = 2
root_seed = 3
batch_size = 2
[levers]
"regulation.regime" = ["misaligned", "aligned"]
[uncertainties]
design = "lhs"
samples = 3
[uncertainties.ranges]
"legacy.strength" = [0.0, 1.0]
"organisations.acute" = [1, 3]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small sweep file and its results computed in this process (the reference)."""
    folder = tmp_path_factory.mktemp("engines")
    path = write_sweep(folder, SMALL)
    done = ics_abm.sweep(path, folder / "serial")
    assert done.runs == 12 and done.batches == 6
    return path, folder / "serial"


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


def test_serial_results_are_complete_and_tidy(small):
    _, out = small
    table = sorted_table(out)
    assert table.num_rows == 12 * 24
    assert rows_per_run(out) == {r: 24 for r in range(12)}
    assert set(METRICS) <= set(table.column_names)
    assert table.column_names[:8] == ["run_id", "point_id", "policy_id", "sample_id", "replicate", "root_seed",
                                      "spawn_key", "seed"]


def test_process_pool_gives_identical_bytes(small, tmp_path):
    path, serial = small
    done = ics_abm.sweep(path, tmp_path / "pool", workers=2)
    assert done.engine == "2 worker processes" and done.computed == 12
    assert sorted_table(tmp_path / "pool").equals(sorted_table(serial), check_metadata=True)
    assert file_hashes(tmp_path / "pool") == file_hashes(serial)


def test_dask_cluster_gives_identical_bytes_through_the_cli(small, cluster, tmp_path):
    path, serial = small
    out = tmp_path / "dask"
    result = CliRunner().invoke(cli_module.app, ["sweep", str(path), "--scheduler", cluster.scheduler_address,
                                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Dask at {cluster.scheduler_address}" in result.output
    assert sorted_table(out).equals(sorted_table(serial), check_metadata=True)
    assert file_hashes(out) == file_hashes(serial)


def test_unreachable_scheduler_is_one_sentence(small, tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    path, _ = small
    result = CliRunner().invoke(cli_module.app, ["sweep", str(path), "--scheduler", "tcp://127.0.0.1:9",
                                                 "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


SLOWER = """\
replicates = 4
root_seed = 8
batch_size = 2
[uncertainties]
design = "lhs"
samples = 12
[uncertainties.ranges]
"legacy.strength" = [0.0, 1.0]
"""


def test_killed_dask_worker_loses_and_duplicates_nothing(cluster, tmp_path):
    # 48 runs of the default-sized system (25 organisations) over 120 months: long enough to kill
    # a worker while batches are still running.
    from distributed import Client

    default = (Path(__file__).resolve().parents[1] / "scenarios" / "default.toml").read_text(encoding="utf-8")
    path = write_sweep(tmp_path, SLOWER, scenario=default)
    out = tmp_path / "dask"
    outcome: dict = {}
    with Client(cluster) as client:
        pids = client.run(os.getpid)  # worker address -> pid
        executor = client.get_executor(pure=False)

        def work():
            try:
                outcome["result"] = ics_abm.sweep(path, out, executor=executor)
            except BaseException as exc:  # noqa: BLE001  (reported by the test below)
                outcome["error"] = exc

        thread = threading.Thread(target=work)
        thread.start()
        deadline = time.monotonic() + 120
        while len(batch_files(out)) < 3 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        done_at_kill = len(batch_files(out))
        victim = next(iter(pids.values()))
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=300)
        assert victim not in client.run(os.getpid).values()  # the worker really died
    assert not thread.is_alive() and "error" not in outcome, outcome.get("error")
    assert 3 <= done_at_kill < 24, done_at_kill  # the kill came mid-sweep
    assert outcome["result"].computed == 48
    assert rows_per_run(out) == {r: 120 for r in range(48)}  # every run exactly once

    reference = ics_abm.sweep(path, tmp_path / "serial")
    assert sorted_table(out).equals(sorted_table(reference.out), check_metadata=True)
