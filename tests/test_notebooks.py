"""The notebooks in notebooks/ run top to bottom, and are stored without outputs.

Each notebook is executed in a fresh Jupyter kernel of this interpreter (nbclient), from the
notebooks/ folder as Jupyter would run it; an error in any cell fails the test with that cell's
traceback. Every cell that plots must show its figure (an ``image/png`` output): a library that
chose matplotlib's Agg backend on import, or a figure that is neither shown nor the cell's value,
would leave the reader with no picture.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))

#: Source that draws a figure: a plot function (``plot_run``, ``sns.lineplot``, ``sns.heatmap``),
#: a ``.plot(`` method, ``savefig`` or ``plt.show``.
PLOTS = re.compile(r"\bplot_\w+\(|\bsns\.\w*(plot|map)\(|\.plot\(|\bsavefig\(|\bplt\.show\(")


def plots(cell) -> bool:
    """Whether a code cell draws a figure: by its source, or because its value is a Figure."""
    shown_as_text = any("<Figure size" in output.get("data", {}).get("text/plain", "") for output in cell.outputs)
    return bool(PLOTS.search(cell.source)) or shown_as_text


def has_image(cell) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell.outputs)


def test_the_quickstart_notebook_is_there():
    assert NOTEBOOKS_DIR / "01_quickstart.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {number} of {path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_top_to_bottom(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    ran = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert ran and all(cell.execution_count is not None for cell in ran)
    blank = [number for number, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and plots(cell) and not has_image(cell)]
    assert not blank, f"cells {blank} of {path.name} plot but show no figure (no image/png output)"


def test_plotting_cells_are_recognised():
    """The check above sees the notebooks' plotting cells (or it would pass by checking nothing)."""
    cells = [cell for path in NOTEBOOKS for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    drawn = {name for cell in cells for name in re.findall(r"\b(plot_\w+|sns\.\w+)\(", cell.source) if plots(cell)}
    assert {"plot_trajectories", "plot_final_outcomes", "plot_sensitivity", "sns.lineplot"} <= drawn
