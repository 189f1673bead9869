"""Many runs' state packed into a few plain arrays, and the named-tuple views of one run.

The kernel's state is a handful of named tuples of arrays (:mod:`ics_abm.engine.state`): 21 organisation
fields, 5 arc fields, 18 workspace fields and 70 parameters. Passing them into a ``prange`` loop
costs numba dearly (every tuple of a parallel region is unpacked into separate arguments, and
refused beyond 100 fields), so a batch stores each named tuple as a **few stacked arrays, one
per dtype and trailing shape**: e.g. the organisations of all runs are an int64 array of shape
(2, N) (``kind``, ``principal``) and a float64 array of shape (19, N), where run ``r`` owns the
columns ``org_ptr[r]:org_ptr[r+1]``. A :class:`Layout` records where each field lives; it is
derived from the named tuple's fields, so a field added to the state needs no change here.

``Layout.rows(groups, lo, hi)`` returns the named tuple of one run's rows (views, in Python and
in compiled code alike); ``Layout.item(groups, r)`` the named tuple of run ``r``'s scalars (for
:class:`ics_abm.engine.state.Params`, stored with runs along the second axis). Both are compiled by
generating the constructor call for the layout (numba ``overload``).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence

import numpy as np
from numba.extending import overload

from ics_abm.engine.state import (
    Arcs,
    Organisations,
    Params,
    Workspace,
    empty_organisations,
    make_workspace,
)

__all__ = ["ARCS", "ORGANISATIONS", "PARAMS", "WORKSPACE", "Layout"]


class Layout:
    """Where each field of a named tuple class lives in a few stacked arrays.

    Parameters
    ----------
    cls : type
        The named tuple class.
    kinds : sequence of (numpy.dtype, tuple)
        Per field, its dtype and trailing shape (the shape after the run's own axis).

    Attributes
    ----------
    groups : list of (numpy.dtype, tuple)
        The stacked arrays: group ``g`` has shape ``(count, size, *trailing)``.
    place : list of (int, int)
        Per field, its group and position in the group.
    rows, item : callable
        ``rows(groups, lo, hi)`` and ``item(groups, r)``: a ``cls`` of views (also in numba).
    """

    def __init__(self, cls, kinds: Sequence[tuple[np.dtype, tuple]]):
        self.cls = cls
        self.groups: list[tuple[np.dtype, tuple]] = []
        self.place: list[tuple[int, int]] = []
        counts: list[int] = []
        for dtype, trailing in kinds:
            key = (np.dtype(dtype), tuple(trailing))
            if key not in self.groups:
                self.groups.append(key)
                counts.append(0)
            g = self.groups.index(key)
            self.place.append((g, counts[g]))
            counts[g] += 1
        self.counts = counts
        self.rows = self._compiled("rows", "groups, lo, hi", "[lo:hi]")
        self.item = self._compiled("item", "groups, r", "[r]")

    def _compiled(self, name: str, signature: str, index: str):
        # The constructor call of this layout, and a typing function of the same signature that
        # hands numba that very function as the compiled implementation.
        fields = ", ".join(f"groups[{g}][{k}]{index}" for g, k in self.place)
        source = f"def {name}({signature}):\n    return cls({fields})\n\ndef typer({signature}):\n    return {name}\n"
        namespace: dict = {"cls": self.cls}
        exec(source, namespace)  # noqa: S102
        overload(namespace[name])(namespace["typer"])
        return namespace[name]

    def field(self, groups: tuple[np.ndarray, ...], name: str) -> np.ndarray:
        """The stacked array of field ``name`` (a view)."""
        g, k = self.place[self.cls._fields.index(name)]
        return groups[g][k]

    def empty(self, size: int) -> tuple[np.ndarray, ...]:
        """Stacked arrays for ``size`` rows (uninitialised)."""
        return tuple(np.empty((count, size, *trailing), dtype=dtype) for (dtype, trailing), count in zip(self.groups, self.counts))

    def pack(self, parts: Sequence) -> tuple[np.ndarray, ...]:
        """Stack the rows of ``parts`` (instances of ``cls``), one after the other."""
        sizes = [len(getattr(part, self.cls._fields[0])) for part in parts]
        groups = self.empty(int(sum(sizes)))
        for name, (g, k) in zip(self.cls._fields, self.place):
            np.concatenate([getattr(part, name) for part in parts], out=groups[g][k])
        return groups

    def pack_items(self, items: Sequence) -> tuple[np.ndarray, ...]:
        """Stack ``items`` (instances of ``cls`` with scalar or small-array fields), one per run."""
        distinct: dict[int, int] = {}
        which = np.array([distinct.setdefault(id(item), len(distinct)) for item in items], dtype=np.int64)
        unique = self.empty(len(distinct))
        firsts = {id(item): item for item in reversed(items)}  # each distinct item once (runs of one scenario share it)
        for key, index in distinct.items():
            self.set_item(unique, index, firsts[key])
        return tuple(np.ascontiguousarray(group[:, which]) for group in unique)

    def set_item(self, groups: tuple[np.ndarray, ...], index: int, item) -> None:
        """Write ``item``'s fields as entry ``index``."""
        for name, (g, k) in zip(self.cls._fields, self.place):
            groups[g][k][index] = getattr(item, name)


def _row_kinds(example) -> list[tuple[np.dtype, tuple]]:
    return [(getattr(example, name).dtype, getattr(example, name).shape[1:]) for name in type(example)._fields]


def _param_kinds() -> list[tuple[np.dtype, tuple]]:
    # The dtype a single run's value has in numba: float -> float64, bool -> boolean, int -> int64;
    # the per-principal arrays are float64 of shape (3,).
    kinds = {float: (np.float64, ()), bool: (np.bool_, ()), int: (np.int64, ()), np.ndarray: (np.float64, (3,))}
    return [kinds[hint] for hint in typing.get_type_hints(Params).values()]


#: Layouts of the organisations, arcs and workspace (per row) and of the parameters (per run).
ORGANISATIONS = Layout(Organisations, _row_kinds(empty_organisations(0)))
ARCS = Layout(Arcs, [(np.float64, ())] * 4 + [(np.int8, ())])
WORKSPACE = Layout(Workspace, _row_kinds(make_workspace(0)))
PARAMS = Layout(Params, _param_kinds())
if ARCS.cls._fields != ("trust", "distance", "memory", "stake", "action"):
    raise RuntimeError("ics_abm.engine.layout.ARCS must list the dtypes of ics_abm.engine.state.Arcs's fields")
