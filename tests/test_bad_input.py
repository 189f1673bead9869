"""Issue 15: one regression test (or a few) for each numbered case a hostile tester found.

Bad input gets one sentence naming the file (and field, expected, given), exit code 2, and nothing
is written; whatever is accepted runs. Faults (kills, interrupts, full disks) are in test_faults.py,
generated bad input in test_fuzz_inputs.py.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ics_abm
from ics_abm import limits
from ics_abm.cli.common import sentence
from ics_abm.demo.guard import LocalOnly
from ics_abm.experiments.sweeps import read_sweep
from ics_abm.experiments.sweeps.parameters import flatten
from ics_abm.output.directory import ResultsError, write_atomically
from ics_abm.scenario.schema import DEFAULT_SYSTEM
from tests.bad_input import DEFAULT_TOML, REPO, TINY, invoke, listing, one_sentence, stub_figure, sweep_text, write

DEEP = 1000  # far beyond limits.MAX_NESTING and deep enough for a RecursionError in tomllib


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write(tmp_path, TINY, "tiny.toml")


def _deep_files() -> dict[str, str]:
    return {
        "arrays": '[scenario]\nname = "x"\n[network]\ntie_probability = ' + "[" * DEEP + "]" * DEEP + "\n",
        "inline tables": '[scenario]\nname = "x"\nextra = ' + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
        "dotted header": '[scenario]\nname = "x"\n[' + ".".join(["a"] * 3000) + "]\n",
    }


# --------------------------------------------------------------------------------------------
# 1. Deep nesting
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", list(_deep_files()))
def test_1_deep_nesting_is_one_sentence_in_validate_run_and_api(shape, tmp_path):
    path = write(tmp_path, _deep_files()[shape], "deep.toml")
    for command in (("validate", path), ("run", path, "--out", tmp_path / "out")):
        line = one_sentence(invoke(*command), code=1 if command[0] == "validate" else 2)
        assert str(path) in line and "nest" in line and str(limits.MAX_NESTING) in line
    with pytest.raises(ics_abm.ScenarioError, match="nest"):
        ics_abm.load_scenario(path)
    assert listing(tmp_path) == ["deep.toml"]


def test_1_deep_sweep_header_is_one_sentence(tmp_path):
    write(tmp_path, TINY, "scenario.toml")
    path = write(tmp_path, sweep_text("scenario.toml", "[levers." + ".".join(["a"] * 3000) + "]\n"), "sweep.toml")
    with pytest.raises(ics_abm.SweepError, match="nest"):
        read_sweep(path)
    line = one_sentence(invoke("sweep", path, "--out", tmp_path / "out"))
    assert "sweep.toml" in line
    assert not (tmp_path / "out").exists()


def test_1_flatten_does_not_recurse():
    table: dict = {}
    node = table
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    node["b"] = 1
    assert flatten(table) == {".".join(["a"] * 5000) + ".b": 1}


# --------------------------------------------------------------------------------------------
# 2. Integers over 4,300 digits
# --------------------------------------------------------------------------------------------


def test_2_huge_integer_names_the_file_everywhere(tmp_path):
    path = write(tmp_path, f'[scenario]\nname = "x"\nseed = 1{"0" * 5000}\n', "huge.toml")
    one = one_sentence(invoke("validate", path), code=1)
    assert str(path) in one and "4300 digits" in one
    assert str(path) in one_sentence(invoke("run", path, "--out", tmp_path / "o"))
    sweep = write(tmp_path, sweep_text("huge.toml"), "sweep.toml")
    assert "huge.toml" in one_sentence(invoke("sweep", sweep, "--out", tmp_path / "s"))
    big_root = write(tmp_path, sweep_text("huge.toml").replace("steps = 2", f"root_seed = 9{'9' * 5000}"), "s2.toml")
    assert "s2.toml" in one_sentence(invoke("sweep", big_root, "--dry-run"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.toml", "s2.toml", "sweep.toml"]


# --------------------------------------------------------------------------------------------
# 3. No organisations
# --------------------------------------------------------------------------------------------


def test_3_minimal_scenario_gets_the_default_system_and_runs(tmp_path, monkeypatch):
    stub_figure(monkeypatch)
    path = write(tmp_path, '[scenario]\nname = "minimal"\nsteps = 2\n', "minimal.toml")
    assert invoke("validate", path).exit_code == 0
    result = invoke("run", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    default = ics_abm.load_scenario(DEFAULT_TOML)
    assert dict(default.organisations) == DEFAULT_SYSTEM  # the documented default system
    assert ics_abm.run(path).metadata["organisations"] == sum(DEFAULT_SYSTEM.values())


def test_3_a_system_of_no_organisations_is_refused(tmp_path):
    path = write(tmp_path, '[scenario]\nname = "empty"\n[organisations]\nacute = 0\n', "empty.toml")
    line = one_sentence(invoke("validate", path), code=1)
    assert "field 'organisations'" in line and "at least 1 organisation" in line and "got 0" in line
    with pytest.raises(ics_abm.ScenarioError):
        ics_abm.load_scenario(path)


# --------------------------------------------------------------------------------------------
# 4. Seeds of 2**64 or more
# --------------------------------------------------------------------------------------------


def test_4_seeds_beyond_64_bits_are_refused(tiny, tmp_path):
    line = one_sentence(invoke("run", tiny, "--seed", 2**64, "--out", tmp_path / "o"))
    assert "--seed" in line and str(2**64) in line
    in_file = write(tmp_path, TINY.replace("seed = 5", f"seed = {2**64}"), "seed.toml")
    line = one_sentence(invoke("validate", in_file), code=1)
    assert "field 'scenario.seed'" in line and str(2**64) in line
    root = write(tmp_path, sweep_text("tiny.toml", f"root_seed = {2**64}\n"), "sweep.toml")
    assert "sweep.root_seed" in one_sentence(invoke("sweep", root, "--dry-run"))
    assert not (tmp_path / "o").exists()


def test_4_the_largest_seed_runs_and_is_written(tiny, tmp_path, monkeypatch):
    stub_figure(monkeypatch)
    result = invoke("run", tiny, "--seed", 2**64 - 1, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert set(pd.read_parquet(tmp_path / "o" / "system.parquet")["seed"]) == {2**64 - 1}


# --------------------------------------------------------------------------------------------
# 5. Sizes
# --------------------------------------------------------------------------------------------


def test_5_steps_are_bounded_in_cli_and_api(tiny, tmp_path):
    line = one_sentence(invoke("run", tiny, "--steps", 10**9, "--out", tmp_path / "o"))
    assert "--steps" in line and "100,000" in line and "1000000000" in line
    with pytest.raises(ValueError, match="steps must be a whole number from 1 to 100,000"):
        ics_abm.run(ics_abm.load_scenario(tiny), steps=10**9)
    with pytest.raises(ValueError, match="replicates"):
        ics_abm.compare(tiny, [tiny], replicates=10**9, steps=2)
    assert not (tmp_path / "o").exists()


def test_5_a_system_too_big_for_a_laptop_needs_the_override(tmp_path, monkeypatch):
    monkeypatch.delenv(limits.ALLOW_LARGE_ENV, raising=False)
    path = write(tmp_path, '[scenario]\nname = "big"\nsteps = 2\n[organisations]\nacute = 20000\n', "big.toml")
    for result in (invoke("validate", path), invoke("run", path, "--out", tmp_path / "o")):
        line = one_sentence(result, code=result.exit_code)
        assert "big.toml" in line and "20,000 organisations" in line and "GB" in line and "--allow-large" in line
    assert invoke("validate", path, env={limits.ALLOW_LARGE_ENV: "1"}).exit_code == 0
    memory, seconds = limits.check_run_size(20_000, 2, "x", allow=True)  # lifted: an estimate, no error
    assert memory > limits.LAPTOP_MEMORY_BYTES and seconds > 60
    assert not (tmp_path / "o").exists()


_TEN = "[" + ", ".join(f"{v / 10:.1f}" for v in range(10)) + "]"
_TEN_LEVERS = "[levers]\n" + "".join(
    f'"{path}" = {_TEN}\n' for path in (
        *(f"kinds.{kind}.altruism" for kind in ("acute", "commissioner", "local_authority", "voluntary_sector",
                                                "primary_care_network", "community_mental_health")),
        "trust.gain_rate", "trust.loss_rate", "legacy.strength", "decision.noise"))


@pytest.mark.parametrize("body", [
    _TEN_LEVERS,
    '[uncertainties]\ndesign = "lhs"\nsamples = 10000000\n[uncertainties.ranges]\n"legacy.strength" = [0.0, 1.0]\n',
])
def test_5_sweep_designs_are_bounded_before_they_are_built(body, tmp_path):
    write(tmp_path, TINY, "tiny.toml")
    path = write(tmp_path, sweep_text("tiny.toml", body), "sweep.toml")
    started = time.perf_counter()
    line = one_sentence(invoke("sweep", path, "--dry-run"))
    assert time.perf_counter() - started < 20
    assert "sweep.toml" in line and "runs" in line and "expected at most" in line


def test_5_dry_run_estimates_the_size(tiny, tmp_path):
    write(tmp_path, TINY, "tiny.toml")
    path = write(tmp_path, sweep_text("tiny.toml", "replicates = 3\n"), "sweep.toml")
    result = invoke("sweep", path, "--dry-run")
    assert result.exit_code == 0 and "Estimated: about" in result.stdout and "GB of memory" in result.stdout


# --------------------------------------------------------------------------------------------
# 6. Half-set-up sweep folders
# --------------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the probe is


@pytest.mark.parametrize("option", [
    ("--scheduler", "not-an-address"), ("--scheduler", "tcp://127.0.0.1:{port}"), ("--workers", str(2**64)),
    ("--workers", "0"),
])
def test_6_bad_engine_leaves_no_folder(option, tiny, tmp_path):
    write(tmp_path, TINY, "tiny.toml")
    path = write(tmp_path, sweep_text("tiny.toml"), "sweep.toml")
    started = time.perf_counter()
    result = invoke("sweep", path, option[0], option[1].format(port=_closed_port()), "--out", tmp_path / "out")
    line = one_sentence(result)
    assert option[0] in line
    assert time.perf_counter() - started < 15
    assert not (tmp_path / "out").exists()


def test_6_api_checks_workers_before_the_folder(tiny, tmp_path):
    write(tmp_path, TINY, "tiny.toml")
    path = write(tmp_path, sweep_text("tiny.toml"), "sweep.toml")
    for workers, error in ((1.5, TypeError), (True, TypeError), (2**64, ValueError)):
        with pytest.raises(error, match="--workers"):
            ics_abm.sweep(path, tmp_path / "out", workers=workers)
    with pytest.raises(ics_abm.SweepError, match="empty"):
        ics_abm.sweep(path, "")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# 8. Smaller holes
# --------------------------------------------------------------------------------------------


def test_8_many_errors_are_reported_in_linear_time(tmp_path):
    keys = "\n".join(f"unknown_{i} = {i}" for i in range(50_000))
    path = write(tmp_path, f'[scenario]\nname = "x"\n[trust]\n{keys}\n', "many.toml")
    started = time.perf_counter()
    with pytest.raises(ics_abm.ScenarioError, match=r"unknown_0.*and 49999 more problems"):
        ics_abm.load_scenario(path)
    assert time.perf_counter() - started < 10


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_8_fifo_and_device_are_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        if not path.exists():
            continue
        started = time.perf_counter()
        line = one_sentence(invoke("validate", path), code=1)
        assert str(path) in line and "not a regular file" in line
        assert time.perf_counter() - started < 5


def test_8_oversized_file_is_refused(tmp_path):
    path = write(tmp_path, '[scenario]\nname = "x"\n' + "#" * (limits.MAX_FILE_BYTES + 10) + "\n", "big.toml")
    with pytest.raises(ics_abm.ScenarioError, match="bytes"):
        ics_abm.load_scenario(path)


def test_8_cr_only_line_endings_validate_and_run_alike(tmp_path, monkeypatch):
    stub_figure(monkeypatch)
    text = TINY.replace("\n", "\r")
    path = write(tmp_path, text, "cr.toml")
    assert invoke("validate", path).exit_code == 0
    result = invoke("run", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "scenario.toml").read_bytes() == text.encode()  # recorded verbatim


@pytest.mark.parametrize("args", [("--out", ""), ("--out=",), ("--out", "  ")])
def test_8_empty_out_is_refused(args, tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = listing(tmp_path)
    line = one_sentence(invoke("run", tiny, *args))
    assert "--out" in line
    assert listing(tmp_path) == before


def test_8_demo_host_not_of_this_machine(tmp_path):
    line = one_sentence(invoke("demo", "--host", "192.0.2.1", "--port", _closed_port()))
    assert "192.0.2.1" in line and "not an address of this computer" in line and "in use" not in line


@pytest.mark.parametrize("args", [("run", "--seeed", "3"), ("run",), ("run", "x.toml", "--steps", "abc"), ("nope",),
                                  ("sweep", "x.toml", "--workers", "many")])
def test_8_usage_errors_are_one_line(args):
    line = one_sentence(invoke(*args))
    assert "Usage:" not in line


def test_8_api_arguments_are_strict(tiny):
    scenario = ics_abm.load_scenario(tiny)
    for kwargs, error in [({"seed": 1.5}, TypeError), ({"seed": "3"}, TypeError), ({"seed": True}, TypeError),
                          ({"steps": 1.5}, TypeError), ({"seed": -1}, ValueError), ({"seed": 2**64}, ValueError),
                          ({"steps": 0}, ValueError)]:
        with pytest.raises(error, match=next(iter(kwargs))):
            ics_abm.run(scenario, **kwargs)
    assert len(ics_abm.run(str(tiny)).system) == 2  # a path string is a scenario file
    assert len(ics_abm.run(tiny, seed=np.uint64(3)).system) == 2  # numpy whole numbers are whole numbers
    with pytest.raises(ics_abm.ScenarioError, match="NUL"):
        ics_abm.load_scenario("a\0b")
    with pytest.raises(TypeError, match="file path"):
        ics_abm.load_scenario(3)
    with pytest.raises(TypeError, match="scenario must be"):
        ics_abm.run(3)


def test_8_errors_exit_2_never_a_traceback(tmp_path):
    path = write(tmp_path, "[scenario]\nname = 'x'\nsteps = " + "[" * DEEP + "]" * DEEP + "\n", "deep.toml")
    for command in (("run", path), ("sweep", path), ("compare", path, path)):
        one_sentence(invoke(*command, "--out", tmp_path / "o"))


def test_8_disk_full_names_the_folder(tmp_path, monkeypatch):
    def full(path):
        raise OSError(28, "No space left on device")

    with pytest.raises(ResultsError) as caught:
        write_atomically(tmp_path / "system.parquet", full)
    text = sentence(caught.value)
    assert text.startswith(f"{tmp_path}: could not write system.parquet (no space left on device)")
    assert "free some space" in text and "output" not in text
    assert listing(tmp_path) == []


def test_8_sweep_errors_do_not_quote_another_file(tmp_path):
    write(tmp_path, 'password = "hunter2"\n', "secret.toml")
    write(tmp_path, "root:x:0:0:root:/root:/bin/bash\n", "passwd")
    for name in ("secret.toml", "passwd"):
        line = one_sentence(invoke("sweep", write(tmp_path, sweep_text(name), "sweep.toml"), "--dry-run"))
        assert "hunter2" not in line and "password" not in line and "root:x" not in line


def test_8_trust_by_kind_is_never_nan_beside_relationships():
    result = ics_abm.run(REPO / "scenarios" / "ics_lancashire_south_cumbria.toml", steps=6)
    table = result.trust_by_kind
    assert not table["mean_trust"].isna().any()
    assert (table["n_relationships"] > 0).all()


# --------------------------------------------------------------------------------------------
# 9. The demo server beyond loopback
# --------------------------------------------------------------------------------------------


def _request(app, path: str, query: bytes = b"", client: str = "10.1.2.3", kind: str = "http") -> tuple[int, bytes]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": kind, "path": path, "query_string": query, "client": (client, 50000)}
    asyncio.run(app(scope, receive, send))
    return sent[0].get("status", 0), b"".join(m.get("body", b"") for m in sent[1:])


def test_9_demo_hides_solara_diagnostics_from_other_computers():
    async def solara(scope, receive, send):  # stands in for solara's server
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"SECRET diagnostics"})

    app = LocalOnly(solara)
    status, body = _request(app, "/resourcez", b"verbose")
    assert status == 404 and b"SECRET" not in body
    status, body = _request(app, "/jupyter/api/kernels/anything")
    assert status == 200 and b"SECRET" not in body and b"anything" in body
    assert _request(app, "/resourcez", b"verbose", client="127.0.0.1")[1] == b"SECRET diagnostics"
    assert _request(app, "/jupyter/api/kernels/x", client="::1")[1] == b"SECRET diagnostics"
    assert _request(app, "/")[1] == b"SECRET diagnostics"  # the demo itself is served to the room
