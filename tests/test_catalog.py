"""The scenario catalogue (ics_abm.scenario.catalog): packaged scenarios by name, aliases, a user's folder.

Issue 14: the scenarios ship inside the package and a name works wherever a path does; each
scenario is listed once (files that were identical are one file with aliases), and what the
catalogue shows (group, description) comes from the files themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ics_abm
from ics_abm.scenario import ScenarioError
from ics_abm.scenario.catalog import (
    ScenarioEntry,
    copy_scenario,
    list_scenarios,
    list_sweeps,
    packaged_scenarios_dir,
    resolve_scenario,
    resolve_sweep,
    scan_scenarios,
)
from ics_abm.scenario.loading import load_scenario, scenario_to_dict
from ics_abm.scenario.schema import SCENARIO_GROUPS

REPO = Path(__file__).resolve().parent.parent
PACKAGED = sorted(packaged_scenarios_dir().glob("*.toml"))

HEADER = """[scenario]
name = "{name}"
description = "{description}"
"""


def test_packaged_folder_is_inside_the_package_and_the_repository_path_points_to_it():
    package = Path(ics_abm.__file__).resolve().parent
    assert packaged_scenarios_dir().resolve().is_relative_to(package)
    assert (REPO / "scenarios").resolve() == packaged_scenarios_dir().resolve()
    assert len(PACKAGED) >= 20


def test_every_packaged_file_is_listed_once_with_its_own_group_and_description():
    entries = list_scenarios()
    assert [e.path.resolve() for e in entries if e.path.resolve().parent == packaged_scenarios_dir().resolve()] \
        and sorted(e.name for e in entries) == sorted(p.stem for p in PACKAGED)
    for entry in entries:
        scenario = load_scenario(entry.path)
        assert entry.group == scenario.scenario.group and entry.group in SCENARIO_GROUPS[:-1], entry.name
        assert entry.description == scenario.scenario.description.strip().splitlines()[0]
        assert entry.aliases == scenario.scenario.aliases
    assert entries[0].name == "default"
    groups = [e.group for e in entries]
    assert groups == sorted(groups, key=SCENARIO_GROUPS.index), "listed by group"
    assert sum(g == "ics" for g in groups) == 8, "the eight first-wave ICSs"


def test_no_two_packaged_scenarios_are_the_same_scenario():
    """A duplicate belongs in the canonical file's aliases, not in a second file."""
    seen: dict[str, str] = {}
    for path in PACKAGED:
        data = scenario_to_dict(load_scenario(path))
        for key in ("name", "description", "group", "aliases"):
            data["scenario"].pop(key)
        key = repr(data)
        assert key not in seen, f"{path.stem} is the same scenario as {seen.get(key)}: make it an alias"
        seen[key] = path.stem


@pytest.mark.parametrize(("alias", "canonical"), [
    ("regulation_misaligned", "default"), ("finance_separate_pbr", "default"), ("aligned_regulators", "regulation_aligned"),
    ("single_oversight", "regulation_single"),
])
def test_names_users_already_type_still_resolve(alias, canonical):
    assert resolve_scenario(alias) == resolve_scenario(canonical) == packaged_scenarios_dir() / f"{canonical}.toml"
    assert ics_abm.load_scenario(alias) == ics_abm.load_scenario(canonical)
    listed = [e.name for e in list_scenarios()]
    assert alias not in listed and canonical in listed


def test_no_alias_is_also_a_name_and_none_is_given_twice():
    entries = list_scenarios()
    names = {e.name for e in entries}
    aliases = [a for e in entries for a in e.aliases]
    assert len(aliases) == len(set(aliases))
    assert not names & set(aliases)


def test_an_existing_path_wins_over_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("default").write_text(HEADER.format(name="mine", description="my own"), encoding="utf-8")
    assert resolve_scenario("default") == Path("default")
    assert ics_abm.load_scenario("default").scenario.name == "mine"
    assert resolve_scenario(Path("default")) == Path("default")


def test_unknown_name_is_one_sentence_naming_what_was_given_and_the_known_names():
    with pytest.raises(ScenarioError) as info:
        resolve_scenario("defualt")
    text = str(info.value)
    assert text.startswith("defualt: is neither a scenario file nor the name of a packaged scenario; expected ")
    assert text.endswith(".") and text.count(". ") == 0 and "\n" not in text
    for entry in list_scenarios():
        assert entry.name in text


def test_a_missing_path_keeps_its_message(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(ScenarioError) as info:
        ics_abm.load_scenario(missing)
    assert str(info.value) == f"{missing}: file not found."
    with pytest.raises(ScenarioError, match=r"^nothing\.toml: file not found\.$"):
        resolve_scenario("nothing.toml")


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="str or os.PathLike"):
        resolve_scenario(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        resolve_scenario(b"default")  # type: ignore[arg-type]


def test_extra_folder_adds_files_replaces_a_packaged_name_and_reports_bad_ones(tmp_path):
    (tmp_path / "mine.toml").write_text(HEADER.format(name="mine", description="First line\\nsecond"), encoding="utf-8")
    (tmp_path / "ics_dorset.toml").write_text(HEADER.format(name="ics_dorset", description="edited") + 'group = "ics"\n',
                                              encoding="utf-8")
    (tmp_path / "broken.toml").write_text('[scenario]\nname = "broken"\ngroup = "sideways"\n', encoding="utf-8")
    entries, problems = scan_scenarios(tmp_path)
    by_name = {e.name: e for e in entries}
    assert by_name["mine"] == ScenarioEntry("mine", "custom", "First line", tmp_path / "mine.toml")
    assert entries[-1].name == "mine", "a user's own files (group custom) come last"
    assert by_name["ics_dorset"].path == tmp_path / "ics_dorset.toml" and by_name["ics_dorset"].description == "edited"
    assert [e.name for e in entries].count("ics_dorset") == 1
    assert "broken" not in by_name
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path / 'broken.toml'}: field 'scenario.group' expected one of")
    assert list_scenarios(tmp_path) == entries
    assert resolve_scenario("mine", extra_dir=tmp_path) == tmp_path / "mine.toml"
    with pytest.raises(ScenarioError, match="is not a folder"):
        list_scenarios(tmp_path / "mine.toml")


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("group", '"sideways"', "field 'scenario.group' expected one of 'core', 'ics', 'regulation', 'finance', 'facilitator', 'custom', got 'sideways'"),
    ("aliases", '"one"', "field 'scenario.aliases' expected a list of"),
    ("aliases", '["has space"]', "field 'scenario.aliases.0' expected"),
])
def test_group_and_aliases_are_validated_like_every_field(tmp_path, field, value, expected):
    path = tmp_path / "bad.toml"
    path.write_text(HEADER.format(name="bad", description="x") + f"{field} = {value}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: {expected}"), str(info.value)


def test_copy_gives_an_editable_file_that_loads_and_refuses_to_overwrite(tmp_path):
    copied = copy_scenario("ics_dorset", tmp_path / "mine")
    assert copied == tmp_path / "mine" / "ics_dorset.toml"
    assert copied.read_bytes() == resolve_scenario("ics_dorset").read_bytes()
    assert load_scenario(copied) == load_scenario("ics_dorset")
    with pytest.raises(ScenarioError, match="already exists"):
        copy_scenario("ics_dorset", tmp_path / "mine")
    copy_scenario("ics_dorset", tmp_path / "mine", force=True)
    alias = copy_scenario("regulation_misaligned", tmp_path)
    assert alias.name == "default.toml"
    with pytest.raises(ScenarioError, match="neither a scenario file nor"):
        copy_scenario("nonsense", tmp_path)


def test_sweep_examples_are_packaged_and_resolve_by_name(tmp_path):
    names = [entry.name for entry in list_sweeps()]
    assert "example" in names
    for entry in list_sweeps():
        assert resolve_sweep(entry.name) == entry.path and entry.description
        assert entry.path.resolve().parent == (REPO / "sweeps").resolve()
    with pytest.raises(ScenarioError, match="example"):
        resolve_sweep("exampel")
    copied = copy_scenario("example", tmp_path)
    assert copied.read_bytes() == resolve_sweep("example").read_bytes()


def test_a_copied_sweep_runs_from_anywhere(tmp_path, monkeypatch):
    """The packaged sweeps name their base scenario by name, so a copy in any folder still reads."""
    from ics_abm.experiments.sweeps.spec import read_sweep

    for entry in list_sweeps():
        copied = copy_scenario(entry.name, tmp_path)
        monkeypatch.chdir(tmp_path)
        spec = read_sweep(copied)
        assert os.path.samefile(spec.scenario_path, resolve_scenario("default"))
