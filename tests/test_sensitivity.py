"""Sensitivity analysis of a sweep (SALib): an inert parameter scores exactly zero, an influential one does not.

The system has no voluntary-sector organisation, so the voluntary sector's budget cannot change
anything: its Sobol' indices and Morris effects must be exactly 0 (each estimator is a sum of
differences between runs that differ only in that parameter, which are then identical). The
starting level of trust does move mean trust, so its indices must be clearly positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm
import ics_abm.cli as cli_module
from ics_abm.experiments.sweeps.sensitivity import analyse
from tests.sweep_helpers import write_sweep

NO_VOLUNTARY_SECTOR = """\
[scenario]
name = "no-voluntary-sector"
steps = 24

[organisations]
acute = 2
primary_care_network = 2
commissioner = 1
local_authority = 2
"""

INERT, INFLUENTIAL = "kinds.voluntary_sector.budget", "trust.initial"


def body(design: str, samples: int, extra: str = "") -> str:
    return f"""\
replicates = 2
root_seed = 13
[levers]
"regulation.regime" = ["misaligned", "aligned"]
[uncertainties]
design = "{design}"
samples = {samples}
{extra}[uncertainties.ranges]
"{INFLUENTIAL}" = [0.2, 0.9]
"{INERT}" = [1.0, 10.0]
"""


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sobol")
    return ics_abm.sweep(write_sweep(folder, body("sobol", 8), scenario=NO_VOLUNTARY_SECTOR), folder / "out").out


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("morris")
    path = write_sweep(folder, body("morris", 4, "levels = 4\n"), scenario=NO_VOLUNTARY_SECTOR)
    return ics_abm.sweep(path, folder / "out").out


def _as_in_the_dictionary(indices):
    # The data dictionary's columns of the sensitivity table, "<lever>" standing for the levers.
    from ics_abm.columns import columns

    names = list(indices.columns)
    levers = names[names.index("policy_id") + 1 : names.index("parameter")]
    stem = f"{indices['method'].iloc[0]}-<metric>-last<months>"
    expected = []
    for column in columns("sensitivity", stem):
        expected += levers if column.name == "<lever>" else [column.name]
    return names == expected


def test_sobol_indices_per_policy(sobol_sweep):
    indices = analyse(sobol_sweep, "mean_trust", last=6)
    assert _as_in_the_dictionary(indices)
    assert list(indices["policy_id"]) == [0, 0, 1, 1]
    assert list(indices["regulation.regime"]) == ["misaligned", "misaligned", "aligned", "aligned"]
    inert = indices[indices["parameter"] == INERT]
    influential = indices[indices["parameter"] == INFLUENTIAL]
    assert (inert[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy() == 0).all()
    assert (influential["ST"] > 0.5).all()


def test_morris_screening_per_policy(morris_sweep):
    indices = analyse(morris_sweep, "collaboration_rate", last=6)
    assert _as_in_the_dictionary(indices)
    inert = indices[indices["parameter"] == INERT]
    influential = indices[indices["parameter"] == INFLUENTIAL]
    assert (inert[["mu", "mu_star", "sigma"]].to_numpy() == 0).all()
    assert (influential["mu_star"] > 0).all()
    assert (influential["mu_star"] >= influential["mu"].abs()).all()  # |mean| <= mean of |.|


def test_analysis_is_reproducible(sobol_sweep):
    pd.testing.assert_frame_equal(analyse(sobol_sweep, last=3), analyse(sobol_sweep, last=3))


def test_cli_writes_table_and_figure(sobol_sweep, tmp_path):
    result = CliRunner().invoke(cli_module.app, ["sensitivity", str(sobol_sweep), "--metric", "mean_trust",
                                                 "--last", "6", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert INERT in result.output and "ST_conf" in result.output
    table = pd.read_csv(tmp_path / "sobol-mean_trust-last6.csv")
    expected = analyse(sobol_sweep, "mean_trust", last=6)
    assert np.allclose(table["ST"], expected["ST"])
    figure = (tmp_path / "sobol-mean_trust-last6.png").read_bytes()
    assert figure.startswith(b"\x89PNG\r\n\x1a\n") and len(figure) > 10_000


@pytest.mark.parametrize(("args", "words"), [
    (["--metric", "mean_trst"], ["'mean_trst' is not a metric", "did you mean 'mean_trust'"]),
    (["--last", "0"], ["--last must be a whole number of months from 1 to 24"]),
])
def test_bad_sensitivity_requests_are_one_sentence(sobol_sweep, args, words):
    result = CliRunner().invoke(cli_module.app, ["sensitivity", str(sobol_sweep), *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    line = result.stderr.strip()
    assert line.startswith("Error: ") and "\n" not in line
    for word in words:
        assert word in line


def test_sensitivity_needs_a_sobol_or_morris_design(tmp_path):
    path = write_sweep(tmp_path, '[uncertainties]\ndesign = "lhs"\nsamples = 3\n[uncertainties.ranges]\n'
                                 '"trust.initial" = [0.2, 0.9]\n')
    out = ics_abm.sweep(path, tmp_path / "out").out
    result = CliRunner().invoke(cli_module.app, ["sensitivity", str(out)])
    assert result.exit_code == 2
    assert "sensitivity indices need design 'sobol' or 'morris'" in result.stderr
