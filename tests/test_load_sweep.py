"""Loading a sweep's results: tidy, filtered on disk, and the right numbers for the right parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest

import ics_abm
from ics_abm.experiments.sweeps import dataset, read_design, read_sweep
from ics_abm.experiments.sweeps.parameters import with_values
from ics_abm.experiments.sweeps.store import batch_path
from ics_abm.metrics import METRICS
from ics_abm.scenario.loading import scenario_from_dict
from tests.sweep_helpers import write_sweep

BODY = """\
replicates = 2
root_seed = 21
batch_size = 3
[constants]
"trust.initial" = 0.7
[levers]
"regulation.regime" = ["misaligned", "aligned"]
[uncertainties]
design = "factorial"
[uncertainties.values]
"legacy.strength" = [0.1, 0.9]
"organisations.acute" = [1, 3]
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("load")
    path = write_sweep(folder, BODY)
    return path, ics_abm.sweep(path, folder / "out").out


def test_load_is_tidy_and_sorted(swept):
    _, out = swept
    table = ics_abm.load(out)
    assert len(table) == 16 * 24
    assert list(table.columns) == ["run_id", "point_id", "policy_id", "sample_id", "replicate", "root_seed",
                                   "spawn_key", "seed", "regulation.regime", "legacy.strength",
                                   "organisations.acute", "step", *METRICS]
    assert list(table["run_id"]) == list(np.repeat(np.arange(16), 24))
    assert list(table["step"]) == list(np.tile(np.arange(1, 25), 16))
    assert table.index.equals(pd.RangeIndex(len(table)))


def test_every_row_is_the_run_its_parameters_and_seed_say(swept):
    # The honest check that parameters reach the model: rerun two rows' settings with ics_abm.run.
    path, out = swept
    spec = read_sweep(path)
    table = ics_abm.load(out)
    for run_id in (5, 14):
        rows = table[table["run_id"] == run_id]
        first = rows.iloc[0]
        values = {p: getattr(first[p], "item", lambda v=first[p]: v)() for p in spec.parameters}  # numpy -> Python
        scenario = scenario_from_dict(with_values(spec.base, values))
        direct = ics_abm.run(scenario, int(first["seed"]), spec.steps).system
        assert np.array_equal(rows[list(METRICS)].to_numpy(), direct[list(METRICS)].to_numpy(), equal_nan=True)
    # and different parameters do give different outcomes (the values are not ignored)
    final = table[table["step"] == 24].groupby(["organisations.acute", "replicate"])["mean_trust"].first()
    assert not np.allclose(final.loc[1].to_numpy(), final.loc[3].to_numpy())


def test_columns_and_filters_read_only_what_is_asked(swept):
    _, out = swept
    final = ics_abm.load(out, columns=["regulation.regime", "mean_trust"],
                         filters=[("step", "==", 24), ("regulation.regime", "==", "aligned")])
    assert list(final.columns) == ["run_id", "step", "regulation.regime", "mean_trust"]
    assert len(final) == 8 and set(final["regulation.regime"]) == {"aligned"} and set(final["step"]) == {24}
    expression = (ds.field("legacy.strength") > 0.5) & (ds.field("step") > 20)
    late = ics_abm.load(out, columns=["legacy.strength"], filters=expression)
    assert len(late) == 8 * 4 and (late["legacy.strength"] == 0.9).all()


def test_dataset_stays_on_disk(swept):
    _, out = swept
    data = dataset(out)
    assert isinstance(data, ds.Dataset)
    assert len(data.files) == 6  # 16 runs in batches of 3
    assert data.count_rows(filter=ds.field("replicate") == 1) == 8 * 24


def test_design_table_lists_every_run(swept):
    _, out = swept
    runs = read_design(out)
    assert list(runs["run_id"]) == list(range(16)) and list(runs["batch"]) == [r // 3 for r in range(16)]


def test_incomplete_sweep_is_refused_unless_asked(swept, tmp_path):
    import shutil

    _, out = swept
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    batch_path(copy, 2).unlink()
    with pytest.raises(ics_abm.SweepError, match=r"the sweep is incomplete \(1 of 6 result files missing\)"):
        ics_abm.load(copy)
    partial = ics_abm.load(copy, allow_incomplete=True)
    assert sorted(set(partial["run_id"])) == [r for r in range(16) if r // 3 != 2]


def test_bad_requests_are_one_sentence(swept, tmp_path):
    _, out = swept
    with pytest.raises(ics_abm.SweepError, match=r"has no column 'mean_trst'; expected one of"):
        ics_abm.load(out, columns=["mean_trst"])
    with pytest.raises(ics_abm.SweepError, match=r"holds no manifest.json; not an ics_abm sweep folder"):
        ics_abm.load(tmp_path)
