"""Resource guides an admin adds, edits and retires in the app: checked field by field, set against what the editor
loaded (a change made in between is refused), audited with old and new values; nothing is written on any problem."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.people import changed_rows
from dashboard.queries.resources import active_framework_id
from dashboard.recording import Problem, Rejected
from models import Category, GuideCategory, GuidePrinciple, Principle, ResourceGuide

TITLE_LIMIT = PUBLISHER_LIMIT = 300
URL_LIMIT = 500
SUMMARY_LIMIT = 4000
YEAR_RANGE = (1900, 2100)
STALE = ("Someone else changed or retired this guide after you opened it. Nothing was saved: the form now shows "
         "the guide as it is; try again.")


@dataclass(frozen=True)
class Guide:
    """A guide in use as the editor shows it (links as ids in the active framework)."""

    id: int
    title: str
    publisher: str
    year: int | None
    url: str
    summary: str
    category_ids: tuple[int, ...]
    principle_ids: tuple[int, ...]

    def values(self) -> dict[str, Any]:
        """JSON-safe: what the editor saw, sent back with the save (and what the audit records)."""
        return {"id": self.id, "title": self.title, "publisher": self.publisher, "year": self.year, "url": self.url,
                "summary": self.summary, "category_ids": list(self.category_ids),
                "principle_ids": list(self.principle_ids)}


@dataclass(frozen=True)
class Choices:
    """The active framework's categories and principles a guide can be linked to: (id, label) in order."""

    categories: tuple[tuple[int, str], ...]
    principles: tuple[tuple[int, str], ...]


def choices(session: Session) -> Choices:
    framework_id = active_framework_id(session)
    return Choices(
        tuple((c.id, f"{c.code}. {c.title}") for c in session.scalars(
            select(Category).where(Category.framework_id == framework_id).order_by(Category.sort_order))),
        tuple((p.id, p.name) for p in session.scalars(
            select(Principle).where(Principle.framework_id == framework_id).order_by(Principle.sort_order))))


def guides_in_use(session: Session) -> list[Guide]:
    """Every guide not retired, in the Resources page's order, with its links."""
    rows = session.scalars(select(ResourceGuide).where(ResourceGuide.retired_on.is_(None))
                           .order_by(ResourceGuide.sort_order, ResourceGuide.title)).all()
    return [_guide(session, row) for row in rows]


def guide(session: Session, guide_id: int) -> Guide | None:
    row = session.get(ResourceGuide, guide_id)
    return _guide(session, row) if row is not None and row.retired_on is None else None


def _guide(session: Session, row: ResourceGuide) -> Guide:
    categories = session.scalars(select(GuideCategory.category_id).where(GuideCategory.guide_id == row.id)
                                 .order_by(GuideCategory.category_id))
    principles = session.scalars(select(GuidePrinciple.principle_id).where(GuidePrinciple.guide_id == row.id)
                                 .order_by(GuidePrinciple.principle_id))
    return Guide(row.id, row.title, row.publisher, row.year, row.url, row.summary, tuple(categories),
                 tuple(principles))


def _text(raw: object, field: str, label: str, limit: int, problems: list[Problem], required: bool = True) -> str:
    text = " ".join(raw.split()) if isinstance(raw, str) else ""
    if (required and not text) or len(text) > limit or (raw is not None and not isinstance(raw, str)):
        problems.append(Problem(field, f"{label} must be {'1' if required else '0'} to {limit} characters."))
    return text


def _year(raw: object, problems: list[Problem]) -> int | None:
    if raw is None or raw == "":
        return None
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        value = int(raw.strip())
    low, high = YEAR_RANGE
    if value is None or not low <= value <= high:
        problems.append(Problem("year", f"The year must be a whole number from {low} to {high}, or left empty."))
        return None
    return value


def _url(raw: object, problems: list[Problem]) -> str:
    url = raw.strip() if isinstance(raw, str) else ""
    if not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?", url, re.IGNORECASE) or len(url) > URL_LIMIT:
        problems.append(Problem("url", "The address must be a web address starting with http:// or https:// "
                                       f"(at most {URL_LIMIT} characters)."))
    return url


def _ids(raw: object, field: str, label: str, allowed: set[int], problems: list[Problem]) -> tuple[int, ...]:
    values = raw if isinstance(raw, list) else [] if raw is None else None
    ids = {int(v) for v in values or [] if isinstance(v, int | str) and not isinstance(v, bool)
           and str(v).isascii() and str(v).isdigit() and len(str(v)) < 10}
    if values is None or len(ids) != len(values) or not ids <= allowed:
        problems.append(Problem(field, f"Choose {label} from the list."))
    return tuple(sorted(ids))


def parse(raw: dict[str, Any], allowed: Choices) -> dict[str, Any]:
    """The form's values checked; raises Rejected with one message per field that is wrong."""
    problems: list[Problem] = []
    values = {
        "title": _text(raw.get("title"), "title", "The title", TITLE_LIMIT, problems),
        "publisher": _text(raw.get("publisher"), "publisher", "The publisher", PUBLISHER_LIMIT, problems),
        "year": _year(raw.get("year"), problems),
        "url": _url(raw.get("url"), problems),
        "summary": _text(raw.get("summary"), "summary", "The summary", SUMMARY_LIMIT, problems, required=False),
        "category_ids": _ids(raw.get("category_ids"), "category_ids", "categories",
                             {i for i, _ in allowed.categories}, problems),
        "principle_ids": _ids(raw.get("principle_ids"), "principle_ids", "principles",
                              {i for i, _ in allowed.principles}, problems),
    }
    if problems:
        raise Rejected(problems)
    return values


def _new_key(session: Session, title: str) -> str:
    """A stable, unique name like the seed files' ("guide-peer-support-toolkit"), never reused."""
    base = "guide-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "untitled")
    taken = set(session.scalars(select(ResourceGuide.key).where(ResourceGuide.key.like(base + "%"))))
    return next(key for key in (base if n == 1 else f"{base}-{n}" for n in range(1, len(taken) + 2))
                if key not in taken)


def _set_links(session: Session, guide_id: int, values: dict[str, Any]) -> None:
    session.execute(delete(GuideCategory).where(GuideCategory.guide_id == guide_id))
    session.execute(delete(GuidePrinciple).where(GuidePrinciple.guide_id == guide_id))
    session.add_all([GuideCategory(guide_id=guide_id, category_id=i) for i in values["category_ids"]]
                    + [GuidePrinciple(guide_id=guide_id, principle_id=i) for i in values["principle_ids"]])


def _unchanged_since(session: Session, seen: Any) -> Guide:
    """The guide as the editor loaded it, row locked by a compare-and-set; Rejected(STALE) when it changed since."""
    guide_id = seen.get("id") if isinstance(seen, dict) else None
    now = guide(session, guide_id) if isinstance(guide_id, int) and not isinstance(guide_id, bool) else None
    if now is None or now.values() != seen:
        raise Rejected([Problem("form", STALE)])
    # The same values written back under a guard: a second editor's save waits here (PostgreSQL's row lock) and
    # then matches nothing, so two saves of one copy cannot both succeed.
    if changed_rows(session, update(ResourceGuide).where(
            ResourceGuide.id == now.id, ResourceGuide.retired_on.is_(None), ResourceGuide.title == now.title,
            ResourceGuide.publisher == now.publisher, ResourceGuide.url == now.url,
            ResourceGuide.summary == now.summary,
            ResourceGuide.year.is_(None) if now.year is None else ResourceGuide.year == now.year)
            .values(title=now.title)) != 1:
        raise Rejected([Problem("form", STALE)])
    return now


def add(session: Session, actor: Actor, raw: dict[str, Any]) -> int:
    """A new guide, listed last; returns its id."""
    values = parse(raw, choices(session))
    row = ResourceGuide(key=_new_key(session, values["title"]), title=values["title"],
                        publisher=values["publisher"], year=values["year"], url=values["url"],
                        summary=values["summary"], extra_links=[],
                        sort_order=(session.scalar(select(func.max(ResourceGuide.sort_order))) or 0) + 1)
    session.add(row)
    session.flush()
    _set_links(session, row.id, values)
    record(session, actor, "create", "resource_guide", row.id, None, {"key": row.key, **values})
    return row.id


def edit(session: Session, actor: Actor, raw: dict[str, Any], seen: Any) -> list[str]:
    """The guide changed as the editor saw it; returns the names of the fields that changed (none: nothing written)."""
    values = parse(raw, choices(session))
    old = _unchanged_since(session, seen)
    before = old.values()
    changed = {k: v for k, v in values.items() if (list(v) if isinstance(v, tuple) else v) != before[k]}
    if not changed:
        return []
    session.execute(update(ResourceGuide).where(ResourceGuide.id == old.id).values(
        **{k: v for k, v in changed.items() if k not in ("category_ids", "principle_ids")}))
    if "category_ids" in changed or "principle_ids" in changed:
        _set_links(session, old.id, values)
    record(session, actor, "update", "resource_guide", old.id, {k: before[k] for k in changed}, changed)
    return sorted(changed)


def retire(session: Session, actor: Actor, seen: Any, on: date) -> None:
    """The guide leaves every list and suggestion; its row and links stay for the record."""
    old = _unchanged_since(session, seen)
    session.execute(update(ResourceGuide).where(ResourceGuide.id == old.id).values(retired_on=on))
    record(session, actor, "retire", "resource_guide", old.id, {"retired_on": None, "title": old.title},
           {"retired_on": on})
