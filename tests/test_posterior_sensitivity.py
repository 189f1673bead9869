"""docs/scripts/posterior_sensitivity.py (issue 11, point 5): Morris screening over a posterior's box, tiny case.

The CI calibration gives the posterior; two of its three parameters are screened with three
trajectories of two-year runs on two seeds. Checked: the box (weighted percentiles inside the
posterior), the sweep file the script writes (read back by the sweep reader), and the table of
indices (one row per outcome and parameter, the documented columns, ranks, mu* >= |mu|), its
markdown and its figure.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.bad_input import invoke

pytest.importorskip("pyabc")
pytest.importorskip("SALib")

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "scripts" / "posterior_sensitivity.py"
PARAMETERS = ["trust.gain_rate", "trust.contact_rate"]
COLUMNS = ["metric", "parameter", "mu", "mu_star", "sigma", "mu_star_conf", "low", "high", "rank"]


def _script():
    spec = importlib.util.spec_from_file_location("posterior_sensitivity", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ci_posterior(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("calibration") / "ci"
    result = invoke("calibrate", "ci", "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def screened(ci_posterior, tmp_path_factory):
    out = tmp_path_factory.mktemp("sensitivity") / "psens"
    script = _script()
    indices = script.posterior_sensitivity(ci_posterior, out, parameters=PARAMETERS, trajectories=3, replicates=2,
                                           steps=24, workers=1)
    return script, out, indices


def test_weighted_quantiles():
    script = _script()
    values = np.arange(100.0)
    assert script.weighted_quantile(values, np.ones(100), 0.05) == pytest.approx(4.5)
    assert script.weighted_quantile(values, np.ones(100), 0.5) == pytest.approx(49.5)
    weights = np.zeros(100)
    weights[[10, 90]] = [0.9, 0.1]
    assert script.weighted_quantile(values, weights, 0.05) == 10.0  # below the first atom's midpoint
    assert script.weighted_quantile(values, weights, 0.97) == 90.0


def test_the_box_lies_inside_the_posterior_and_the_sweep_file_reads_back(screened, ci_posterior):
    from ics_abm.experiments.calibration.posterior import posterior
    from ics_abm.experiments.sweeps import read_sweep

    _, out, _ = screened
    frame = posterior(ci_posterior)
    box = pd.read_csv(out / "box.csv").set_index("parameter")
    assert list(box.index) == PARAMETERS
    for name, row in box.iterrows():
        assert frame[name].min() <= row["low"] < row["median"] < row["high"] <= frame[name].max()
        assert row["prior_low"] <= row["low"] and row["high"] <= row["prior_high"] and 0 < row["share"] < 1
    spec = read_sweep(out / "posterior-morris.toml")
    assert spec.design == "morris" and spec.samples == 3 and spec.steps == 24 and spec.replicates == 2
    assert {k: tuple(v) for k, v in spec.ranges.items()} == {p: (box.loc[p, "low"], box.loc[p, "high"])
                                                              for p in PARAMETERS}


def test_the_table_has_one_row_per_outcome_and_parameter(screened):
    script, out, indices = screened
    assert list(indices.columns) == COLUMNS
    assert indices.shape == (len(script.HEADLINE) * len(PARAMETERS), len(COLUMNS))
    assert list(indices["metric"].unique()) == list(script.HEADLINE)
    for _, group in indices.groupby("metric"):
        assert sorted(group["parameter"]) == sorted(PARAMETERS)
        assert sorted(group["rank"]) == [1, 2]
        assert group.sort_values("rank")["mu_star"].is_monotonic_decreasing
    assert (indices["mu_star"] >= indices["mu"].abs() - 1e-12).all() and (indices["sigma"] >= 0).all()
    assert indices["mu_star"].notna().all()
    assert indices.attrs["runs"] == 3 * (len(PARAMETERS) + 1) * 2
    assert pd.read_csv(out / "indices.csv").shape == indices.shape


def test_the_markdown_table_and_the_figure(screened, tmp_path):
    script, _, indices = screened
    table = script.markdown_table(indices, top=1).strip().splitlines()
    assert len(table) == 2 + len(script.HEADLINE)  # header, rule, the top parameter of each outcome
    assert all(line.count("|") == 8 for line in table)
    figure = script.plot_top(indices, "mean_trust", tmp_path / "f.png", top=15)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert sorted(labels) == sorted(PARAMETERS)
    assert (tmp_path / "f.png").stat().st_size > 0
