"""Parameter uncertainty from the calibrated posterior: common parameter draws for sweeps and comparisons.

A posterior (:func:`ics_abm.experiments.calibration.posterior.posterior`: the shipped one, or the
folder of an ``ics-abm calibrate`` run) is turned into ``n`` *draws*, each a set of values of the
calibrated parameters, by :func:`draw_parameters` with one seed, once, in the process that plans
the experiment. Every option of a comparison (``ics-abm compare --posterior N``) and every policy
of a sweep (``design = "posterior"``) then runs draw ``d`` with replicate seed ``r``: the same
parameter draws and the same seeds everywhere (common parameter draws and common random numbers),
so that a difference between options is due to the options alone, and results cannot depend on how
many workers computed them (tasks carry the values, never a generator).

A draw sets every calibrated parameter **except** those the experiment itself decides: the levers
being compared (a parameter the options set differently from each other, or a sweep's
``[levers]``) keep each option's own value, and a sweep's ``[constants]`` keep theirs. Those are
listed as ``kept`` in every manifest.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ics_abm.experiments.sweeps.parameters import value_at

__all__ = ["SHIPPED_FILE", "PosteriorDraws", "PosteriorProblem", "load_posterior", "posterior_draws", "value_at"]

#: Where the shipped posterior lives in the package (named in messages).
SHIPPED_FILE = "ics_abm/data/calibration/posterior-default.parquet"


class PosteriorProblem(ValueError):
    """A posterior that cannot be used, as ``(field, problem)``: the caller names the file.

    Parameters
    ----------
    field : str
        The setting at fault (``"--posterior-source"``, ``"uncertainties.source"``).
    problem : str
        What is wrong (expected and given), without a final full stop.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field, self.problem = field, problem
        super().__init__(f"{field} {problem}")


@dataclass(frozen=True)
class PosteriorDraws:
    """The parameter draws of one experiment.

    Attributes
    ----------
    source : str
        The calibration folder as given, or ``"shipped"`` (:data:`SHIPPED_FILE`).
    provenance : dict
        The posterior's provenance (config name and text, root seed, generation, acceptance figures).
    seed : int
        Seed of the resampling (:func:`draw_parameters`).
    table : pandas.DataFrame, shape (n, 2 + len(parameters))
        ``draw`` (0..n-1, the draw's number in the experiment), ``posterior_draw`` (its row of the
        posterior table) and one column per applied parameter (dotted scenario path).
    parameters : tuple of str
        The calibrated parameters each draw sets.
    kept : tuple of str
        Calibrated parameters the draws leave alone (levers, a sweep's constants).
    """

    source: str
    provenance: dict
    seed: int
    table: pd.DataFrame
    parameters: tuple[str, ...]
    kept: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        """Number of draws."""
        return len(self.table)

    def values(self, draw: int) -> dict[str, Any]:
        """Dotted path -> value of every applied parameter in draw ``draw``."""
        row = self.table.iloc[int(draw)]
        return {p: _plain(row[p]) for p in self.parameters}

    def record(self) -> dict:
        """What a manifest records: source, provenance, seed, the draws' posterior rows, parameters, kept."""
        provenance = {k: _plain(v) for k, v in self.provenance.items()}
        return {"source": self.source, "config_name": provenance.get("config_name"),
                "calibration_root_seed": provenance.get("root_seed"), "draws": self.n, "draw_seed": self.seed,
                "posterior_draws": [int(v) for v in self.table["posterior_draw"]],
                "parameters": list(self.parameters), "kept": list(self.kept), "provenance": provenance}


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers (for JSON and for the scenario validator)."""
    return value.item() if isinstance(value, np.generic) else value


def load_posterior(source: str | os.PathLike | None, field: str) -> pd.DataFrame:
    """The posterior table of ``source`` (``None``: the shipped one), with one-sentence errors.

    Parameters
    ----------
    source : str, os.PathLike or None
        A folder written by ``ics-abm calibrate``, or ``None`` for the shipped posterior.
    field : str
        The setting that named ``source``, for messages.

    Returns
    -------
    pandas.DataFrame
        :func:`ics_abm.experiments.calibration.posterior.posterior`'s table.

    Raises
    ------
    PosteriorProblem
        If the shipped posterior is not installed, or ``source`` is not a finished calibration, or
        a parameter of the posterior is not a scenario parameter.
    """
    from ics_abm.experiments.calibration.posterior import parameter_columns, posterior
    from ics_abm.experiments.sweeps.parameters import field_kind

    if source is None:
        try:
            frame = posterior(None)
        except FileNotFoundError:
            raise PosteriorProblem(field, f"is not given and the shipped posterior ({SHIPPED_FILE}) is not installed; "
                                          "expected a folder written by ics-abm calibrate") from None
    else:
        given = os.fspath(source)
        if not os.path.isdir(given):
            raise PosteriorProblem(field, f"expected a folder written by ics-abm calibrate, got {given!r}, which is "
                                          "not a folder")
        try:
            frame = posterior(given)
        except (ValueError, OSError) as exc:  # CalibrationError, or unreadable files
            raise PosteriorProblem(field, f"expected a folder written by ics-abm calibrate with at least one finished "
                                          f"generation, got {given!r} ({str(exc).rstrip('.')})") from None
    parameters = parameter_columns(frame)
    if not parameters or len(frame) == 0:
        raise PosteriorProblem(field, f"expected a posterior with parameters and accepted sets, got {len(frame)} "
                                      f"sets of {len(parameters)} parameters")
    unknown = [p for p in parameters if field_kind(p) is None]
    if unknown:
        raise PosteriorProblem(field, f"holds parameter {unknown[0]!r}, which is not a scenario parameter; expected "
                                      "the posterior of a calibration of this version of ics_abm")
    return frame


def differing(datas: Iterable[Mapping[str, Any]], paths: Iterable[str]) -> tuple[str, ...]:
    """The paths whose value is not the same in every scenario's data (the levers of a comparison)."""
    datas = list(datas)
    return tuple(p for p in paths if len({repr(value_at(d, p)) for d in datas}) > 1)


def posterior_draws(source: str | os.PathLike | None, n: int, seed: int, *, keep: Iterable[str] = (),
                    field: str = "--posterior-source") -> PosteriorDraws:
    """``n`` common parameter draws from a posterior, leaving the parameters in ``keep`` alone.

    Parameters
    ----------
    source : str, os.PathLike or None
        A folder written by ``ics-abm calibrate``; ``None``: the shipped posterior.
    n : int
        Number of draws, >= 1.
    seed : int
        Seed of the resampling; the same source, ``n`` and seed give the same draws, and the
        first ``k`` draws do not depend on ``n``.
    keep : iterable of str
        Calibrated parameters the experiment sets itself (levers, constants): not drawn.
    field : str
        The setting naming ``source``, for messages.

    Returns
    -------
    PosteriorDraws

    Raises
    ------
    PosteriorProblem
        See :func:`load_posterior`.
    """
    from ics_abm.experiments.calibration.posterior import draw_parameters, parameter_columns
    from ics_abm.experiments.sweeps.parameters import field_kind

    frame = load_posterior(source, field)
    calibrated = parameter_columns(frame)
    keep = set(keep)
    kept = tuple(p for p in calibrated if p in keep)
    applied = tuple(p for p in calibrated if p not in keep)
    drawn = draw_parameters(frame, int(n), int(seed))
    table = pd.DataFrame({"draw": drawn["sample"].to_numpy(np.int64),
                          "posterior_draw": drawn["draw"].to_numpy(np.int64)})
    for path in applied:
        column = drawn[path].to_numpy(np.float64)
        table[path] = np.round(column).astype(np.int64) if field_kind(path) == "integer" else column
    return PosteriorDraws(source="shipped" if source is None else os.fspath(source),
                          provenance=dict(frame.attrs.get("provenance", {})), seed=int(seed), table=table,
                          parameters=applied, kept=kept)
