"""The batch driver: many runs packed into one struct of arrays, advanced in one compiled call.

A sweep's runs are small (the default system is 25 organisations) and many, so a run made one at a
time spends most of its time in Python. Here the runs of a batch are packed into a few stacked
arrays (:mod:`ics_abm.engine.layout`): run ``r`` owns the organisation rows
``org_ptr[r]:org_ptr[r+1]`` and the arc rows ``arc_ptr[r]:arc_ptr[r+1]`` of every array (the CSR
layout one level up). :data:`advance_runs` loops over runs (``prange`` in its parallel variant) and
advances each with the serial step loop :data:`ics_abm.engine.step.advance_steps` (``.serial``),
the very kernel a single run calls (its machine code, called by name:
:mod:`ics_abm.engine.shared_step`), so a run in a batch gives the numbers of a run made alone, bit
for bit. Each iteration writes only its own run's rows, arcs and outputs: nothing is shared.

Packing runs, applying their events between calls and making tables is done by
:mod:`ics_abm.experiments.batch`.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ics_abm.engine.jit import Variants, inline, variants
from ics_abm.engine.layout import ARCS, ORGANISATIONS, PARAMS, WORKSPACE
from ics_abm.engine.shared_step import call_step_loop, export_for
from ics_abm.engine.state import Graph
from ics_abm.metrics import ORG_TRAJECTORY_FIELDS

__all__ = ["advance_runs"]

# Constructors of one run's named tuples from the packed arrays (compiled; see ics_abm.engine.layout).
_org_rows = ORGANISATIONS.rows
_arc_rows = ARCS.rows
_ws_rows = WORKSPACE.rows
_params_item = PARAMS.item
_N_FIELDS = len(ORG_TRAJECTORY_FIELDS)


@inline
def _run_arguments(r, orgs, indptr, target, reverse, arcs, ws, params, system, keys, org_ptr, arc_ptr,
                   first_step, offset, n_steps, out, kind_trust_out, org_out, org_out_ptr):
    """The step loop's 11 arguments for run ``r``: its views of the packed arrays (compiled, and in Python)."""
    o0, o1 = org_ptr[r], org_ptr[r + 1]
    a0, a1 = arc_ptr[r], arc_ptr[r + 1]
    run_graph = Graph(indptr[o0 + r : o1 + r + 1], target[a0:a1], reverse[a0:a1])
    if org_out_ptr[r + 1] > org_out_ptr[r]:
        run_org_out = org_out[org_out_ptr[r] : org_out_ptr[r + 1]].reshape((out.shape[1], o1 - o0, _N_FIELDS))
    else:
        run_org_out = np.empty((out.shape[1], 0, _N_FIELDS), dtype=np.float64)
    last = offset + n_steps
    return (_org_rows(orgs, o0, o1), run_graph, _arc_rows(arcs, a0, a1), _params_item(params, r), _ws_rows(ws, o0, o1),
            system[r], keys[r], first_step, out[r, offset:last], kind_trust_out[r, offset:last], run_org_out[offset:last])


@inline
def _advance_run(r, orgs, indptr, target, reverse, arcs, ws, params, system, keys, org_ptr, arc_ptr,
                 first_step, offset, n_steps, out, kind_trust_out, org_out, org_out_ptr):
    """Run ``r`` of :data:`advance_runs`, advanced by the one compiled serial step loop (:mod:`ics_abm.engine.shared_step`)."""
    o, g, a, p, w, s, k, t, y, kt, oo = _run_arguments(r, orgs, indptr, target, reverse, arcs, ws, params, system, keys,
                                                       org_ptr, arc_ptr, first_step, offset, n_steps, out,
                                                       kind_trust_out, org_out, org_out_ptr)
    call_step_loop(o, g, a, p, w, s, k, t, y, kt, oo)


def _advance_runs(orgs, indptr, target, reverse, arcs, ws, params, system, keys, org_ptr, arc_ptr,
                  first_step, offset, n_steps, out, kind_trust_out, org_out, org_out_ptr):
    """Advance every packed run ``n_steps`` months from step number ``first_step``, in place.

    Parameters
    ----------
    orgs, arcs, ws : tuple of ndarray
        Organisations, arcs and workspace of all runs, stacked as in :mod:`ics_abm.engine.layout`:
        run ``r`` owns the organisation rows ``org_ptr[r]:org_ptr[r+1]`` and the arc rows
        ``arc_ptr[r]:arc_ptr[r+1]``.
    indptr, target, reverse : ndarray of int64
        The runs' CSR graphs: run ``r``'s ``indptr`` is ``indptr[org_ptr[r] + r : org_ptr[r+1] + r + 1]``
        (from 0); ``target`` and ``reverse`` hold indices local to the run.
    params : tuple of ndarray
        The runs' parameters, run ``r`` at entry ``r`` of each field.
    system : ndarray of float64, shape (R, len(SYSTEM_FIELDS))
    keys : ndarray of int64, shape (R,)
    org_ptr, arc_ptr : ndarray of int64, shape (R + 1,)
    first_step, offset, n_steps : int
        Step number of the first month, its row in the outputs, number of months.
    out : ndarray of float64, shape (R, S, len(METRICS))
    kind_trust_out : ndarray of float64, shape (R, S, 6, 6)
    org_out : ndarray of float64, shape (sum of S * n_r * len(ORG_TRAJECTORY_FIELDS),)
        Run ``r``'s organisation outputs, shape ``(S, n_r, F)`` in C order, at
        ``org_out_ptr[r]:org_out_ptr[r+1]`` (an empty range when not recorded).
    """
    for r in prange(keys.shape[0]):
        _advance_run(np.int64(r), orgs, indptr, target, reverse, arcs, ws, params, system, keys, org_ptr, arc_ptr,
                     first_step, offset, n_steps, out, kind_trust_out, org_out, org_out_ptr)


_DRIVERS = variants(_advance_runs)


def _shape_key(value):
    """What of ``value`` decides the types numba gives it (arrays: dtype, dimensions, contiguity)."""
    if isinstance(value, np.ndarray):
        return value.dtype.str, value.ndim, value.flags.c_contiguous
    if isinstance(value, tuple):
        return tuple(_shape_key(v) for v in value)
    return type(value)


def _published(driver):
    """``driver`` called after the step loop it calls is published for these arguments' types."""
    seen: set = set()  # arguments of these kinds have had their step loop published (0.7 ms each time)

    def advance(*args) -> None:
        key = tuple(_shape_key(a) for a in args)
        if key not in seen and args[8].shape[0]:  # keys: run 0's views have the types of every run's
            export_for(getattr(_run_arguments, "py_func", _run_arguments)(np.int64(0), *args))
            seen.add(key)
        driver(*args)

    advance.__doc__ = _advance_runs.__doc__
    advance.dispatcher = driver  # type: ignore[attr-defined]
    return advance


#: The batch driver: ``.serial`` advances the runs in turn in one thread (for a process that is one
#: of several workers), ``.parallel`` spreads them over the cores. Same numbers either way. Each
#: publishes the compiled step loop before its compiled code is loaded (ics_abm.engine.shared_step).
advance_runs = Variants(_published(_DRIVERS.serial), _published(_DRIVERS.parallel))
