"""The calibrated posterior (issue 11): loading it, drawing from it, and the one shipped with ics_abm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm
import ics_abm.cli as cli_module
from ics_abm.experiments.calibration import CalibrationError, read_config
from ics_abm.experiments.calibration.posterior import draw_parameters, parameter_columns, posterior

runner = CliRunner()


@pytest.fixture(scope="module")
def ci_folder(tmp_path_factory):
    pytest.importorskip("pyabc")
    out = tmp_path_factory.mktemp("calibration") / "ci"
    result = runner.invoke(cli_module.app, ["calibrate", "ci", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_calibration_folder_loads_as_its_last_generation_with_provenance(ci_folder):
    frame = posterior(ci_folder)
    config = read_config("ci")
    assert list(frame.columns[:3]) == ["draw", "weight", "distance"]
    assert sorted(parameter_columns(frame)) == sorted(config.prior)
    assert len(frame) == config.settings.population_size
    assert frame["draw"].tolist() == list(range(len(frame)))
    assert frame["weight"].sum() == pytest.approx(1.0)
    provenance = frame.attrs["provenance"]
    assert provenance["config_name"] == "ci" and provenance["root_seed"] == config.settings.root_seed
    assert provenance["generation"] == config.settings.generations - 1 and provenance["complete"]


def test_draws_are_by_weight_reproducible_and_nested(ci_folder):
    frame = posterior(ci_folder)
    ten = draw_parameters(frame, 10, seed=3)
    assert ten["sample"].tolist() == list(range(10))
    pd.testing.assert_frame_equal(ten, draw_parameters(frame, 10, seed=3))
    pd.testing.assert_frame_equal(ten.head(4), draw_parameters(frame, 4, seed=3))
    assert not ten.equals(draw_parameters(frame, 10, seed=4))
    for _, row in ten.iterrows():  # every draw is a whole accepted parameter set
        source = frame.loc[frame["draw"] == row["draw"], parameter_columns(frame)].iloc[0]
        assert np.array_equal(source.to_numpy(), row[parameter_columns(frame)].to_numpy(dtype=float))
    # By weight: a particle with all the weight is the only one drawn.
    lopsided = frame.assign(weight=np.eye(len(frame))[2])
    assert set(draw_parameters(lopsided, 50, seed=0)["draw"]) == {2}


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_a_bad_number_of_draws_is_refused(ci_folder, n):
    with pytest.raises(CalibrationError, match="whole number >= 1"):
        draw_parameters(posterior(ci_folder), n, seed=0)


def test_a_folder_without_a_finished_generation_is_one_sentence(tmp_path):
    with pytest.raises(CalibrationError, match="no finished generation"):
        posterior(tmp_path)


def test_posterior_is_public_and_lazy():
    assert "posterior" in ics_abm.__all__ and ics_abm.posterior is posterior
