"""Robust facts: every stylized fact over parameter sets drawn from the calibrated posterior.

``ics-abm validate-model --posterior N`` draws ``N`` parameter sets from the posterior
(:func:`ics_abm.experiments.calibration.posterior.draw_parameters`, resampled by weight with the
root seed) and runs every fact under each draw, on the draw's own seeds, exactly as at the
defaults (both arms on the same seeds, the paired interval, the verdict). A fact's **pass share**
is the share of draws in which it passes, with a 95 % Clopper-Pearson interval (scipy.stats).

Which values a draw sets. A fact is an experiment: its arms (and sometimes its base) set the
parameters it is about, e.g. ``trust.initial`` 0.3 against 0.8. A draw therefore sets a calibrated
parameter only where the fact's base scenario leaves it at the default scenario's value; the
fact's own settings, and then its arms' changes, win. Draw ``k`` runs on the seeds spawned from
``(root seed, k)`` (:func:`draw_root`), so draws are independent of each other and of the number
of workers, and draw ``k`` is the same whatever ``N`` is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ics_abm.experiments.validation.fact_values import fact_under_draw

__all__ = ["ROBUST_TARGET", "draw_root", "fact_under_draw", "pass_shares", "render_pass_shares", "robust_facts"]

#: The issue's target: every observed (OBS) fact passes in at least this share of draws.
ROBUST_TARGET = 0.9


def draw_root(root_seed: int, sample: int) -> int:
    """The root seed of draw ``sample``'s seeds: spawned from ``(root_seed, sample)``."""
    from ics_abm.experiments.sweeps.seeds import seed_of

    return int(seed_of(np.random.SeedSequence(int(root_seed), spawn_key=(0xD4A3, int(sample)))))


def _one_draw(sample: int, values: dict[str, float], ids: list[str], seeds: int, root_seed: int) -> list[dict]:
    """Every fact of ``ids`` under one draw (a task for an executor: plain arguments, plain rows out)."""
    from ics_abm.experiments.validation.facts import FACTS
    from ics_abm.experiments.validation.runner import select, validate
    from ics_abm.scenario.catalog import resolve_scenario
    from ics_abm.scenario.loading import load_scenario, scenario_to_dict

    default = scenario_to_dict(load_scenario(resolve_scenario("default")))
    facts = [fact_under_draw(f, values, default) for f in select(FACTS, ids)]
    results = validate(facts, seeds=seeds, seed=draw_root(root_seed, sample))
    return [{"sample": sample, "id": r.fact.id, "tag": r.fact.tag, "difference": r.difference.mean,
             "low": r.difference.low, "high": r.difference.high, "passed": bool(r.passed)} for r in results]


def robust_facts(
    posterior: pd.DataFrame,
    draws: int,
    *,
    seeds: int = 30,
    seed: int = 0,
    only: Sequence[str] | None = None,
    executor: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run the facts under ``draws`` parameter sets of ``posterior``.

    Parameters
    ----------
    posterior : pandas.DataFrame
        A :func:`ics_abm.posterior` table.
    draws : int
        Number of parameter sets drawn (>= 1).
    seeds : int
        Seeds per arm and draw (>= 30, as at the defaults).
    seed : int
        Root seed: of the draws and of each draw's seeds.
    only : sequence of str, optional
        Fact ids (default: every registered fact).
    executor : concurrent.futures.Executor, optional
        Where the draws run (default: in this process); results do not depend on it.
    progress : callable, optional
        ``progress(done, total)`` after each draw.

    Returns
    -------
    pandas.DataFrame
        One row per draw and fact: ``sample, draw, id, tag, difference, low, high, passed``
        (``draw`` is the posterior row used; ``difference`` the mean paired B - A with its 95 %
        interval ``low, high``).
    """
    from ics_abm.experiments.calibration.posterior import draw_parameters, parameter_columns
    from ics_abm.experiments.validation.facts import FACTS
    from ics_abm.experiments.validation.runner import select

    chosen = draw_parameters(posterior, draws, seed)
    ids = [f.id for f in select(FACTS, only)]
    names = parameter_columns(posterior)
    tasks = [(int(row["sample"]), {n: float(row[n]) for n in names}) for _, row in chosen.iterrows()]
    if executor is None:
        from ics_abm.experiments.sweeps.executors import InlineExecutor

        executor = InlineExecutor()
    futures = [executor.submit(_one_draw, sample, values, ids, seeds, seed) for sample, values in tasks]
    rows = []
    for done, future in enumerate(futures, start=1):  # in submission order: the table is the same on any executor
        rows += future.result()
        if progress is not None:
            progress(done, len(futures))
    table = pd.DataFrame(rows)
    table.insert(1, "draw", table["sample"].map(dict(zip(chosen["sample"], chosen["draw"]))).astype(np.int64))
    return table


def pass_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Per fact, the share of draws in which it passes, with a 95 % Clopper-Pearson interval.

    Returns
    -------
    pandas.DataFrame
        ``id, tag, draws, passed, share, low, high, meets_target`` in the facts' order;
        ``meets_target`` is ``share >= ROBUST_TARGET`` (the issue's target, for OBS facts).
    """
    from scipy.stats import binomtest

    rows = []
    for fact_id, group in table.groupby("id", sort=False):
        n, k = len(group), int(group["passed"].sum())
        interval = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        rows.append({"id": fact_id, "tag": group["tag"].iloc[0], "draws": n, "passed": k, "share": k / n,
                     "low": float(interval.low), "high": float(interval.high), "meets_target": k / n >= ROBUST_TARGET})
    return pd.DataFrame(rows)


def render_pass_shares(shares: pd.DataFrame, note: str = "") -> str:
    """The report's section on robust facts (Markdown), from :func:`pass_shares`."""
    observed = shares[shares["tag"] == "OBS"]
    short = observed[~observed["meets_target"]]
    draws = int(shares["draws"].max()) if len(shares) else 0
    lines = [
        "## Robust facts over the calibrated posterior",
        "",
        f"Every fact was run again under {draws} parameter sets drawn from the posterior ({note or 'see the manifest'}), "
        "each draw on its own seeds, with the same test as above; the table gives the share of draws in which "
        "the fact passes, with its 95 % Clopper-Pearson interval. A draw sets a calibrated parameter only where "
        "the fact's own scenario leaves the default value (the fact's settings and arms win). "
        f"Target: every observed (OBS) fact passes in at least {ROBUST_TARGET:.0%} of draws. "
        + (f"**{len(observed) - len(short)} of {len(observed)} OBS facts meet it**"
           + (f"; short of it: {', '.join(short['id'])}." if len(short) else "."))
        if len(observed) else "",
        "",
        "| fact | tag | draws | pass share (95% interval) | target met |",
        "|---|---|---|---|---|",
    ]
    for row in shares.itertuples(index=False):
        met = ("yes" if row.meets_target else "**no**") if row.tag == "OBS" else "(ASSERT: no target)"
        lines.append(f"| {row.id} | {row.tag} | {row.draws} | {row.share:.0%} ({row.low:.0%} to {row.high:.0%}) | {met} |")
    return "\n".join(lines)
