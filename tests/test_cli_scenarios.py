"""``ics-abm scenarios``, ``scenarios copy``, names wherever a file is accepted, and clean usage lines (issue 14)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ics_abm.cli as cli_module
from ics_abm.output.results import read_manifest
from ics_abm.scenario.catalog import list_scenarios, list_sweeps, resolve_scenario

runner = CliRunner()
COMMANDS = ["run", "validate", "compare", "validate-model", "sweep", "sensitivity", "demo", "scenarios", "scenarios copy"]


def invoke(*args):
    return runner.invoke(cli_module.app, [str(a) for a in args])


def test_scenarios_lists_every_name_with_its_group_description_and_aliases():
    result = invoke("scenarios")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["NAME", "GROUP", "DESCRIPTION"]
    text = " ".join(result.output.split())
    for entry in list_scenarios():
        row = next(line for line in lines if line.split()[:1] == [entry.name])
        assert row.split()[1] == entry.group
        assert " ".join(entry.description.split()[:3]) in text
        for alias in entry.aliases:
            assert alias in text and not any(line.split()[:1] == [alias] for line in lines), "an alias is not a row"
    for sweep in list_sweeps():
        assert any(line.split()[:1] == [sweep.name] for line in lines)


def test_scenarios_with_a_folder_adds_its_files_and_warns_about_bad_ones(tmp_path):
    (tmp_path / "mine.toml").write_text('[scenario]\nname = "mine"\ndescription = "my own system"\n', encoding="utf-8")
    (tmp_path / "bad.toml").write_text("[scenario\n", encoding="utf-8")
    result = invoke("scenarios", "--dir", tmp_path)
    assert result.exit_code == 0
    assert any(line.split()[:3] == ["mine", "custom", "my"] for line in result.stdout.splitlines())
    assert re.search(r"Warning: left out: .*bad\.toml: not valid TOML", result.stderr)
    missing = invoke("scenarios", "--dir", tmp_path / "nowhere")
    assert missing.exit_code == 2 and missing.stderr.strip() == f"Error: {tmp_path / 'nowhere'}: is not a folder; expected a folder of scenario files (*.toml)."


def test_copy_then_run_the_copy(tmp_path):
    result = invoke("scenarios", "copy", "ics_dorset", tmp_path / "mine")
    assert result.exit_code == 0, result.output
    copied = tmp_path / "mine" / "ics_dorset.toml"
    assert copied.read_bytes() == resolve_scenario("ics_dorset").read_bytes()
    assert f"ics-abm run {copied}" in result.output
    again = invoke("scenarios", "copy", "ics_dorset", tmp_path / "mine")
    assert again.exit_code == 2 and again.stderr.strip() == (
        f"Error: {copied}: already exists; expected a new file (use --force to replace it).")
    assert invoke("scenarios", "copy", "ics_dorset", tmp_path / "mine", "--force").exit_code == 0
    unknown = invoke("scenarios", "copy", "dorset", tmp_path)
    assert unknown.exit_code == 2 and unknown.stderr.startswith("Error: dorset: is neither a scenario file nor the name")
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_run_and_validate_take_a_name(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", "regulation_single", "--steps", 3, "--out", out)
    assert result.exit_code == 0, result.output
    manifest = read_manifest(out)
    assert manifest["scenario"] == "regulation_single"
    assert manifest["scenario_text"] == resolve_scenario("regulation_single").read_text(encoding="utf-8")
    checked = invoke("validate", "default", "single_oversight", "ics_dorset")
    assert checked.exit_code == 0 and checked.output.split() == ["ok:", "default", "ok:", "single_oversight", "ok:", "ics_dorset"]
    unknown = invoke("validate", "defualt")
    assert unknown.exit_code == 1 and "defualt: is neither a scenario file nor the name of a packaged scenario" in unknown.stderr


def test_sweep_takes_the_name_of_a_shipped_example():
    result = invoke("sweep", "example", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Nothing was run" in result.output


def test_demo_takes_a_preset_name_once(tmp_path):
    both = invoke("demo", "default", "--preset", "ics_dorset", "--out", tmp_path)
    assert both.exit_code == 2 and "give the scenario to start with once" in both.stderr
    unknown = invoke("demo", "--preset", "ics_dorsett", "--out", tmp_path)
    assert unknown.exit_code == 2 and unknown.stderr.startswith("Error: ics_dorsett: is neither a scenario file nor")


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_lines_are_clean(command):
    """No typer braces ({SCENARIO}) or Python types (<list[Path]>) in any help."""
    result = invoke(*command.split(), "--help")
    assert result.exit_code == 0
    assert not re.search(r"[{}]|<(path|int|str|float|bool|text|list\[[^\]]*\])>", result.output), result.output
    assert result.output.startswith(f"Usage: ics-abm {command} [OPTIONS]")


def test_help_and_validate_import_no_heavy_package():
    """`ics-abm --help` and `ics-abm validate` stay quick: no Mesa, numba, pandas, matplotlib (timed in benchmarks/)."""
    code = ("import sys; from ics_abm.cli import app; from typer.testing import CliRunner; "
            "r = CliRunner().invoke(app, sys.argv[1:]); assert r.exit_code == 0, r.output; "
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'mesa', 'numba', 'pandas', 'matplotlib', 'networkx', 'scipy', 'solara'}); "
            "print(','.join(heavy))")
    for args in (["--help"], ["validate", "default"], ["scenarios"]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "", f"ics-abm {' '.join(args)} imports {done.stdout.strip()}"


def test_import_ics_abm_is_lazy_and_names_still_work():
    code = ("import sys, ics_abm; assert 'mesa' not in sys.modules and 'numba' not in sys.modules; "
            "import ics_abm.run; assert callable(ics_abm.run) and ics_abm.run.__module__ == 'ics_abm.run'; "
            "from ics_abm import run, RunResult, load_scenario, ICSModel, KINDS, compare, sweep, load; "
            "assert set(ics_abm.__all__) <= set(dir(ics_abm)); print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent)
    assert done.stdout.strip() == "ok", done.stderr
