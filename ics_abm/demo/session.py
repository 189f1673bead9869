"""The model the demo runs: an :class:`~ics_abm.ICSModel` built from keyword arguments.

Mesa's ``SolaraViz`` resets a model by calling its class with the values of the controls
(``type(model)(**model_params)``), so the demo's model takes the preset name, the seed and the
levers as keywords and builds its scenario from them. The browser steps the model in a
background thread while buttons inject events from another, so stepping, events, forks and
snapshots take the model's lock.
"""

from __future__ import annotations

import threading

from ics_abm.demo.layout import cached_layout
from ics_abm.demo.levers import AS_PRESET, Levers, apply_levers
from ics_abm.demo.presets import Catalogue, find_catalogue
from ics_abm.engine.events import EVENT_KINDS
from ics_abm.model import ICSModel

__all__ = ["DemoModel", "DEMO_EVENTS", "parse_seed", "lock_of"]

#: The event buttons: kind -> (button label, what it does, for the tooltip and the summary).
DEMO_EVENTS: dict[str, tuple[str, str]] = {
    "financial_shock": (
        "Financial shock",
        "every organisation loses 2 % of its annual budget now (less where a shared narrative cushions it)",
    ),
    "winter_pressure": (
        "Winter pressure",
        "a hard winter: leaders' capacity falls and costs rise, easing over the following months",
    ),
    "leadership_programme": (
        "Leadership programme",
        "system leadership development: 30 % of every leader's power motive shifts to affiliation and "
        "achievement, and psychological safety rises",
    ),
    "leader_leaves": (
        "Respected leader leaves",
        "the most trusted leader leaves; trust in and from their organisation is cut",
    ),
    "local_authority_walks_away": (
        "Local authority walks away",
        "the largest council stops engaging with the partnership",
    ),
    "altruistic_first_move": (
        "Altruistic first move",
        "the most powerful organisation puts on the system hat and gives 0.5 % of its budget to its partners",
    ),
}
if not set(DEMO_EVENTS) <= set(EVENT_KINDS):
    raise RuntimeError("every demo event button must be one of ics_abm.engine.events.EVENT_KINDS")


class _ForkableLock:
    """A re-entrant lock that a copy (``ICSModel.fork`` deep-copies attributes) replaces by a new one."""

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)

    def __deepcopy__(self, memo):
        return _ForkableLock()


def lock_of(model) -> _ForkableLock | threading.RLock:
    """The lock to hold while reading or changing ``model`` (a dummy for models without one)."""
    lock = getattr(model, "_demo_lock", None)
    return lock if lock is not None else threading.RLock()


def parse_seed(text) -> tuple[int, str | None]:
    """The seed typed in the seed field, or 0 and a one-sentence warning.

    Returns
    -------
    (int, str or None)
        The seed and, if the text was not a whole number >= 0, why 0 is used instead.
    """
    raw = str(text).strip()
    if raw.isdigit() and raw.isascii():
        return int(raw), None
    return 0, f"Seed {raw!r} is not a whole number ≥ 0, so seed 0 is used."


class DemoModel(ICSModel):
    """An :class:`~ics_abm.ICSModel` made from the demo's controls.

    Parameters
    ----------
    catalogue : Catalogue, optional
        Presets on offer (default: :func:`~ics_abm.demo.presets.find_catalogue`).
    preset : str, optional
        Name of the preset (default: the catalogue's start preset).
    seed : int or str
        Seed; text from the seed field is accepted, and a bad one gives seed 0 and a warning.
    regime, focus_shift, legacy_shift, motive_mix, altruism_shift, budget_pressure
        The levers (:class:`~ics_abm.demo.levers.Levers`); the defaults keep the preset.

    Attributes
    ----------
    preset : Preset
    levers : Levers
    warnings : list of str
        Problems with the controls that were worked around (shown on screen).
    positions : ndarray of float64, shape (n_organisations, 2)
        The network layout, fixed for the life of the model.
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        preset: str | None = None,
        seed: int | str = 0,
        regime: str = AS_PRESET,
        focus_shift: float = 0.0,
        legacy_shift: float = 0.0,
        motive_mix: float = 0.0,
        altruism_shift: float = 0.0,
        budget_pressure: float = 0.0,
    ):
        catalogue = find_catalogue() if catalogue is None else catalogue
        chosen = catalogue.start if preset is None else catalogue.get(preset)
        levers = Levers(regime, focus_shift, legacy_shift, motive_mix, altruism_shift, budget_pressure)
        value, warning = parse_seed(seed)
        super().__init__(apply_levers(chosen.load(), levers), seed=value)
        self.catalogue = catalogue
        self.preset = chosen
        self.levers = levers
        self.warnings = [] if warning is None else [warning]
        self.positions = cached_layout(self.network, self.organisations.kind)
        self._demo_lock = _ForkableLock()

    def step(self) -> None:
        """Advance one month (holding the lock, so that a button never acts mid-step)."""
        with self._demo_lock:
            super().step()

    def inject(self, kind: str, **options) -> None:
        """Apply an event now, before the next step (see :meth:`ICSModel.inject`)."""
        with self._demo_lock:
            super().inject(kind, **options)

    def fork(self) -> ICSModel:
        """An independent copy with identical state and future randomness (see :meth:`ICSModel.fork`)."""
        with self._demo_lock:
            return super().fork()
