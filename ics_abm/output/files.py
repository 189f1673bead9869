"""The files inside a result directory: tables as Parquet (with provenance) and CSV, text, figures.

Each is flushed to disk as it is written. They are written into a staged directory
(:func:`ics_abm.output.directory.write_directory`), so they need not be atomic themselves; a
file written on its own goes through :func:`ics_abm.output.directory.write_atomically`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ics_abm.output.directory import fsync_path, write_bytes

__all__ = ["PARQUET_METADATA_KEY", "csv_text", "save_png", "with_provenance", "write_csv", "write_parquet",
           "write_table", "write_text"]

#: Key of the provenance JSON in each Parquet file's schema metadata.
PARQUET_METADATA_KEY = b"ics_abm"


def with_provenance(table: pa.Table, provenance: bytes) -> pa.Table:
    """``table`` with ``provenance`` (JSON bytes) in its schema metadata under :data:`PARQUET_METADATA_KEY`."""
    return table.replace_schema_metadata({**(table.schema.metadata or {}), PARQUET_METADATA_KEY: provenance})


def write_parquet(frame: pd.DataFrame, path: Path, provenance: bytes) -> None:
    """Write ``frame`` (without its index) as Parquet carrying ``provenance``, flushed to disk."""
    pq.write_table(with_provenance(pa.Table.from_pandas(frame, preserve_index=False), provenance), path)
    fsync_path(path)


#: Characters that make the csv module quote a field (delimiter, quote character, line breaks).
_QUOTED = re.compile(r'[,"\r\n]')


def _cells(series: pd.Series) -> list[str] | None:
    """``series`` as the CSV cells pandas writes for it, or ``None`` for a kind of column not covered here.

    Integers as ``str``; floats as ``repr`` (what numpy's ``astype(str)``, which pandas uses, gives
    for float64: the shortest string that reads back as the same number), NaN as ``""``; strings as
    they are (a missing one as ``""``), unless one would need quoting. Each distinct value is
    formatted once (floats told apart by their bits, so ``-0.0`` stays ``-0.0``).
    """
    dtype = series.dtype
    if dtype == np.int64:
        codes, uniques = pd.factorize(series.to_numpy())
        texts = list(map(str, uniques.tolist()))
    elif dtype == np.float64:
        codes, uniques = pd.factorize(series.to_numpy().view(np.int64))
        texts = ["" if math.isnan(x) else repr(x) for x in uniques.view(np.float64).tolist()]
    elif isinstance(dtype, pd.StringDtype) or dtype == np.dtype("O"):
        codes, uniques = pd.factorize(series.to_numpy(dtype=object))  # a missing value: code -1
        texts = list(uniques)
        if not all(type(text) is str for text in texts) or any(_QUOTED.search(text) for text in texts):
            return None
    else:
        return None
    return np.array([*texts, ""], dtype=object)[codes].tolist()  # code -1 (missing) takes the last: ""


def csv_text(frame: pd.DataFrame) -> str:
    """``frame.to_csv(index=False, lineterminator="\\n")``, character for character, built faster.

    pandas formats a table cell by cell through the csv module (0.4 s for a comparison's 194,400
    trajectory rows, a seventh of ``ics-abm compare``; issue 16). Columns of int64, float64 and
    strings that need no quoting are formatted here a column at a time, as pandas formats them, and
    joined; any other frame (other dtypes, a field that needs quoting, fewer than two columns,
    where the csv module quotes an empty field) is left to pandas. ``tests/test_csv.py`` checks the
    two agree.
    """
    names = list(frame.columns)
    if len(names) >= 2 and frame.columns.is_unique and all(type(n) is str and not _QUOTED.search(n) for n in names):
        columns = [_cells(frame[name]) for name in names]
        if all(cells is not None for cells in columns):
            rows = "\n".join(map(",".join, zip(*columns)))  # type: ignore[arg-type]
            return ",".join(names) + "\n" + (rows + "\n" if len(frame) else "")
    return frame.to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (without its index) as UTF-8 CSV, flushed to disk."""
    # Explicit line ending so the bytes do not depend on the platform.
    write_bytes(path, csv_text(frame).encode("utf-8"))


def write_table(frame: pd.DataFrame, directory: Path, name: str, provenance: bytes) -> None:
    """Write ``frame`` as ``name.parquet`` (carrying ``provenance``) and ``name.csv`` in ``directory``."""
    write_parquet(frame, directory / f"{name}.parquet", provenance)
    write_csv(frame, directory / f"{name}.csv")


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` (parents created) and flush it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, text.encode("utf-8"))


def save_png(figure, path: Path, dpi: int) -> None:
    """Save a matplotlib figure to ``path`` as PNG (parents created) and flush it to disk.

    The format is given explicitly, so ``path`` may be a temporary name without ``.png``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi, format="png")
    fsync_path(path)
