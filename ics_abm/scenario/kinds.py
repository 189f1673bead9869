"""Kinds of organisation in an integrated care system and their documented defaults.

Every default here is listed, with the evidence it encodes, in ``docs/model.md`` (section 3,
"Entities"); the digest codes ([000], [003], M-numbers) refer to
``docs/evidence/index.md``. Change a number here and the table there together.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "PRINCIPALS",
    "KindDefaults",
    "KIND_DEFAULTS",
    "PAIR_TABLES",
    "pair_key",
    "pair_matrix",
]

#: Organisation kinds, in index order (the ``kind`` state array stores these indices).
KINDS: tuple[str, ...] = (
    "acute",
    "primary_care_network",
    "commissioner",
    "community_mental_health",
    "local_authority",
    "voluntary_sector",
)

#: Human-readable labels, for figures and the browser.
KIND_LABELS = MappingProxyType(
    {
        "acute": "Acute trust",
        "primary_care_network": "Primary care network",
        "commissioner": "Commissioner (CCG/ICB)",
        "community_mental_health": "Community & mental health trust",
        "local_authority": "Local authority",
        "voluntary_sector": "Voluntary & community sector",
    }
)

#: Principals an organisation answers to, in index order (the ``principal`` state array).
PRINCIPALS: tuple[str, ...] = ("provider_regulator", "commissioner_regulator", "public")


@dataclass(frozen=True)
class KindDefaults:
    """Default attributes of one kind of organisation.

    Attributes
    ----------
    budget : float
        Annual budget, £m (> 0).
    initial_balance : float
        Financial balance at the start, as a share of annual budget (negative = deficit).
    cost_pressure : float
        Growth of costs beyond the capped allocation, share of budget per year.
    power, affiliation, achievement : float
        McClelland motive strengths (>= 0, not all zero).
    altruism : float
        Weight on the system's payoff, in [0, 1] ("the system hat").
    capacity : float
        Leader capacity for system work beside the day job, in [0, 1].
    principal : str
        One of :data:`PRINCIPALS`.
    """

    budget: float
    initial_balance: float
    cost_pressure: float
    power: float
    affiliation: float
    achievement: float
    altruism: float
    capacity: float
    principal: str


# Evidence for each row is in docs/model.md, section 3 (table "Defaults per kind").
KIND_DEFAULTS = MappingProxyType(
    {
        # Largest budgets, often in deficit, power-dominant ("in the ascendancy", "suck in
        # resources"), day job crowds out system time; answers to NHS Improvement. [000], [003], M10, M26
        "acute": KindDefaults(400.0, -0.005, 0.02, 0.55, 0.15, 0.30, 0.10, 0.35, "provider_regulator"),
        # Small businesses, achievement-dominant ("incentivise them, see the change, measure the
        # impact"); GP contracts with NHS England. [000], [003], M50
        "primary_care_network": KindDefaults(30.0, 0.0, 0.015, 0.20, 0.25, 0.55, 0.15, 0.30, "commissioner_regulator"),
        # Hold the allocation; contracting power moving to influence ("not their decision, but
        # their influence"); answer to NHS England. [000], [003]
        "commissioner": KindDefaults(600.0, 0.0, 0.015, 0.45, 0.25, 0.30, 0.20, 0.55, "commissioner_regulator"),
        # "Cinderella services", "natural bedfellows", affiliation-leaning, capacity-stretched
        # ("could do with being cloned"); providers, NHS Improvement. [000], [003]
        "community_mental_health": KindDefaults(200.0, 0.0, 0.015, 0.15, 0.55, 0.30, 0.30, 0.35, "provider_regulator"),
        # Cuts "much more significant than those in the NHS", democratic legitimacy and community
        # affiliation, accountable "to the public". [000], [003], M15, M43
        "local_authority": KindDefaults(300.0, 0.0, 0.03, 0.40, 0.40, 0.20, 0.20, 0.45, "public"),
        # Thin funding ("don't give us enough to cover our overheads"), mission-driven, low power;
        # "very agile", but with thin management resources, so capacity as the NHS trusts, not above
        # them (changed in 0.3 from 0.50); own boards and funders. [002b], [003]
        "voluntary_sector": KindDefaults(5.0, 0.0, 0.02, 0.10, 0.55, 0.35, 0.40, 0.35, "public"),
    }
)


def pair_key(kind_a: str, kind_b: str) -> str:
    """Canonical key of an unordered pair of kinds, ``"a/b"`` with ``a`` first in :data:`KINDS`."""
    ia, ib = KINDS.index(kind_a), KINDS.index(kind_b)
    if ia > ib:
        kind_a, kind_b = kind_b, kind_a
    return f"{kind_a}/{kind_b}"


def _symmetric(default: float, entries: dict[tuple[str, str], float]) -> dict[str, float]:
    table = {pair_key(a, b): default for a in KINDS for b in KINDS}
    for (a, b), value in entries.items():
        table[pair_key(a, b)] = value
    return table


_HEALTH = ("acute", "primary_care_network", "commissioner", "community_mental_health")

#: Per-pair tables, keyed by :func:`pair_key`. Evidence in docs/model.md, section 3.
PAIR_TABLES = MappingProxyType(
    {
        # Probability that two organisations have a working relationship (an edge).
        # Commissioners contract with every NHS provider and work with councils; acutes all
        # meet in reconfiguration work; PCNs mostly relate to their community services. [003]
        "tie_probability": _symmetric(
            0.3,
            {
                ("acute", "acute"): 1.0,
                ("acute", "commissioner"): 1.0,
                ("acute", "community_mental_health"): 1.0,
                ("acute", "primary_care_network"): 0.5,
                ("acute", "local_authority"): 0.6,
                ("acute", "voluntary_sector"): 0.1,
                ("commissioner", "commissioner"): 1.0,
                ("commissioner", "primary_care_network"): 1.0,
                ("commissioner", "community_mental_health"): 1.0,
                ("commissioner", "local_authority"): 1.0,
                ("commissioner", "voluntary_sector"): 0.4,
                ("primary_care_network", "primary_care_network"): 0.3,
                ("primary_care_network", "community_mental_health"): 0.7,
                ("primary_care_network", "local_authority"): 0.3,
                ("primary_care_network", "voluntary_sector"): 0.3,
                ("community_mental_health", "community_mental_health"): 1.0,
                ("community_mental_health", "local_authority"): 0.8,
                ("community_mental_health", "voluntary_sector"): 0.4,
                ("local_authority", "local_authority"): 0.6,
                ("local_authority", "voluntary_sector"): 0.7,
                ("voluntary_sector", "voluntary_sector"): 0.2,
            },
        ),
        # Cultural distance in [0, 1]: "different language (social model of care versus medical
        # model)"; widest between health and social care. [000], M8
        "cultural_distance": _symmetric(
            0.3,
            {
                **{(a, b): 0.2 for a in _HEALTH for b in _HEALTH},
                **{(a, "local_authority"): 0.6 for a in _HEALTH},
                **{(a, "voluntary_sector"): 0.5 for a in _HEALTH},
                ("community_mental_health", "local_authority"): 0.45,
                ("local_authority", "local_authority"): 0.1,
                ("local_authority", "voluntary_sector"): 0.3,
                ("voluntary_sector", "voluntary_sector"): 0.2,
                ("acute", "acute"): 0.1,
            },
        ),
        # Exposure to the internal market's competition in [0, 1]: providers "in competition
        # against each other", transactional provider-commissioner contracting. [000], [003], M7
        "legacy_exposure": _symmetric(
            0.2,
            {
                ("acute", "acute"): 1.0,
                ("acute", "community_mental_health"): 1.0,
                ("community_mental_health", "community_mental_health"): 1.0,
                ("acute", "commissioner"): 0.8,
                ("commissioner", "community_mental_health"): 0.8,
                ("commissioner", "primary_care_network"): 0.5,
                ("acute", "primary_care_network"): 0.5,
                ("primary_care_network", "primary_care_network"): 0.4,
                ("primary_care_network", "community_mental_health"): 0.4,
                ("commissioner", "commissioner"): 0.3,
                ("commissioner", "voluntary_sector"): 0.4,
                ("voluntary_sector", "voluntary_sector"): 0.1,
                ("local_authority", "voluntary_sector"): 0.1,
                ("local_authority", "local_authority"): 0.1,
            },
        ),
    }
)


def pair_matrix(table: dict[str, float]):
    """Expand a per-pair table into a symmetric ``(6, 6)`` float64 array indexed by kind."""
    import numpy as np

    out = np.empty((len(KINDS), len(KINDS)), dtype=np.float64)
    for ia, a in enumerate(KINDS):
        for ib, b in enumerate(KINDS):
            out[ia, ib] = table[pair_key(a, b)]
    return out
