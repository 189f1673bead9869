"""One compiled step loop for every driver: the batch drivers call its machine code by name.

numba compiles a call from one jitted function to another by *linking* the callee's code into the
caller and optimising the result again. The step loop (:data:`ics_abm.engine.step.advance_steps`,
every submodel inlined) is large, so each driver that called it (the batch driver's serial and
parallel variants, and the function they shared) optimised and emitted its own copy: on a cold
cache the first batch took about 18 s of CPU on top of the first run's 37 s (issue 16).

Here the serial step loop is compiled once (or loaded from the cache) and its machine code is
published under a name of its own (:func:`export_step_loop`, ``llvmlite``'s ``add_symbol``); the
batch drivers call it through :func:`call_step_loop`, which emits a call to that name with
numba's own calling convention, so their modules hold the call and not the step. The numbers are
those of the linked call, bit for bit: the same machine code, called with the same arguments.

The name is derived from the argument types, so a driver can only ever call the step compiled for
exactly its types. Machine code of a driver loaded from numba's cache refers to the name, which
must be published before that code is loaded: :func:`export_for` publishes it from the arguments
a driver is about to get (``ics_abm.engine.batch.advance_runs`` does so before every call).
"""

from __future__ import annotations

import hashlib

import llvmlite.binding as ll
import numba
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from ics_abm.engine.step import advance_steps

__all__ = ["call_step_loop", "export_for", "export_step_loop", "step_loop_symbol"]

#: Compile results whose machine code has been published, by symbol (kept alive with their code).
_PUBLISHED: dict[str, object] = {}
_DISABLE_JIT = bool(numba.config.DISABLE_JIT)  # type: ignore[attr-defined]


def step_loop_symbol(argtypes) -> str:
    """The name the serial step loop compiled for ``argtypes`` (numba types) is published under."""
    text = ";".join(str(t) for t in argtypes)
    return "ics_abm_step_loop_" + hashlib.sha256(text.encode()).hexdigest()[:24]


def export_step_loop(argtypes) -> str:
    """Compile (or load from the cache) the serial step loop for ``argtypes`` and publish its machine code.

    Returns
    -------
    str
        The symbol (:func:`step_loop_symbol`) a driver's compiled code calls.
    """
    argtypes = tuple(argtypes)
    name = step_loop_symbol(argtypes)
    if name not in _PUBLISHED:
        dispatcher = advance_steps.serial
        dispatcher.compile(argtypes)
        result = dispatcher.overloads[argtypes]
        ll.add_symbol(name, result.library.get_pointer_to_function(result.fndesc.mangled_name))
        _PUBLISHED[name] = result
    return name


def export_for(args) -> None:
    """Publish the step loop for the types of ``args`` (the step loop's 11 arguments, as Python objects)."""
    if not _DISABLE_JIT:
        export_step_loop(tuple(numba.typeof(a) for a in args))


if _DISABLE_JIT:  # plain Python throughout: call the step loop itself

    def call_step_loop(orgs, graph, arcs, params, ws, system, key, first_step, out, kind_trust_out, org_out):
        """The serial step loop (no compilation under ``NUMBA_DISABLE_JIT=1``)."""
        advance_steps.serial(orgs, graph, arcs, params, ws, system, key, first_step, out, kind_trust_out, org_out)

else:

    @intrinsic
    def call_step_loop(typingctx, orgs, graph, arcs, params, ws, system, key, first_step, out, kind_trust_out,
                       org_out):
        """In compiled code: call the published serial step loop for these argument types (see the module docstring)."""
        argtypes = (orgs, graph, arcs, params, ws, system, key, first_step, out, kind_trust_out, org_out)
        name = export_step_loop(argtypes)  # while the driver is typed: the step exists before the driver is loaded

        def codegen(context, builder, signature, args):
            function_type = context.call_conv.get_function_type(types.none, signature.args)
            function = cgutils.get_or_insert_function(builder.module, function_type, name)
            status, _ = context.call_conv.call_function(builder, function, types.none, signature.args, args)
            with cgutils.if_unlikely(builder, status.is_error):
                context.call_conv.return_status_propagate(builder, status)
            return context.get_dummy_value()

        return types.none(*argtypes), codegen
