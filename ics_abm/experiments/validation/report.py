"""The validation report: Markdown, figures, tables and manifest, in one directory.

Layout (written atomically, like every results directory)::

    validation.md                       the report (links to the figures below)
    img/validation/forest.png           every fact's standardised effect with its interval
    img/validation/<id>.png             one small figure per fact
    summary.parquet  summary.csv        one row per fact
    outcomes.parquet outcomes.csv       one row per fact and seed: A, B, B − A
    levers.parquet   levers.csv         lever effects (with --robustness)
    sensitivity.parquet sensitivity.csv one-at-a-time sensitivity (with --robustness)
    robust_facts.parquet robust_facts.csv   every fact under each posterior draw (with --posterior)
    robust_shares.parquet robust_shares.csv each fact's pass share over the draws (with --posterior)
    manifest.json                       seeds, command, versions, file hashes

:func:`install_report` copies ``validation.md`` and ``img/validation/`` into a documentation
directory (``docs/``), where the links still work.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ics_abm.experiments.paired import CONFIDENCE
from ics_abm.experiments.validation.fact import Arm, StylizedFact
from ics_abm.experiments.validation.figures import plot_fact, plot_forest
from ics_abm.experiments.validation.robustness_report import render_robustness
from ics_abm.experiments.validation.runner import FactResult, outcomes_table, summary_table
from ics_abm.output.directory import replace_directory, write_atomically, write_directory
from ics_abm.output.figures import DPI
from ics_abm.output.files import save_png, write_table, write_text
from ics_abm.output.manifest import environment, finish_manifest, now_utc, provenance
from ics_abm.scenario.kinds import KINDS

__all__ = ["IMAGE_DIR", "REPORT", "install_report", "render_markdown", "write_validation"]

#: The report's file name, and the folder of its figures (relative to the report).
REPORT = "validation.md"
IMAGE_DIR = "img/validation"

INTERVAL_METHOD = (
    f"{CONFIDENCE:.0%} Student t interval of the mean paired difference B − A over seeds (both arms run on "
    "the same seeds: common random numbers); standardised effect = mean / sd of the paired differences"
)


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.4g}".replace("-", "−")


def _file_id(fact_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", fact_id)


def _changes(arm: Arm) -> str:
    """The arm's changes as ``path = value`` items, a change made to every kind written once."""
    items, done = [], set()
    changes = dict(arm.changes)
    for path, value in changes.items():
        parts = path.split(".")
        if len(parts) == 3 and parts[0] == "kinds" and path not in done:
            same = [f"kinds.{k}.{parts[2]}" for k in KINDS]
            values = [changes.get(p) for p in same]
            if all(p in changes for p in same):
                done.update(same)
                if len(set(map(repr, values))) == 1:
                    items.append(f"`kinds.*.{parts[2]} = {value!r}` (every kind)")
                else:
                    shown = ", ".join(f"{k} {changes[p]:.3g}" for k, p in zip(KINDS, same, strict=True))
                    items.append(f"`kinds.*.{parts[2]}`: {shown}")
                continue
        if path not in done:
            items.append(f"`{path} = {value!r}`")
    return "; ".join(items) if items else "no changes"


def _arm_line(name: str, fact: StylizedFact, arm: Arm) -> str:
    return f"* **Arm {name}: {arm.label}** ({_changes(arm)}); outcome: {fact.outcome_of(arm).description}."


def _verdict(result: FactResult) -> str:
    if result.passed:
        return "pass" if not result.fact.discrepancy else "pass (a known discrepancy no longer shows)"
    return "**FAIL** (known discrepancy)" if result.fact.discrepancy else "**FAIL**"


def _fact_section(result: FactResult) -> str:
    fact, d = result.fact, result.difference
    side = "above" if fact.expected == "increase" else "below"
    dropped = f" ({d.dropped} seeds left out: outcome undefined)" if d.dropped else ""
    within = " (both arms are measured on the same runs)" if result.same_runs else ""
    lines = [
        f"### {fact.id}: {fact.title} ({fact.tag})",
        "",
        f"> {fact.evidence} {fact.source}",
        "",
        f"**Experiment.** {fact.experiment} {len(result.seeds)} seeds per arm, the same seeds in both arms; "
        f"{fact.steps} months per run{within}.",
        "",
        _arm_line("A", fact, fact.a),
        _arm_line("B", fact, fact.b),
        f"* **Expected:** B − A {side} zero ({fact.expected}).",
        "",
        f"**Result.** Mean of A {_num(float(result.a.mean()))}, of B {_num(float(result.b.mean()))}. "
        f"B − A = {_num(d.mean)} (95% t interval {_num(d.low)} to {_num(d.high)}, n = {d.n}{dropped}); "
        f"standardised effect {_num(d.effect_size)}. Verdict: {_verdict(result)}.",
        "",
        f"![{fact.id}]({IMAGE_DIR}/{_file_id(fact.id)}.png)",
        "",
    ]
    if fact.discrepancy:
        lines[-3:-3] = [f"**Known discrepancy.** {fact.discrepancy}", ""]
    return "\n".join(lines)


def render_markdown(results: Sequence[FactResult], *, command: str, started: str, version: str, robustness: str = "") -> str:
    """The report as Markdown: header, summary table, forest plot, the robustness sections if given
    (:func:`ics_abm.experiments.validation.robustness_report.render_robustness`), one section per fact."""
    passed = sum(r.passed for r in results)
    known = sum(bool(r.fact.discrepancy) and not r.passed for r in results)
    seeds = len(results[0].seeds) if results else 0
    root = results[0].root_seed if results else 0
    lines = [
        "# Validation against the stylized facts",
        "",
        f"<!-- Generated by `{command}`; do not edit by hand. -->",
        "",
        "Each stylized fact of `docs/evidence/stylized-facts.md` that the model can express is "
        "tested as a two-arm experiment: arm A and arm B change one thing in a base scenario, both arms "
        "are run on the same seeds (common random numbers), and the fact **passes** if and only if the "
        f"{CONFIDENCE:.0%} Student t interval of the mean paired difference B − A (seed by seed) lies "
        "strictly on the expected side of zero. The standardised effect is the mean paired difference "
        "divided by the standard deviation of the differences (Cohen's d_z). "
        "The facts are declared in `ics_abm/experiments/validation/facts/`; `tests/test_stylized_facts.py` asserts "
        "the same verdicts.",
        "",
        f"Generated {started} by ics_abm {version}: {seeds} seeds per arm spawned from root seed {root}. "
        f"**{passed} of {len(results)} facts pass**"
        + (f"; {known} of the failures {'is a known discrepancy' if known == 1 else 'are known discrepancies'} "
           "of the model, explained in its section." if known else "."),
        "",
        "| fact | tag | title | B − A (95% interval) | standardised effect | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        d = r.difference
        lines.append(
            f"| [{r.fact.id}](#{_anchor(r.fact)}) | {r.fact.tag} | {r.fact.title} | {_num(d.mean)} "
            f"({_num(d.low)} to {_num(d.high)}) | {_num(d.effect_size)} | {_verdict(r)} |"
        )
    lines += ["", f"![Standardised effects of every fact]({IMAGE_DIR}/forest.png)", ""]
    if robustness:
        lines += [robustness, ""]
    lines += ["## The facts", ""]
    lines += [_fact_section(r) for r in results]
    return "\n".join(lines).rstrip() + "\n"


def _anchor(fact: StylizedFact) -> str:
    # GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    heading = f"{fact.id}: {fact.title} ({fact.tag})".lower()
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", heading))


def write_validation(
    results: Sequence[FactResult],
    out_dir: str | os.PathLike,
    *,
    command: str = "",
    force: bool = False,
    started: str | None = None,
    levers: pd.DataFrame | None = None,
    sensitivity: pd.DataFrame | None = None,
    robust: pd.DataFrame | None = None,
    robust_note: str = "",
) -> Path:
    """Write the report, figures, tables and manifest of a validation to ``out_dir``, atomically.

    Parameters
    ----------
    results : sequence of FactResult
        From :func:`ics_abm.experiments.validation.validate`.
    out_dir : str or os.PathLike
        The directory to create.
    command : str
        The command line that made it (recorded in the report and manifest).
    force : bool
        Replace an existing results directory, only once the new one is complete.
    started : str, optional
        Start time (ISO 8601, UTC); default now.
    levers, sensitivity : pandas.DataFrame, optional
        The tables of :func:`~ics_abm.experiments.validation.robustness.lever_effects` and
        :func:`~ics_abm.experiments.validation.robustness.sensitivity`, reported and written as
        ``levers`` and ``sensitivity`` tables when given.
    robust : pandas.DataFrame, optional
        The table of :func:`~ics_abm.experiments.validation.posterior_facts.robust_facts` (facts
        under posterior draws): reported with each fact's pass share and written as
        ``robust_facts`` and ``robust_shares``; ``robust_note`` says where the posterior came from.

    Returns
    -------
    pathlib.Path
        The directory, absolute.
    """
    if not results:
        raise ValueError("expected at least one fact's result to report, got none")
    started = started or now_utc()
    env = environment()
    manifest = {
        **env,
        "kind": "validation",
        "command": command,
        "root_seed": results[0].root_seed,
        "seeds": list(results[0].seeds),
        "facts": [r.fact.id for r in results],
        "passed": [r.fact.id for r in results if r.passed],
        "interval": INTERVAL_METHOD,
        "started_utc": started,
        "wall_time_s": sum(r.wall_time_s for r in results),
    }
    robustness = render_robustness(levers, sensitivity)
    shares = None
    if robust is not None:
        from ics_abm.experiments.validation.posterior_facts import pass_shares, render_pass_shares

        shares = pass_shares(robust)
        robustness = "\n\n".join(part for part in (robustness, render_pass_shares(shares, robust_note)) if part)
    text = render_markdown(results, command=command, started=started, version=env["ics_abm_version"], robustness=robustness)
    reproducible = provenance(manifest)

    def fill(directory: Path) -> None:
        write_text(directory / REPORT, text)
        write_table(summary_table(results), directory, "summary", reproducible)
        write_table(outcomes_table(results), directory, "outcomes", reproducible)
        for name, table in (("levers", levers), ("sensitivity", sensitivity), ("robust_facts", robust),
                            ("robust_shares", shares)):
            if table is not None:
                write_table(table, directory, name, reproducible)
        save_png(plot_forest(list(results)), directory / IMAGE_DIR / "forest.png", DPI)
        for result in results:
            save_png(plot_fact(result), directory / IMAGE_DIR / f"{_file_id(result.fact.id)}.png", DPI)
        finish_manifest(directory, manifest)

    return write_directory(out_dir, fill, force=force)


def install_report(out_dir: str | os.PathLike, docs_dir: str | os.PathLike) -> Path:
    """Copy a validation's report and figures into a documentation directory.

    ``<docs_dir>/validation.md`` is replaced in one rename; ``<docs_dir>/img/validation/`` is
    replaced by the new figures (built beside it, then swapped in), so that no figure of an older
    report is left behind.

    Returns
    -------
    pathlib.Path
        The installed report.
    """
    source, docs = Path(out_dir), Path(docs_dir)
    if not docs.is_dir():
        raise ValueError(f"{docs_dir}: expected an existing documentation directory, got none there")
    replace_directory(docs / IMAGE_DIR, lambda staged: shutil.copytree(source / IMAGE_DIR, staged, dirs_exist_ok=True))
    return write_atomically(docs / REPORT, lambda partial: shutil.copyfile(source / REPORT, partial))
