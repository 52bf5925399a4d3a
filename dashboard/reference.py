"""Loads reference data (framework versions, guides, the default standard and scale) from the files in seed_data/."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dashboard.errors import ConfigError
from models import (Category, CategoryPrinciple, CertificationStage, Competency, Framework, GuideCategory,
                    GuidePrinciple, Principle, RatingLevel, RatingScale, ResourceGuide, StandardRule,
                    SupervisionStandard)

HERE = Path(__file__).resolve().parents[1] / "seed_data"  # the files stay with the seed data
DEFAULT_FRAMEWORK = HERE / "frameworks" / "samhsa-2015.json"
GUIDES = HERE / "guides.json"
DEFAULT_STANDARD = HERE / "standard_default.json"

# Agency-defined: no published proficiency scale covers all competencies (see domain notes).
DEFAULT_SCALE = {
    "name": "Default four-level scale",
    "proficient_level": 3,
    "levels": [
        (1, "Not yet demonstrated", "Not yet seen in practice."),
        (2, "Developing", "Seen sometimes, or with support."),
        (3, "Proficient", "Seen consistently and independently."),
        (4, "Advanced", "Models it for others and can coach it."),
    ],
}


def read_json(path: Path) -> Any:
    """Parse a data file; a syntax error names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    return parse_json(text, str(path))


def parse_json(text: str, where: str) -> Any:
    """Parse a data file's text (a file read here or uploaded); a syntax error names `where`, line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def _require(obj: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ConfigError(f"{where}: missing '{key}'")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise ConfigError(f"{where}: '{key}' must be a non-empty {kind.__name__}")
    return value


def load_framework(session: Session, path: Path = DEFAULT_FRAMEWORK, activate: bool = True) -> Framework:
    """Load a framework file as a new version; with activate, it replaces the active framework.

    Guide links follow the categories and principles by code, so they survive a corrected version.
    """
    return load_framework_data(session, read_json(path), str(path), activate)


def load_framework_data(session: Session, data: Any, path: str, activate: bool = True) -> Framework:
    """Load a parsed framework file (named `path` in messages) as a new version: the checks of load-framework,
    which the Framework page's upload shares. Raises ConfigError on the first problem, with rows already added to
    the session: the caller's transaction must roll back (session_scope does)."""
    name = _require(data, "name", str, path)
    version = _require(data, "version", str, path)
    if session.scalar(select(Framework.id).where(Framework.name == name, Framework.version == version)):
        raise ConfigError(f"{path}: framework {name!r} version {version!r} is already loaded; "
                          "give the corrected file a new version")
    principles = _require(data, "principles", list, path)
    categories = _require(data, "categories", list, path)
    framework = Framework(name=name, version=version, source=data.get("source", ""),
                          note=data.get("note", ""), is_active=False)
    session.add(framework)
    session.flush()
    principle_ids: dict[str, int] = {}
    for order, item in enumerate(principles, 1):
        where = f"{path}: principle {order}"
        code = _require(item, "code", str, where)
        if code in principle_ids:
            raise ConfigError(f"{where}: duplicate code {code!r}")
        principle = Principle(framework_id=framework.id, code=code, name=_require(item, "name", str, where),
                              summary=item.get("summary", ""), sort_order=order)
        session.add(principle)
        session.flush()
        principle_ids[code] = principle.id
    seen_categories: set[str] = set()
    for order, item in enumerate(categories, 1):
        where = f"{path}: category {order}"
        code = _require(item, "code", str, where)
        if code in seen_categories:
            raise ConfigError(f"{where}: duplicate code {code!r}")
        seen_categories.add(code)
        where = f"{path}: category {code}"
        category = Category(framework_id=framework.id, code=code, title=_require(item, "title", str, where),
                            sort_order=order)
        session.add(category)
        session.flush()
        primary = _require(item, "primary", str, where)
        secondary = item.get("secondary", [])
        for principle_code in [primary, *secondary]:
            if principle_code not in principle_ids:
                raise ConfigError(f"{where}: unknown principle {principle_code!r}")
        if primary in secondary or len(set(secondary)) != len(secondary):
            raise ConfigError(f"{where}: a principle is listed twice in primary/secondary")
        session.execute(insert(CategoryPrinciple), [
            {"category_id": category.id, "principle_id": principle_ids[c], "is_primary": c == primary}
            for c in [primary, *secondary]])
        numbers: set[int] = set()
        for index, comp in enumerate(_require(item, "competencies", list, where), 1):
            comp_where = f"{where} competency {index}"
            number = _require(comp, "number", int, comp_where)
            if number in numbers or number < 1:
                raise ConfigError(f"{comp_where}: number {number} is repeated or not positive")
            numbers.add(number)
            session.add(Competency(framework_id=framework.id, category_id=category.id, number=number,
                                   code=f"{code}.{number}", label=_require(comp, "label", str, comp_where),
                                   sort_order=order * 100 + number))
    if not seen_categories:
        raise ConfigError(f"{path}: no categories")
    session.flush()
    if activate:
        activate_framework(session, framework)
    return framework


def activate_framework(session: Session, framework: Framework) -> None:
    previous = session.scalar(select(Framework).where(Framework.is_active))
    if previous is not None:
        previous.is_active = False
        session.flush()  # the partial unique index allows one active framework at a time
        _relink_guides(session, previous.id, framework.id)
    framework.is_active = True
    session.flush()


def _relink_guides(session: Session, old_id: int, new_id: int) -> None:
    """Link each guide to the new framework's categories and principles that have the codes of its old ones."""
    for link, target, column in ((GuideCategory.__table__, Category.__table__, "category_id"),
                                 (GuidePrinciple.__table__, Principle.__table__, "principle_id")):
        old, new = target.alias("old_target"), target.alias("new_target")
        kept = link.alias("kept")  # a version activated again still has its own links: add only what it lacks
        session.execute(insert(link).from_select(
            ["guide_id", column],
            select(link.c.guide_id, new.c.id)
            .join(old, old.c.id == link.c[column])
            .join(new, (new.c.code == old.c.code) & (new.c.framework_id == new_id))
            .where(old.c.framework_id == old_id,
                   ~select(kept.c.guide_id).where(kept.c.guide_id == link.c.guide_id,
                                                  kept.c[column] == new.c.id).exists())))


def load_guides(session: Session, path: Path = GUIDES) -> int:
    """Add the guides in the file (skipping keys already present), linked to the active framework."""
    framework_id = session.scalar(select(Framework.id).where(Framework.is_active))
    if framework_id is None:
        raise ConfigError("load a framework before the guides")
    categories = dict(session.execute(select(Category.code, Category.id)
                                      .where(Category.framework_id == framework_id)).all())
    principles = dict(session.execute(select(Principle.code, Principle.id)
                                      .where(Principle.framework_id == framework_id)).all())
    existing = set(session.scalars(select(ResourceGuide.key)))
    added = 0
    for order, item in enumerate(read_json(path), 1):
        where = f"{path}: guide {order}"
        key = _require(item, "key", str, where)
        if key in existing:
            continue
        guide = ResourceGuide(key=key, title=_require(item, "title", str, where),
                              publisher=_require(item, "publisher", str, where), year=item.get("year"),
                              url=_require(item, "url", str, where), extra_links=item.get("extra_urls", []),
                              summary=item.get("summary", ""), sort_order=order)
        session.add(guide)
        session.flush()
        for code in item.get("categories", []):
            if code not in categories:
                raise ConfigError(f"{where}: unknown category {code!r}")
            session.add(GuideCategory(guide_id=guide.id, category_id=categories[code]))
        for code in item.get("principles", []):
            if code not in principles:
                raise ConfigError(f"{where}: unknown principle {code!r}")
            session.add(GuidePrinciple(guide_id=guide.id, principle_id=principles[code]))
        added += 1
    session.flush()
    return added


def load_default_scale(session: Session) -> RatingScale:
    scale = RatingScale(name=DEFAULT_SCALE["name"], proficient_level=DEFAULT_SCALE["proficient_level"],
                        is_active=True)
    session.add(scale)
    session.flush()
    session.execute(insert(RatingLevel), [
        {"scale_id": scale.id, "level": level, "label": label, "description": description}
        for level, label, description in DEFAULT_SCALE["levels"]])
    return scale


def load_standard(session: Session, path: Path = DEFAULT_STANDARD) -> SupervisionStandard:
    """Create the certification stages the file names (if missing) and the standard for them."""
    data = read_json(path)
    where = str(path)
    try:
        effective = date.fromisoformat(_require(data, "effective_from", str, where))
    except ValueError:
        raise ConfigError(f"{where}: effective_from must be a date like 2026-01-31") from None
    standard = SupervisionStandard(name=_require(data, "name", str, where), effective_from=effective,
                                   source=data.get("source", ""))
    session.add(standard)
    session.flush()
    for item in _require(data, "stages", list, where):
        stage_where = f"{where}: stage {item.get('code', '?')}"
        code = _require(item, "code", str, stage_where)
        stage = session.scalar(select(CertificationStage).where(CertificationStage.code == code))
        if stage is None:
            stage = CertificationStage(code=code, name=_require(item, "name", str, stage_where),
                                       sort_order=item.get("sort_order", 0))
            session.add(stage)
            session.flush()
        session.add(StandardRule(
            standard_id=standard.id, stage_id=stage.id,
            max_days_between_individual=_require(item, "max_days_between_individual", int, stage_where),
            min_minutes_per_month=_require(item, "min_minutes_per_month", int, stage_where),
            group_counts_toward_minimum=bool(item.get("group_counts_toward_minimum", True))))
    session.flush()
    return standard


def load_reference_data(session: Session) -> None:
    """Everything an empty database needs before people and sessions: framework, guides, scale, standard."""
    load_framework(session)
    load_guides(session)
    load_default_scale(session)
    load_standard(session)

