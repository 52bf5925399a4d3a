"""The README's definitions, read for the Help page: the text that is the contract is the text people read."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from dashboard.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
# The README sections whose bullets define what a person sees, in the order Help shows them.
SECTIONS = ("Metrics", "Sign-off and acknowledgement", "The certification hours ledger", "The supervisee's voice")
SKIPPED = frozenset({"Demo history"})  # about the demo data, not about anything an agency's pages show


@dataclass(frozen=True)
class Definition:
    section: str
    term: str  # the bullet's bold lead, without its closing full stop
    anchor: str  # the id Help gives it, for links from a panel: "principle-coverage"
    text: str  # the bullet, Markdown, exactly as the README words it


def anchor_for(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def _bullets(body: str) -> list[str]:
    """A section's top-level bullets ("- " at the line's start, continued by indented lines)."""
    bullets: list[str] = []
    for line in body.splitlines():
        if line.startswith("- "):
            bullets.append(line[2:])
        elif bullets and line.startswith("  ") and line.strip():
            bullets[-1] += "\n" + line.strip()
        elif bullets and line.strip():
            break  # the bullets ended: a paragraph or a table follows
    return bullets


def parse(readme: str, sections: tuple[str, ...] = SECTIONS) -> tuple[Definition, ...]:
    """Every bullet that starts with a bold term, in the named sections (a section missing is an error)."""
    found: list[Definition] = []
    for section in sections:
        match = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
        if match is None:
            raise LookupError(f"README.md has no section '## {section}'")
        for bullet in _bullets(match.group(1)):
            term = re.match(r"\*\*(.+?)\*\*", bullet)
            if term and term.group(1).rstrip(".") not in SKIPPED:
                name = term.group(1).rstrip(".")
                found.append(Definition(section, name, anchor_for(name), bullet))
    return tuple(found)


@cache
def definitions() -> tuple[Definition, ...]:
    """Read once per process: the README ships with the app."""
    return parse(README.read_text(encoding="utf-8"))
