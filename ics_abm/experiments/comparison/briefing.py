"""The policy briefing of a comparison: a verdict in words, honest intervals, the figures.

``ics-abm compare ... --report`` and ``Comparison.report()`` write it twice: ``briefing.html``
(one self-contained file: style inline, figures embedded as PNG) and ``briefing.md`` (next to
the figures' PNG files), for a policy team to read or paste from. It contains:

1. a one-paragraph summary;
2. a verdict per option against the base, then one sentence per outcome with the effect, its 95%
   bootstrap interval and the share of paired runs in which the option is better;
3. a ranking of the options on each outcome, ties stated;
4. what was assumed (scenarios, horizon, replicates, seeds, package version) and the limits of
   the model in plain words;
5. the figures (:mod:`ics_abm.experiments.comparison.figures`).

Parameter uncertainty (item 6 of issue 13) is not shown yet: :func:`parameter_uncertainty` is
the hook where the calibration's posterior draws will go.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from ics_abm._version import __version__
from ics_abm.experiments.comparison.outcomes import describe, format_value, headline, horizon, unit_words
from ics_abm.experiments.comparison.statistics import BOOTSTRAP_SEED, CONFIDENCE, RESAMPLES
from ics_abm.experiments.comparison.wording import judgements, plain_name, ranking, verdict, verdict_body
from ics_abm.output.document import Block, Heading, Image, Items, Paragraph, Table, to_html, to_markdown

__all__ = ["FIGURES", "LIMITS", "Briefing", "briefing_blocks", "figure_pngs", "parameter_uncertainty", "write_briefing"]

#: The figures of a briefing: file name and caption.
FIGURES = {
    "final_outcomes.png": "Each outcome in every run per option (left), and its paired difference from the base with "
                          "the mean and 95% bootstrap interval (right).",
    "trajectories.png": "Mean of each outcome month by month per option, with its 95% bootstrap band.",
}
#: The model's limits, in plain words.
LIMITS = (
    "The model is a simplified picture of an integrated care system, built from qualitative evidence (chiefly the "
    "King's Fund's 2018 study of the first-wave systems). Read its numbers for direction and relative size, not as "
    "forecasts.",
    "Many of its parameters are assumptions (docs/model.md gives the evidence for each). The intervals here show "
    "only run-to-run chance within the model, not uncertainty about those parameters.",
    "Every option is run on the same simulated system; another system (more organisations, other starting trust) "
    "may respond differently.",
    "The model does not represent patients, quality of care or the workforce; it cannot judge an option on them.",
)


@dataclass(frozen=True)
class Briefing:
    """A written briefing.

    Attributes
    ----------
    markdown, html : str
        The briefing (the HTML is self-contained).
    verdicts : dict
        One sentence per option (the base included) against the base.
    files : tuple of pathlib.Path
        The files written, if any.
    """

    markdown: str
    html: str
    verdicts: dict[str, str]
    files: tuple[Path, ...] = field(default=())

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.markdown


def figure_pngs(comparison) -> dict[str, bytes]:
    """The briefing's figures as PNG bytes, by file name."""
    from ics_abm.experiments.comparison.figures import plot_final_outcomes, plot_trajectories
    from ics_abm.output.figures import DPI

    pngs = {}
    for name, plot in (("final_outcomes.png", plot_final_outcomes), ("trajectories.png", plot_trajectories)):
        buffer = io.BytesIO()
        plot(comparison).savefig(buffer, dpi=DPI, format="png")
        pngs[name] = buffer.getvalue()
    return pngs


def parameter_uncertainty(comparison) -> list[Block]:
    """The section on parameter uncertainty: the posterior draws' spread, or a note that there are none.

    With parameter draws (``compare --posterior``), a table per option and outcome (at its
    headline measure): the mean difference with its two-way bootstrap interval over draws and seeds, the spread between
    draws (parametric) and between seeds within a draw (stochastic), and P(beats the base)
    (:mod:`ics_abm.experiments.comparison.parametric`).
    """
    draws = getattr(comparison, "draws", None)
    if draws is None:
        return [Paragraph("Parameter uncertainty is not shown yet: the intervals in this briefing are run-to-run "
                          "variation only. When the model's calibration provides posterior draws of its parameters, "
                          "this section will show how much each effect changes across them.")]
    name = draws.provenance.get("config_name") or draws.source
    text = (f"Each option ran {draws.n} parameter draws from the posterior of calibration '{name}' x "
            f"{len(comparison.seeds)} seeds, the same draws and seeds for every option. The draws set "
            f"{len(draws.parameters)} calibrated parameter{'s' * (len(draws.parameters) != 1)}"
            + (f"; kept as levers (each option's own value): {', '.join(draws.kept)}." if draws.kept else ".")
            + " P(beats) is the share of draws in which the option's mean difference (over the seeds) is "
            "favourable: how robust the direction is to the parameters. The interval adds the uncertainty due to "
            "the seeds, which every draw shares; with few seeds it can include zero while P(beats) is 1.")
    table = comparison.uncertainty
    rows = []
    for option in comparison.labels[1:]:
        for outcome in comparison.outcomes:
            measure = headline(outcome)
            row = table[(table["option"] == option) & (table["outcome"] == outcome)
                        & (table["measure"] == measure)].iloc[0]
            rows.append(_uncertainty_cells(option, outcome, measure, row, comparison.steps))
    return [Paragraph(text), Table(("option", "outcome", "difference (95% interval over draws and seeds)", "between draws (sd)",
                                    "between seeds (sd)", "P(beats base)"), tuple(rows))]


def _uncertainty_cells(option: str, outcome: str, measure: str, row, steps: int) -> tuple[str, ...]:
    """One row of the parameter-uncertainty table, as text."""
    def fmt(value: float, **options) -> str:
        return format_value(value, outcome, measure, difference=True, **options)

    interval = (f"{fmt(row['difference'], signed=True)} ({fmt(row['difference_low'], signed=True, with_unit=False)} "
                f"to {fmt(row['difference_high'], signed=True, with_unit=False)})")
    return (option, describe(outcome, measure, steps), interval, fmt(row["parametric_sd"]),
            fmt(row["stochastic_sd"]), _number(row["p_beats"], ".2f"))


def _summary(comparison, judged: dict, first: dict[str, int]) -> Paragraph:
    base, others = comparison.base.label, comparison.labels[1:]
    n, k = comparison.runs_per_option, len(comparison.outcomes)
    text = (f"This briefing compares {len(others)} option{'s' if len(others) > 1 else ''} with the base **{base}** over "
            f"{horizon(comparison.steps)}, running each option {n} times on the same random draws so that every "
            f"difference is measured run by run (paired). ")
    for option in others:
        body = verdict_body(base, judged[option])
        text += (f"**{option}** is {body}. " if body else
                 f"**{option}** makes no difference: its results are identical to {base}'s in every paired run. ")
    best = max(first.values())
    leaders = [o for o in comparison.labels if first[o] == best]
    text += (f"{' and '.join(f'**{o}**' for o in leaders)} {'is' if len(leaders) == 1 else 'are'} best or tied best "
             f"on {best} of {k} outcomes. ")
    text += (f"Effects are mean paired differences with {CONFIDENCE:.0%} bootstrap intervals; \"not clearly different\" "
             "means the interval includes zero; \"no difference\" means identical results in every paired run.")
    return Paragraph(text)


def _rankings(comparison) -> tuple[Table, dict[str, int]]:
    rows, first = [], dict.fromkeys(comparison.labels, 0)
    for outcome in comparison.outcomes:
        groups = ranking(comparison, outcome)
        for name in groups[0][0]:
            first[name] += 1
        place, parts = 1, []
        for members, tie in groups:
            tied = f" (tied: {tie})" if tie else ""
            parts.append(f"{place}. {' and '.join(members)}{tie and tied}")
            place += len(members)
        better = {1: "more is better", -1: "less is better", 0: "highest first"}[_better(outcome)]
        rows.append((describe(outcome, headline(outcome), comparison.steps).capitalize(), better, "; ".join(parts)))
    return Table(("outcome", "order", "ranking (best first)"), tuple(rows)), first


def _better(outcome: str) -> int:
    from ics_abm.metrics import SYSTEM_METRICS

    return SYSTEM_METRICS[outcome].better


def _means_table(comparison) -> Table:
    summary = comparison.summary
    rows = []
    for outcome in comparison.outcomes:
        measure = headline(outcome)
        part = summary[(summary["outcome"] == outcome) & (summary["measure"] == measure)].set_index("option")
        cells = [f"{format_value(part.loc[o, 'mean'], outcome, measure, with_unit=False)} "
                 f"({format_value(part.loc[o, 'mean_low'], outcome, measure, with_unit=False)} to "
                 f"{format_value(part.loc[o, 'mean_high'], outcome, measure, with_unit=False)})" for o in comparison.labels]
        what = describe(outcome, measure, comparison.steps)
        rows.append((f"{what[0].upper()}{what[1:]} ({unit_words(outcome, measure)})", *cells))
    return Table(("outcome (unit)", *comparison.labels), tuple(rows))


def _effects_table(comparison) -> Table:
    """Every option against the base on every outcome: effect, interval, counts, superiority, effect size, test."""
    summary, base = comparison.summary, comparison.base.label
    rows = []
    for option in comparison.labels[1:]:
        for outcome in comparison.outcomes:
            measure = headline(outcome)
            row = summary[(summary["option"] == option) & (summary["outcome"] == outcome)
                          & (summary["measure"] == measure)].iloc[0]
            rows.append((option, plain_name(outcome), *_effect_cells(row, outcome, measure)))
    return Table(("option", "outcome", f"difference from {base} (95% interval)", "runs higher / lower / same",
                  "P(option higher)", "effect size (mean/sd)", "sign test p"), tuple(rows))


def _effect_cells(row, outcome: str, measure: str) -> tuple[str, ...]:
    def fmt(value: float, with_unit: bool = False) -> str:
        return format_value(value, outcome, measure, signed=True, difference=True, with_unit=with_unit)

    pairs = int(row["higher"] + row["lower"] + row["same"])
    return (f"{fmt(row['difference'], True)} ({fmt(row['difference_low'])} to {fmt(row['difference_high'])})",
            f"{int(row['higher'])} / {int(row['lower'])} / {int(row['same'])} of {pairs}",
            _number(row["superiority"], ".2f"), _number(row["effect_size"], ".2f"), _number(row["p_value"], ".2g"))


def _number(value: float, spec: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if value in (float("inf"), float("-inf")):
        return "+inf" if value > 0 else "-inf"
    return format(value, spec)


def _assumptions(comparison) -> list[Block]:
    seeds = comparison.seeds
    shown = ", ".join(map(str, seeds[:3])) + (", ..." if len(seeds) > 3 else "")
    items = [f"**{o.label}**{' (base)' if i == 0 else ''}: {o.scenario.scenario.description or o.scenario.scenario.name}"
             + (f" (file {o.path})" if o.path else "") for i, o in enumerate(comparison.options)]
    facts = [
        f"Horizon: {comparison.steps} months ({horizon(comparison.steps)}); every option over the same horizon.",
        f"Replicates: {len(seeds)} runs per option; run r of every option uses the same seed (common random numbers).",
        f"Seeds: spawned from root seed {comparison.seed} ({shown}; all listed in manifest.json when written by the "
        "command line).",
        f"Intervals: {CONFIDENCE:.0%} percentile bootstrap of the mean ({RESAMPLES} resamples, generator seed "
        f"{BOOTSTRAP_SEED}); \"better in k of n paired runs\" counts the runs; the tables add the exact sign test, "
        "the probability of superiority and the effect size mean/sd.",
        f"Outcomes: {', '.join(plain_name(o) for o in comparison.outcomes)}"
        + (f" (the {comparison.domain} set)." if comparison.domain else "."),
        f"Package: ics_abm {__version__}.",
    ]
    if comparison.draws is not None:  # compare --posterior: the nested design, and intervals over draws
        facts[1] = (f"Replicates: {comparison.draws.n} parameter draws x {len(seeds)} seeds = "
                    f"{comparison.runs_per_option} runs per option; run (d, r) of every option uses draw d's "
                    "parameters and seed r (common parameter draws and common random numbers).")
        facts[3] = (f"Intervals: {CONFIDENCE:.0%} two-way bootstrap over parameter draws and seeds ({RESAMPLES} resamples, "
                    f"generator seed {BOOTSTRAP_SEED}); \"better in k of n paired runs\" counts the runs.")
    return [Heading("What was compared and assumed"), Items(tuple(items)), Items(tuple(facts)),
            Heading("Limits of the model"), Items(LIMITS),
            Heading("Parameter uncertainty"), *parameter_uncertainty(comparison)]


def briefing_blocks(comparison, pngs: dict[str, bytes]) -> tuple[list[Block], dict[str, str]]:
    """The briefing as document blocks, and the verdict on each option.

    Parameters
    ----------
    comparison : ics_abm.experiments.comparison.run.Comparison
    pngs : dict
        Figures by file name (:func:`figure_pngs`); those in :data:`FIGURES` are shown.

    Returns
    -------
    blocks : list
    verdicts : dict
        ``{option: sentence}``, the base's own verdict saying "no difference" from itself.
    """
    base = comparison.base.label
    judged = {o: judgements(comparison, o, base) for o in comparison.labels[1:]}
    verdicts = {base: f"{base}: the base; compared with itself, no difference on any outcome."}
    verdicts.update({o: verdict(o, base, js) for o, js in judged.items()})
    ranking_table, first = _rankings(comparison)
    blocks: list[Block] = [Heading(f"Policy briefing: options compared with {base}", 1),
                           _summary(comparison, judged, first), Heading("Verdict per option")]
    for option, js in judged.items():
        blocks += [Paragraph(f"**{verdicts[option]}**"), Items(tuple(j.sentence for j in js))]
    blocks += [Heading("Effects in numbers"),
               Paragraph(f"Each option against {base} on paired runs: the mean difference with its {CONFIDENCE:.0%} "
                         "bootstrap interval; in how many runs the option was higher, lower or the same; the "
                         "probability of superiority (the chance that the option is higher in a paired run, ties "
                         "counting half); the effect size (mean difference over its standard deviation; ±inf when "
                         "every run differs by the same amount); and the exact sign test of higher against lower. "
                         "contrasts.csv has every option against every other."),
               _effects_table(comparison)]
    blocks += [Heading("Ranking"), Paragraph("Options in order on each outcome; options are tied when their paired "
                                             "difference is not clearly different from zero."), ranking_table,
               Heading("Means per option"), Paragraph(f"Mean over {comparison.runs_per_option} runs, with its "
                                                      f"{CONFIDENCE:.0%} bootstrap interval."), _means_table(comparison)]
    blocks += _assumptions(comparison)
    blocks.append(Heading("Figures"))
    blocks += [Image(name, pngs[name], caption) for name, caption in FIGURES.items() if name in pngs]
    return blocks, verdicts


def write_briefing(comparison, out_dir: str | os.PathLike | None = None,
                   pngs: dict[str, bytes] | None = None) -> Briefing:
    """Make the briefing, and write it (with its figures) to ``out_dir`` if given.

    Parameters
    ----------
    comparison : ics_abm.experiments.comparison.run.Comparison
    out_dir : str or os.PathLike, optional
        Directory for ``briefing.html``, ``briefing.md`` and the figures (created if missing).
    pngs : dict, optional
        Figures already drawn, by file name (default: drawn here).

    Returns
    -------
    Briefing
    """
    pngs = figure_pngs(comparison) if pngs is None else pngs
    blocks, verdicts = briefing_blocks(comparison, pngs)
    markdown = to_markdown(blocks)
    html = to_html(blocks, f"Policy briefing: options compared with {comparison.base.label}")
    files: tuple[Path, ...] = ()
    if out_dir is not None:
        from ics_abm.output.directory import write_bytes
        from ics_abm.output.files import write_text

        directory = Path(out_dir)
        directory.mkdir(parents=True, exist_ok=True)
        write_text(directory / "briefing.md", markdown)
        write_text(directory / "briefing.html", html)
        for name in FIGURES:
            if name in pngs:
                write_bytes(directory / name, pngs[name])
        files = tuple(directory / n for n in ("briefing.html", "briefing.md", *FIGURES))
    return Briefing(markdown, html, verdicts, files)
