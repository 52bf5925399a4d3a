"""The Help page shows the README's definitions word for word, and every "What this means" link finds its entry."""
from __future__ import annotations

import re
from typing import Any

import pytest

from dashboard.definitions import README, anchor_for, definitions, parse
from layouts import compliance, help as help_page, overview
from tests.callback_calls import as_sent
from tests.http.conftest import texts

SAMPLE = """# Title

## Metrics

Intro that is not a definition.

- **Principle coverage** (team × principle): the team's workers
  × the competencies.
- **Overdue now**: days since the last session.
- a bullet with no bold term is not a definition

A paragraph after the list ends it.
- **Not read**: after the paragraph.

## Other

- **Elsewhere**: not in a section asked for.
"""


def test_a_sections_bold_bullets_are_its_definitions_with_their_continuation_lines() -> None:
    found = parse(SAMPLE, ("Metrics",))
    assert [(d.term, d.anchor) for d in found] == [("Principle coverage", "principle-coverage"),
                                                     ("Overdue now", "overdue-now")]
    assert found[0].text == "**Principle coverage** (team × principle): the team's workers\n× the competencies."
    with pytest.raises(LookupError, match="no section '## Missing'"):
        parse(SAMPLE, ("Missing",))


def test_the_help_page_holds_the_readmes_words_for_each_number() -> None:
    readme = README.read_text(encoding="utf-8")
    terms = [d.term for d in definitions()]
    assert terms[:8] == ["Principle coverage", "Principle attention", "Supervision frequency",
                         "Meeting the standard", "Overdue now", "Monthly trend", "Early-warning signals",
                         "Small-cell suppression"]
    assert "Demo history" not in terms  # about the demo data, not a number anyone is shown
    page = as_sent(help_page.layout())
    markdown = [node["props"]["children"] for node in _walk(page) if node.get("type") == "Markdown"]
    for entry in definitions():  # each bullet, word for word (the README joins its lines with indentation)
        assert entry.text in markdown
        assert entry.text.split("\n")[0] in readme
    assert "Glossary" in texts(page) and "Who sees what" in texts(page)


def test_every_what_this_means_link_finds_its_entry() -> None:
    anchors = {d.anchor for d in definitions()}
    links = [href for tree in (overview.layout(), compliance.layout())
             for href in re.findall(r"/help#([\w-]+)", str(as_sent(tree)))]
    assert sorted(links) == ["early-warning-signals", "meeting-the-standard", "monthly-trend", "principle-coverage",
                             "supervision-frequency"]
    assert set(links) <= anchors
    assert anchor_for("Locked, amended") == "locked-amended"


def _walk(tree: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(tree, list):
        for child in tree:
            found += _walk(child)
    elif isinstance(tree, dict):
        found.append(tree)
        found += _walk(tree.get("props", {}).get("children"))
    return found
