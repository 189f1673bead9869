"""``ics-abm sensitivity DIR [--metric NAME] [--last MONTHS] [--out DIR]``.

Sobol' indices or Morris screening (SALib) of a finished sweep's outcome: a table (CSV) and a
figure (PNG), each written atomically, and the table printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error

__all__ = ["sensitivity_command"]

_DIR_HELP = "Results folder of a sobol or morris sweep."
_METRIC_HELP = "Metric to explain (see ics_abm.metrics.METRICS)."
_LAST_HELP = "Outcome = mean of the metric over the last MONTHS."
_OUT_HELP = "Where to write the table and figure (default: DIR/sensitivity)."


def sensitivity_command(
    sweep_dir: Annotated[Path, typer.Argument(metavar="DIR", help=_DIR_HELP, show_default=False)],
    metric: Annotated[str, typer.Option(metavar="NAME", help=_METRIC_HELP)] = "mean_trust",
    last: Annotated[int, typer.Option(metavar="MONTHS", help=_LAST_HELP)] = 12,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=_OUT_HELP, show_default=False)] = None,
) -> None:
    """Sobol' indices or Morris screening (SALib) of a sweep's outcome, with a figure."""
    with bad_input_is_an_error():
        from ics_abm.experiments.sweeps.sensitivity import analyse
        from ics_abm.experiments.sweeps.sensitivity_plot import plot_sensitivity
        from ics_abm.output.directory import write_atomically
        from ics_abm.output.figures import DPI
        from ics_abm.output.files import save_png, write_csv

        indices = analyse(sweep_dir, metric, last)
        folder = sweep_dir / "sensitivity" if out is None else out
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{indices['method'].iloc[0]}-{metric}-last{last}"
        write_atomically(folder / f"{stem}.csv", lambda path: write_csv(indices, path))
        figure = plot_sensitivity(indices)
        write_atomically(folder / f"{stem}.png", lambda path: save_png(figure, path, DPI))
    shown = indices.drop(columns=["method", "metric", "last"])
    typer.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    typer.echo(f"Table and figure written to {folder / stem}.csv and .png")
