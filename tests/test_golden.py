"""Golden runs: every shipped scenario, seed 0, its full horizon, against stored expected values.

The expected values in tests/golden/<scenario>.json were produced by this model version. A change
that alters them must be deliberate: regenerate with
``ICS_ABM_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and explain the change in the commit.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from ics_abm import load_scenario, run
from ics_abm.metrics import METRICS

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
CHECK_STEPS = (1, 6, 12, 24, 60, 120)
RTOL = 1e-9


def _observed(path: Path) -> dict:
    scenario = load_scenario(path)
    result = run(scenario, seed=0)
    system = result.system.set_index("step")
    steps = [s for s in CHECK_STEPS if s <= len(system)] + [len(system)]
    final = result.trust_by_kind[result.trust_by_kind["step"] == len(system)]
    return {
        "scenario": scenario.scenario.name,
        "seed": 0,
        "steps": len(system),
        "system": {str(s): {name: float(system.loc[s, name]) for name in METRICS} for s in sorted(set(steps))},
        "final_trust_by_kind": {f"{a}/{b}": float(v) for a, b, v in final[["from_kind", "to_kind", "mean_trust"]].itertuples(index=False)},
        "final_balance_by_organisation": result.organisations[result.organisations["step"] == len(system)]["balance"].tolist(),
    }


def _compare(observed, expected, where=""):
    if isinstance(expected, dict):
        assert set(observed) == set(expected), where
        for key in expected:
            _compare(observed[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(observed) == len(expected), where
        for i, (o, e) in enumerate(zip(observed, expected)):
            _compare(o, e, f"{where}[{i}]")
    elif isinstance(expected, float):
        assert (math.isnan(observed) and math.isnan(expected)) or math.isclose(observed, expected, rel_tol=RTOL, abs_tol=1e-12), f"{where}: {observed!r} != golden {expected!r}"
    else:
        assert observed == expected, where


def test_every_shipped_scenario_is_covered():
    assert SCENARIOS, "no scenarios shipped"
    missing = [p.stem for p in SCENARIOS if not (GOLDEN / f"{p.stem}.json").exists()]
    if os.environ.get("ICS_ABM_UPDATE_GOLDEN") != "1":
        assert not missing, f"scenarios without a golden run: {missing}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_golden_run(path):
    observed = _observed(path)
    target = GOLDEN / f"{path.stem}.json"
    if os.environ.get("ICS_ABM_UPDATE_GOLDEN") == "1":
        target.write_text(json.dumps(observed, indent=1, sort_keys=True) + "\n")
    expected = json.loads(target.read_text())
    _compare(observed, expected)
