"""A comparison in words: one sentence per option and outcome, a verdict per option, rankings.

Every sentence reads the contrasts table (:func:`ics_abm.experiments.comparison.summary.contrasts`)
at each outcome's headline measure, names the outcome and its unit from the metric table, and
says how sure the result is: the 95% bootstrap interval and the share of paired runs in which
the option is better. "Not clearly different" means the interval includes zero; "no difference"
means the two options gave the same value in every paired run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ics_abm.experiments.comparison.outcomes import describe, format_value, headline
from ics_abm.metrics import SYSTEM_METRICS

__all__ = ["Judgement", "judge", "judgements", "parametric", "plain_name", "ranking", "verdict", "verdict_body"]


@dataclass(frozen=True)
class Judgement:
    """How an option fares against a reference on one outcome.

    Attributes
    ----------
    outcome, measure : str
    kind : str
        ``"identical"`` (the same value in every paired run), ``"better"``, ``"worse"`` (the
        interval excludes zero and the outcome has a direction), ``"higher"``, ``"lower"`` (it
        excludes zero, no direction), ``"unclear"``, or ``"undefined"`` (no pair has a value).
    sentence : str
        The sentence of the briefing.
    """

    outcome: str
    measure: str
    kind: str
    sentence: str


def _row(contrasts: pd.DataFrame, option: str, reference: str, outcome: str, measure: str) -> pd.Series:
    rows = contrasts[(contrasts["option"] == option) & (contrasts["reference"] == reference)
                     & (contrasts["outcome"] == outcome) & (contrasts["measure"] == measure)]
    return rows.iloc[0]


def _values(table: pd.DataFrame, option: str, outcome: str, measure: str) -> np.ndarray:
    rows = table[(table["option"] == option) & (table["outcome"] == outcome) & (table["measure"] == measure)]
    return rows["value"].to_numpy(dtype=np.float64)


def _never(table: pd.DataFrame, option: str, outcome: str, measure: str) -> bool:
    values = _values(table, option, outcome, measure)
    return bool(SYSTEM_METRICS[outcome].never) and values.size > 0 and bool(np.all(values == 0))


def _kind(row: pd.Series, outcome: str) -> str:
    if row["pairs"] == 0:
        return "undefined"
    if row["same"] == row["pairs"]:
        return "identical"
    if not (row["difference_low"] > 0 or row["difference_high"] < 0):
        return "unclear"
    better = SYSTEM_METRICS[outcome].better
    up = row["difference"] > 0
    if better == 0:
        return "higher" if up else "lower"
    return "better" if up == (better > 0) else "worse"


def _counts(row: pd.Series, outcome: str) -> str:
    pairs, better = int(row["pairs"]), SYSTEM_METRICS[outcome].better
    up, down, same = int(row["higher"]), int(row["lower"]), int(row["same"])
    if better == 0:
        return f"higher in {up} and lower in {down} of {pairs} paired runs"
    wins, losses = (up, down) if better > 0 else (down, up)
    text = f"better in {wins} of {pairs} paired runs"
    if losses:
        text += f", worse in {losses}"
    return text + (f", the same in {same}" if same and (wins or losses) else "")


def judge(comparison, option: str, reference: str, outcome: str, measure: str | None = None) -> Judgement:
    """The judgement and sentence for ``option`` against ``reference`` on one outcome.

    Parameters
    ----------
    comparison : ics_abm.experiments.comparison.run.Comparison
    option, reference : str
        Labels of two options of the comparison (they may be the same).
    outcome : str
    measure : str, optional
        Default the outcome's headline measure.

    Returns
    -------
    Judgement
    """
    measure = measure or headline(outcome)
    what = describe(outcome, measure, comparison.steps)
    metric = SYSTEM_METRICS[outcome]
    if option == reference:
        n = comparison.runs_per_option
        return Judgement(outcome, measure, "identical",
                         f"{option} against itself: no difference in {what} (identical in all {n} paired runs).")
    row = _row(comparison.contrasts, option, reference, outcome, measure)
    kind = _kind(row, outcome)
    never_o = _never(comparison.table, option, outcome, measure)
    never_r = _never(comparison.table, reference, outcome, measure)
    if kind == "undefined":
        return Judgement(outcome, measure, kind, f"{what[0].upper()}{what[1:]} is undefined in every paired run of "
                                                 f"{option} or {reference}, so they cannot be compared on it.")
    if kind == "identical":
        if never_o:
            text = f"No difference in {what}: the system {metric.never} under either {option} or {reference}."
        else:
            text = f"No difference in {what} between {option} and {reference} (identical in all {int(row['pairs'])} paired runs)."
        return Judgement(outcome, measure, kind, text)
    diff, low, high = row["difference"], row["difference_low"], row["difference_high"]
    fmt = lambda v, **k: format_value(v, outcome, measure, difference=True, **k)  # noqa: E731
    if kind == "unclear":
        text = (f"{option} changes {what} by {fmt(diff, signed=True)} ({fmt(low, signed=True, with_unit=False)} to "
                f"{fmt(high, signed=True, with_unit=False)}) compared with {reference}: not clearly different; "
                f"{_counts(row, outcome)}.")
    else:
        verb = "raises" if diff > 0 else "lowers"
        ends = sorted((abs(low), abs(high)))
        interval = ("the same in every paired run" if ends[0] == ends[1] else
                    f"{fmt(ends[0], with_unit=False)} to {fmt(ends[1], with_unit=False)}")
        text = (f"{option} {verb} {what} by {fmt(abs(diff))} ({interval}) compared with {reference}; "
                f"{_counts(row, outcome)}.")
    if never_o:
        text += f" Under {option} the system {metric.never}."
    elif never_r:
        text += f" Under {reference} the system {metric.never}."
    return Judgement(outcome, measure, kind, text + parametric(comparison, option, reference, outcome, measure))


def parametric(comparison, option: str, reference: str, outcome: str, measure: str) -> str:
    """With parameter draws (``compare --posterior``), the sentence on them: P(beats) and the two spreads.

    Empty without draws, or against another reference than the base (the uncertainty table is
    against the base only).
    """
    table = getattr(comparison, "uncertainty", None)
    if table is None or reference != comparison.base.label:
        return ""
    row = table[(table["option"] == option) & (table["outcome"] == outcome) & (table["measure"] == measure)].iloc[0]
    if not row["draws"]:
        return ""
    better = SYSTEM_METRICS[outcome].better
    word = "higher" if better == 0 else "better"
    fmt = lambda v: format_value(v, outcome, measure, difference=True)  # noqa: E731
    return (f" Over {int(row['draws'])} parameter draws from the posterior: P({option} {word} than {reference}) = "
            f"{row['p_beats']:.2f}; spread (sd) of the mean difference between draws {fmt(row['parametric_sd'])}, "
            f"of the paired difference between seeds within a draw {fmt(row['stochastic_sd'])}.")


def judgements(comparison, option: str, reference: str | None = None) -> list[Judgement]:
    """One judgement per outcome of ``option`` against ``reference`` (default the base)."""
    reference = reference or comparison.base.label
    return [judge(comparison, option, reference, outcome) for outcome in comparison.outcomes]


def plain_name(outcome: str) -> str:
    """The outcome's plain name at its headline measure ("months signed up to the control total")."""
    metric = SYSTEM_METRICS[outcome]
    if headline(outcome) == "total":
        return metric.total
    return metric.plain or outcome.replace("_", " ")


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_body(reference: str, judgements: list[Judgement]) -> str:
    """What follows "the option is" in a verdict ("better than base on ...; worse on ..."); empty if identical."""
    if all(j.kind in ("identical", "undefined") for j in judgements):
        return ""
    parts = []
    for kind, words in (("better", "better than {r} on"), ("worse", "worse on"), ("higher", "higher on"),
                        ("lower", "lower on"), ("unclear", "not clearly different on"), ("identical", "identical on"),
                        ("undefined", "undefined on")):
        names = [plain_name(j.outcome) for j in judgements if j.kind == kind]
        if names:
            parts.append(f"{words.format(r=reference)} {_listing(names)}")
    if not any(j.kind == "better" for j in judgements):
        parts.insert(0, f"not better than {reference} on any outcome")
    return "; ".join(parts)


def verdict(option: str, reference: str, judgements: list[Judgement]) -> str:
    """The verdict on an option in one sentence, from its judgements against ``reference``."""
    body = verdict_body(reference, judgements)
    if not body:
        return f"{option}: no difference from {reference}; the results are identical in every paired run on every outcome."
    return f"{option}: {body}."


def ranking(comparison, outcome: str, measure: str | None = None) -> list[tuple[list[str], str]]:
    """Options ranked on one outcome, best first, with ties.

    Options are sorted by mean (best first when the outcome has a direction, highest first
    otherwise); an option is tied with the leader of the current group if their paired
    difference has no clear sign (its interval includes zero) or they are identical.

    Returns
    -------
    list of (options, tie)
        Each group of tied options in rank order, with ``"identical"``, ``"not clearly different"``
        or ``""`` (a group of one).
    """
    measure = measure or headline(outcome)
    summary = comparison.summary
    means = summary[(summary["outcome"] == outcome) & (summary["measure"] == measure)].set_index("option")["mean"]
    sign = -1.0 if SYSTEM_METRICS[outcome].better < 0 else 1.0
    order = sorted(comparison.labels, key=lambda o: (-sign * means[o] if np.isfinite(means[o]) else np.inf))
    groups: list[tuple[list[str], str]] = []
    for name in order:
        if groups:
            leader = groups[-1][0][0]
            kind = _kind(_row(comparison.contrasts, name, leader, outcome, measure), outcome)
            if kind in ("identical", "unclear", "undefined"):
                members, tie = groups[-1]
                tie = "identical" if kind == "identical" and tie in ("", "identical") else "not clearly different"
                groups[-1] = ([*members, name], tie)
                continue
        groups.append(([name], ""))
    return groups
