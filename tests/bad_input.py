"""Shared pieces of the bad-input tests (issue 15): invoking the CLI and checking its one-sentence errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm.output import results as results_module

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TOML = REPO / "scenarios" / "default.toml"

#: A small system (4 organisations, 2 months): a run takes well under a second once compiled.
TINY = """\
[scenario]
name = "tiny"
steps = 2
seed = 5

[organisations]
acute = 2
commissioner = 1
local_authority = 1
"""

runner = CliRunner()


def invoke(*args, env: dict | None = None):
    """Run ``ics-abm ARGS`` in this process (typer's CliRunner)."""
    return runner.invoke(cli_module.app, [str(a) for a in args], env=env)


def one_sentence(result, code: int = 2) -> str:
    """The command failed with exit ``code`` and printed exactly one line, ``Error: ... .``; returned."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert line.startswith("Error: ") and "\n" not in line and line.endswith("."), line
    return line


def listing(folder: Path) -> list[str]:
    """Every file and folder under ``folder`` (hidden ones included), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def stub_figure(monkeypatch) -> None:
    """Replace the run's figure by a stub (drawing it takes seconds; tested elsewhere)."""
    monkeypatch.setattr(results_module, "_write_figure", lambda result, path: path.write_bytes(b"png"))


def write(folder: Path, text: str | bytes, name: str = "scenario.toml") -> Path:
    """Write ``text`` (or bytes, exactly) to ``folder/name``."""
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def sweep_text(scenario: str, body: str = "") -> str:
    """A sweep file on ``scenario`` (a path relative to the sweep file) continuing with ``body``."""
    return f'[sweep]\nname = "t"\nscenario = "{scenario}"\nsteps = 2\n{body}'
