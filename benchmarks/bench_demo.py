"""The live demo's speed in the browser: a month, Play, a 24-month what-if and Reset, at 40 organisations.

Run with ``.venv/bin/python benchmarks/bench_demo.py`` (needs Debian's chromium and playwright, as
the browser tests: ``.ci/install-browser``). A demo server is started as a facilitator would
(``ics-abm demo forty.toml``) and driven by headless Chromium at 1366x768; every figure is wall time
from the click until the page shows the result, with the server's CPU time over the same
interval. With ``--baseline DIR`` the same measurements are made, in the same run, on the demo of
another checkout of ics_abm (e.g. the main branch before issue 12), and ratios are printed.

Targets (issue 12): a month <= 100 ms (median), Play >= 5 months/s, a 24-month fork <= 1 s,
Reset <= 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import describe  # noqa: E402
from tests.demo_support import CHROMIUM, FORTY, free_port  # noqa: E402

TIMEOUT_MS = 120_000


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) the server process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Demo:
    """A demo server of one checkout (``root``, its own ``.venv``) and a browser page on it."""

    def __init__(self, root: Path, workdir: Path, browser) -> None:
        self.root = root
        scenario = workdir / "forty.toml"
        scenario.write_text(FORTY, encoding="utf-8")
        port = free_port()
        python = root / ".venv" / "bin" / "python"
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.log = open(workdir / f"server-{port}.log", "wb")
        self.process = subprocess.Popen(
            [str(python), "-m", "ics_abm.cli", "demo", str(scenario), "--port", str(port), "--presets",
             str(root / "scenarios"), "--out", str(workdir / "out")],
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}/"
        self.page = None
        deadline = time.monotonic() + 420
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        self.context = context
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        while True:
            try:
                page.goto(self.url)
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(1.0)
        page.locator(".ics-month").wait_for()
        self.page = page
        # The new demo has tabs; the old one shows everything on one page.
        self.tabs = page.get_by_role("tab", name="What if?").count() > 0

    def month(self) -> int:
        return int(re.search(r"Month (\d+)", self.page.locator(".ics-month").inner_text()).group(1))

    def wait_month(self, target: int) -> None:
        self.page.locator(".ics-month", has_text=re.compile(rf"^Month {target}$")).wait_for()

    def click_step(self) -> None:
        self.page.get_by_role("button", name="Step", exact=True).click()

    def timed(self, action, done) -> tuple[float, float]:
        """Wall and server CPU seconds from ``action()`` until ``done()`` returns."""
        cpu, started = server_cpu(self.process.pid), time.perf_counter()
        action()
        done()
        return time.perf_counter() - started, server_cpu(self.process.pid) - cpu

    def reset(self) -> None:
        self.page.get_by_role("button", name="Reset", exact=True).click()
        self.wait_month(0)

    def close(self) -> None:
        self.context.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def measure_months(demo: Demo, months: int) -> list[tuple[float, float]]:
    demo.reset()
    demo.click_step()  # the session's first month makes its first pictures: left out
    demo.wait_month(1)
    out = []
    for target in range(2, months + 2):
        out.append(demo.timed(demo.click_step, lambda t=target: demo.wait_month(t)))
    return out


def measure_play(demo: Demo, months: int) -> tuple[float, float]:
    """Months per second while playing, over ``months`` months after the first two (and CPU s per month)."""
    demo.reset()
    page = demo.page
    page.get_by_role("button", name="▶", exact=True).click()
    while demo.month() < 2:  # polled: playing, the page may pass any one month between two looks
        time.sleep(0.01)
    start_month, cpu, started = demo.month(), server_cpu(demo.process.pid), time.perf_counter()
    while demo.month() < start_month + months:
        time.sleep(0.01)
    elapsed, end_month = time.perf_counter() - started, demo.month()
    used = server_cpu(demo.process.pid) - cpu
    page.get_by_role("button", name="❚❚", exact=True).click()
    page.get_by_role("button", name="▶", exact=True).wait_for()
    return (end_month - start_month) / elapsed, used / (end_month - start_month)


def choose(page, label: str, option: str) -> None:
    name = page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$"))
    page.locator(".v-select", has=name).click()
    page.locator(".v-menu__content .v-list-item", has_text=re.compile(rf"^{re.escape(option)}$")).click()


FUTURES = ("Align the regulators now", "One oversight body now", "Financial shock", "Winter pressure",
           "Leadership programme")


def measure_forks(demo: Demo, repeats: int) -> list[tuple[float, float]]:
    page = demo.page
    demo.reset()
    for target in range(1, 7):
        demo.click_step()
        demo.wait_month(target)
    if demo.tabs:
        page.get_by_role("tab", name="What if?").click()
    out = []
    for option in FUTURES[:repeats]:
        choose(page, "Future B", option)
        if demo.tabs:
            def new_result(option=option) -> None:
                page.locator(".ics-compare-words", has_text=f"B: {option}").wait_for()

            out.append(demo.timed(lambda: page.locator(".ics-fork").click(), new_result))
        else:  # the old demo: one future each, a PNG and a table
            img = page.locator("img.ics-futures")
            old = img.get_attribute("src") if img.count() else ""

            def new_picture(old=old) -> None:
                page.wait_for_function(
                    "old => { const i = document.querySelector('img.ics-futures'); return i && i.src !== old; }", arg=old)

            out.append(demo.timed(lambda: page.get_by_role("button", name="Fork into two futures").click(), new_picture))
    if demo.tabs:
        page.get_by_role("tab", name="The system now").click()
    return out


def measure_resets(demo: Demo, repeats: int) -> list[tuple[float, float]]:
    out = []
    for _ in range(repeats):
        for target in range(demo.month() + 1, demo.month() + 4):
            demo.click_step()
            demo.wait_month(target)
        out.append(demo.timed(lambda: demo.page.get_by_role("button", name="Reset", exact=True).click(),
                              lambda: demo.wait_month(0)))
    return out


def summary(name: str, values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    return (f"{name}: min {min(values) * scale:.0f} {unit}, median {statistics.median(values) * scale:.0f} {unit}, "
            f"max {max(values) * scale:.0f} {unit} (n = {len(values)})")


def run(root: Path, browser, workdir: Path, args) -> dict:
    demo = Demo(root, workdir, browser)
    try:
        months = measure_months(demo, args.months)
        plays = [measure_play(demo, args.play_months) for _ in range(args.repeats)]
        forks = measure_forks(demo, args.forks)
        resets = measure_resets(demo, args.repeats)
    finally:
        demo.close()
    return {"month": months, "play": plays, "fork": forks, "reset": resets}


def report(label: str, result: dict) -> dict:
    print(f"\n{label}")
    wall = {key: [w for w, _ in result[key]] for key in ("month", "fork", "reset")}
    cpu = {key: [c for _, c in result[key]] for key in ("month", "fork", "reset")}
    for key, title in (("month", "a month (Step to the new month on screen)"), ("fork", "a 24-month what-if"),
                       ("reset", "Reset")):
        print("  " + summary(f"{title}, wall", wall[key]))
        print("  " + summary(f"{title}, server CPU", cpu[key]))
    rates = [rate for rate, _ in result["play"]]
    print(f"  Play: min {min(rates):.1f}, median {statistics.median(rates):.1f} months/s "
          f"(n = {len(rates)}); server CPU per month while playing: median "
          f"{statistics.median([c for _, c in result['play']]) * 1000:.0f} ms")
    return {"month": statistics.median(wall["month"]), "fork": statistics.median(wall["fork"]),
            "reset": statistics.median(wall["reset"]), "play": statistics.median(rates)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout of ics_abm (with its .venv) to compare")
    parser.add_argument("--months", type=int, default=30, help="months stepped one by one")
    parser.add_argument("--play-months", type=int, default=20, help="months counted while playing")
    parser.add_argument("--forks", type=int, default=5, help="what-ifs (at most 5)")
    parser.add_argument("--repeats", type=int, default=3, help="Play runs and Resets")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(describe())
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        results = {}
        checkouts = [("this checkout", ROOT)] + ([("baseline " + str(args.baseline), args.baseline)]
                                                 if args.baseline else [])
        for index, (label, root) in enumerate(checkouts):
            work = Path(tmp) / str(index)
            work.mkdir()
            results[label] = report(f"{label} ({root})", run(root, browser, work, args))
        browser.close()
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.baseline:
        new, old = results["this checkout"], results["baseline " + str(args.baseline)]
        print("ratios, baseline / this checkout (medians; > 1 = faster now): "
              f"month {old['month'] / new['month']:.1f}x, fork {old['fork'] / new['fork']:.1f}x, "
              f"reset {old['reset'] / new['reset']:.1f}x, Play rate {new['play'] / old['play']:.1f}x")
    targets = results["this checkout"]
    print("targets: month <= 100 ms: {}; Play >= 5/s: {}; fork <= 1 s: {}; Reset <= 0.5 s: {}".format(
        *("met" if ok else "NOT met" for ok in (targets["month"] <= 0.1, targets["play"] >= 5.0,
                                                 targets["fork"] <= 1.0, targets["reset"] <= 0.5))))


if __name__ == "__main__":
    main()
