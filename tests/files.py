"""Helpers for tests that inspect result directories on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(directory: Path) -> dict[str, str]:
    """File name -> hash, to show that a directory was not touched."""
    return {p.name: sha256(p) for p in sorted(directory.iterdir())}


def leftovers(parent: Path) -> list[str]:
    """Temporary or set-aside result directories left in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if p.name.endswith((".partial", ".old")))
