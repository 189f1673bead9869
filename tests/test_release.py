"""The habits of a released package (issue 14): one version everywhere, a changelog, a citation, type hints."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import ics_abm

REPO = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_package_reports_the_version_of_pyproject():
    assert ics_abm.__version__ == VERSION


def test_changelog_keeps_an_unreleased_section_and_the_current_version():
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.MULTILINE)
    assert sections[0] == ("Unreleased", ""), "the first section is [Unreleased]"
    released = [version for version, _ in sections[1:]]
    assert released[0] == VERSION, "the newest released section is the version in pyproject.toml"
    assert all(date for _, date in sections[1:]), "every release has a date"
    for heading in re.findall(r"^### (.+)$", text, flags=re.MULTILINE):
        assert heading in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, heading


def test_citation_file_names_the_current_version():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert str(citation["version"]) == VERSION
    released = dict(re.findall(r"^## \[([^\]]+)\] - (\S+)$", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"),
                               flags=re.MULTILINE))
    assert str(citation["date-released"]) == released[VERSION]
    assert citation["title"] and citation["authors"] and citation["license"] == "MIT"


def test_the_package_is_marked_as_typed():
    assert (Path(ics_abm.__file__).parent / "py.typed").is_file()
    assert "py.typed" in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_contributing_has_the_version_rule_and_a_release_checklist():
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "## Versions" in text and "## Release checklist" in text
