"""The figure of a run (ics_abm.output.figures): six panels, a PNG, and runs with undefined values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    return plot_run(result, path), path


def test_importing_the_figure_modules_leaves_the_backend_alone():
    """Choosing a backend on import would silently stop figures showing in Jupyter."""
    code = (
        "import matplotlib; matplotlib.use('svg')\n"
        "import ics_abm.output.figures, ics_abm.experiments.comparison.figures\n"
        "import ics_abm.experiments.validation.figures, ics_abm.experiments.sweeps.sensitivity_plot\n"
        "import ics_abm.demo.figures\n"
        "print(matplotlib.get_backend())"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "svg"


def test_the_command_line_chooses_agg():
    code = (
        "import os, sys; os.environ['MPLBACKEND'] = 'svg'; sys.argv = ['ics-abm', '--version']\n"
        "import ics_abm.cli\n"
        "try:\n    ics_abm.cli.main()\nexcept SystemExit:\n    pass\n"
        "import matplotlib; print(matplotlib.get_backend())"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].lower() == "agg"


def test_the_figure_is_not_pyplots(saved):
    """A plain Figure: saved without a backend, nothing left open in pyplot's registry."""
    figure, _ = saved
    assert all(plt.figure(number) is not figure for number in plt.get_fignums())


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


def test_missing_pairs_are_blank_not_zero(result):
    # Drop one pair of kinds at the final month: its cell must be left blank (NaN), not drawn as 0.
    trust = result.trust_by_kind
    final = trust["step"] == trust["step"].max()
    dropped = trust[~(final & (trust["from_kind"] == "acute") & (trust["to_kind"] == "acute"))]
    partial = type(result)(result.system, dropped, result.organisations, result.metadata)
    figure = plot_run(partial)
    heatmap = panels(figure)[2]
    assert len(heatmap.texts) == len(trust[final]) - 1
