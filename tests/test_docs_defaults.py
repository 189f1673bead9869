"""The parameter tables of docs/model.md state the defaults the schema really has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ics_abm.scenario.schema import Scenario

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "model.md"
# A table row whose first cell is a scenario parameter, e.g. | `governance.patience` | ...
ROW = re.compile(r"^\| `(?P<name>[a-z_]+\.[a-z_]+)` \|(?P<cells>.*)\|\s*$")


def _documented() -> list[tuple[str, str]]:
    rows = []
    for line in MODEL_MD.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            cells = [c.strip() for c in match["cells"].split("|")]
            if len(cells) == 5 and cells[3]:  # symbol, meaning, range, default, evidence
                rows.append((match["name"], cells[3].replace("−", "-")))
    return rows


def _schema_default(name: str):
    section, field = name.split(".")
    model = Scenario.model_fields.get(section)
    if model is None or not hasattr(model.annotation, "model_fields"):
        return None
    info = model.annotation.model_fields.get(field)
    return None if info is None else info.get_default(call_default_factory=True)


# Per-kind and per-pair tables are documented in 3.1 and 3.3, not as one default.
DOCUMENTED = [(name, default) for name, default in _documented() if _schema_default(name) not in (None, {}, [])]


def test_the_tables_cover_the_new_sections():
    sections = {name.split(".")[0] for name, _ in DOCUMENTED}
    assert {"leadership", "narrative", "governance", "commitment", "local_authority", "shocks", "finance"} <= sections


@pytest.mark.parametrize("name, documented", DOCUMENTED)
def test_documented_default_is_the_schema_default(name, documented):
    default = _schema_default(name)
    if isinstance(default, bool):
        expected = {"true", "false"} & {documented.lower().strip("`")}
        assert expected == {str(default).lower()}, f"{name}: docs say {documented!r}, schema has {default!r}"
    elif isinstance(default, (int, float)):
        number = re.match(r"`?(-?[0-9.]+)", documented)
        assert number and float(number[1]) == pytest.approx(float(default)), f"{name}: docs say {documented!r}, schema has {default!r}"
    else:
        assert str(default) in documented, f"{name}: docs say {documented!r}, schema has {default!r}"
