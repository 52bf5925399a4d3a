"""The resource guides and the active framework, as shown on the Resources page (open to every role)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (Category, CategoryPrinciple, Competency, Framework, GuideCategory, GuidePrinciple,
                    Principle, ResourceGuide)


@dataclass(frozen=True)
class PrincipleRow:
    code: str
    name: str
    summary: str


@dataclass(frozen=True)
class CategoryRow:
    code: str
    title: str
    primary_principle: str
    secondary_principles: tuple[str, ...]
    competencies: tuple[tuple[str, str], ...]  # (code, label)


@dataclass(frozen=True)
class FrameworkSummary:
    name: str
    version: str
    source: str
    note: str
    principles: tuple[PrincipleRow, ...]
    categories: tuple[CategoryRow, ...]

    @property
    def competency_count(self) -> int:
        return sum(len(c.competencies) for c in self.categories)


@dataclass(frozen=True)
class GuideRow:
    title: str
    publisher: str
    year: int | None
    url: str
    extra_links: tuple[tuple[str, str], ...]  # (label, url)
    summary: str
    category_codes: tuple[str, ...]
    principle_names: tuple[str, ...]


def active_framework_id(session: Session) -> int | None:
    return session.scalar(select(Framework.id).where(Framework.is_active))


def framework_summary(session: Session) -> FrameworkSummary | None:
    """The active framework with its principles, categories, mapping and competencies, in order."""
    framework = session.scalar(select(Framework).where(Framework.is_active))
    if framework is None:
        return None
    principles = session.execute(select(Principle).where(Principle.framework_id == framework.id)
                                 .order_by(Principle.sort_order)).scalars().all()
    names = {p.id: p.name for p in principles}
    mapping: dict[int, list[tuple[bool, str]]] = defaultdict(list)
    for category_id, principle_id, is_primary in session.execute(
            select(CategoryPrinciple.category_id, CategoryPrinciple.principle_id, CategoryPrinciple.is_primary)
            .join(Category, Category.id == CategoryPrinciple.category_id)
            .where(Category.framework_id == framework.id)
            .order_by(CategoryPrinciple.principle_id)):
        mapping[category_id].append((is_primary, names[principle_id]))
    competencies: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for category_id, code, label in session.execute(
            select(Competency.category_id, Competency.code, Competency.label)
            .where(Competency.framework_id == framework.id).order_by(Competency.sort_order)):
        competencies[category_id].append((code, label))
    categories = session.execute(select(Category).where(Category.framework_id == framework.id)
                                 .order_by(Category.sort_order)).scalars().all()
    return FrameworkSummary(
        name=framework.name, version=framework.version, source=framework.source, note=framework.note,
        principles=tuple(PrincipleRow(p.code, p.name, p.summary) for p in principles),
        categories=tuple(CategoryRow(
            code=c.code, title=c.title,
            primary_principle=next((n for primary, n in mapping[c.id] if primary), ""),
            secondary_principles=tuple(n for primary, n in mapping[c.id] if not primary),
            competencies=tuple(competencies[c.id])) for c in categories))


def list_guides(session: Session, principle_code: str | None = None,
                category_code: str | None = None) -> list[GuideRow]:
    """Guides in use (not retired) linked to the principle and/or category (codes in the active framework), or all
    guides in use; every page that shows or suggests guides comes here."""
    framework_id = active_framework_id(session)
    query = (select(ResourceGuide).where(ResourceGuide.retired_on.is_(None))
             .order_by(ResourceGuide.sort_order, ResourceGuide.title))
    if principle_code:
        query = query.where(ResourceGuide.id.in_(
            select(GuidePrinciple.guide_id).join(Principle, Principle.id == GuidePrinciple.principle_id)
            .where(Principle.code == principle_code, Principle.framework_id == framework_id)))
    if category_code:
        query = query.where(ResourceGuide.id.in_(
            select(GuideCategory.guide_id).join(Category, Category.id == GuideCategory.category_id)
            .where(Category.code == category_code, Category.framework_id == framework_id)))
    guides = session.execute(query).scalars().all()
    ids = [g.id for g in guides]
    category_links: dict[int, list[str]] = defaultdict(list)
    for guide_id, code in session.execute(
            select(GuideCategory.guide_id, Category.code).join(Category, Category.id == GuideCategory.category_id)
            .where(GuideCategory.guide_id.in_(ids), Category.framework_id == framework_id)
            .order_by(Category.sort_order)):
        category_links[guide_id].append(code)
    principle_links: dict[int, list[str]] = defaultdict(list)
    for guide_id, name in session.execute(
            select(GuidePrinciple.guide_id, Principle.name)
            .join(Principle, Principle.id == GuidePrinciple.principle_id)
            .where(GuidePrinciple.guide_id.in_(ids), Principle.framework_id == framework_id)
            .order_by(Principle.sort_order)):
        principle_links[guide_id].append(name)
    return [GuideRow(title=g.title, publisher=g.publisher, year=g.year, url=g.url,
                     extra_links=tuple((link.get("label", "Link"), link.get("url", "")) for link in g.extra_links),
                     summary=g.summary, category_codes=tuple(category_links[g.id]),
                     principle_names=tuple(principle_links[g.id])) for g in guides]

