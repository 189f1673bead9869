"""The files inside a result directory: tables as Parquet (with provenance) and CSV, text, figures.

Each is flushed to disk as it is written. They are written into a staged directory
(:func:`ics_abm.output.directory.write_directory`), so they need not be atomic themselves; a
file written on its own goes through :func:`ics_abm.output.directory.write_atomically`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ics_abm.output.directory import fsync_path, write_bytes

__all__ = ["PARQUET_METADATA_KEY", "save_png", "with_provenance", "write_csv", "write_parquet", "write_table",
           "write_text"]

#: Key of the provenance JSON in each Parquet file's schema metadata.
PARQUET_METADATA_KEY = b"ics_abm"


def with_provenance(table: pa.Table, provenance: bytes) -> pa.Table:
    """``table`` with ``provenance`` (JSON bytes) in its schema metadata under :data:`PARQUET_METADATA_KEY`."""
    return table.replace_schema_metadata({**(table.schema.metadata or {}), PARQUET_METADATA_KEY: provenance})


def write_parquet(frame: pd.DataFrame, path: Path, provenance: bytes) -> None:
    """Write ``frame`` (without its index) as Parquet carrying ``provenance``, flushed to disk."""
    pq.write_table(with_provenance(pa.Table.from_pandas(frame, preserve_index=False), provenance), path)
    fsync_path(path)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (without its index) as UTF-8 CSV, flushed to disk."""
    # Explicit line ending so the bytes do not depend on the platform.
    write_bytes(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


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
