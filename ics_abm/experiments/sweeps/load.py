"""Reading a sweep's results: a tidy table, or a Parquet dataset that stays on disk.

Rows are sorted by ``run_id`` then ``step``, whatever order the batches finished in. Columns::

    run_id point_id policy_id sample_id replicate root_seed spawn_key seed [posterior_draw]
    <each varied parameter, named by its dotted path>  step  <each metric of ics_abm.metrics.METRICS>

(``posterior_draw``, the posterior row a run's parameters came from, only with design ``posterior``.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ics_abm.experiments.sweeps import store
from ics_abm.experiments.sweeps.errors import SweepError
from ics_abm.experiments.sweeps.folder import true_status

__all__ = ["dataset", "load", "read_design", "read_manifest"]

#: Columns every loaded table keeps, so rows can be told apart and ordered.
KEYS = ("run_id", "step")


def read_manifest(out: str | os.PathLike) -> dict:
    """The manifest of the sweep in ``out`` (design, seeds, versions, progress).

    ``progress.status`` is told as it is: a sweep recorded as ``"running"`` whose process is gone
    (killed: nobody holds the folder's lock) is reported ``"interrupted"``
    (:func:`ics_abm.experiments.sweeps.folder.true_status`).

    Raises
    ------
    SweepError
        If ``out`` holds no readable sweep manifest.
    """
    path = Path(out) / store.MANIFEST
    try:
        manifest = store.read_json(path)
    except FileNotFoundError:
        raise SweepError(os.fspath(out), f"holds no {store.MANIFEST}; not an ics_abm sweep folder") from None
    except (OSError, ValueError) as exc:
        raise SweepError(os.fspath(path), f"could not be read ({type(exc).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "ics_abm sweep":
        raise SweepError(os.fspath(out), "holds the results of a single run, not of a sweep")
    if isinstance(manifest.get("progress"), dict):
        manifest["progress"] = true_status(out, manifest["progress"])
    return manifest


def read_design(out: str | os.PathLike) -> pd.DataFrame:
    """The sweep's runs, one row each: ids, seeds, batch and parameters (from ``design.parquet``)."""
    read_manifest(out)
    return pd.read_parquet(Path(out) / store.DESIGN)


def dataset(out: str | os.PathLike, *, allow_incomplete: bool = False) -> ds.Dataset:
    """The sweep's results as a :class:`pyarrow.dataset.Dataset`, nothing read yet.

    Parameters
    ----------
    out : str or os.PathLike
        The sweep's results folder.
    allow_incomplete : bool
        Give the batches that are done even if the sweep is not finished.

    Returns
    -------
    pyarrow.dataset.Dataset
        One fragment per batch file; filter and project with its ``to_table``/``scanner``.

    Raises
    ------
    SweepError
        If ``out`` is not a sweep folder, or the sweep is incomplete and ``allow_incomplete`` is
        false.
    """
    manifest = read_manifest(out)
    expected = int(manifest["design"]["batches"])
    files = [p for b, p in store.batch_files(Path(out)).items() if b < expected]
    if len(files) < expected and not allow_incomplete:
        raise SweepError(os.fspath(out), f"the sweep is incomplete ({expected - len(files)} of {expected} result "
                                         "files missing); finish it with 'ics-abm sweep SWEEP.toml --out "
                                         f"{os.fspath(out)} --resume', or pass allow_incomplete=True")
    if not files:
        raise SweepError(os.fspath(out), "holds no results yet")
    return ds.dataset([os.fspath(p) for p in files], format="parquet")


def load(
    out: str | os.PathLike,
    *,
    columns: Sequence[str] | None = None,
    filters=None,
    allow_incomplete: bool = False,
) -> pd.DataFrame:
    """A sweep's results as one tidy DataFrame: one row per run and month.

    Only the asked-for columns and rows are read from disk, so a large sweep can be explored a
    slice at a time.

    Parameters
    ----------
    out : str or os.PathLike
        The sweep's results folder.
    columns : sequence of str, optional
        Columns to read (``run_id`` and ``step`` are always included); default all.
    filters : pyarrow.compute.Expression or list of tuples, optional
        Rows to keep, as a pyarrow expression (``pyarrow.dataset.field("step") == 120``) or in
        the DNF form of :func:`pyarrow.parquet.filters_to_expression`
        (``[("regulation.regime", "==", "aligned"), ("step", ">", 108)]``).
    allow_incomplete : bool
        Load the batches that are done even if the sweep is not finished.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``run_id`` then ``step``; a fresh 0-based index.

    Raises
    ------
    SweepError
        If ``out`` is not a (finished) sweep folder, or a column does not exist.

    Examples
    --------
    >>> import ics_abm
    >>> final = ics_abm.load("results/example", columns=["regulation.regime", "mean_trust"],
    ...                      filters=[("step", "==", 120)])  # doctest: +SKIP
    """
    data = dataset(out, allow_incomplete=allow_incomplete)
    if columns is not None:
        unknown = [c for c in columns if c not in data.schema.names]
        if unknown:
            raise SweepError(os.fspath(out), f"has no column {unknown[0]!r}; expected one of "
                                             f"{', '.join(data.schema.names)}")
        columns = [*KEYS, *(c for c in columns if c not in KEYS)]
    if filters is not None and not isinstance(filters, ds.Expression):
        filters = pq.filters_to_expression(filters)
    table = data.to_table(columns=columns, filter=filters)
    table = table.sort_by([(key, "ascending") for key in KEYS])
    return table.to_pandas()
