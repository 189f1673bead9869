"""A real posterior for the tests of parameter uncertainty: the CI calibration, run once per test session.

``ics-abm calibrate ci`` (3 parameters, 8 particles, 2 generations) takes about 10 s on a quiet
machine; both tests/test_compare_posterior.py and tests/test_sweep_posterior.py use its folder as
the posterior source, so that no test depends on the posterior shipped with the package.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

import ics_abm.cli as cli_module


def ci_posterior(tmp_path_factory) -> Path:
    """The folder of ``ics-abm calibrate ci``, made the first time a test of this session asks for it."""
    out = tmp_path_factory.getbasetemp() / "posterior-ci"
    if not (out / "posterior.parquet").exists():  # one calibration per session (per xdist worker)
        shutil.rmtree(out, ignore_errors=True)  # the leftovers of a failed attempt
        result = CliRunner().invoke(cli_module.app, ["calibrate", "ci", "--out", str(out)])
        assert result.exit_code == 0, result.output
    return out
