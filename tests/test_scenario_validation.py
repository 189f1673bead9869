"""Scenario files: schema, defaults and the one-sentence error messages (ics_abm.scenario.schema)."""

from __future__ import annotations

import hashlib
import math
import pickle
import re
import tomllib
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.kinds import KIND_DEFAULTS, KINDS
from ics_abm.scenario.loading import (
    load_scenario,
    organisation_counts,
    scenario_from_dict,
    scenario_hash,
    scenario_to_dict,
    validate_files,
)
from ics_abm.scenario.schema import Scenario

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TOML = REPO / "scenarios" / "default.toml"

MINIMAL = '[scenario]\nname = "t"\n'

#: The documented defaults (the brief's schema), written out independently of the models.
DOCUMENTED_DEFAULTS = {
    # No [organisations] section: the default system of scenarios/default.toml (issue 15, case 3).
    "organisations": {"acute": 3, "primary_care_network": 8, "commissioner": 3, "community_mental_health": 2,
                      "local_authority": 4, "voluntary_sector": 5},
    "network": {"tie_probability": {}, "cultural_distance": {}, "budget_spread": 0.2},
    "trust": {"initial": 0.52, "initial_spread": 0.1, "gain_rate": 0.15, "loss_rate": 0.25, "distance_drag": 0.5,
              "contact_rate": 0.05, "safety_buffer": 0.5},
    "legacy": {"strength": 0.5, "memory_weight": 1.0, "memory_half_life": 12.0, "exposure": {}},
    "decision": {"noise": 0.03, "future_weight": 0.2, "purpose_weight": 0.1, "socialised_power": 1.0, "crowding_out": 0.3},
    "payoffs": {"reward": 2.0, "sucker": -1.0, "temptation": 3.0, "punishment": 0.0},
    "finance": {
        "stake_share": 0.004, "stress_scale": 0.05, "stress_weight": 0.1, "regime": "separate", "linked_share": 0.5,
        "sustainability_share": 0.01, "risk_tolerance": 0.39, "signup_share": 0.75, "transfers": True,
        "transfer_share": 0.5, "transfer_trust_gain": 0.2, "invest_share": 0.0, "invest_return": 1.5,
        "invest_lag": 120, "invest_months": 120, "pooled_share": 0.5, "pooled_system_weight": 0.15,
        "surplus_cap": 0.02, "cost_pressure_spread": 0.01,
    },
    "altruism": {"growth": 0.02, "erosion": 0.05},
    "regulation": {
        "regime": "misaligned",
        "strength": 0.05,
        "provider_focus": 0.2,
        "commissioner_focus": 0.35,
        "system_focus": 0.8,
        "conflict": 1.0,
        "intervention_rate": 0.2,
        "intervention_threshold": 0.02,
        "intervention_push": 1.0,
        "intervention_capacity_cost": 0.5,
        "pressure_decay": 0.8,
        "single_oversight_cost_factor": 0.5,
        "autonomy": 0.8,
    },
    "progress": {"decay": 0.02, "maturity": 15.0},
    "leadership": {"concentration": 0.5, "turnover_rate": 0.01, "turnover_trust_loss": 0.15, "lead_trust_loss": 0.2, "newcomer_penalty": 0.5, "settling_rate": 0.1, "safety": 0.3},
    "narrative": {"initial": 0.3, "build_rate": 0.02, "convergence": 0.3, "confidence_bound": 0.3, "decay": 0.01, "shock_buffer": 0.5,
                  "burning_platform": 0.02},
    "governance": {
        "kind": "informal", "decision_rate": 0.056, "patience": 12, "support_threshold": 0.15, "narrative_weight": 0.3,
        "safety_weight": 0.3, "loss_weight": 1.2, "vote_noise": 0.15, "deliberation": 0.04, "majority": 0.5, "resolved_trust_gain": 0.1,
        "resolved_progress": 1.0, "breakdown_trust_loss": 0.03,
    },
    "commitment": {"mode": "unconditional", "trust_threshold": 0.2, "stress_threshold": 0.8, "reengage_margin": 0.1, "unwilling": []},
    "local_authority": {
        "engagement": "full", "dynamic": True, "political_pressure": 0.2, "political_decay": 0.1, "political_weight": 0.5,
        "absent_threshold": 0.05, "partner_threshold": 0.15, "full_threshold": 0.2,
    },
    "shocks": {"winter_capacity_loss": 0.5, "winter_cost": 0.01, "winter_decay": 0.7, "entry_trust": 0.3, "exit_trust_loss": 0.1},
    "events": [],
}


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_sentence(exc: ScenarioError, path, field: str | None, given: str | None) -> str:
    """The error is one plain sentence naming the file, the field and the given value."""
    msg = str(exc)
    assert "\n" not in msg
    assert msg.endswith(".") and not msg.endswith("..")
    assert msg.startswith(f"{path}: ")
    assert re.search(r"[.!]\s+[A-Z]", msg) is None, msg  # no second sentence
    for leak in ("pydantic", "Input should", "validation error", "Traceback", "type=", "errors.pydantic"):
        assert leak not in msg, msg
    assert exc.path == str(path)
    assert exc.field == field
    if field is not None:
        assert f"field '{field}'" in msg, msg
    if given is not None:
        assert given in msg, msg
    return msg


def load_bad(tmp_path: Path, text: str) -> tuple[Path, ScenarioError]:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return path, info.value


# ----------------------------------------------------------------------------------------------
# Bad inputs
# ----------------------------------------------------------------------------------------------

BAD = [
    # id, file text, field, given value as it must appear in the message
    ("unknown-section", MINIMAL + "[regulaton]\nregime = 'none'\n", "regulaton", "did you mean 'regulation'?"),
    ("unknown-top-key", "colour = 'red'\n" + MINIMAL, "colour", None),
    # wrong types
    ("string-for-int", MINIMAL + "[organisations]\nacute = '3'\n", "organisations.acute", "'3' (a string)"),
    ("float-for-int", MINIMAL + "steps = 12.5\n", "scenario.steps", "12.5"),
    ("integral-float-for-int", MINIMAL + "seed = 1.0\n", "scenario.seed", "1.0"),
    ("bool-for-int", MINIMAL + "seed = true\n", "scenario.seed", "true"),
    ("bool-for-float", MINIMAL + "[trust]\ninitial = true\n", "trust.initial", "true (a boolean)"),
    ("string-for-float", MINIMAL + "[decision]\nnoise = '0.1'\n", "decision.noise", "'0.1' (a string)"),
    ("date-for-float", MINIMAL + "[decision]\nnoise = 2020-01-01\n", "decision.noise", "2020"),
    ("list-for-table", "trust = [1, 2]\n" + MINIMAL, "trust", "[1, 2] (a list)"),
    ("number-for-table", "network = 3\n" + MINIMAL, "network", "3"),
    ("list-for-pair-table", MINIMAL + "[legacy]\nexposure = [0.1]\n", "legacy.exposure", "[0.1] (a list)"),
    ("int-for-string", "[scenario]\nname = 7\n", "scenario.name", "7"),
    ("int-for-enum", MINIMAL + "[regulation]\nregime = 1\n", "regulation.regime", "1"),
    # out of range
    ("trust-loss-rate", MINIMAL + "[trust]\nloss_rate = 1.5\n", "trust.loss_rate", "1.5"),
    ("trust-initial-spread", MINIMAL + "[trust]\ninitial_spread = 0.6\n", "trust.initial_spread", "0.6"),
    ("steps-zero", "[scenario]\nname = 't'\nsteps = 0\n", "scenario.steps", "0"),
    ("steps-too-many", "[scenario]\nname = 't'\nsteps = 100001\n", "scenario.steps", "100001"),
    ("seed-negative", MINIMAL + "seed = -1\n", "scenario.seed", "-1"),
    ("count-negative", MINIMAL + "[organisations]\nacute = -1\n", "organisations.acute", "-1"),
    ("half-life-zero", MINIMAL + "[legacy]\nmemory_half_life = 0.0\n", "legacy.memory_half_life", "0.0"),
    ("half-life-long", MINIMAL + "[legacy]\nmemory_half_life = 1201\n", "legacy.memory_half_life", "1201"),
    ("stress-scale-zero", MINIMAL + "[finance]\nstress_scale = 0\n", "finance.stress_scale", "0"),
    ("budget-negative", MINIMAL + "[kinds.acute]\nbudget = -5.0\n", "kinds.acute.budget", "-5.0"),
    ("balance-low", MINIMAL + "[kinds.voluntary_sector]\ninitial_balance = -1.5\n", "kinds.voluntary_sector.initial_balance", "-1.5"),
    ("cost-pressure-high", MINIMAL + "[kinds.local_authority]\ncost_pressure = 0.6\n", "kinds.local_authority.cost_pressure", "0.6"),
    ("motive-negative", MINIMAL + "[kinds.commissioner]\npower = -0.1\n", "kinds.commissioner.power", "-0.1"),
    ("budget-spread", MINIMAL + "[network]\nbudget_spread = 2.5\n", "network.budget_spread", "2.5"),
    ("threshold-zero", MINIMAL + "[regulation]\nintervention_threshold = 0.0\n", "regulation.intervention_threshold", "0.0"),
    ("payoff-huge", MINIMAL + "[payoffs]\nreward = 2e6\n", "payoffs.reward", "2000000.0"),
    ("noise-high", MINIMAL + "[decision]\nnoise = 11\n", "decision.noise", "11"),
    ("pair-value", MINIMAL + "[network.tie_probability]\n'acute/commissioner' = 1.1\n", "network.tie_probability.acute/commissioner", "1.1"),
    ("too-many-organisations", MINIMAL + "[organisations]\nacute = 150000\nlocal_authority = 60000\n", "organisations", "210000"),
    # enums
    ("bad-regime", MINIMAL + "[regulation]\nregime = 'misalinged'\n", "regulation.regime", "'misalinged'"),
    ("bad-principal", MINIMAL + "[kinds.acute]\nprincipal = 'monitor'\n", "kinds.acute.principal", "'monitor'"),
    # pair keys
    ("pair-unknown-kind", MINIMAL + "[network.tie_probability]\n'acute/hospice' = 0.5\n", "network.tie_probability", "'acute/hospice'"),
    ("pair-no-slash", MINIMAL + "[network.cultural_distance]\n'acute-commissioner' = 0.5\n", "network.cultural_distance", "'acute-commissioner'"),
    ("pair-three-kinds", MINIMAL + "[legacy.exposure]\n'acute/commissioner/acute' = 0.5\n", "legacy.exposure", "'acute/commissioner/acute'"),
    ("pair-typo", MINIMAL + "[network.tie_probability]\n'acute/comissioner' = 0.5\n", "network.tie_probability", "did you mean 'acute/commissioner'?"),
    (
        "pair-twice",
        MINIMAL + "[network.tie_probability]\n'acute/commissioner' = 0.5\n'commissioner/acute' = 0.6\n",
        "network.tie_probability",
        "'commissioner/acute'",
    ),
    # kinds
    ("unknown-kind", MINIMAL + "[kinds.hospice]\nbudget = 1.0\n", "kinds.hospice", "expected one of acute, primary_care_network"),
    ("kind-typo", MINIMAL + "[kinds.acut]\nbudget = 1.0\n", "kinds.acut", "did you mean 'acute'?"),
    ("motives-all-zero", MINIMAL + "[kinds.acute]\npower = 0\naffiliation = 0.0\nachievement = 0\n", "kinds.acute", "0"),
    # NaN and infinity
    ("nan", MINIMAL + "[trust]\ninitial = nan\n", "trust.initial", "nan"),
    ("inf", MINIMAL + "[decision]\nnoise = inf\n", "decision.noise", "inf"),
    ("minus-inf-payoff", MINIMAL + "[payoffs]\nsucker = -inf\n", "payoffs.sucker", "-inf"),
    ("nan-budget", MINIMAL + "[kinds.acute]\nbudget = nan\n", "kinds.acute.budget", "nan"),
    ("nan-pair", MINIMAL + "[legacy.exposure]\n'acute/acute' = nan\n", "legacy.exposure.acute/acute", "nan"),
    # required and degenerate
    ("missing-name", "[scenario]\nsteps = 10\n", "scenario.name", None),
    ("missing-scenario", "[trust]\ninitial = 0.5\n", "scenario", None),
    ("blank-name", "[scenario]\nname = '  '\n", "scenario.name", "'  '"),
    ("payoffs-equal", MINIMAL + "[payoffs]\nreward = 1.0\nsucker = 1.0\ntemptation = 1\npunishment = 1.0\n", "payoffs", "1.0"),
]


@pytest.mark.parametrize(("text", "field", "given"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_scenario_is_refused_with_one_sentence(tmp_path, text, field, given):
    path, exc = load_bad(tmp_path, text)
    assert_one_sentence(exc, path, field, given)


# One typo per section kind: the message lists the valid names and suggests the closest one.
TYPOS = [
    ("scenario", "nmae", "name"),
    ("organisations", "acutes", "acute"),
    ("kinds.acute", "budgt", "budget"),
    ("network", "budget_sprad", "budget_spread"),
    ("trust", "gain_rat", "gain_rate"),
    ("legacy", "memory_halflife", "memory_half_life"),
    ("decision", "nois", "noise"),
    ("payoffs", "temptaton", "temptation"),
    ("finance", "stake_shar", "stake_share"),
    ("altruism", "grwoth", "growth"),
    ("regulation", "regim", "regime"),
    ("progress", "dekay", "decay"),
]


@pytest.mark.parametrize(("section", "typo", "right"), TYPOS, ids=[t[0] for t in TYPOS])
def test_unknown_key_in_each_section_suggests_the_closest(tmp_path, section, typo, right):
    text = MINIMAL + (f"{typo} = 1\n" if section == "scenario" else f"[{section}]\n{typo} = 1\n")
    path, exc = load_bad(tmp_path, text)
    msg = assert_one_sentence(exc, path, f"{section}.{typo}", f"did you mean '{right}'?")
    assert "is not a known" in msg
    assert "expected one of " in msg and right in msg.split("expected one of ", 1)[1]


def test_example_messages_read_as_documented(tmp_path):
    path, exc = load_bad(tmp_path, MINIMAL + "[regulation]\nregime = 'misalinged'\n")
    assert str(exc) == (
        f"{path}: field 'regulation.regime' expected one of 'none', 'misaligned', 'aligned', 'single', "
        "got 'misalinged'."
    )
    path, exc = load_bad(tmp_path, MINIMAL + "[trust]\nloss_rate = 1.5\n")
    assert str(exc) == f"{path}: field 'trust.loss_rate' expected a number between 0 and 1, got 1.5."
    path, exc = load_bad(tmp_path, MINIMAL + "[organisations]\nacute = '3'\n")
    assert str(exc) == f"{path}: field 'organisations.acute' expected a whole number >= 0, got '3' (a string)."
    path, exc = load_bad(tmp_path, "[scenario]\nsteps = 3\n")
    assert str(exc) == f"{path}: field 'scenario.name' is required but missing."


def test_invalid_toml(tmp_path):
    path, exc = load_bad(tmp_path, "[scenario]\nname = 't'\n[trust\ninitial = 0.5\n")
    msg = assert_one_sentence(exc, path, None, None)
    assert "not valid TOML (line 3, column" in msg


def test_invalid_toml_duplicate_key(tmp_path):
    path, exc = load_bad(tmp_path, "[scenario]\nname = 't'\nname = 'u'\n")
    msg = assert_one_sentence(exc, path, None, None)
    assert "not valid TOML" in msg


def test_missing_file(tmp_path):
    path = tmp_path / "missing.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: file not found."
    assert_one_sentence(info.value, path, None, None)


def test_directory_and_non_utf8(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert_one_sentence(info.value, tmp_path, None, None)
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"[scenario]\nname = 'caf\xe9'\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "UTF-8" in assert_one_sentence(info.value, path, None, None)


def test_several_problems_reports_the_first_in_file_order(tmp_path):
    text = MINIMAL + "[decision]\nnoise = -1\n[trust]\nloss_rate = 2\ngain_rate = 'fast'\n"
    path, exc = load_bad(tmp_path, text)
    msg = assert_one_sentence(exc, path, "decision.noise", "-1")
    assert msg.endswith(" (and 2 more problems).")
    text = MINIMAL + "[trust]\nloss_rate = 2\n[decision]\nnoise = -1\n"
    path, exc = load_bad(tmp_path, text)
    msg = assert_one_sentence(exc, path, "trust.loss_rate", "2")
    assert msg.endswith(" (and 1 more problem).")


def test_scenario_from_dict_uses_source_and_rejects_non_tables():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({"scenario": {"name": "t", "steps": "many"}}, source="sweep row 3")
    assert_one_sentence(info.value, "sweep row 3", "scenario.steps", "'many' (a string)")
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict([1, 2])  # type: ignore[arg-type]
    assert_one_sentence(info.value, "<dict>", None, "[1, 2]")


def test_scenario_error_is_a_picklable_value_error():
    exc = ScenarioError("a.toml", "field 'x' expected a number, got 'y'", "x")
    assert isinstance(exc, ValueError)
    again = pickle.loads(pickle.dumps(exc))
    assert (str(again), again.path, again.field) == (str(exc), "a.toml", "x")


# ----------------------------------------------------------------------------------------------
# Valid inputs
# ----------------------------------------------------------------------------------------------


def test_minimal_file_loads_with_documented_defaults(tmp_path):
    scenario = load_scenario(write(tmp_path, MINIMAL, "minimal.toml"))
    assert isinstance(scenario, Scenario)
    assert scenario.scenario.model_dump() == {"name": "t", "description": "", "group": "custom", "aliases": [], "steps": 120,
                                             "seed": 0}
    data = scenario_to_dict(scenario)
    for section, values in DOCUMENTED_DEFAULTS.items():
        assert data[section] == values, section
    assert data["kinds"] == {}
    assert all(getattr(scenario.kinds, kind) is None for kind in KINDS)
    assert organisation_counts(scenario) == DOCUMENTED_DEFAULTS["organisations"]  # the default system, runnable


FULL = """
[scenario]
name = "full"
description = "every field given"
steps = 240
seed = 12345

[organisations]
acute = 2
primary_care_network = 6
commissioner = 1
community_mental_health = 1
local_authority = 3
voluntary_sector = 4

[kinds.acute]
budget = 500
initial_balance = -0.02
cost_pressure = 0.03
power = 0.7
affiliation = 0.1
achievement = 0.2
altruism = 0.05
capacity = 0.25
principal = "commissioner_regulator"

[kinds.voluntary_sector]
budget = 2.5
principal = "public"

[network]
budget_spread = 0.5

[network.tie_probability]
"commissioner/acute" = 0.9
"voluntary_sector/voluntary_sector" = 0

[network.cultural_distance]
"local_authority/acute" = 0.7

[trust]
initial = 0.5
initial_spread = 0.0
gain_rate = 0.1
loss_rate = 0.3
distance_drag = 1

[legacy]
strength = 0.0
memory_weight = 2.0
memory_half_life = 6
exposure = { "community_mental_health/acute" = 0.9 }

[decision]
noise = 0

[payoffs]
reward = 4
sucker = 1
temptation = 5
punishment = 2

[finance]
stake_share = 0.01
stress_scale = 0.1
stress_weight = 0.5

[altruism]
growth = 0.03
erosion = 0.06

[regulation]
regime = "single"
strength = 0.4
provider_focus = 0.1
commissioner_focus = 0.3
system_focus = 0.9
conflict = 2.0
intervention_rate = 0.5
intervention_threshold = 0.05
intervention_push = 0.5
intervention_capacity_cost = 0.25
pressure_decay = 0.7
single_oversight_cost_factor = 0.4

[progress]
decay = 0.05
"""


def test_full_file_loads_every_value(tmp_path):
    scenario = load_scenario(write(tmp_path, FULL, "full.toml"))
    assert scenario.scenario.steps == 240 and scenario.scenario.seed == 12345
    assert organisation_counts(scenario) == {
        "acute": 2,
        "primary_care_network": 6,
        "commissioner": 1,
        "community_mental_health": 1,
        "local_authority": 3,
        "voluntary_sector": 4,
    }
    assert list(organisation_counts(scenario)) == list(KINDS)
    acute = scenario.kinds.acute
    assert acute.budget == 500.0 and isinstance(acute.budget, float)
    assert acute.principal == "commissioner_regulator"
    vcs = scenario.kinds.voluntary_sector
    assert (vcs.budget, vcs.principal, vcs.power, vcs.capacity) == (2.5, "public", None, None)
    assert scenario.kinds.commissioner is None
    # pair keys are normalised with kinds.pair_key
    assert scenario.network.tie_probability == {"acute/commissioner": 0.9, "voluntary_sector/voluntary_sector": 0.0}
    assert scenario.network.cultural_distance == {"acute/local_authority": 0.7}
    assert scenario.legacy.exposure == {"acute/community_mental_health": 0.9}
    assert scenario.trust.distance_drag == 1.0 and isinstance(scenario.trust.distance_drag, float)
    assert scenario.payoffs.model_dump() == {"reward": 4.0, "sucker": 1.0, "temptation": 5.0, "punishment": 2.0}
    assert scenario.regulation.regime == "single"
    assert scenario.progress.decay == 0.05


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, (str, int, float, bool))


def test_round_trip_through_plain_data():
    for text in (MINIMAL, FULL, DEFAULT_TOML.read_text(encoding="utf-8")):
        scenario = scenario_from_dict(tomllib.loads(text))
        data = scenario_to_dict(scenario)
        assert _plain(data)
        assert scenario_from_dict(data) == scenario


def test_scenario_is_frozen(tmp_path):
    scenario = load_scenario(write(tmp_path, MINIMAL, "minimal.toml"))
    with pytest.raises(ValidationError):
        scenario.trust.initial = 0.1  # type: ignore[misc]


def test_motives_partly_zero_are_accepted():
    data = {"scenario": {"name": "t"}, "kinds": {"acute": {"power": 0, "affiliation": 0}}}
    assert scenario_from_dict(data).kinds.acute.achievement is None


def test_scenario_hash_and_validate_files(tmp_path):
    good = write(tmp_path, MINIMAL, "good.toml")
    bad = write(tmp_path, MINIMAL + "[trust]\nloss_rate = 1.5\n", "bad.toml")
    missing = tmp_path / "missing.toml"
    text = good.read_text(encoding="utf-8")
    assert scenario_hash(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", scenario_hash(text))
    results = validate_files([good, str(bad), missing])
    assert [p for p, _ in results] == [str(good), str(bad), str(missing)]
    assert results[0][1] is None
    assert results[1][1].field == "trust.loss_rate"
    assert str(results[2][1]) == f"{missing}: file not found."


# ----------------------------------------------------------------------------------------------
# scenarios/default.toml
# ----------------------------------------------------------------------------------------------


def test_default_scenario_loads_with_documented_values():
    scenario = load_scenario(DEFAULT_TOML)
    assert scenario.scenario.name == "default"
    assert organisation_counts(scenario) == {
        "acute": 3,
        "primary_care_network": 8,
        "commissioner": 3,
        "community_mental_health": 2,
        "local_authority": 4,
        "voluntary_sector": 5,
    }
    data = scenario_to_dict(scenario)
    for section, values in DOCUMENTED_DEFAULTS.items():
        if section != "organisations":
            assert data[section] == values, section
    # default.toml is the model's defaults written out: nothing in it differs from leaving it out
    bare = scenario_from_dict({"scenario": data["scenario"], "organisations": data["organisations"]})
    assert bare == scenario


def test_default_scenario_comments_show_current_kind_defaults():
    """The commented-out ("#~") [kinds] tables in default.toml match kinds.KIND_DEFAULTS."""
    lines = DEFAULT_TOML.read_text(encoding="utf-8").splitlines()
    block = "\n".join(line[3:] if line.startswith("#~ ") else "" for line in lines if line.startswith("#~"))
    kinds = tomllib.loads(block)["kinds"]
    assert set(kinds) == set(KINDS)
    for kind in KINDS:
        assert kinds[kind] == asdict(KIND_DEFAULTS[kind]), kind
    # and as overrides they are valid
    scenario_from_dict({"scenario": {"name": "t"}, "kinds": kinds})


# ----------------------------------------------------------------------------------------------
# Property: any out-of-range value of a [0, 1] field is reported against that field
# ----------------------------------------------------------------------------------------------

UNIT_FIELDS = [
    ("trust", "initial"),
    ("trust", "gain_rate"),
    ("trust", "loss_rate"),
    ("trust", "distance_drag"),
    ("legacy", "strength"),
    ("finance", "stake_share"),
    ("altruism", "growth"),
    ("altruism", "erosion"),
    ("regulation", "provider_focus"),
    ("regulation", "commissioner_focus"),
    ("regulation", "system_focus"),
    ("regulation", "intervention_rate"),
    ("regulation", "intervention_capacity_cost"),
    ("regulation", "pressure_decay"),
    ("regulation", "single_oversight_cost_factor"),
    ("progress", "decay"),
    *[("kinds." + kind, name) for kind in KINDS for name in ("altruism", "capacity")],
    ("network.tie_probability", '"acute/commissioner"'),
    ("network.cultural_distance", '"voluntary_sector/local_authority"'),
    ("legacy.exposure", '"acute/acute"'),
]

out_of_unit = st.one_of(
    st.floats(max_value=-math.ulp(0.0), allow_nan=False),
    st.floats(min_value=math.nextafter(1.0, 2.0), allow_nan=False),
)


@settings(max_examples=200, deadline=None)
@given(where=st.sampled_from(UNIT_FIELDS), value=out_of_unit)
def test_out_of_range_unit_value_names_its_field(where, value):
    section, name = where
    text = f"{MINIMAL}[{section}]\n{name} = {value!r}\n"
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(tomllib.loads(text), source="prop.toml")
    field = f"{section}.{name.strip(chr(34))}"  # pair keys are named as written
    assert_one_sentence(info.value, "prop.toml", field, repr(value))


@settings(max_examples=100, deadline=None)
@given(where=st.sampled_from(UNIT_FIELDS), value=st.floats(min_value=0.0, max_value=1.0))
def test_in_range_unit_value_is_kept(where, value):
    section, name = where
    text = f"{MINIMAL}[{section}]\n{name} = {value!r}\n"
    data = scenario_to_dict(scenario_from_dict(tomllib.loads(text)))
    node = data
    for part in section.split("."):
        node = node[part]
    key = name.strip('"')
    if "/" in key:
        a, b = key.split("/")
        key = f"{min(a, b, key=KINDS.index)}/{max(a, b, key=KINDS.index)}"
    assert node[key] == value


@pytest.mark.parametrize(
    "sections, message",
    [
        ({"finance": {"regime": "pooled"}, "payoffs": {"reward": 1.0, "punishment": 1.0, "sucker": 0.0, "temptation": 2.0}},
         "the scenario under a pooled budget has reward, punishment and the mean of sucker and temptation all equal to 1.0"),
        ({"local_authority": {"absent_threshold": 0.5, "full_threshold": 0.2}},
         "field 'local_authority' has absent_threshold 0.5 above full_threshold 0.2"),
        ({"finance": {"regime": "pool"}}, "field 'finance.regime' expected one of 'separate', 'control_total', 'pooled', got 'pool'"),
        ({"governance": {"kind": "formal"}}, "field 'governance.kind' expected one of 'informal', 'statutory', got 'formal'"),
        ({"governance": {"patience": 0}}, "field 'governance.patience' expected a whole number between 1 and 1200, got 0"),
        ({"commitment": {"unwilling": ["acut"]}}, "field 'commitment.unwilling.0' expected one of 'acute'"),
        ({"leadership": {"turnover_rate": 1.5}}, "field 'leadership.turnover_rate' expected a number between 0 and 1, got 1.5"),
        ({"narrative": {"confidence_bund": 0.2}}, "field 'narrative.confidence_bund' is not a known field (did you mean 'confidence_bound'?)"),
    ],
)
def test_new_sections_are_refused_in_one_sentence(sections, message):
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"scenario": {"name": "t"}, **sections}, source="s.toml")
    text = str(caught.value)
    assert text.startswith(f"s.toml: {message}") and text.count("\n") == 0 and text.endswith(".")
