"""Geometry checks of the demo in the real browser: what a room reads must be whole and legible.

* The what-if table: no cell's text runs out of its cell or into its neighbour's, its headers and
  values stay on one line, and the numbers are right-aligned in their columns.
* The guided story: the current chapter is entirely visible in its box, and the main view still
  fits the screen without scrolling.

Both at the two screen sizes facilitators have (1366x768 and 1920x1080). The demo server and the
browser are the module-scoped fixtures of :mod:`tests.test_demo_browser` (one server per module).
"""

from __future__ import annotations

import pytest

from tests.demo_support import save_artifact
from tests.test_demo_browser import (  # noqa: F401 (browser and server are fixtures used by name)
    SCREENS,
    browser,
    choose,
    demo_label,
    inside_viewport,
    open_demo,
    open_tab,
    reset,
    server,
    step,
)

pytestmark = pytest.mark.browser

#: Least gap (px) between the text of two neighbouring cells of the what-if table.
MIN_GAP = 6


#: For each row of the table: each cell's box, its text's box (a DOM Range around its contents),
#: the number of lines its text takes, whether it overflows, and its alignment.
_MEASURE_TABLE = """table => [...table.rows].map(row => [...row.cells].map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const text = range.getBoundingClientRect();
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    const box = cell.getBoundingClientRect();
    return {text: cell.innerText.trim(), left: text.left, right: text.right, cellLeft: box.left,
            cellRight: box.right, lines: tops.size, overflow: cell.scrollWidth > cell.clientWidth,
            align: getComputedStyle(cell).textAlign};
}))"""


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_what_if_table_is_legible(browser, server, screen):  # noqa: F811
    context, page, record = open_demo(browser, server.url, screen)
    choose(page, "Starting system", demo_label("default"))  # as in the README: its title takes two lines
    reset(page)
    step(page, 12)
    open_tab(page, "What if?")
    choose(page, "Future B", "Align the regulators now")
    page.locator(".ics-fork").click()
    page.locator("table.ics-compare").wait_for()
    save_artifact(f"demo-what-if-{screen}.png", page.screenshot())
    rows = page.locator("table.ics-compare").evaluate(_MEASURE_TABLE)
    problems = []
    for row in rows:
        for number, cell in enumerate(row):
            where = f"{cell['text']!r} in row {row[0]['text']!r}"
            if cell["overflow"] or cell["left"] < cell["cellLeft"] - 0.5 or cell["right"] > cell["cellRight"] + 0.5:
                problems.append(f"{where} runs out of its cell")
            if number > 0 and cell["lines"] > 1:
                problems.append(f"{where} takes {cell['lines']} lines")
            if number > 0 and cell["left"] - row[number - 1]["right"] < MIN_GAP:
                problems.append(f"{where} is {cell['left'] - row[number - 1]['right']:.1f} px from its left neighbour")
    for row in rows[1:]:
        for cell in row[1:]:
            if cell["text"][:1] in set("0123456789+−-£") and cell["align"] not in ("right", "end"):
                problems.append(f"the number {cell['text']!r} is aligned {cell['align']}, not right")
    assert problems == [], f"the what-if table at {screen}: " + "; ".join(problems)
    for selector in ("table.ics-compare", ".ics-compare-note", "svg.ics-future-chart", ".ics-side-note"):
        assert inside_viewport(page, selector) == [], f"{selector} is cut off at {screen}"
    context.close()
    assert record.problems() == []


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_story_chapter_is_wholly_visible_and_the_view_fits(browser, server, screen):  # noqa: F811
    context, page, record = open_demo(browser, server.url, screen)
    choose(page, "Story", "Two regulators, two messages")
    page.get_by_role("button", name="Start story").click()
    for number in (1, 2):
        page.locator(".ics-story-next").click()
        page.locator(".ics-chapter-caption").nth(number - 1).wait_for()
    save_artifact(f"demo-story-{screen}.png", page.screenshot())
    box = page.locator(".ics-story").evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert box[0] <= box[1] + 1, f"the story box hides {box[0] - box[1]} px of its text at {screen}"
    # The latest chapter and the line saying what comes next: inside the box, and on screen.
    for selector in (".ics-chapter-caption >> nth=-1", ".ics-story-coming"):
        inside = page.locator(selector).evaluate("""e => {
            const r = e.getBoundingClientRect(), box = e.closest('.ics-story').getBoundingClientRect();
            let clip = box;
            for (let up = e.closest('.ics-story').parentElement; up; up = up.parentElement) {
                if (getComputedStyle(up).overflow !== 'visible') {
                    const u = up.getBoundingClientRect();
                    clip = {top: Math.max(clip.top, u.top), bottom: Math.min(clip.bottom, u.bottom)};
                }
            }
            return r.height > 0 && r.top >= clip.top - 1 && r.bottom <= Math.min(clip.bottom, innerHeight) + 1;
        }""")
        assert inside, f"{selector} is cut off at {screen}"
    for selector in (".ics-month", ".ics-headline", "svg.ics-network", "svg.ics-chart", ".ics-story"):
        assert inside_viewport(page, selector) == [], f"{selector} is cut off at {screen}"
    height, client = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.clientHeight]")
    assert height <= client, f"the page scrolls by {height - client} px at {screen}"
    context.close()
    assert record.problems() == []
