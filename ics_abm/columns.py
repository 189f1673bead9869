"""The data dictionary: every column of every table a command writes, with its unit and meaning.

Built from the one metric table (:mod:`ics_abm.metrics`) and the few columns that label rows
(scenario, seed, step, ...), so that a metric added there appears here without another edit.
``docs/data-dictionary.md`` is this module's output::

    python -m ics_abm.columns > docs/data-dictionary.md

and ``tests/test_data_dictionary.py`` checks both that the file is current and that every column
``ics-abm run``, ``compare``, ``sweep``, ``sensitivity`` and ``validate-model`` write is listed.
"""

from __future__ import annotations

from typing import NamedTuple

from ics_abm.metrics import ORGANISATION_FIELDS, SYSTEM_METRICS

__all__ = ["Column", "TABLES", "columns", "markdown"]


class Column(NamedTuple):
    """One column of an output table.

    Attributes
    ----------
    name : str
        The column's name.
    unit : str
        Unit or range (``"£m"``, ``"[0, 1]"``, ``"count"``); empty for a label.
    meaning : str
        What it holds, in plain words.
    """

    name: str
    unit: str
    meaning: str


_SCENARIO = Column("scenario", "", "the scenario's name ([scenario] name)")
_SEED = Column("seed", "whole number", "the seed of the run's random generator")
_STEP = Column("step", "month", "month of the run, 1 to steps (the state after that month)")
_OPTION = Column("option", "", "the policy option (the scenario's file name or label); the base is the first")
_REPLICATE = Column("replicate", "whole number", "replicate number r; replicate r of every option uses the same seed")
_OUTCOME = Column("outcome", "", "the metric compared (a system metric, below)")
_MEASURE = Column("measure", "", "final (the last month), last_12_mean (mean of the last 12 months) or total (sum over the run)")

_DRAW = Column("draw", "whole number", "parameter draw d (0 to N-1) of --posterior N; run (d, r) of every option has "
                                       "draw d's parameters and replicate r's seed")
_POSTERIOR_DRAW = Column("posterior_draw", "whole number", "the row of the posterior (its draw column) whose parameters "
                                                           "the run used")
_SYSTEM = tuple(Column(m.name, m.unit, m.meaning) for m in SYSTEM_METRICS.values())
_ORGANISATIONS = tuple(Column(m.name, m.unit, m.meaning) for m in ORGANISATION_FIELDS.values())
_INTERVAL = (
    Column("difference", "outcome's unit", "mean paired difference, option minus reference, over replicates"),
    Column("difference_low", "outcome's unit", "lower end of the 95% percentile bootstrap interval of the difference"),
    Column("difference_high", "outcome's unit", "upper end of that interval"),
    Column("higher", "count", "paired runs in which the option's value is higher"),
    Column("lower", "count", "paired runs in which it is lower"),
    Column("same", "count", "paired runs in which it is the same"),
    Column("superiority", "[0, 1]", "probability of superiority: share of paired runs in which the option's value is higher (ties count half)"),
    Column("effect_size", "", "mean paired difference divided by its standard deviation"),
    Column("p_value", "[0, 1]", "two-sided exact sign test of the paired differences"),
)
_SENSITIVITY_LABELS = (
    Column("method", "", "sobol or morris (the sweep's design)"),
    Column("metric", "", "the metric explained (a system metric, above)"),
    Column("last", "months", "the outcome is the metric's mean over the run's last months"),
    Column("policy_id", "whole number", "the combination of levers"),
    Column("<lever>", "the lever's unit", "one column per lever of the sweep, its value in this policy"),
    Column("parameter", "", "the uncertain parameter, by its place in the scenario file"),
)


def _sensitivity_arm(arm: str, words: str) -> tuple[Column, ...]:
    """The three measured shares of one arm of the one-at-a-time sensitivity."""
    return (
        Column(f"share_{arm}", "[0, 1]", f"share of runs with mean trust below 0.3 at ten years, {words}"),
        Column(f"rise_{arm}", "[0, 1]", f"share of runs in which mean trust rose over year one, {words}"),
        Column(f"trust_{arm}", "[0, 1]", f"mean trust at ten years, {words}"),
    )


#: Every table a command writes: (command, file stem, what one row is, its columns in order).
TABLES: tuple[tuple[str, str, str, tuple[Column, ...]], ...] = (
    ("run", "system", "one month of one run", (_SCENARIO, _SEED, _STEP, *_SYSTEM)),
    ("run", "trust_by_kind", "one month and ordered pair of kinds (from_kind trusts to_kind)", (
        _SCENARIO, _SEED, _STEP,
        Column("from_kind", "", "the kind of the trusting organisations"),
        Column("to_kind", "", "the kind of the trusted organisations"),
        Column("mean_trust", "[0, 1]", "mean trust over the live relationships of that pair of kinds"),
        Column("n_relationships", "count", "live relationships from from_kind to to_kind (each direction counted)"),
    )),
    ("run", "organisations", "one month and one organisation", (
        _SCENARIO, _SEED, _STEP,
        Column("organisation", "whole number", "the organisation's number (0-based, stable through the run)"),
        Column("kind", "", "its kind (acute, primary_care_network, commissioner, ...)"),
        *_ORGANISATIONS,
    )),
    ("compare", "outcomes", "one outcome measure of one replicate of one option", (
        _OPTION, _REPLICATE, _SEED, _OUTCOME, _MEASURE, Column("value", "outcome's unit", "the measure's value in that run"),
    )),
    ("compare", "summary", "one outcome measure of one option, over replicates, with its contrast with the base", (
        _OPTION, _OUTCOME, _MEASURE,
        Column("replicates", "count", "runs of the option"),
        Column("mean", "outcome's unit", "mean over replicates"),
        Column("mean_low", "outcome's unit", "lower end of the 95% percentile bootstrap interval of the mean"),
        Column("mean_high", "outcome's unit", "upper end of that interval"),
        *_INTERVAL,
    )),
    ("compare", "contrasts", "one outcome measure of one option against one other option", (
        _OPTION, Column("reference", "", "the option compared against"), _OUTCOME, _MEASURE,
        Column("pairs", "count", "paired runs (same seed)"), *_INTERVAL,
    )),
    ("compare", "trajectories", "one month of one outcome of one replicate of one option", (
        _OPTION, _REPLICATE, _SEED, _STEP, _OUTCOME, Column("value", "outcome's unit", "the outcome that month"),
    )),
    ("compare --posterior", "outcomes", "one outcome measure of one replicate of one parameter draw of one option", (
        _OPTION, _DRAW, _REPLICATE, _SEED, _OUTCOME, _MEASURE,
        Column("value", "outcome's unit", "the measure's value in that run"),
    )),
    ("compare --posterior", "trajectories", "one month of one outcome of one run (draw, replicate) of one option", (
        _OPTION, _DRAW, _REPLICATE, _SEED, _STEP, _OUTCOME, Column("value", "outcome's unit", "the outcome that month"),
    )),
    ("compare --posterior", "uncertainty", "one outcome measure of one option against the base, over parameter "
     "draws and seeds (summary.csv and contrasts.csv keep their columns; their intervals are over draws)", (
        _OPTION, _OUTCOME, _MEASURE,
        Column("draws", "count", "parameter draws with a defined difference"),
        Column("replicates", "count", "seeds per draw"),
        Column("difference", "outcome's unit", "mean paired difference, option minus base, over every draw and seed"),
        Column("difference_low", "outcome's unit", "lower end of the 95% two-way bootstrap interval over draws and seeds"),
        Column("difference_high", "outcome's unit", "upper end of that interval"),
        Column("parametric_sd", "outcome's unit", "standard deviation across draws of the per-draw mean difference: "
                                                  "the spread due to the parameters"),
        Column("stochastic_sd", "outcome's unit", "pooled within-draw standard deviation of the paired difference: "
                                                  "the spread from seed to seed at fixed parameters"),
        Column("favourable", "", "higher or lower: the direction in which the option beats the base"),
        Column("p_beats", "[0, 1]", "share of draws whose mean difference is strictly favourable: the probability, "
                                    "over the posterior, that the option beats the base"),
    )),
    ("compare --posterior", "draws", "one parameter draw, the same for every option", (
        _DRAW, _POSTERIOR_DRAW,
        Column("<parameter>", "the parameter's unit", "one column per calibrated parameter the draws set (levers the "
                                                      "options set differently are kept and not listed)"),
    )),
    ("sweep", "runs/batch-*", "one month of one run of the sweep (ics_abm.load reads them as one table)", (
        Column("run_id", "whole number", "the run's number in the design"),
        Column("point_id", "whole number", "the design point (policy x sample)"),
        Column("policy_id", "whole number", "the combination of levers"),
        Column("sample_id", "whole number", "the sampled point of the uncertainties"),
        _REPLICATE,
        Column("root_seed", "whole number", "[sweep] root_seed"),
        Column("spawn_key", "whole number", "the replicate's key in numpy.random.SeedSequence(root_seed)"),
        _SEED,
        Column("<parameter>", "the parameter's unit", "one column per varied parameter, named by its place in the scenario file "
                                                      "(\"regulation.regime\", \"legacy.strength\")"),
        _STEP, *_SYSTEM,
    )),
    ("sweep", "runs/batch-* (design posterior)", "one month of one run of a sweep with [uncertainties] design = "
     "\"posterior\"", (
        Column("run_id", "whole number", "the run's number in the design"),
        Column("point_id", "whole number", "the design point (policy x draw)"),
        Column("policy_id", "whole number", "the combination of levers"),
        Column("sample_id", "whole number", "the parameter draw d (0 to draws-1), the same draws for every policy"),
        _REPLICATE,
        Column("root_seed", "whole number", "[sweep] root_seed"),
        Column("spawn_key", "whole number", "the replicate's key in numpy.random.SeedSequence(root_seed)"),
        _SEED, _POSTERIOR_DRAW,
        Column("<parameter>", "the parameter's unit", "one column per lever, then one per calibrated parameter the draws "
                                                      "set, named by its place in the scenario file"),
        _STEP, *_SYSTEM,
    )),
    ("sensitivity", "sobol-<metric>-last<months>", "one uncertain parameter of one policy of a sobol sweep", (
        *_SENSITIVITY_LABELS,
        Column("S1", "[0, 1]", "first-order Sobol' index: the share of the outcome's variance due to this parameter alone"),
        Column("S1_conf", "[0, 1]", "half-width of the 95% bootstrap confidence interval of S1"),
        Column("ST", "[0, 1]", "total Sobol' index: the share due to this parameter with all its interactions"),
        Column("ST_conf", "[0, 1]", "half-width of the 95% bootstrap confidence interval of ST"),
    )),
    ("sensitivity", "morris-<metric>-last<months>", "one uncertain parameter of one policy of a morris sweep", (
        *_SENSITIVITY_LABELS,
        Column("mu", "metric's unit", "mean elementary effect: change of the outcome per change of the parameter over its range"),
        Column("mu_star", "metric's unit", "mean absolute elementary effect (the screening measure)"),
        Column("sigma", "metric's unit", "standard deviation of the elementary effects (non-linearity and interactions)"),
        Column("mu_star_conf", "metric's unit", "half-width of the 95% bootstrap confidence interval of mu_star"),
    )),
    ("calibrate", "generations/generation-*", "one accepted particle (parameter set) of one ABC-SMC generation; "
     "posterior.parquet is the last generation", (
        Column("generation", "whole number", "the ABC-SMC generation, from 0"),
        Column("particle", "whole number", "the particle's number within its generation"),
        Column("weight", "[0, 1]", "its importance weight; the weights of a generation sum to 1"),
        Column("distance", "", "how far its patterns' statistics lie outside their target ranges (docs/calibration.md)"),
        Column("<parameter>", "the parameter's unit", "one column per calibrated parameter, named by its place in the "
                                                      "scenario file (\"trust.gain_rate\")"),
    )),
    ("validate-model", "summary", "one stylized fact", (
        Column("id", "", "the fact's id (SF1, SF2b, ...; docs/validation.md)"),
        Column("title", "", "the fact in a sentence"),
        Column("tag", "", "OBS (observed in the seed documents) or ASSERT (an author's claim)"),
        Column("expected", "", "the expected direction of B - A: increase or decrease"),
        Column("seeds", "count", "paired runs with a defined outcome"),
        Column("mean_a", "outcome's unit", "mean outcome of arm A"),
        Column("mean_b", "outcome's unit", "mean outcome of arm B"),
        Column("difference", "outcome's unit", "mean paired difference B - A"),
        Column("low", "outcome's unit", "lower end of its 95% t interval"),
        Column("high", "outcome's unit", "upper end of that interval"),
        Column("effect_size", "", "mean paired difference divided by its standard deviation"),
        Column("passed", "true/false", "whether the interval lies strictly on the expected side of zero"),
    )),
    ("validate-model", "outcomes", "one fact and one seed", (
        Column("id", "", "the fact's id"), _SEED,
        Column("a", "outcome's unit", "the outcome in arm A"),
        Column("b", "outcome's unit", "the outcome in arm B"),
        Column("difference", "outcome's unit", "b - a"),
    )),
    ("validate-model", "levers", "one lever, outcome and horizon (with --robustness)", (
        Column("lever", "", "the lever, as named in docs/validation.md (Lever effects)"),
        _OUTCOME,
        Column("month", "month", "the horizon: 12, 36 or 120"),
        Column("baseline", "outcome's unit", "mean outcome of the baseline on the same seeds"),
        Column("difference", "outcome's unit", "mean paired difference, lever minus baseline"),
        Column("low", "outcome's unit", "lower end of the 95% percentile bootstrap interval of the difference"),
        Column("high", "outcome's unit", "upper end of that interval"),
        Column("higher", "count", "paired runs in which the lever's value is higher"),
        Column("lower", "count", "paired runs in which it is lower"),
        Column("n", "count", "paired runs"),
    )),
    ("validate-model", "sensitivity", "one assumption set 20% lower and higher (with --robustness)", (
        Column("parameter", "", "the assumption's place in the scenario file (\"trust.loss_rate\")"),
        Column("default", "the parameter's unit", "its default value"),
        *_sensitivity_arm("default", "at the default"),
        Column("low_value", "the parameter's unit", "the default times 0.8"),
        *_sensitivity_arm("low", "20% lower"),
        Column("high_value", "the parameter's unit", "the default times 1.2"),
        *_sensitivity_arm("high", "20% higher"),
        Column("change_points", "percentage points", "the largest change of either share, either way"),
        Column("smooth", "true/false", "whether that change is at most 15 points"),
    )),
    ("validate-model", "robust_facts", "one fact under one posterior draw (with --posterior)", (
        Column("sample", "whole number", "the draw's number, 0, 1, ... (its seeds are spawned from the root seed and it)"),
        Column("draw", "whole number", "the posterior's row (accepted parameter set) drawn"),
        Column("id", "", "the fact (\"SF1\")"),
        Column("tag", "", "OBS (observed in the study) or ASSERT (an author's claim)"),
        Column("difference", "the outcome's unit", "mean paired difference B - A over the draw's seeds"),
        Column("low", "the outcome's unit", "lower end of its 95% t interval"),
        Column("high", "the outcome's unit", "upper end of its 95% t interval"),
        Column("passed", "true/false", "whether the interval lies on the expected side of zero"),
    )),
    ("validate-model", "robust_shares", "one fact over every posterior draw (with --posterior)", (
        Column("id", "", "the fact"),
        Column("tag", "", "OBS or ASSERT"),
        Column("draws", "whole number", "posterior draws run"),
        Column("passed", "whole number", "draws in which the fact passes"),
        Column("share", "share (0-1)", "passed / draws"),
        Column("low", "share (0-1)", "lower end of its 95% Clopper-Pearson interval"),
        Column("high", "share (0-1)", "upper end of its 95% Clopper-Pearson interval"),
        Column("meets_target", "true/false", "whether the share is at least 0.9 (the target for OBS facts)"),
    )),
)


def columns(command: str, stem: str) -> tuple[Column, ...]:
    """The columns of one table, in order.

    Parameters
    ----------
    command : str
        ``"run"``, ``"compare"``, ``"sweep"``, ``"sensitivity"`` or ``"validate-model"``.
    stem : str
        The file name without extension (``"system"``, ``"summary"``, ``"runs/batch-*"``).

    Returns
    -------
    tuple of Column

    Raises
    ------
    KeyError
        For a table no command writes.
    """
    for cmd, name, _, cols in TABLES:
        if (cmd, name) == (command, stem):
            return cols
    raise KeyError(f"no table {stem!r} of ics-abm {command}")


def markdown() -> str:
    """The data dictionary as a Markdown page (``docs/data-dictionary.md``)."""
    lines = [
        "# Data dictionary",
        "",
        "Every column of every table that `ics-abm run`, `compare`, `sweep`, `sensitivity` and `validate-model`",
        "write, with its unit and meaning. Tables are written as Parquet and CSV with the same columns. Generated from",
        "`ics_abm/metrics.py` (the one metric table) by `python -m ics_abm.columns > docs/data-dictionary.md`;",
        "`tests/test_data_dictionary.py` fails if a command writes a column that is not here.",
        "",
    ]
    for command, stem, row, cols in TABLES:
        lines += [f"## `ics-abm {command}`: {stem}", "", f"One row: {row}.", "", "| column | unit | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.unit} | {c.meaning} |" for c in cols]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
