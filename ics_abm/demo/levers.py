"""The demo's levers: changes a facilitator makes to a preset before pressing Reset.

Every lever is neutral by default, and neutral levers give the preset exactly; so changing the
preset never fights a slider left at a value that only made sense for another preset. A lever
moves the preset's values (regulators' focus, competition legacy, each kind's motives, altruism
and cost pressure) and is written into the scenario data, which is validated again
(:func:`ics_abm.scenario.schema.scenario_from_dict`), so a lever can never produce a scenario that a file
could not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ics_abm.engine.regulation import REGIMES
from ics_abm.scenario.kinds import KIND_DEFAULTS, KINDS
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict
from ics_abm.scenario.schema import Scenario

__all__ = ["AS_PRESET", "Levers", "apply_levers", "LEVER_CONTROLS", "REGIME_CHOICES", "describe_levers", "lever_text"]

#: The regime choice that keeps the preset's regime.
AS_PRESET = "as in preset"


@dataclass(frozen=True)
class Levers:
    """The sliders' settings; the defaults leave a preset unchanged.

    Attributes
    ----------
    regime : str
        :data:`AS_PRESET` or one of ``none, misaligned, aligned, single``.
    focus_shift : float, in [-1, 1]
        Added to both regulators' focus on the system (``provider_focus``,
        ``commissioner_focus`` and ``system_focus``; 0 = own organisation, 1 = system), clipped to [0, 1].
    legacy_shift : float, in [-1, 1]
        Added to the internal market's competition legacy (``legacy.strength``), clipped to [0, 1].
    motive_mix : float, in [-1, 1]
        Share of every kind's power motive moved to affiliation (> 0), or of affiliation moved
        to power (< 0); achievement is unchanged.
    altruism_shift : float, in [-1, 1]
        Added to every kind's starting altruism ("the system hat"), clipped to [0, 1].
    budget_pressure : float, percentage points of budget per year
        Added to every kind's cost growth beyond the capped allocation, clipped to [-50, 50] %.
    """

    regime: str = AS_PRESET
    focus_shift: float = 0.0
    legacy_shift: float = 0.0
    motive_mix: float = 0.0
    altruism_shift: float = 0.0
    budget_pressure: float = 0.0

    def __post_init__(self) -> None:
        if self.regime != AS_PRESET and self.regime not in REGIMES:
            raise ValueError(f"regime must be {AS_PRESET!r} or one of {', '.join(REGIMES)}, got {self.regime!r}")
        for name in ("focus_shift", "legacy_shift", "motive_mix", "altruism_shift"):
            value = float(getattr(self, name))
            if not -1.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a number in [-1, 1], got {value}")
            object.__setattr__(self, name, value)
        object.__setattr__(self, "budget_pressure", float(self.budget_pressure))

    @property
    def neutral(self) -> bool:
        """Whether these levers leave a preset unchanged."""
        return self == Levers()


def _clip(value: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, value))


def _kind_value(data: dict, kind: str, name: str) -> float:
    """A kind's value in the scenario data: its override if given, else the kind's default."""
    given = data.get("kinds", {}).get(kind, {}).get(name)
    return float(getattr(KIND_DEFAULTS[kind], name) if given is None else given)


def apply_levers(scenario: Scenario, levers: Levers) -> Scenario:
    """The preset ``scenario`` changed by ``levers``.

    Parameters
    ----------
    scenario : Scenario
        A validated preset.
    levers : Levers

    Returns
    -------
    Scenario
        Validated; equal to ``scenario`` when the levers are neutral.
    """
    if levers.neutral:
        return scenario
    data = scenario_to_dict(scenario)
    regulation, legacy = data["regulation"], data["legacy"]
    if levers.regime != AS_PRESET:
        regulation["regime"] = levers.regime
    for name in ("provider_focus", "commissioner_focus", "system_focus"):
        regulation[name] = _clip(regulation[name] + levers.focus_shift, 0.0, 1.0)
    legacy["strength"] = _clip(legacy["strength"] + levers.legacy_shift, 0.0, 1.0)
    if levers.motive_mix or levers.altruism_shift or levers.budget_pressure:
        kinds = data.setdefault("kinds", {})
        for kind in KINDS:
            overrides = dict(kinds.get(kind) or {})
            power, affiliation = _kind_value(data, kind, "power"), _kind_value(data, kind, "affiliation")
            if levers.motive_mix > 0:  # power -> affiliation; the total motive strength is kept
                moved = levers.motive_mix * power
                power, affiliation = power - moved, affiliation + moved
            elif levers.motive_mix < 0:
                moved = -levers.motive_mix * affiliation
                power, affiliation = power + moved, affiliation - moved
            overrides["power"], overrides["affiliation"] = power, affiliation
            overrides["altruism"] = _clip(_kind_value(data, kind, "altruism") + levers.altruism_shift, 0.0, 1.0)
            pressure = _kind_value(data, kind, "cost_pressure") + levers.budget_pressure / 100.0
            overrides["cost_pressure"] = _clip(pressure, -0.5, 0.5)
            kinds[kind] = overrides
    return scenario_from_dict(data, source=f"preset '{scenario.scenario.name}' with the demo's levers")


def describe_levers(levers: Levers) -> list[str]:
    """The non-neutral levers as short sentences (for the screen and the session summary)."""
    lines = []
    if levers.regime != AS_PRESET:
        words = {value: label for label, value in REGIME_CHOICES.items()}
        lines.append(f"regulators: {words[levers.regime]}")
    for name in ("focus_shift", "legacy_shift", "motive_mix", "altruism_shift", "budget_pressure"):
        value = getattr(levers, name)
        if value:
            lines.append(f"{LEVER_CONTROLS[name]['label'].lower()} {lever_text(name, value)}")
    return lines


def _slider(label: str, lo: float, hi: float, step: float) -> dict:
    return {"type": "SliderFloat", "label": label, "value": 0.0, "min": lo, "max": hi, "step": step}


#: The regulator choices in plain words -> the regime (or :data:`AS_PRESET`).
REGIME_CHOICES: dict[str, str] = {
    "as in the starting system": AS_PRESET,
    "no regulators": "none",
    "two regulators, two messages": "misaligned",
    "two regulators, one message": "aligned",
    "one oversight body": "single",
}

#: The levers as controls: every slider is neutral (0) in the middle of its range, and Reset applies it.
LEVER_CONTROLS: dict[str, dict] = {
    "regime": {"type": "Select", "label": "Regulators", "value": AS_PRESET, "values": [AS_PRESET, *REGIMES]},
    "focus_shift": _slider("Regulators judge", -1.0, 1.0, 0.05),
    "legacy_shift": _slider("Old competition habits", -1.0, 1.0, 0.05),
    "motive_mix": _slider("Leaders driven by", -1.0, 1.0, 0.05),
    "altruism_shift": _slider("Leaders put the system first", -0.5, 0.5, 0.05),
    "budget_pressure": _slider("Costs grow faster than funding", -3.0, 3.0, 0.5),
}
if set(LEVER_CONTROLS) != set(asdict(Levers())):
    raise RuntimeError("every lever needs a control, and every control a lever")


def lever_text(name: str, value: float) -> str:
    """A slider's value with its unit or meaning, e.g. "+0.20 towards the system" or "as preset"."""
    if abs(value) < 1e-12:
        return "as preset"
    sign = f"{value:+.2f}".replace("-", "−")
    words = {
        "focus_shift": ("towards the whole system", "towards each organisation"),
        "legacy_shift": ("stronger (0 to 1 scale)", "weaker (0 to 1 scale)"),
        "motive_mix": ("of power moved to relationships", "of relationships moved to power"),
        "altruism_shift": ("more (0 to 1 scale)", "less (0 to 1 scale)"),
    }
    if name == "budget_pressure":
        return f"{value:+.1f} % a year".replace("-", "−")
    if name == "motive_mix":
        return f"{abs(value) * 100:.0f} % {words[name][0 if value > 0 else 1]}"
    return f"{sign} {words[name][0 if value > 0 else 1]}"
