"""The figure of a run (ics_abm.output.figures): six panels, a PNG, and runs with undefined values."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.image import imread

from ics_abm import load_scenario, run
from ics_abm.output.figures import DPI, plot_run
from ics_abm.scenario.loading import scenario_from_dict

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TOML = REPO / "scenarios" / "default.toml"


def panels(figure) -> list:
    """The figure's panels: its axes without the heatmap's colour bar."""
    return [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(DEFAULT_TOML), seed=1, steps=24)


@pytest.fixture(scope="module")
def saved(result, tmp_path_factory):
    """The figure of ``result`` and the PNG it was saved to (made once: a figure takes ~2 s)."""
    path = tmp_path_factory.mktemp("figure") / "figure.png"
    figure = plot_run(result, path)
    yield figure, path
    plt.close(figure)


def test_backend_is_non_interactive():
    assert matplotlib.get_backend().lower() == "agg"


def test_six_panels_with_titles_and_units(saved):
    figure, _ = saved
    axes = panels(figure)
    assert len(axes) == 6
    assert all(ax.get_title() for ax in axes)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    assert any("£m" in ax.get_ylabel() for ax in axes)
    title = figure.get_suptitle()
    assert "default" in title and "seed 1" in title and "24 months" in title


def test_heatmap_is_annotated_with_final_trust(saved, result):
    figure, _ = saved
    heatmap = panels(figure)[2]
    annotations = [t.get_text() for t in heatmap.texts]
    final = result.trust_by_kind[result.trust_by_kind["step"] == 24]
    for value in final["mean_trust"]:
        assert f"{value:.2f}" in annotations


def test_saves_a_png_at_120_dpi(saved):
    figure, path = saved
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width = imread(path).shape[:2]
    assert (width, height) == tuple(np.round(figure.get_size_inches() * DPI).astype(int))


def test_run_without_relationships(tmp_path):
    lonely = scenario_from_dict(
        {
            "scenario": {"name": "lonely", "steps": 6},
            "organisations": {"voluntary_sector": 2},
            "network": {"tie_probability": {"voluntary_sector/voluntary_sector": 0.0}},
        }
    )
    result = run(lonely)
    assert result.metadata["relationships"] == 0
    assert result.trust_by_kind.empty and result.system["mean_trust"].isna().all()
    figure = plot_run(result, tmp_path / "lonely.png")
    assert len(panels(figure)) == 6
    assert (tmp_path / "lonely.png").stat().st_size > 0
    plt.close(figure)


def test_missing_pairs_are_blank_not_zero(result):
    # Drop one pair of kinds at the final month: its cell must be left blank (NaN), not drawn as 0.
    trust = result.trust_by_kind
    final = trust["step"] == trust["step"].max()
    dropped = trust[~(final & (trust["from_kind"] == "acute") & (trust["to_kind"] == "acute"))]
    partial = type(result)(result.system, dropped, result.organisations, result.metadata)
    figure = plot_run(partial)
    heatmap = panels(figure)[2]
    assert len(heatmap.texts) == len(trust[final]) - 1
    plt.close(figure)
