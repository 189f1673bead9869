"""Helpers of the demo's browser tests: the browser, a demo server in a subprocess, offline checks.

The browser is Debian's Chromium (``.ci/install-browser``) driven by Playwright through
``executable_path``; Playwright's own browser download is never used. Without the browser the
browser tests are skipped on a developer's machine, with the command that installs it, and
fail in CI (``CI=true``): a CI run must never pass by not running them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Screenshots and measurements of the browser tests (kept out of git).
ARTIFACTS = ROOT / "test-artifacts"
#: The README's screenshot, taken when ICS_ABM_UPDATE_SCREENSHOT=1.
README_SCREENSHOT = ROOT / "docs" / "img" / "demo.png"
CHROMIUM = Path(os.environ.get("ICS_ABM_CHROMIUM", "/usr/bin/chromium"))
#: Seconds to wait for the server: the first start on a machine compiles the model's kernel.
SERVER_START_TIMEOUT = 420.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

#: A 40-organisation system (the size the demo must step in well under a second).
FORTY = """\
[scenario]
name = "forty"
description = "A large ICS of 40 organisations, for the browser tests."

[organisations]
acute = 4
primary_care_network = 12
commissioner = 4
community_mental_health = 4
local_authority = 6
voluntary_sector = 10
"""


def require_browser() -> None:
    """Skip (on a developer's machine) or fail (in CI and under ./dev test) unless Chromium and Playwright are there."""
    problems = []
    if not CHROMIUM.is_file():
        problems.append(f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright Python package is not installed")
    if not problems:
        return
    message = ("browser tests need Debian's chromium and Playwright: " + "; ".join(problems)
               + ". Run .ci/install-browser (apt) and ./dev test (installs playwright).")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") or os.environ.get("ICS_ABM_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class DemoServer:
    """A running ``ics-abm demo``."""

    url: str
    out_dir: Path
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _wait_until_serving(server: DemoServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the demo server exited with code {server.process.returncode}:\n{server.output()}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(server.url, timeout=5) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        time.sleep(0.5)
    raise RuntimeError(f"the demo server did not answer within {timeout:.0f} s:\n{server.output()}")


@contextlib.contextmanager
def demo_server(workdir: Path, scenario: Path, presets: Path, *extra: str) -> Iterator[DemoServer]:
    """Start ``ics-abm demo SCENARIO --presets DIR [EXTRA...]`` on a free port, and stop it after.

    ``extra`` may add ``--host 0.0.0.0`` (a room); the server is still waited for on loopback.
    """
    port = free_port()
    out_dir = workdir / "exports"
    log = workdir / "server.log"
    command = [sys.executable, "-m", "ics_abm.cli", "demo", str(scenario), "--port", str(port),
               "--presets", str(presets), "--out", str(out_dir), *extra]
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=workdir, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own group: stopped whole below
    server = DemoServer(f"http://127.0.0.1:{port}/", out_dir, process, log)
    try:
        _wait_until_serving(server, SERVER_START_TIMEOUT)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


@dataclass
class NetworkRecord:
    """Every request a page made that left the machine (blocked), failed, or got an error status."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        outside = [url for url in self.websockets if urlparse(url).hostname not in LOOPBACK]
        return ([f"blocked (not loopback): {u}" for u in self.blocked] + [f"failed: {u}" for u in self.failed]
                + [f"websocket off the machine: {u}" for u in outside])


def watch_network(page) -> NetworkRecord:
    """Block every request not to this machine and record it, with failed requests and websockets."""
    record = NetworkRecord()

    def route(request_route) -> None:
        if urlparse(request_route.request.url).hostname in LOOPBACK:
            request_route.continue_()
        else:
            record.blocked.append(request_route.request.url)
            request_route.abort("internetdisconnected")

    page.route("**/*", route)
    page.on("websocket", lambda socket_: record.websockets.append(socket_.url))
    page.on("requestfailed", lambda request: record.failed.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400
            and record.failed.append(f"{response.url} (HTTP {response.status})"))
    return record


def save_artifact(name: str, data: bytes | str) -> Path:
    """Write a test artefact (screenshot, measurements) under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def copy_presets(source: Path, target: Path) -> Path:
    """A copy of the shipped presets (the server reads them; tests must not depend on edits in flight)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.toml"):
        shutil.copy(path, target / path.name)
    return target
