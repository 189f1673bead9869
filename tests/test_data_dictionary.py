"""The data dictionary (docs/data-dictionary.md, from ics_abm.columns) lists every column a command writes (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm
import ics_abm.cli as cli_module
from ics_abm.columns import TABLES, columns, markdown
from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
SWEEP = """[sweep]
name = "small"
scenario = "default"
steps = 3
replicates = 1
root_seed = 1

[levers]
"regulation.regime" = ["misaligned", "aligned"]
"""


def invoke(*args):
    result = runner.invoke(cli_module.app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The folders that run, compare and sweep write, for a tiny system and horizon."""
    out = tmp_path_factory.mktemp("written")
    invoke("run", "default", "--steps", 3, "--out", out / "run")
    invoke("compare", "default", "regulation_aligned", "--replicates", 2, "--steps", 3, "--out", out / "compare")
    (out / "small.toml").write_text(SWEEP, encoding="utf-8")
    invoke("sweep", out / "small.toml", "--out", out / "sweep")
    return out


def test_the_committed_page_is_current():
    page = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert page == markdown(), "regenerate: python -m ics_abm.columns > docs/data-dictionary.md"


def test_every_metric_of_the_one_table_is_in_the_dictionary():
    assert [c.name for c in columns("run", "system")][3:] == list(METRICS)
    assert [c.name for c in columns("run", "organisations")][5:] == list(ORG_TRAJECTORY_FIELDS)
    for _, _, _, cols in TABLES:
        assert all(c.meaning for c in cols)
        assert len({c.name for c in cols}) == len(cols)


@pytest.mark.parametrize(("command", "stem"), [(c, s) for c, s, _, _ in TABLES if c in ("run", "compare")])
def test_every_written_column_is_listed_in_order(written, command, stem):
    for ext in ("csv", "parquet"):
        path = written / command / f"{stem}.{ext}"
        table = pd.read_csv(path) if ext == "csv" else pd.read_parquet(path)
        assert list(table.columns) == [c.name for c in columns(command, stem)], path


def test_every_sweep_column_is_listed(written):
    table = ics_abm.load(written / "sweep")
    listed = [c.name for c in columns("sweep", "runs/batch-*")]
    parameters = [c for c in table.columns if c not in listed]
    assert parameters == ["regulation.regime"], "only the varied parameters are named by the file"
    assert [c for c in table.columns if c != "regulation.regime"] == [c for c in listed if c != "<parameter>"]


def _names(command: str, stem: str) -> list[str]:
    return [c.name for c in columns(command, stem)]


def test_validate_model_writes_the_columns_of_the_dictionary(tmp_path):
    invoke("validate-model", "--only", "SF1", "--seeds", 30, "--no-robustness", "--out", tmp_path / "v")
    for stem in ("summary", "outcomes"):
        assert list(pd.read_csv(tmp_path / "v" / f"{stem}.csv").columns) == _names("validate-model", stem), stem


def test_the_robustness_tables_have_the_columns_of_the_dictionary():
    # The tables validate-model --robustness writes as they are (levers.csv, sensitivity.csv).
    from ics_abm.experiments.validation.robustness import LEVERS, lever_effects, sensitivity

    assert list(lever_effects([0, 1], LEVERS[:1]).columns) == _names("validate-model", "levers")
    assert list(sensitivity([0, 1]).columns) == _names("validate-model", "sensitivity")

