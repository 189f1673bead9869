"""The wheel, installed into a fresh virtual environment, works from a folder outside the repository (issue 14).

A user installs ``pip install "ics_abm[demo]"`` and runs the shipped scenarios by name; nothing may
depend on a checkout. The session fixture builds the wheel from the repository's files (copied, so
the checkout is not touched), creates a new virtual environment, installs the wheel into it and runs
``ics-abm`` from an empty temporary folder:

* ``scenarios``, ``run default``, ``compare``, ``sweep`` (a packaged example checked, and a small
  sweep of a packaged scenario run), ``validate``, and the demo on loopback far enough to list its
  presets;
* the package data (scenarios, sweep examples, ``py.typed``) is inside the installed package.

So that the test fits in CI, the fresh environment takes the wheel's dependencies from the
environment running the tests (a path entry, not a site folder: that environment's own install of
ics_abm is not visible) and installs the wheel itself with ``--no-deps``. ``-m slow`` runs
``test_full_install_resolves_the_dependencies``, which lets pip resolve everything from the package
index, as a user's install does.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: Packages a user must not get without asking (test, docs and lint tools).
DEVELOPER_TOOLS = {"pytest", "pytest-xdist", "hypothesis", "playwright", "axelrod", "nbclient", "ipykernel", "ruff",
                   "mypy", "mkdocs", "mkdocs-material", "mkdocstrings"}
TIMEOUT = 600


def _sources(target: Path) -> Path:
    """The repository's tracked and new (not ignored) files, copied to ``target`` (symlinks kept)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, copy = REPO / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet committed
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, copy)
    return target


def _build_wheel(tmp: Path) -> Path:
    source = _sources(tmp / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp / "dist"), str(source)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    (wheel,) = (tmp / "dist").glob("ics_abm-*.whl")
    return wheel


def _fresh_venv(where: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    return where / "bin" / "python"


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; its ``bin`` folder."""
    env = tmp_path_factory.mktemp("venv")
    python = _fresh_venv(env)
    purelib = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies, from the environment running the tests: a plain path entry, so its .pth
    # files (among them its editable install of ics_abm) are not read.
    (purelib / "_ics_abm_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    return python.parent


@pytest.fixture()
def outside(tmp_path, monkeypatch) -> Path:
    """An empty working folder outside the repository (no scenarios/ to fall back on)."""
    assert not tmp_path.resolve().is_relative_to(REPO)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(bin_dir: Path, *args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(bin_dir / "ics-abm"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, env=env)
    if check:
        assert done.returncode == 0, f"ics-abm {' '.join(map(str, args))}: {done.stdout}\n{done.stderr}"
    return done


def test_wheel_ships_the_scenarios_sweeps_and_type_marker_and_no_developer_tools(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).stem for n in names if n.startswith("ics_abm/data/scenarios/") and n.endswith(".toml")}
    assert shipped == {p.stem for p in (REPO / "scenarios").glob("*.toml")}
    assert {"ics_abm/data/sweeps/example.toml", "ics_abm/data/sweeps/sobol.toml", "ics_abm/py.typed",
            "ics_abm/data/calibration/posterior-default.parquet",
            "ics_abm/data/calibration/posterior-default.json", "ics_abm/engine/compiled/manifest.json"} <= set(names)
    assert [n for n in names if n.startswith("ics_abm/engine/compiled/") and n.endswith(".nbc")]
    assert not [n for n in names if n.startswith(("tests/", "docs/", "benchmarks/"))]
    meta = email.message_from_bytes(zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))))
    required = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    names_required = {r.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower() for r in required}
    assert not names_required & DEVELOPER_TOOLS, "users must not get the test tools"
    assert {"demo", "test", "docs", "dev"} <= set(meta.get_all("Provides-Extra"))


def test_installed_package_is_the_wheel_not_the_checkout(installed, outside):
    done = subprocess.run([installed / "python", "-c", "import ics_abm, sys; from ics_abm.scenario.catalog import "
                           "packaged_scenarios_dir as d; print(ics_abm.__file__); print(d())"],
                          cwd=outside, capture_output=True, text=True, check=True)
    module, data = done.stdout.split()
    assert Path(module).is_relative_to(installed.parent) and Path(data).is_relative_to(installed.parent)
    assert not Path(module).resolve().is_relative_to(REPO)


def test_the_shipped_posterior_loads_from_the_installed_package(installed, outside):
    done = subprocess.run([installed / "python", "-c", "import ics_abm; p = ics_abm.posterior(); "
                           "print(len(p), p.attrs['provenance']['config_name'])"],
                          cwd=outside, capture_output=True, text=True, check=True)
    rows, name = done.stdout.split()
    assert int(rows) >= 1000 and name == "default"


def test_the_installed_package_runs_on_its_shipped_machine_code(installed, outside):
    """A new user's first run loads the engine compiled ahead of time (ics_abm.engine.jit) and compiles nothing."""
    probe = ("import json, platform, sys, numba, ics_abm; from ics_abm.engine.jit import COMPILED; "
             "from ics_abm.engine.step import advance_steps; ics_abm.run('default', 1, 6); "
             "m = json.loads((COMPILED / 'manifest.json').read_text()); s = advance_steps.serial.stats; "
             "print(json.dumps({'applies': [m['numba'], m['python'], m['platform']] == [numba.__version__, "
             "platform.python_version(), sys.platform + '-' + platform.machine()], 'compiled': COMPILED.is_relative_to("
             "sys.prefix), 'hits': sum(s.cache_hits.values()), 'misses': sum(s.cache_misses.values())}))")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "ICS_ABM_SHIPPED_KERNELS")}
    env["NUMBA_CACHE_DIR"] = str(outside / "empty-cache")
    done = subprocess.run([installed / "python", "-c", probe], cwd=outside, capture_output=True, text=True, env=env,
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["compiled"], report  # the installed copy, not the checkout's
    if report["applies"]:  # built with this numba, Python and platform: loaded, nothing compiled
        assert report["hits"] == 1 and report["misses"] == 0, report
    else:  # another toolchain: compiled here, as without shipped code
        assert report["hits"] == 0 and report["misses"] == 1, report


def test_scenarios_run_compare_validate_by_name_outside_the_repository(installed, outside):
    listing = _run(installed, "scenarios", cwd=outside).stdout
    assert "ics_dorset" in listing and "facilitator_winter_shock" in listing and "example" in listing
    _run(installed, "run", "default", "--steps", 6, "--out", "run-default", cwd=outside)
    assert (outside / "run-default" / "manifest.json").is_file() and (outside / "run-default" / "system.csv").is_file()
    _run(installed, "compare", "default", "regulation_aligned", "--replicates", 2, "--steps", 4, "--out", "cmp",
         cwd=outside)
    assert (outside / "cmp" / "summary.csv").is_file()
    assert _run(installed, "validate", "ics_dorset", "regulation_misaligned", cwd=outside).stdout.split() == [
        "ok:", "ics_dorset", "ok:", "regulation_misaligned"]
    _run(installed, "scenarios", "copy", "default", "mine", cwd=outside)
    assert _run(installed, "validate", "mine/default.toml", cwd=outside).stdout.strip() == "ok: mine/default.toml"


def test_sweep_on_packaged_files_outside_the_repository(installed, outside):
    dry = _run(installed, "sweep", "example", "--dry-run", cwd=outside).stdout
    assert "Nothing was run" in dry
    (outside / "small.toml").write_text(
        '[sweep]\nname = "small"\nscenario = "default"\nsteps = 3\nreplicates = 1\nroot_seed = 1\n\n'
        '[levers]\n"regulation.regime" = ["misaligned", "aligned"]\n', encoding="utf-8")
    _run(installed, "sweep", "small.toml", "--out", "sweep-small", cwd=outside)
    assert any((outside / "sweep-small").rglob("*.parquet"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_starts_on_loopback_and_lists_the_packaged_presets(installed, outside):
    command = [str(installed / "ics-abm"), "demo", "--preset", "ics_dorset", "--host", "127.0.0.1",
               "--port", str(_free_port()), "--out", str(outside / "sessions")]
    process = subprocess.Popen(command, cwd=outside, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, line = time.monotonic() + 120, ""
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("Presets:") or not line:
                break
        assert line.startswith("Presets: ics_dorset, default"), line
        names = line.removeprefix("Presets: ").split(" (starting")[0].split(", ")
        assert {"ics_blmk", "facilitator_winter_shock", "regulation_single"} <= set(names)
        assert process.poll() is None, "the demo stopped instead of serving"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_full_install_resolves_the_dependencies(wheel, tmp_path):
    """As a user: pip resolves and downloads every dependency (minutes; needs the package index)."""
    python = _fresh_venv(tmp_path / "venv")
    subprocess.run([python, "-m", "pip", "install", "--quiet", f"{wheel}[demo]"], check=True, timeout=3600)
    done = subprocess.run([python.parent / "ics-abm", "run", "default", "--steps", 3, "--out", tmp_path / "run"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
