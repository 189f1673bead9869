"""Sweeps with design "posterior" (issue 11, point 4): common draws and seeds, the same on 1 and 2 workers.

Every test draws from a real posterior made by the CI calibration (tests/posterior_helpers.py),
never from the one shipped with the package.
"""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm
import ics_abm.cli as cli_module
from ics_abm.columns import columns
from ics_abm.experiments.calibration.posterior import draw_parameters, parameter_columns, posterior
from ics_abm.experiments.sweeps import build_design, read_design, read_sweep, sweep
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.metrics import METRICS
from tests.posterior_helpers import ci_posterior
from tests.sweep_helpers import file_hashes, sorted_table, write_sweep

pytest.importorskip("pyabc")
runner = CliRunner()
DRAWS, REPLICATES, ROOT = 3, 2, 17

#: Two policies that are the same model: the pooled share only acts under the "pooled" regime, and
#: the default system keeps its budgets "separate". Run for run they must give the same numbers.
SAME_TWICE = """steps = 12
replicates = {replicates}
root_seed = {root}
batch_size = 2

[levers]
"finance.pooled_share" = [0.5, 0.25]

[uncertainties]
design = "posterior"
draws = {draws}
source = "{source}"
"""


@pytest.fixture(scope="session")
def source(tmp_path_factory):
    return ci_posterior(tmp_path_factory)


@pytest.fixture(scope="module")
def same_twice(source, tmp_path_factory):
    folder = tmp_path_factory.mktemp("same-twice")
    path = write_sweep(folder, SAME_TWICE.format(replicates=REPLICATES, root=ROOT, draws=DRAWS, source=source))
    out = folder / "serial"
    sweep(path, out, workers=1)
    return path, out


def test_a_policy_against_an_identical_one_differs_by_exactly_zero(same_twice):
    _, out = same_twice
    table = ics_abm.load(out)
    first, second = (table[table["policy_id"] == p].reset_index(drop=True) for p in (0, 1))
    keys = ["sample_id", "replicate", "seed", "posterior_draw", *parameter_columns_of(table), "step"]
    pd.testing.assert_frame_equal(first[keys], second[keys])  # the same draws and seeds for every policy
    for metric in METRICS:
        difference = first[metric].to_numpy(np.float64) - second[metric].to_numpy(np.float64)
        assert np.array_equal(np.nan_to_num(difference), np.zeros(len(first))), metric
    assert len(first) == DRAWS * REPLICATES * 12


def parameter_columns_of(table: pd.DataFrame) -> list[str]:
    start, stop = list(table.columns).index("finance.pooled_share") + 1, list(table.columns).index("step")
    return list(table.columns[start:stop])


def test_the_draws_are_the_posteriors_resampled_with_the_root_seed_and_seeds_are_the_replicates(same_twice, source):
    path, out = same_twice
    design = read_design(out)
    frame = posterior(source)
    expected = draw_parameters(frame, DRAWS, ROOT)
    for _, runs in design.groupby("policy_id"):
        per_draw = runs.groupby("sample_id").first()
        assert per_draw["posterior_draw"].tolist() == expected["draw"].tolist()
        for path_ in parameter_columns(frame):
            assert np.array_equal(per_draw[path_].to_numpy(), expected[path_].to_numpy()), path_
        assert (runs.groupby("replicate")["seed"].first().to_numpy() == replicate_seeds(ROOT, REPLICATES)).all()
    manifest = json.loads((out / "manifest.json").read_text())
    record = manifest["design"]["uncertainties"]
    assert record["design"] == "posterior" and record["draws"] == DRAWS and record["seed"] == ROOT
    assert record["posterior"]["config_name"] == "ci" and record["posterior"]["calibration_root_seed"] == 11
    assert record["posterior"]["posterior_draws"] == expected["draw"].tolist()


def test_one_and_two_workers_give_identical_results(same_twice, tmp_path):
    path, serial = same_twice
    pool = tmp_path / "pool"
    result = runner.invoke(cli_module.app, ["sweep", str(path), "--workers", "2", "--out", str(pool)])
    assert result.exit_code == 0, result.output
    assert "2 worker processes" in result.output
    assert sorted_table(pool).equals(sorted_table(serial))
    assert file_hashes(pool) == file_hashes(serial)
    pd.testing.assert_frame_equal(read_design(pool), read_design(serial))


def test_the_columns_are_those_of_the_data_dictionary(same_twice):
    table = ics_abm.load(same_twice[1])
    listed = [c.name for c in columns("sweep", "runs/batch-* (design posterior)")]
    named = [c for c in table.columns if c not in listed]
    assert named == ["finance.pooled_share", *parameter_columns_of(table)]
    assert [c for c in table.columns if c not in named] == [c for c in listed if c != "<parameter>"]


def test_levers_and_constants_keep_their_values(source, tmp_path):
    calibrated = parameter_columns(posterior(source))
    lever, constant = calibrated[0], calibrated[1]
    body = (f'steps = 3\nreplicates = 1\n\n[constants]\n"{constant}" = 0.07\n\n[levers]\n"{lever}" = [0.5, 0.9]\n\n'
            f'[uncertainties]\ndesign = "posterior"\ndraws = 2\nsource = "{source}"\n')
    spec = read_sweep(write_sweep(tmp_path, body))
    assert spec.posterior.kept == (lever, constant)  # in the posterior's order
    assert spec.parameters == [lever, *calibrated[2:]]
    design = build_design(spec)
    assert design.points[lever].tolist() == [0.5, 0.5, 0.9, 0.9]
    assert spec.base[constant.split(".")[0]][constant.split(".")[1]] == 0.07


def test_a_relative_source_is_read_from_the_sweep_files_folder(source, tmp_path):
    folder = source.parent
    body = f'steps = 3\n\n[uncertainties]\ndesign = "posterior"\ndraws = 2\nsource = "{source.name}"\n'
    spec = read_sweep(write_sweep(folder / "relative", body.replace(source.name, f"../{source.name}")))
    assert spec.posterior.n == 2 and spec.posterior.provenance["config_name"] == "ci"


@pytest.mark.parametrize(("uncertainties", "words"), [
    ('design = "posterior"\ndraws = 2\nsource = "no-such-folder"',
     "sweep.toml: field 'uncertainties.source' expected a folder written by ics-abm calibrate, got 'no-such-folder', "
     "which is not a folder."),
    ('design = "posterior"\ndraws = 0\nsource = "{source}"',
     "sweep.toml: field 'uncertainties.draws' expected a whole number >= 1, got 0 (a whole number)."),
    ('design = "posterior"\nsource = "{source}"',
     "section [uncertainties] with design 'posterior' needs 'draws', the number of parameter draws from the posterior."),
    ('design = "posterior"\nsamples = 4\nsource = "{source}"',
     "with design 'posterior' takes 'draws', the number of parameter draws, not 'samples' (got samples = 4)."),
    ('design = "posterior"\ndraws = 2\n[uncertainties.ranges]\n"legacy.strength" = [0.0, 1.0]',
     "with design 'posterior' takes no [uncertainties.values] or [uncertainties.ranges]"),
    ('design = "lhs"\nsamples = 4\ndraws = 2\n[uncertainties.ranges]\n"legacy.strength" = [0.0, 1.0]',
     "section [uncertainties] has 'draws', which applies to design 'posterior' only."),
    ('design = "posterior"\ndraws = "many"',
     "field 'uncertainties.draws' expected a whole number, got 'many' (a string)."),
])
def test_bad_posterior_settings_are_one_sentence_exit_2_and_write_nothing(source, tmp_path, uncertainties, words):
    path = write_sweep(tmp_path, f"steps = 3\n\n[uncertainties]\n{uncertainties.format(source=source)}\n")
    out = tmp_path / "never"
    result = runner.invoke(cli_module.app, ["sweep", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert words in text and text.count(". ") == 0, text
    assert not out.exists()


def test_a_folder_that_is_no_calibration_and_a_missing_shipped_posterior_are_refused(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    path = write_sweep(tmp_path, 'steps = 3\n\n[uncertainties]\ndesign = "posterior"\ndraws = 2\nsource = "empty"\n')
    result = runner.invoke(cli_module.app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    assert ("field 'uncertainties.source' expected a folder written by ics-abm calibrate with at least one finished "
            "generation, got 'empty'") in " ".join(result.output.split())
    module = importlib.import_module("ics_abm.experiments.calibration.posterior")  # the package's name is the function
    monkeypatch.setattr(module, "SHIPPED", "no-such-posterior")  # as if the shipped posterior were not installed
    path.write_text(path.read_text().replace('source = "empty"\n', ""))
    result = runner.invoke(cli_module.app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    assert ("field 'uncertainties.source' is not given and the shipped posterior "
            "(ics_abm/data/calibration/posterior-default.parquet) is not installed") in " ".join(result.output.split())


def test_resuming_reads_the_same_draws_and_another_posterior_is_refused(same_twice, source, tmp_path):
    path, serial = same_twice
    again = sweep(path, serial, resume=True)  # the draws are made again from the file: the same digest
    assert again.computed == 0 and again.runs == 2 * DRAWS * REPLICATES
    other = write_sweep(tmp_path, SAME_TWICE.format(replicates=REPLICATES, root=ROOT, draws=DRAWS + 1, source=source))
    result = runner.invoke(cli_module.app, ["sweep", str(other), "--out", str(serial), "--resume"])
    assert result.exit_code == 2 and "holds a different sweep" in result.output
