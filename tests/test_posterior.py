"""The calibrated posterior (issue 11): loading it, drawing from it, and the one shipped with ics_abm."""

from __future__ import annotations

import json

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


def test_the_shipped_posterior_holds_1000_accepted_sets_with_their_provenance():
    import hashlib
    from importlib.resources import files

    frame = ics_abm.posterior()
    provenance = frame.attrs["provenance"]
    config = read_config("default")
    text = (files("ics_abm") / "data" / "calibration" / "default.toml").read_text(encoding="utf-8")
    assert len(frame) >= 1000 and provenance["accepted"] == len(frame)
    assert provenance["config_name"] == "default" and provenance["root_seed"] == config.settings.root_seed
    assert provenance["config_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert provenance["evaluations"] >= len(frame) and 0 < provenance["acceptance_rate"] <= 1
    assert {"ics_abm_version", "pyabc_version", "git_commit", "created_utc"} <= set(provenance)
    assert sorted(parameter_columns(frame)) == sorted(config.prior)
    assert (frame["distance"] == 0).all(), "ABC rejection at epsilon 0: every accepted set meets every pattern"
    for path, prior in config.prior.items():
        assert frame[path].between(*prior.range).all(), path


def test_the_small_config_reproduces_the_shape_of_the_shipped_posterior(tmp_path):
    # The two parameters the shipped calibration constrains most move the same way in CI time.
    pytest.importorskip("pyabc")
    out = tmp_path / "small"
    result = runner.invoke(cli_module.app, ["calibrate", "small", "--out", str(out)])
    assert result.exit_code == 0, result.output
    small, shipped, config = posterior(out), ics_abm.posterior(), read_config("small")
    assert len(small) == config.settings.population_size and (small["distance"] == 0).all()
    for path, prior in config.prior.items():
        middle = sum(prior.range) / 2
        side = np.sign(shipped[path].median() - middle)
        assert side != 0 and np.sign(small[path].median() - middle) == side, path
    # The shape small.toml documents: lower starting trust, heavier losses than the prior's middle.
    assert shipped["trust.initial"].median() < 0.6 and shipped["governance.loss_weight"].median() > 1.2


def test_every_default_lies_inside_the_shipped_posterior():
    from ics_abm.experiments.calibration.diagnostics import marginals
    from ics_abm.experiments.validation.robustness import assumption_paths

    config = read_config("default")
    defaults = {path: float(value) for path, value in assumption_paths() if path in config.prior}
    table = marginals(ics_abm.posterior(), config, defaults).set_index("parameter")
    frame = ics_abm.posterior()
    for path, row in table.iterrows():
        if row["default"] in (row["prior_low"], row["prior_high"]):
            # A central 90 % interval cannot reach the edge of the box: a default on a bound (the
            # field's own limit, e.g. decision.socialised_power = 1) must have accepted sets within
            # 5 % of the box's width of it.
            assert (frame[path] - row["default"]).abs().min() <= 0.05 * (row["prior_high"] - row["prior_low"]), path
        else:
            assert row["default_inside"], f"{path}: default {row['default']} outside [{row['q05']}, {row['q95']}]"


def _refined(name: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """The kept sets of a shipped fact refinement, and the rule of docs/calibration.md applied to them.

    The rule: a parameter whose kept sets' marginal differs from its uniform prior box
    (Kolmogorov-Smirnov, p < 0.05 over the number of parameters) moves to their median, rounded
    to two significant figures.
    """
    from importlib.resources import files

    from scipy import stats

    folder = files("ics_abm") / "data" / "calibration"
    provenance = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    with (folder / f"{name}.parquet").open("rb") as handle:
        facts = pd.read_parquet(handle)
    refined = ics_abm.posterior().merge(facts, on="draw", validate="one_to_one")
    assert len(refined) == len(facts) == 1000
    assert sorted(c.removeprefix("fact:") for c in facts.columns if c.startswith("fact:")) == sorted(provenance["facts"])
    # ABC rejection with the facts added: keep the sets closest to every fact's direction.
    kept = refined[refined["fact_distance"] <= refined["fact_distance"].quantile(provenance["keep"])]
    config = read_config("default")
    moved = {}
    for path, prior in config.prior.items():
        low, high = prior.range
        if stats.kstest(kept[path], stats.uniform(low, high - low).cdf).pvalue < 0.05 / len(config.prior):
            moved[path] = float(f"{kept[path].median():.2g}")  # two significant figures
    return kept, moved


def test_the_defaults_the_fact_refined_posterior_constrains_are_its_medians():
    """docs/calibration.md, "The defaults and the posterior": the rule the defaults were set by."""
    from ics_abm.experiments.validation.robustness import assumption_paths

    _, moved = _refined("fact-refinement")
    defaults = {path: float(value) for path, value in assumption_paths()}
    assert moved == {path: defaults[path] for path in moved}
    assert set(moved) == {"trust.initial", "progress.maturity", "governance.decision_rate", "finance.risk_tolerance",
                          "governance.deliberation"}


def test_the_refinement_with_every_fact_gives_the_documented_second_candidate():
    """docs/calibration.md, "Every fact in the distance": every registered fact, its kept sets and its candidate."""
    from ics_abm.experiments.validation.facts import FACTS

    kept, moved = _refined("fact-refinement-all")
    assert {c.removeprefix("fact:") for c in kept.columns if c.startswith("fact:")} == {f.id for f in FACTS}
    assert moved == {"trust.initial": 0.55, "progress.maturity": 15.0, "governance.decision_rate": 0.062,
                     "finance.risk_tolerance": 0.39, "governance.vote_noise": 0.13}
    fragile, _ = _refined("fact-refinement")
    assert len(set(kept["draw"]) & set(fragile["draw"])) == 60
    shipped = ics_abm.posterior()
    for path, value in moved.items():
        assert shipped[path].quantile(0.05) < value < shipped[path].quantile(0.95), path


def test_the_default_point_meets_every_level_pattern_on_the_calibration_seeds():
    """docs/calibration.md: why the defaults are the fragile-fact candidate (the all-fact one misses ``setbacks``)."""
    from ics_abm.experiments.calibration.patterns import distance
    from ics_abm.experiments.calibration.smc import PatternModel
    from ics_abm.experiments.validation.robustness import assumption_paths

    config = read_config("default")
    statistics = PatternModel(config)({path: float(value) for path, value in assumption_paths() if path in config.prior})
    assert distance(statistics) == 0.0, statistics
