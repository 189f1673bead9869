"""Save a demo session: its pictures (PNG) and a short Markdown summary (settings, events, outcomes).

Each export is a new folder, written atomically like ``ics-abm run``'s results directories
(:func:`ics_abm.output.directory.write_directory`), so a folder that exists is always whole.
"""

from __future__ import annotations

import datetime
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ics_abm.demo.branching import OUTCOMES, Branches, compare
from ics_abm.demo.figures import charts_figure, futures_figure, network_figure, to_png
from ics_abm.demo.levers import describe_levers
from ics_abm.demo.snapshot import Snapshot, take_snapshot
from ics_abm.output.directory import safe_name, write_bytes, write_directory
from ics_abm.output.files import write_text
from ics_abm.scenario.kinds import KIND_LABELS
from ics_abm.scenario.loading import organisation_counts

__all__ = ["Export", "export_session", "session_summary", "SaveLimit"]


class SaveLimit:
    """How many sessions the demo may still save (a room of viewers must not fill the disk).

    Parameters
    ----------
    allowed : int or None
        Saves allowed for the life of the server; None: no limit (the facilitator's own computer).
    """

    def __init__(self, allowed: int | None = None) -> None:
        self.allowed = allowed
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Use one save; False if none is left."""
        with self._lock:
            if self.allowed is not None and self.used >= self.allowed:
                return False
            self.used += 1
            return True


@dataclass(frozen=True)
class Export:
    """What an export wrote: the folder and its files (summary first)."""

    directory: Path
    files: tuple[Path, ...]


def _fmt(value, digits: int = 2) -> str:
    value = float(value)
    return "undefined" if value != value else f"{value:,.{digits}f}"


def _options(options: dict) -> str:
    return ", ".join(f"{key} = {value}" for key, value in options.items()) or "defaults"


def _settings(model) -> list[str]:
    config = model.scenario_config
    counts = {kind: n for kind, n in organisation_counts(config).items() if n}
    regulation = config.regulation
    lines = [
        f"- Organisations: {sum(counts.values())} ("
        + ", ".join(f"{n} {KIND_LABELS[kind].lower()}" for kind, n in counts.items()) + ")",
        f"- Regulator regime now: {regulation.regime} (provider focus {regulation.provider_focus:.2f}, "
        f"commissioner focus {regulation.commissioner_focus:.2f}, system focus {regulation.system_focus:.2f}; "
        "0 = own organisation, 1 = system)",
        f"- Competition legacy: {config.legacy.strength:.2f}",
    ]
    levers = getattr(model, "levers", None)
    changed = describe_levers(levers) if levers is not None else []
    lines.append("- Levers: " + ("; ".join(changed) if changed else "none (the preset as written)"))
    lines += [f"- Note: {warning}" for warning in getattr(model, "warnings", [])]
    return lines


def _outcomes(snap: Snapshot) -> list[str]:
    if snap.month == 0:
        return ["The simulation had not been stepped."]
    first, last = snap.system.iloc[0], snap.system.iloc[-1]
    lines = ["| outcome | month 1 | month " + str(snap.month) + " |", "|---|---:|---:|"]
    for name, label in OUTCOMES.items():
        digits = 0 if name == "n_deficit" else 2
        lines.append(f"| {label} | {_fmt(first[name], digits)} | {_fmt(last[name], digits)} |")
    return lines


def _futures(branches: Branches) -> list[str]:
    table = compare(branches)
    lines = [
        f"Forked at month {branches.start_month} and run for {branches.months} months, from the same state "
        "and the same random numbers.",
        "",
        f"- **A**: {branches.first.label}",
        f"- **B**: {branches.second.label}",
        "",
        f"| outcome at month {branches.start_month + branches.months} | A | B | B − A |",
        "|---|---:|---:|---:|",
    ]
    for label, row in table.iterrows():
        digits = 0 if label == OUTCOMES["n_deficit"] else 2
        a, b, difference = (_fmt(row[column], digits) for column in ("A", "B", "B - A"))
        lines.append(f"| {label} | {a} | {b} | {difference} |")
    return lines


def session_summary(model, snap: Snapshot, branches: Branches | None = None, *, saved: datetime.datetime) -> str:
    """The Markdown summary of a session (settings, events, outcomes, and the two futures if any)."""
    preset = getattr(model, "preset", None)
    config = model.scenario_config.scenario
    lines = [
        f"# ICS demo session: {config.name}, seed {snap.seed}, month {snap.month}",
        "",
        f"Saved {saved:%Y-%m-%d %H:%M}. {config.description}".rstrip(),
    ]
    if preset is not None:
        lines += ["", f"Preset file: `{preset.path.name}`."]
    lines += ["", "## Settings", "", *_settings(model), "", "## Events", ""]
    if snap.events:
        lines += ["| month | event | options |", "|---:|---|---|"]
        lines += [f"| {e['month']} | {e['kind'].replace('_', ' ')} | {_options(e['options'])} |" for e in snap.events]
    else:
        lines.append("No events were injected.")
    lines += ["", f"## Outcomes at month {snap.month}", "", *_outcomes(snap), ""]
    images = ["![Relationships](network.png)", "", "![Charts](charts.png)"]
    if branches is not None:
        lines += ["## Two futures", "", *_futures(branches), ""]
        images += ["", "![Two futures](futures.png)"]
    lines += ["## Pictures", "", *images, "", "## To run it again", ""]
    lines.append(
        f"`ics-abm demo{' scenarios/' + preset.path.name if preset is not None else ''}`, seed {snap.seed}, the same levers, "
        "and the events at the months listed: the same seed and settings give the same run."
    )
    return "\n".join(lines) + "\n"


def _folder_name(snap: Snapshot, saved: datetime.datetime) -> str:
    return f"session-{saved:%Y%m%d-%H%M%S}-{safe_name(snap.scenario)}-seed{snap.seed}-month{snap.month}"


def export_session(model, out_dir: str | os.PathLike, branches: Branches | None = None, *,
                   saved: datetime.datetime | None = None) -> Export:
    """Write the session's pictures and summary into a new folder under ``out_dir``.

    Parameters
    ----------
    model : ics_abm.ICSModel
        The running simulation (a :class:`~ics_abm.demo.session.DemoModel` adds its preset and levers).
    out_dir : path
        Parent folder, created if missing.
    branches : Branches, optional
        Two futures to include (``futures.png`` and a comparison table).
    saved : datetime, optional
        Time stamp (default: now).

    Returns
    -------
    Export
        ``summary.md``, ``network.png``, ``charts.png`` and, with branches, ``futures.png``.
    """
    saved = datetime.datetime.now() if saved is None else saved
    snap = take_snapshot(model)
    parent = Path(out_dir)
    parent.mkdir(parents=True, exist_ok=True)
    name = _folder_name(snap, saved)
    final, n = parent / name, 2
    while final.exists():
        final, n = parent / f"{name}-{n}", n + 1
    pictures = {"network.png": network_figure(snap), "charts.png": charts_figure(snap)}
    if branches is not None:
        ends = [(future.label, take_snapshot(future.model)) for future in (branches.first, branches.second)]
        pictures["futures.png"] = futures_figure(branches.start_month, ends[0], ends[1])

    def fill(directory: Path) -> None:
        for filename, figure in pictures.items():
            write_bytes(directory / filename, to_png(figure))
        write_text(directory / "summary.md", session_summary(model, snap, branches, saved=saved))

    write_directory(final, fill)
    files = [final / "summary.md", *(final / filename for filename in pictures)]
    return Export(final, tuple(files))
