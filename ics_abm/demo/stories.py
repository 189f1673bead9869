"""Guided stories: a facilitator picks one and steps through its chapters with Next.

Each chapter sets the scene (a sentence to read out), makes its one change (an event, or a new
regulator regime) and runs some months; its caption is then written from the run
(:func:`ics_abm.demo.captions.caption`), so it says what happened this time and why, not what a
script expected. Stories start from a preset of the catalogue with neutral levers, on the seed in
the seed field; the free sandbox is the same model, so a facilitator can carry on by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from ics_abm.demo.captions import caption, mark
from ics_abm.demo.wording import REGIME_WORDS

__all__ = ["Chapter", "Story", "STORIES", "play_chapter"]


@dataclass(frozen=True)
class Chapter:
    """One chapter of a story.

    Attributes
    ----------
    title : str
    scene : str
        Read out before Next runs it.
    months : int
        Months the chapter runs, >= 1.
    event : str or None
        An event kind injected at the start (:data:`ics_abm.engine.events.EVENT_KINDS`).
    regime : str or None
        A regulator regime set at the start.
    """

    title: str
    scene: str
    months: int
    event: str | None = None
    regime: str | None = None


@dataclass(frozen=True)
class Story:
    """A story: a start preset (first of ``presets`` in the catalogue) and its chapters."""

    title: str
    summary: str
    presets: tuple[str, ...]
    chapters: tuple[Chapter, ...]


STORIES: dict[str, Story] = {
    "two_messages": Story(
        "Two regulators, two messages",
        "Provider and commissioner regulators pull leaders in different directions; then they align.",
        ("regulation_misaligned", "default"),
        (
            Chapter("A year of mixed messages", "Each regulator judges its own organisations on their own "
                    "results. Watch how often partners work together.", 12, regime="misaligned"),
            Chapter("The regulators align", f"From today: {REGIME_WORDS['aligned']}. Both ask about the system "
                    "as a whole. Does working together recover?", 12, regime="aligned"),
            Chapter("A second year aligned", "Another year with one message: does trust follow the behaviour?", 12),
        ),
    ),
    "first_move": Story(
        "The altruistic first move",
        "The most powerful organisation gives money to its partners before anyone asks.",
        ("default",),
        (
            Chapter("Business as usual", "Six months of a system where each organisation guards its budget.", 6),
            Chapter("The first move", "The most powerful organisation puts on the system hat and gives part of "
                    "its budget to its partners.", 12, event="altruistic_first_move"),
            Chapter("Does it last?", "A year on: did the gesture change how partners treat each other?", 12),
        ),
    ),
    "leader_leaves": Story(
        "Losing a respected leader",
        "The most trusted leader in the system leaves, and their relationships start again.",
        ("default",),
        (
            Chapter("A year of building", "A year of ordinary system working.", 12),
            Chapter("The leader leaves", "The most trusted leader leaves; trust in and from their organisation "
                    "is cut.", 12, event="leader_leaves"),
            Chapter("Investing in leadership", "The system runs a leadership programme.", 12,
                    event="leadership_programme"),
        ),
    ),
    "winter": Story(
        "Winter",
        "A hard winter takes leaders' time and money; what is left of joint working in spring?",
        ("default",),
        (
            Chapter("Autumn", "Eight months of ordinary working.", 8),
            Chapter("A hard winter", "Leaders' capacity falls and costs rise, easing over the following months.",
                    6, event="winter_pressure"),
            Chapter("Spring and summer", "The pressure eases. Does the system bounce back?", 10),
        ),
    ),
}


def play_chapter(model, chapter: Chapter) -> list[str]:
    """Make the chapter's change on ``model``, run its months, and return its caption.

    Parameters
    ----------
    model : ics_abm.ICSModel
        The running simulation (changed in place).
    chapter : Chapter

    Returns
    -------
    list of str
        The caption, sentence by sentence (:func:`ics_abm.demo.captions.caption`).
    """
    before = mark(model)
    if chapter.regime is not None and chapter.regime != model.scenario_config.regulation.regime:
        model.set_values({"regulation.regime": chapter.regime})
    if chapter.event is not None:
        model.inject(chapter.event)
    for _ in range(int(chapter.months)):
        model.step()
    return caption(before, mark(model), model.event_log)
