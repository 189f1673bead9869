"""The policy briefing and figures of a comparison: a verdict per option, self-contained, readable.

Runs are small (the 4-organisation system of tests/test_compare.py, 12 months, 4 replicates) and
the tests check properties of the text and figures, never the model's numbers, which change as
mechanisms are added.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ics_abm.experiments.comparison.figures import option_styles, plot_final_outcomes, plot_trajectories
from ics_abm.experiments.comparison.run import compare
from ics_abm.experiments.comparison.wording import judge, ranking
from ics_abm.output.figures import DPI
from tests.test_compare import TINY, TINY_ALIGNED

REPLICATES, STEPS = 4, 12


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("briefing-scenarios")
    paths = {name: directory / f"{name}.toml" for name in ("tiny", "copy", "aligned")}
    paths["tiny"].write_text(TINY, encoding="utf-8")
    paths["copy"].write_text(TINY, encoding="utf-8")
    paths["aligned"].write_text(TINY_ALIGNED, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def comparison(files):
    return compare(files["tiny"], [files["aligned"], files["copy"]], replicates=REPLICATES, steps=STEPS, seed=3)


@pytest.fixture(scope="module")
def briefing(comparison, tmp_path_factory):
    out = tmp_path_factory.mktemp("briefing")
    return comparison.report(out), out


def test_briefing_files_exist(briefing):
    result, out = briefing
    for name in ("briefing.html", "briefing.md", "final_outcomes.png", "trajectories.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0
    assert (out / "briefing.md").read_text(encoding="utf-8") == result.markdown
    assert (out / "briefing.html").read_text(encoding="utf-8") == result.html


def test_a_verdict_for_each_option(briefing, comparison):
    result, _ = briefing
    assert set(result.verdicts) == set(comparison.labels)
    for option in comparison.labels[1:]:
        assert result.verdicts[option].startswith(f"{option}: ")
        assert result.verdicts[option] in result.markdown
        assert f"**{option}**" in result.markdown.split("## Verdict per option")[0]  # named in the summary


def test_an_identical_option_reads_no_difference(briefing):
    result, _ = briefing
    assert result.verdicts["copy"].startswith("copy: no difference from tiny")
    assert "**copy** makes no difference" in result.markdown


def test_an_option_compared_with_itself_reads_no_difference(files):
    same = compare(files["tiny"], [files["tiny"]], replicates=2, steps=3, seed=0, outcomes=["mean_trust"])
    result = same.report()
    assert "no difference" in result.verdicts["tiny-2"]
    assert "no difference" in judge(same, "tiny", "tiny", "mean_trust").sentence


def test_sentences_give_effect_interval_and_share_of_paired_runs(briefing, comparison):
    result, _ = briefing
    section = result.markdown.split("## Verdict per option")[1].split("## Ranking")[0]
    bullets = [line for line in section.splitlines() if line.startswith("* ")]
    assert len(bullets) == len(comparison.outcomes) * (len(comparison.labels) - 1)
    for line in bullets:
        moved = re.search(r"(raises|lowers|changes) .+ by .+ \(.+\) compared with tiny", line)
        assert moved or "No difference" in line, line
        if moved:
            assert re.search(rf"(better|higher) in \d+ (and lower in \d+ )?of {REPLICATES} paired runs", line), line


def test_outcomes_that_never_move_are_named(briefing, comparison):
    result, _ = briefing
    table = comparison.table
    signed = table[(table["outcome"] == "signed_up") & (table["measure"] == "total")]
    if (signed["value"] == 0).all():  # the tiny system under separate budgets cannot sign up
        assert "never signs up to the control total" in result.markdown


def test_ranking_states_ties(briefing, comparison):
    result, _ = briefing
    for outcome in comparison.outcomes:
        groups = ranking(comparison, outcome)
        assert sorted(o for members, _ in groups for o in members) == sorted(comparison.labels)
        # tiny and copy are identical: always in the same group, marked as a tie
        group = next((members, tie) for members, tie in groups if "tiny" in members)
        assert "copy" in group[0] and group[1] in ("identical", "not clearly different")
    assert "## Ranking" in result.markdown and "tied: identical" in result.markdown


def test_assumptions_limits_and_hook_are_stated(briefing, comparison):
    result, _ = briefing
    text = result.markdown
    for needed in ("## What was compared and assumed", f"Horizon: {STEPS} months", f"Replicates: {REPLICATES} runs",
                   f"root seed {comparison.seed}", "Package: ics_abm ", "## Limits of the model",
                   "## Parameter uncertainty", "not shown yet", "bootstrap"):
        assert needed in text, needed
    assert "t interval" not in text


def test_html_is_self_contained(briefing):
    result, _ = briefing
    html = result.html
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    assert not re.search(r"""(src|href)=["'](?!data:)""", html), "an external asset"
    assert "<script" not in html and "<link" not in html
    assert html.count('src="data:image/png;base64,') == 2
    assert "<strong>" in html and "**" not in html


def _overlaps(boxes) -> bool:
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_final_outcomes_points_and_intervals_line_up_with_one_option(files):
    one = compare(files["tiny"], [files["aligned"]], replicates=REPLICATES, steps=STEPS, seed=3,
                  outcomes=["mean_trust", "collaboration_rate"])
    fig = plot_final_outcomes(one)
    right = fig.axes[1]
    points = np.concatenate([c.get_offsets() for c in right.collections])
    diamonds = [line for line in right.lines if line.get_marker() == "D"]
    assert len(diamonds) == 1
    x, y = diamonds[0].get_xdata()[0], diamonds[0].get_ydata()[0]
    assert y == 0 and np.all(np.abs(points[:, 1] - y) < 0.25)  # the points sit on the interval's row
    row = one.summary.query("option == 'aligned' and outcome == 'mean_trust' and measure == 'final'").iloc[0]
    assert x == pytest.approx(row["difference"])
    table = one.table.query("outcome == 'mean_trust' and measure == 'final'").pivot(
        index="replicate", columns="option", values="value")
    np.testing.assert_allclose(np.sort(points[:, 0]), np.sort(table["aligned"] - table["tiny"]))


@pytest.fixture(scope="module")
def regulation():
    """The README's comparison (docs/scripts/compare_figures.py): differences in thousandths, long tick labels."""
    options = ["regulation_aligned", "regulation_single", "regulation_national_aligned_regional_lag"]
    return compare("regulation_misaligned", options, replicates=30, steps=120, seed=0, domain="regulation")


@pytest.mark.parametrize("which", ["comparison", "regulation"])
def test_labels_never_overlap(which, request):
    comparison = request.getfixturevalue(which)
    for fig in (plot_final_outcomes(comparison), plot_trajectories(comparison)):
        fig.set_dpi(DPI)  # as the briefing saves them: tick locators choose by the size in pixels
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
                boxes = [t.get_window_extent(renderer) for t in labels if t.get_text() and t.get_visible()]
                assert not _overlaps(boxes), [t.get_text() for t in labels]


def test_every_option_has_its_own_colour_and_line_style():
    labels = [f"option_{i}" for i in range(7)]
    styles = option_styles(labels)
    colours = [tuple(np.round(s["color"], 3)) for s in styles.values()]
    assert len(set(colours)) == len(labels)
    assert len({str(s["linestyle"]) for s in styles.values()}) == len(labels)


def test_identical_options_are_flagged_not_hidden(comparison):
    fig = plot_trajectories(comparison)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "copy (identical to tiny)" in legend
    assert any("identical: tiny = copy" in ax.get_title() for ax in fig.axes)
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    assert lines["copy"].get_linestyle() != lines["tiny"].get_linestyle()  # both visible where they overlap


def test_axes_of_counts_start_at_zero(comparison):
    fig = plot_trajectories(comparison)
    for ax, outcome in zip(fig.axes, comparison.outcomes):
        low, high = ax.get_ylim()
        if outcome in ("n_deficit", "mean_trust", "collaboration_rate", "integration_progress"):
            assert low <= 0 < high and low >= -0.05 * high
