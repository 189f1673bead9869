"""The shipped scenario library (scenarios/*.toml): complete, valid and documented.

Issue 3 asks for named groups of scenarios: the eight first-wave ICS archetypes, four regulation
options, five finance options and five facilitator scenarios, besides the core files. Every file
must validate and open with a header comment that says what it represents. Behaviour is covered by
the golden runs (tests/test_golden.py), not here.

A name below may be a file or an alias of one (issue 14: files that were the same scenario are one
file; the baselines regulation_misaligned and finance_separate_pbr are names of default.toml,
aligned_regulators and single_oversight of regulation_aligned.toml and regulation_single.toml).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ics_abm import load_scenario
from ics_abm.scenario.catalog import list_scenarios
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict, validate_files

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIOS.glob("*.toml"))

GROUPS = {
    "core": ["default", "no_legacy"],
    "ics archetypes": [
        "ics_blmk",
        "ics_berkshire_west",
        "ics_buckinghamshire",
        "ics_dorset",
        "ics_frimley",
        "ics_lancashire_south_cumbria",
        "ics_nottingham",
        "ics_south_yorkshire_bassetlaw",
    ],
    "regulation options": [
        "regulation_misaligned",
        "regulation_aligned",
        "regulation_single",
        "regulation_national_aligned_regional_lag",
    ],
    "finance options": [
        "finance_separate_pbr",
        "finance_control_total_p025",
        "finance_control_total_p050",
        "finance_control_total_p100",
        "finance_pooled",
    ],
    "facilitator scenarios": [
        "facilitator_altruistic_first_move",
        "facilitator_leader_leaves",
        "facilitator_winter_shock",
        "facilitator_local_authority_walks_away",
        "facilitator_new_voluntary_partner",
    ],
}
SIZES = {"ics archetypes": 8, "regulation options": 4, "finance options": 5, "facilitator scenarios": 5}


def header(path: Path) -> str:
    """The comment block at the top of a file, without the '#' markers."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return "\n".join(lines).strip()


def test_library_has_every_required_group():
    shipped = {p.stem for p in FILES} | {alias for entry in list_scenarios() for alias in entry.aliases}
    for group, names in GROUPS.items():
        assert len(names) == len(set(names))
        if group in SIZES:
            assert len(names) == SIZES[group], group
        missing = sorted(set(names) - shipped)
        assert not missing, f"{group}: missing {missing}"


def test_every_shipped_scenario_validates():
    assert FILES
    problems = [str(error) for _, error in validate_files(FILES) if error is not None]
    assert not problems, problems


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_scenario_is_documented(path):
    scenario = load_scenario(path)
    assert scenario.scenario.name == path.stem, "the scenario name should match the file name"
    assert scenario.scenario.description.strip(), "[scenario] description is empty"
    text = header(path)
    assert len(text.split()) >= 15, "the file should open with a comment saying what it represents"


@pytest.mark.parametrize("name", GROUPS["ics archetypes"])
def test_archetypes_say_where_values_come_from(name):
    text = header(SCENARIOS / f"{name}.toml")
    assert "seeds_digest.md 6." in text, "cite the digest section of this ICS"
    assert "[003]" in text, "cite the King's Fund study"
    assert "ASSUMPTION" in text, "say which values are assumptions"


def test_option_groups_differ_only_in_what_they_vary():
    """The regulation and finance options are the default system with one thing changed."""
    default = scenario_to_dict(load_scenario(SCENARIOS / "default.toml"))
    for name in GROUPS["regulation options"] + GROUPS["finance options"]:
        data = scenario_to_dict(load_scenario(name))  # by name: a baseline is an alias of default
        changed = {key for key in data if key != "scenario" and data[key] != default[key]}
        allowed = {"regulation", "events"} if name.startswith("regulation") else {"finance"}
        assert changed <= allowed, f"{name} changes {sorted(changed - allowed)}"


def test_baseline_options_are_the_default_scenario():
    for name in ("regulation_misaligned", "finance_separate_pbr"):
        assert load_scenario(name) == load_scenario(SCENARIOS / "default.toml"), name


def test_default_toml_writes_out_every_section_at_its_default():
    """default.toml names every section of the schema and every value equals the schema default."""
    path = SCENARIOS / "default.toml"
    scenario = load_scenario(path)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    data = scenario_to_dict(scenario)
    bare = scenario_from_dict({"scenario": data["scenario"], "organisations": data["organisations"]})
    assert bare == scenario
    for section, values in data.items():
        if section in ("kinds", "events"):
            continue  # per-kind overrides and events are shown commented out
        assert section in raw, f"default.toml does not write out [{section}]"
        if isinstance(values, dict):
            missing = sorted(set(values) - set(raw[section]))
            assert not missing, f"[{section}] does not write out {missing}"
    # the [[events]] example is commented out, so the default has no events
    assert "events" not in raw and "# [[events]]" in path.read_text(encoding="utf-8")
