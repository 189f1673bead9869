"""The data dictionary: every column of every table a command writes, with its unit and meaning.

Built from the one metric table (:mod:`ics_abm.metrics`) and the few columns that label rows
(scenario, seed, step, ...), so that a metric added there appears here without another edit.
``docs/data-dictionary.md`` is this module's output::

    python -m ics_abm.columns > docs/data-dictionary.md

and ``tests/test_data_dictionary.py`` checks both that the file is current and that every column
``ics-abm run``, ``compare`` and ``sweep`` write is listed.
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
)


def columns(command: str, stem: str) -> tuple[Column, ...]:
    """The columns of one table, in order.

    Parameters
    ----------
    command : str
        ``"run"``, ``"compare"`` or ``"sweep"``.
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
        "Every column of every table that `ics-abm run`, `ics-abm compare` and `ics-abm sweep` write, with its",
        "unit and meaning. Tables are written as Parquet and CSV with the same columns. Generated from",
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
