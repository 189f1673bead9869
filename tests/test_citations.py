"""No dangling citation: every path in the repository that the docs, scenarios or code cite exists (issue 14).

Evidence used to be cited as ``shared/design/seeds_digest.md`` and ``shared/seeds/*.txt``, files
outside the repository; it now lives in ``docs/evidence/``. This test reads every tracked text file
and checks two kinds of citation:

* a path written out in text, starting with a top-level folder of the repository
  (``docs/evidence/mechanisms.md``, ``scenarios/default.toml``, ``ics_abm/metrics.py``);
* a relative link in a Markdown file (``[Sources](sources.md)``), resolved from the file's folder.

Paths that name output (``results/...``), patterns (``*``, ``<name>``) or folders of a results
directory are not citations and are skipped.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEXT = (".md", ".py", ".toml", ".ipynb", ".yml", ".yaml", ".cfg", ".txt", ".sh")
TOP = ("docs", "ics_abm", "tests", "benchmarks", "notebooks", "tools", "scenarios", "sweeps", ".ci")
#: A path in running text: a top-level folder, then at least one more part; not part of a longer path or URL.
_TOPS = "|".join(re.escape(t) for t in TOP)
PATH = re.compile(rf"(?<![\w/.~:-])((?:{_TOPS})/[\w.@+-]+(?:/[\w.@+-]+)*/?)")
#: A Markdown link or image target that is not a URL or an anchor on the same page.
LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")
#: Written output and examples of a results folder, not files of the repository.
NOT_A_CITATION = re.compile(r"[*<>{}$]|^scenarios/\d|/(bad|x|missing|nothing)[\w-]*\.toml$")


def _tracked() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return [REPO / name for name in listed if name.endswith(TEXT) and not name.startswith("tests/golden/")]


def _citations(path: Path) -> list[tuple[int, str, Path]]:
    """(line, as written, resolved path) for every citation in ``path``."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        for match in PATH.finditer(line):
            cited = match.group(1).rstrip(".,;:)").removesuffix("/")
            if cited.count("/") == 0 or NOT_A_CITATION.search(cited) or cited.endswith((".", "-")):
                continue
            found.append((number, cited, REPO / cited))
        if path.suffix == ".md":
            for match in LINK.finditer(line):
                target = match.group(1).split("#")[0]
                if target and not NOT_A_CITATION.search(target):
                    found.append((number, target, (path.parent / target)))
    return found


FILES = _tracked()


def test_the_scan_finds_the_citations_it_is_for():
    """The patterns catch the kinds of citation that used to dangle (so the test can fail)."""
    sample = REPO / "docs" / "evidence" / "index.md"
    cited = {c for _, c, _ in _citations(sample)}
    assert {"sources.md", "mechanisms.md", "../validation.md"} <= cited
    assert PATH.findall("see shared/design/seeds_digest.md and docs/evidence/index.md, M16") == ["docs/evidence/index.md"]
    assert PATH.findall("(tests/test_x.py), `scenarios/default.toml`.") == ["tests/test_x.py", "scenarios/default.toml"]
    assert len(FILES) > 100


def test_no_citation_outside_the_repository():
    """The evidence is inside the repository now: nothing cites the design folder that is not shipped."""
    outside = re.compile(r"\bshared/(design|seeds)/")
    offenders = [f"{p.relative_to(REPO)}:{n}" for p in FILES
                 for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
                 if outside.search(line) and p.name != "test_citations.py"]
    assert not offenders, f"cite docs/evidence/ instead: {offenders[:20]}"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_every_cited_path_exists(path):
    if path.name == "test_citations.py":
        return
    missing = [f"line {n}: {cited}" for n, cited, target in _citations(path) if not target.exists()]
    assert not missing, f"{path.relative_to(REPO)} cites paths that do not exist: {missing}"
