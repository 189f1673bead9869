"""The two comparison figures shown in the README (docs/img/compare-*.png).

Compares the regulation options on the default system, 30 paired runs of 120 months each, with
:func:`ics_abm.compare` and the regulation outcomes, writes the briefing to
``results/compare-regulation-briefing/`` and copies its two figures into ``docs/img/``.

Usage (from the repository root)::

    .venv/bin/python docs/scripts/compare_figures.py

It takes about 15 seconds once the kernel has been compiled. The figures change when the model
does; rerun this script then.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import ics_abm

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
OPTIONS = ["regulation_aligned", "regulation_single", "regulation_national_aligned_regional_lag"]


def main() -> None:
    """Run the comparison, write its briefing and copy the figures into docs/img/."""
    result = ics_abm.compare("regulation_misaligned", [SCENARIOS / f"{o}.toml" for o in OPTIONS],  # a packaged name
                             replicates=30, steps=120, seed=0, domain="regulation")
    out = ROOT / "results" / "compare-regulation-briefing"
    briefing = result.report(out)
    for name in ("trajectories", "final_outcomes"):
        shutil.copyfile(out / f"{name}.png", ROOT / "docs" / "img" / f"compare-{name.replace('_', '-')}.png")
    print(briefing.markdown.split("## Ranking")[0])


if __name__ == "__main__":
    main()
