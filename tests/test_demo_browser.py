"""End-to-end tests of ``ics-abm demo`` in headless Chromium, with no network beyond this machine.

One demo server (a subprocess, started as a facilitator would: ``ics-abm demo SCENARIO``) serves a
40-organisation system for the whole module; each test opens its own browser context, which is a
new session with a model of its own. Every request that is not to the loopback address is blocked
and recorded, and every test ends by checking that none was attempted and none failed.

The main view is checked at the two screen sizes facilitators have (1366x768 and 1920x1080: on
screen without scrolling, no technical controls, type large enough for a room). Screenshots go to
``test-artifacts/``; with ``ICS_ABM_UPDATE_SCREENSHOT=1`` the README's screenshots
(``docs/img/demo.png``, ``docs/img/demo-story.png``, ``docs/img/demo-what-if.png``) are taken again. Speed is measured by ``benchmarks/bench_demo.py``.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urlparse

import pytest

from tests.demo_support import (
    CHROMIUM,
    FORTY,
    LOOPBACK,
    README_SCREENSHOT,
    ROOT,
    copy_presets,
    demo_server,
    require_browser,
    save_artifact,
    watch_network,
)

pytestmark = pytest.mark.browser

#: Speed is measured in benchmarks/bench_demo.py, not asserted here (the machine is shared and noisy).
UI_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    workdir = tmp_path_factory.mktemp("demo")
    scenario = workdir / "forty.toml"
    scenario.write_text(FORTY, encoding="utf-8")
    presets = copy_presets(ROOT / "scenarios", workdir / "presets")
    with demo_server(workdir, scenario, presets) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


#: The screens facilitators have: a small laptop and a full-HD projector.
SCREENS = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}


def open_demo(browser, url: str, screen: str = "1366x768"):
    """A new browser session (context) on the demo at ``url``, its first month shown.

    Returns the context, the page and the page's network record (:func:`watch_network`).
    """
    context = browser.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    record = watch_network(page)
    page.goto(url)
    page.locator(".ics-month").wait_for()
    return context, page, record


@pytest.fixture
def demo(browser, server):
    """A fresh browser session on the demo (1366x768), offline; checks the network record after the test."""
    context, page, record = open_demo(browser, server.url)
    yield page
    context.close()
    assert record.problems() == [], "the page must load and run with nothing but this machine"


# --------------------------------------------------------------------------------------------
# Helpers: what a facilitator does
# --------------------------------------------------------------------------------------------


def month(page) -> int:
    return int(re.search(r"Month (\d+)", page.locator(".ics-month").inner_text()).group(1))


def step(page, months: int = 1) -> None:
    for _ in range(months):
        target = month(page) + 1
        page.get_by_role("button", name="Step", exact=True).click()
        page.locator(".ics-month", has_text=re.compile(rf"^Month {target}$")).wait_for()


def reset(page) -> None:
    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator(".ics-month", has_text=re.compile(r"^Month 0$")).wait_for()


def metric(page, name: str) -> float:
    return float(page.locator(f".ics-metric[data-metric='{name}']").get_attribute("data-value"))


def image_shown(page, selector: str) -> bool:
    """Whether the image has loaded and has a size (a blank page has neither)."""
    return page.locator(selector).evaluate("img => img.complete && img.naturalWidth > 200 && img.naturalHeight > 200")


def set_slider_to_max(page, lever: str) -> None:
    """Open the levers and move slider ``lever`` (a name of LEVER_CONTROLS) to its maximum."""
    slider = page.locator(f".ics-lever-{lever} [role=slider]")
    if not slider.is_visible():
        page.get_by_text("Levers: change the system").click()
    slider.focus()
    slider.press("End")


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def inside_viewport(page, selector: str) -> list[str]:
    """Elements matching ``selector`` that are not wholly inside the window (empty: all inside)."""
    return page.evaluate("""sel => [...document.querySelectorAll(sel)].filter(e => {
        const r = e.getBoundingClientRect();
        return r.width === 0 || r.height === 0 || r.left < -1 || r.top < -1
            || r.right > innerWidth + 1 || r.bottom > innerHeight + 1;
    }).map(e => sel + ' ' + JSON.stringify(e.getBoundingClientRect()))""", selector)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the drop-down list whose label is exactly ``label``."""
    name = page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$"))
    page.locator(".v-select", has=name).click()
    page.locator(".v-menu__content .v-list-item", has_text=re.compile(rf"^{re.escape(option)}$")).click()


def preset_labels(page) -> list[str]:
    """The labels the preset picker offers."""
    name = page.locator("label", has_text=re.compile(r"^Starting system$"))
    page.locator(".v-select", has=name).click()
    labels = [item.inner_text().strip() for item in page.locator(".v-menu__content .v-list-item").all()]
    page.keyboard.press("Escape")
    return labels


def demo_label(name: str) -> str:
    """The picker's label of the shipped preset ``name``."""
    from ics_abm.demo.presets import find_catalogue

    return find_catalogue(ROOT / "scenarios").label_of(name)


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

#: Mesa's technical controls, which the room must not see.
TECHNICAL = ("Play Interval", "Render Interval", "Use Threads", "Information", "Model Parameters")
#: What the main view is made of: all of it must be on screen without scrolling.
MAIN_VIEW = (".ics-month", ".ics-headline", "svg.ics-network", "svg.ics-chart", ".ics-legend",
             ".ics-events-box button", ".ics-event-log")


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_main_view_fits_the_screen_with_no_technical_controls(browser, server, screen):
    context, page, record = open_demo(browser, server.url, screen)
    step(page, 6)
    page.get_by_role("button", name="Winter pressure").click()
    page.locator(".ics-event-log", has_text="winter pressure").wait_for()
    step(page, 6)
    save_artifact(f"demo-{screen}.png", page.screenshot())  # before the checks: looked at when one fails
    text = page.locator("body").inner_text()
    for label in TECHNICAL:
        assert label not in text, f"Mesa's technical control {label!r} is on screen"
    for selector in MAIN_VIEW:
        assert page.locator(selector).count() > 0, f"{selector} is missing"
        assert inside_viewport(page, selector) == [], f"{selector} is cut off at {screen}"
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, "no horizontal scrolling"
    sizes = page.evaluate("""() => [...document.querySelectorAll('.ics-legend, .ics-event-log div, .ics-panel-title,'
        + ' .ics-headline div, .v-btn__content')].map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert min(sizes) >= 14 and sorted(sizes)[len(sizes) // 2] >= 16, f"type too small for a room: {sorted(sizes)[:5]}"
    context.close()
    assert record.problems() == []


def test_step_advances_the_model_and_draws_the_network_and_charts(demo):
    before = demo.locator("svg.ics-network").inner_html()
    step(demo, 10)
    assert month(demo) == 10
    assert demo.locator("svg.ics-network").inner_html() != before
    assert demo.locator("svg.ics-network line").count() > 40 and demo.locator("svg.ics-network circle").count() == 40
    assert demo.locator(".ics-metric[data-metric='n_deficit']").inner_text().endswith("of 40")
    assert demo.locator(".ics-cue").count() == 5, "every headline number has a cue against month 1"


def test_play_runs_month_after_month_until_paused(demo):
    demo.get_by_role("button", name="▶", exact=True).click()
    demo.locator(".ics-month", has_text=re.compile(r"^Month ([5-9]|\d\d+)$")).wait_for()
    demo.get_by_role("button", name="❚❚", exact=True).click()
    demo.get_by_role("button", name="▶", exact=True).wait_for()
    time.sleep(1.0)  # a month already being computed when Pause was pressed still arrives
    paused = month(demo)
    time.sleep(1.0)  # several play intervals
    assert month(demo) == paused >= 5


def test_presets_are_offered_with_a_description_and_apply_on_reset(demo):
    choose(demo, "Starting system", demo_label("default"))
    demo.locator(".ics-pending", has_text="Press Reset").wait_for()
    assert "starting system" in demo.locator(".ics-pending").inner_text()
    reset(demo)
    demo.locator(".ics-title", has_text="default").wait_for()
    demo.locator(".ics-pending").wait_for(state="detached")
    assert demo.locator(".ics-preset-description").inner_text().strip(), "each preset has a one-line description"
    labels = preset_labels(demo)
    assert len(labels) == len(set(labels)), "no preset is offered twice"


def test_a_lever_shows_its_value_says_reset_applies_it_and_changes_the_outcome(demo):
    step(demo, 4)
    baseline = [metric(demo, name) for name in ("mean_trust", "collaboration_rate", "system_balance")]
    set_slider_to_max(demo, "motive_mix")
    demo.get_by_text("Leaders driven by: 100 % of power moved to relationships").wait_for()
    demo.locator(".ics-pending", has_text="levers").wait_for()
    reset(demo)  # levers apply on Reset, with the same seed
    demo.locator(".ics-pending").wait_for(state="detached")
    assert "leaders driven by 100 % of power moved to relationships" in demo.locator(".ics-levers").inner_text()
    step(demo, 4)
    changed = [metric(demo, name) for name in ("mean_trust", "collaboration_rate", "system_balance")]
    assert changed != baseline, "moving every leader's power motive to affiliation must change the run"


def test_an_event_button_changes_the_outcome(demo):
    step(demo, 3)
    demo.get_by_role("button", name="Financial shock").click()
    demo.locator(".ics-event-log", has_text="Month 4: a financial shock").wait_for()
    step(demo, 1)
    shocked = metric(demo, "system_balance")
    reset(demo)  # same seed and levers, no shock
    step(demo, 4)
    calm = metric(demo, "system_balance")
    # Every organisation lost up to 2 % of its budget: the system's balance must be lower.
    assert shocked < calm - 1.0, f"balance with the shock {shocked:.1f} vs without {calm:.1f} (£m)"


def test_a_story_runs_chapter_by_chapter_with_captions_from_the_run(demo):
    choose(demo, "Story", "Winter")
    demo.get_by_role("button", name="Start story").click()
    demo.locator(".ics-story").wait_for()
    demo.locator(".ics-story-next").click()
    demo.locator(".ics-chapter-caption", has_text="Months 1 to 8").wait_for()
    assert month(demo) == 8
    demo.locator(".ics-story-next").click()
    demo.locator(".ics-chapter-caption", has_text="winter pressure (month 9)").wait_for()
    assert month(demo) == 14
    caption = demo.locator(".ics-chapter-caption").last.inner_text()
    balance = metric(demo, "system_balance")
    assert re.search(r"Trust (between|among) ", caption), caption
    assert f"to {'−' if balance < 0 else ''}£{abs(balance):,.1f}m" in caption or "hardly changed" in caption, \
        "the caption's money is the run's money"
    save_artifact("demo-story.png", demo.screenshot())
    assert inside_viewport(demo, ".ics-story") == []


def test_the_what_if_runs_both_futures_on_many_seeds_with_bands(demo):
    step(demo, 6)
    open_tab(demo, "What if?")
    choose(demo, "Future B", "Align the regulators now")
    demo.locator(".ics-fork").click()
    demo.locator("svg.ics-future-chart").first.wait_for()
    assert demo.locator("svg.ics-future-chart").count() == 4
    assert demo.locator("svg.ics-future-chart path[fill-opacity='0.22']").count() == 8, "a band per future per chart"
    assert "starts at zero" in demo.locator(".ics-side-note").last.inner_text()
    table = demo.locator("table.ics-compare").inner_text()
    assert "8 runs in 10" in table and "B better in" in table and re.search(r"\b\d+ of 20\b", table)
    save_artifact("demo-what-if.png", demo.screenshot())
    choose(demo, "Future B", "Carry on as now")
    demo.locator(".ics-fork").click()
    demo.locator(".ics-no-difference").wait_for()
    assert "No difference" in demo.locator(".ics-no-difference").inner_text()
    open_tab(demo, "The system now")
    assert month(demo) == 6, "forking must leave the running simulation where it was"


def test_export_writes_charts_and_a_summary_without_showing_paths(demo, server):
    step(demo, 4)
    demo.get_by_role("button", name="Winter pressure").click()
    step(demo, 1)
    open_tab(demo, "What if?")
    demo.locator(".ics-fork").click()
    demo.locator("svg.ics-future-chart").first.wait_for()
    open_tab(demo, "Save")
    demo.get_by_role("button", name="Save charts and summary").click()
    message = demo.locator(".ics-export-result").inner_text()
    assert str(server.out_dir) not in message and "/" not in message, "no paths on screen"
    folder = server.out_dir / re.search(r"folder (\S+) ", message).group(1)
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["charts.png", "futures.png", "network.png", "summary.md"]
    for name in ("charts.png", "futures.png", "network.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (folder / "summary.md").read_text(encoding="utf-8")
    assert "# ICS demo session: forty, seed 0, month 5" in summary
    assert "| 5 | winter pressure |" in summary
    assert "Align the regulators now" in summary


def test_a_room_needs_the_join_code_and_is_shown_no_paths(browser, tmp_path_factory):
    """``--host 0.0.0.0``: the address to share and a join code; a browser from the network must type it."""
    workdir = tmp_path_factory.mktemp("room")
    scenario = workdir / "forty.toml"
    scenario.write_text(FORTY, encoding="utf-8")
    presets = copy_presets(ROOT / "scenarios", workdir / "presets")
    with demo_server(workdir, scenario, presets, "--host", "0.0.0.0", "--max-saves", "1") as running:
        shared = re.search(r"Share with the room: (\S+)  join code ([A-Z0-9]+)", running.output())
        assert shared, running.output()
        url, code = shared.groups()
        if urlparse(url).hostname in LOOPBACK or not urlparse(url).hostname[0].isdigit():
            pytest.skip(f"this computer has no network address to test a room with ({url})")
        context = browser.new_context(viewport=SCREENS["1366x768"])
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(url)  # from this computer's network address, not loopback: a viewer in the room
        assert "Type the join code" in page.locator("body").inner_text()
        assert page.locator(".ics-month").count() == 0
        page.fill("input[name=code]", "WRONG")
        page.get_by_role("button", name="Join").click()
        page.get_by_text("That is not the code on the screen").wait_for()
        page.fill("input[name=code]", code.lower())
        page.get_by_role("button", name="Join").click()
        page.locator(".ics-month").wait_for()
        assert code in page.locator("header").inner_text(), "the join code is on the facilitator's screen"
        step(page, 2)
        open_tab(page, "Save")
        page.get_by_role("button", name="Save charts and summary").click()
        message = page.locator(".ics-export-result").inner_text()
        assert "/" not in message and str(running.out_dir) not in page.locator("body").inner_text()
        page.get_by_role("button", name="Save charts and summary").click()
        page.locator(".ics-export-error", has_text="allows 1 saves").wait_for()
        assert len(list(running.out_dir.iterdir())) == 1, "one save allowed, one folder written"
        context.close()


def settle(page) -> None:
    """Before a screenshot: the pointer off the buttons and Vuetify's click ripples faded.

    A screenshot taken just after a click catches the ripple mid-flight: a button then looks
    half grey under a pale disc, which is only the animation.
    """
    page.mouse.move(200, page.viewport_size["height"] - 20)  # blank sidebar, below the story card
    page.wait_for_function("() => !document.querySelector('.v-ripple__animation')")


def test_readme_screenshots(browser, server):
    """The README's pictures at 1366x768: live view, a story, a what-if (only on request)."""
    if os.environ.get("ICS_ABM_UPDATE_SCREENSHOT") != "1":
        pytest.skip("set ICS_ABM_UPDATE_SCREENSHOT=1 to take the README screenshots (docs/img/demo.png and the others) again")
    context, page, _ = open_demo(browser, server.url)
    choose(page, "Starting system", demo_label("default"))
    reset(page)
    step(page, 12)
    page.get_by_role("button", name="Leadership programme").click()
    step(page, 8)
    page.get_by_role("button", name="Local authority walks away").click()
    step(page, 4)
    README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    settle(page)
    README_SCREENSHOT.write_bytes(page.screenshot())
    open_tab(page, "What if?")
    choose(page, "Future B", "Align the regulators now")
    page.locator(".ics-fork").click()
    page.locator("svg.ics-future-chart").first.wait_for()
    settle(page)
    (README_SCREENSHOT.parent / "demo-what-if.png").write_bytes(page.screenshot())
    open_tab(page, "The system now")
    choose(page, "Story", "Two regulators, two messages")
    page.get_by_role("button", name="Start story").click()
    for number in (1, 2):
        page.locator(".ics-story-next").click()
        page.locator(".ics-chapter-caption").nth(number - 1).wait_for()
    settle(page)
    (README_SCREENSHOT.parent / "demo-story.png").write_bytes(page.screenshot())
    context.close()
