"""``ics-abm compare`` end to end: the regulation options, files written, the briefing, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm.experiments.comparison.outcomes import DEFAULT_OUTCOMES, DOMAINS, measures_of
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.metrics import METRICS
from ics_abm.scenario.catalog import resolve_scenario
from ics_abm.scenario.loading import scenario_hash
from tests.files import leftovers, sha256

REPO = Path(__file__).resolve().parents[1]
# By name (issue 14): aligned_regulators and single_oversight are aliases of regulation_aligned and regulation_single.
REGULATION = ["default", "aligned_regulators", "single_oversight"]
EXPECTED_FILES = {
    "outcomes.parquet", "outcomes.csv", "summary.parquet", "summary.csv", "contrasts.parquet", "contrasts.csv",
    "trajectories.parquet", "trajectories.csv", "trajectories.png", "final_outcomes.png", "manifest.json",
    "briefing.html", "briefing.md",
    "scenarios/0-default.toml", "scenarios/1-aligned_regulators.toml", "scenarios/2-single_oversight.toml",
}
PNG = b"\x89PNG\r\n\x1a\n"

runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli_module.app, ["compare", *map(str, args)])


def assert_clean_failure(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture(scope="module")
def regulation_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "regulation"
    result = invoke(*REGULATION, "--replicates", 3, "--steps", 12, "--seed", 5, "--out", out, "--report")
    return result, out


def test_regulation_options_end_to_end(regulation_run):
    result, out = regulation_run
    assert result.exit_code == 0, result.output
    assert f"Results written to {out} (briefing.html, briefing.md, figures)" in result.output
    for option in ("aligned_regulators", "single_oversight"):  # a verdict per option, in words
        assert re.search(rf"^{option}: ", result.output, flags=re.MULTILINE), result.output
    assert "paired runs" in result.output and "t interval" not in result.output
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == EXPECTED_FILES
    assert leftovers(out.parent) == []


def test_tables_are_long_with_every_option_and_replicate(regulation_run):
    _, out = regulation_run
    rows_per_replicate = sum(len(measures_of(o)) for o in DEFAULT_OUTCOMES)
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert list(outcomes.columns) == ["option", "replicate", "seed", "outcome", "measure", "value"]
    assert len(outcomes) == 3 * 3 * rows_per_replicate
    assert list(dict.fromkeys(outcomes["option"])) == ["default", "aligned_regulators", "single_oversight"]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns[:3]) == ["option", "outcome", "measure"]
    assert len(summary) == 3 * rows_per_replicate
    base = summary[summary["option"] == "default"]
    assert (base["difference"] == 0).all() and (base["difference_low"] == 0).all()
    contrasts = pd.read_parquet(out / "contrasts.parquet")
    pairs = set(zip(contrasts["option"], contrasts["reference"]))
    assert ("aligned_regulators", "single_oversight") in pairs and ("single_oversight", "aligned_regulators") in pairs
    trajectories = pd.read_parquet(out / "trajectories.parquet")
    assert list(trajectories.columns) == ["option", "replicate", "seed", "step", "outcome", "value"]
    assert len(trajectories) == 3 * 3 * 12 * len(METRICS)


def test_briefing_has_a_verdict_per_option(regulation_run):
    _, out = regulation_run
    markdown = (out / "briefing.md").read_text(encoding="utf-8")
    for option in ("aligned_regulators", "single_oversight"):
        assert f"**{option}: " in markdown
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 2


def test_figures_are_pngs(regulation_run):
    _, out = regulation_run
    for name in ("trajectories.png", "final_outcomes.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000


def test_manifest_records_scenarios_seeds_steps_and_version(regulation_run):
    _, out = regulation_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seeds"] == [int(s) for s in replicate_seeds(5, 3)] and manifest["seed"] == 5
    assert manifest["steps"] == 12 and manifest["replicates"] == 3
    assert manifest["ics_abm_version"]
    for record, name in zip(manifest["options"], REGULATION, strict=True):
        text = resolve_scenario(name).read_text(encoding="utf-8")
        assert record["scenario_text"] == text and record["scenario_sha256"] == scenario_hash(text)
    for name, entry in manifest["files"].items():
        assert sha256(out / name) == entry["sha256"]
    assert "bootstrap" in manifest["interval"]
    assert "--report" in manifest["command"]
    assert {"briefing.html", "briefing.md"} <= set(manifest["files"])


def test_existing_output_is_refused_before_running(regulation_run):
    _, out = regulation_run
    line = assert_clean_failure(invoke(*REGULATION[:2], "--replicates", 2, "--steps", 2, "--out", out))
    assert "--force" in line


def test_force_replaces(tmp_path):
    out = tmp_path / "c"
    args = (*REGULATION[:2], "--replicates", 2, "--steps", 2, "--out", out, "--outcome", "mean_trust")
    assert invoke(*args).exit_code == 0
    result = invoke(*args, "--force")
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out / "outcomes.csv")["outcome"]) == {"mean_trust"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--replicates", "1"], "--replicates must be a whole number >= 2"),
        (["--steps", "0"], "--steps must be a whole number >= 1, got 0."),
        (["--seed", "-3"], "--seed must be a whole number >= 0, got -3."),
        (["--outcome", "mean_trusts"], "did you mean 'mean_trust'?"),
        (["--domain", "finances"], "domain 'finances' is not known (did you mean 'finance'?)"),
    ],
)
def test_bad_numbers_and_names(tmp_path, args, expected):
    line = assert_clean_failure(invoke(*REGULATION[:2], *args, "--out", tmp_path / "x"))
    assert expected in line
    assert not (tmp_path / "x").exists()


def test_one_file_is_not_a_comparison(tmp_path):
    line = assert_clean_failure(invoke(REGULATION[0], "--out", tmp_path / "x"))
    assert "expected a base scenario file and at least one option file, got 1 file(s)." in line
    assert_clean_failure(invoke("--out", tmp_path / "x"))


def test_without_report_there_is_no_briefing_and_a_domain_chooses_outcomes(tmp_path):
    out = tmp_path / "finance"
    result = invoke(*REGULATION[:2], "--replicates", 2, "--steps", 3, "--domain", "finance", "--out", out)
    assert result.exit_code == 0, result.output
    assert not (out / "briefing.html").exists()
    assert list(dict.fromkeys(pd.read_parquet(out / "outcomes.parquet")["outcome"])) == list(DOMAINS["finance"])


def test_figures_are_drawn_only_on_request(tmp_path):
    plain, drawn = tmp_path / "plain", tmp_path / "drawn"
    args = (*REGULATION[:2], "--replicates", 2, "--steps", 3, "--outcome", "mean_trust")
    result = invoke(*args, "--out", plain)
    assert result.exit_code == 0, result.output
    assert not list(plain.glob("*.png")) and "add --figures or --report" in result.output
    assert "--figures" in json.loads((plain / "manifest.json").read_text())["figures"]
    assert invoke(*args, "--out", drawn, "--figures").exit_code == 0
    assert sorted(p.name for p in drawn.glob("*.png")) == ["final_outcomes.png", "trajectories.png"]
    assert json.loads((drawn / "manifest.json").read_text())["figures"] == ["final_outcomes.png", "trajectories.png"]


def test_another_system_is_refused_before_running(tmp_path):
    dorset = REPO / "scenarios" / "ics_dorset.toml"
    line = assert_clean_failure(invoke(REGULATION[0], dorset, "--replicates", 2, "--out", tmp_path / "x"))
    assert "option 'ics_dorset' is not the same system as the base 'default'" in line
    assert not (tmp_path / "x").exists()


def test_bad_scenario_file_reuses_the_scenario_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "bad"\n[trust]\ngain_rat = 0.1\n', encoding="utf-8")
    line = assert_clean_failure(invoke(REGULATION[0], bad, "--out", tmp_path / "x"))
    assert line.startswith(f"Error: {bad}: field 'trust.gain_rat' is not a known field (did you mean 'gain_rate'?)")
    missing = assert_clean_failure(invoke(REGULATION[0], tmp_path / "missing.toml", "--out", tmp_path / "x"))
    assert "file not found" in missing


def test_help_lists_compare():
    result = runner.invoke(cli_module.app, ["--help"])
    assert "compare" in result.output and "validate-model" in result.output
