"""Every Python snippet of README.md runs as written.

The snippets are run in order, in one namespace, from a temporary folder that sees the
repository's ``scenarios/`` and ``sweeps/`` (so the results they write go there, not into the
repository). Nothing they print is compared with stored numbers: the model's numbers change as
mechanisms are added.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNIPPET = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def snippets() -> list[str]:
    """The README's Python code blocks, in order."""
    return SNIPPET.findall((REPO / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_python_snippets_and_names_compare_rightly():
    code = "\n".join(snippets())
    assert "ics_abm.compare(" in code
    assert "ics_abm.compare.run_comparison" not in (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_python_snippets_run(tmp_path, monkeypatch):
    for folder in ("scenarios", "sweeps"):
        (tmp_path / folder).symlink_to(REPO / folder, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    for number, code in enumerate(snippets(), start=1):
        exec(compile(code, f"README.md snippet {number}", "exec"), namespace)  # noqa: S102 - the point of the test
    briefing = tmp_path / "results" / "regulation-briefing"
    assert (briefing / "briefing.html").is_file() and (briefing / "briefing.md").is_file()
