"""Lever effects and one-at-a-time sensitivity (ics_abm.experiments.validation.robustness)."""

from __future__ import annotations

import math

import numpy as np

from ics_abm.experiments.validation import robustness
from ics_abm.experiments.validation.robustness import LEVER_MONTHS, LEVER_OUTCOMES, LEVERS, lever_effects, sensitivity
from ics_abm.experiments.validation.robustness_report import render_robustness

SEEDS = [1, 2, 3, 4]


def test_lever_effects_are_paired_differences_with_intervals_around_them():
    by_name = {lever.name.split(" (")[0]: lever for lever in LEVERS}
    legacy, leaves = by_name["no competition legacy"], by_name["a respected leader leaves"]
    levers = [legacy, leaves]
    table = lever_effects(SEEDS, levers)
    assert len(table) == len(levers) * len(LEVER_OUTCOMES) * len(LEVER_MONTHS)
    assert (table["n"] == len(SEEDS)).all()
    assert (table["low"] <= table["difference"]).all() and (table["difference"] <= table["high"]).all()
    at = table.set_index(["lever", "outcome", "month"])
    # Without the legacy of competition trust is higher after a year in every seed (7.7) ...
    row = at.loc[(legacy.name, "mean_trust", 12)]
    assert row["higher"] == len(SEEDS) and row["difference"] > 0
    # ... and an event at month 24 changes nothing at month 12.
    row = at.loc[(leaves.name, "mean_trust", 12)]
    assert row["difference"] == 0 and row["higher"] == row["lower"] == 0


def test_sensitivity_reports_both_shares_and_marks_undefined_sides(monkeypatch):
    # trust.initial 0.9 * 1.2 leaves [0, 1]: that side is undefined, not an error
    monkeypatch.setattr(robustness, "assumption_paths", lambda: [("trust.initial", 0.9), ("decision.noise", 0.03)])
    table = sensitivity(SEEDS).set_index("parameter")
    assert math.isnan(table.loc["trust.initial", "share_high"]) and math.isnan(table.loc["trust.initial", "rise_high"])
    assert not math.isnan(table.loc["trust.initial", "share_low"])
    assert table.loc["decision.noise", "low_value"] == 0.03 * 0.8
    for column in ("share_low", "share_default", "rise_low", "rise_default", "rise_high"):
        assert table[column].dropna().between(0, 1).all()
    changes = [abs(table.loc["decision.noise", f"{m}_{s}"] - table.loc["decision.noise", f"{m}_default"])
               for m in ("share", "rise") for s in ("low", "high")]
    assert table.loc["decision.noise", "change_points"] == 100 * max(changes)
    assert table["smooth"].dtype == bool


def test_the_report_sections_name_every_lever_and_assumption(monkeypatch):
    monkeypatch.setattr(robustness, "assumption_paths", lambda: [("decision.noise", 0.03)])
    levers = lever_effects(SEEDS, LEVERS[:1])
    text = render_robustness(levers, sensitivity(SEEDS))
    for heading in ("## What changed in the model and why", "## Lever effects", "## Sensitivity"):
        assert heading in text
    assert LEVERS[0].name in text and "`decision.noise`" in text
    assert render_robustness(None, None) == ""
    assert np.isfinite(levers["difference"]).all()
