"""Captions and guided stories: the words come from the run (its event log and its numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ics_abm.demo.captions import caption, kind_trust, mark
from ics_abm.demo.presets import find_catalogue
from ics_abm.demo.session import DemoModel
from ics_abm.demo.stories import STORIES, play_chapter
from ics_abm.demo.wording import EVENT_WORDS, KIND_PLURAL, REGIME_WORDS
from ics_abm.scenario.kinds import KINDS

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def catalogue():
    return find_catalogue(SCENARIOS)


def test_kind_trust_is_the_mean_over_live_relationships(catalogue):
    model = DemoModel(catalogue)
    model.step()
    matrix = kind_trust(model)
    frame = model.trust_by_kind_history()
    checked = 0
    for row in frame.itertuples():
        i, j = KINDS.index(row.from_kind), KINDS.index(row.to_kind)
        if row.n_relationships > 0:
            assert matrix[i, j] == pytest.approx(row.mean_trust)
            checked += 1
        else:
            assert np.isnan(matrix[i, j])
    assert checked > 0


def test_a_caption_names_the_event_and_the_numbers_of_the_run(catalogue):
    model = DemoModel(catalogue)
    for _ in range(3):
        model.step()
    before = mark(model)
    model.inject("financial_shock")
    for _ in range(4):
        model.step()
    after = mark(model)
    sentences = caption(before, after, model.event_log)
    history = model.history()
    assert sentences[0] == f"Months 4 to 7: {EVENT_WORDS['financial_shock']} (month 4)."
    text = " ".join(sentences)
    old, new = history["collaboration_rate"].iloc[2], history["collaboration_rate"].iloc[-1]
    if abs(new - old) >= 0.01:
        assert f"from {100 * old:.0f} % of relationships to {100 * new:.0f} %" in text
    # The pair of kinds named is the one whose trust moved most, with the run's numbers.
    named = re.search(r"Trust (?:between|among) (.+?) (?:rose|fell|hardly)", text).group(1)
    assert any(KIND_PLURAL[k] in named for k in KINDS)
    shown = re.findall(r"from (\d\.\d\d) to (\d\.\d\d)", text)
    assert shown, text
    change = np.abs(np.nanmean([after.kind_trust, after.kind_trust.T], axis=0)
                    - np.nanmean([before.kind_trust, before.kind_trust.T], axis=0))
    biggest = np.nanmax(change)
    assert abs(float(shown[0][1]) - float(shown[0][0])) == pytest.approx(biggest, abs=0.011)


def test_a_quiet_month_says_nothing_happened_from_outside(catalogue):
    model = DemoModel(catalogue)
    before = mark(model)
    model.step()
    sentences = caption(before, mark(model), model.event_log)
    assert sentences[0] == "Month 1: no event from outside."
    last = model.history().iloc[-1]
    assert f"{100 * last['collaboration_rate']:.0f} % of relationships" in " ".join(sentences)


def test_a_broken_hard_decision_is_told(catalogue):
    """Find a stretch of a run where a hard decision broke down, and check the caption says so."""
    model = DemoModel(catalogue)
    before = mark(model)
    for _ in range(60):
        model.step()
        if model.history()["decisions_failed"].iloc[-1] > (before.values or {}).get("decisions_failed", 0):
            break
    after = mark(model)
    failed = after.values["decisions_failed"] - (before.values or {}).get("decisions_failed", 0.0)
    text = " ".join(caption(before, after, model.event_log))
    if failed >= 1:
        assert "broke down" in text
    else:
        assert "broke down" not in text


@pytest.mark.parametrize("key", list(STORIES))
def test_every_story_plays_to_the_end_with_captions_from_its_run(catalogue, key):
    story = STORIES[key]
    preset = next(name for name in story.presets if catalogue.has(name))
    model = DemoModel(catalogue, preset)
    month = 0
    for chapter in story.chapters:
        sentences = play_chapter(model, chapter)
        assert model.months_simulated == month + chapter.months
        assert sentences[0].startswith(f"Months {month + 1} to {month + chapter.months}:")
        if chapter.event is not None:
            assert EVENT_WORDS[chapter.event] in sentences[0], "the chapter's event is in its caption"
        if chapter.regime is not None and chapter.regime != "misaligned":
            assert REGIME_WORDS[chapter.regime] in sentences[0]
        month += chapter.months

    # Another seed is another run, and its captions differ (they are not canned text).
    runs = []
    for seed in (0, 99):
        again = DemoModel(catalogue, preset, seed=seed)
        runs.append([play_chapter(again, chapter) for chapter in story.chapters])
    assert runs[0] != runs[1]
