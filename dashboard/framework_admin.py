"""The Framework page's core: the loaded versions, activating one, and loading an uploaded file (admins), audited.

Writes go through dashboard.reference (the same checks and activation as the command line's load-framework) inside
the caller's transaction, so a refused file or activation leaves nothing behind (session_scope rolls back)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.errors import ConfigError
from dashboard.recording import Problem, Rejected
from dashboard.reference import activate_framework, load_framework_data, parse_json
from models import Category, CategoryPrinciple, Competency, CompetencyRating, Framework, Principle

MAX_FILE_BYTES = 512 * 1024  # the SAMHSA file is 9 KB

# What activating another version changes on screen, as the page says before the admin confirms.
ACTIVATION_EFFECTS = (
    "Every page reads the active version: the Overview's coverage and attention heatmaps, single points of failure, "
    "the profiles' principle bars, the Resources page's categories and guide links, and the competencies offered "
    "when logging a session, recording ratings or importing.",
    "Ratings and session topics stay with the version they were recorded under: those recorded under another "
    "version stop counting in coverage (they are not deleted, and count again if that version is activated again).",
    "Guide links follow by category and principle code.",
    "Supervision compliance (sessions, minutes, gaps) does not read the framework: its kept month judgements "
    "stay valid and those numbers do not change.",
)


@dataclass(frozen=True)
class VersionRow:
    """One loaded framework version, with what it holds and how many ratings were recorded against it."""

    id: int
    name: str
    version: str
    loaded_at: datetime
    is_active: bool
    principles: int
    categories: int
    competencies: int
    ratings: int

    @property
    def label(self) -> str:
        return f"{self.name} — version {self.version}"


def _count(model: Any) -> Any:
    return (select(model.framework_id, func.count().label("n")).group_by(model.framework_id)
            .subquery(f"{model.__tablename__}_per_framework"))


def versions(session: Session) -> list[VersionRow]:
    """Every loaded version, newest first, with its counts (one statement)."""
    principles, categories, competencies = _count(Principle), _count(Category), _count(Competency)
    ratings = (select(Competency.framework_id, func.count().label("n"))
               .join(CompetencyRating, CompetencyRating.competency_id == Competency.id)
               .group_by(Competency.framework_id).subquery("ratings_per_framework"))
    rows = session.execute(
        select(Framework.id, Framework.name, Framework.version, Framework.loaded_at, Framework.is_active,
               *(func.coalesce(c.c.n, 0) for c in (principles, categories, competencies, ratings)))
        .outerjoin(principles, principles.c.framework_id == Framework.id)
        .outerjoin(categories, categories.c.framework_id == Framework.id)
        .outerjoin(competencies, competencies.c.framework_id == Framework.id)
        .outerjoin(ratings, ratings.c.framework_id == Framework.id)
        .order_by(Framework.loaded_at.desc(), Framework.id.desc())).all()
    return [VersionRow(*row) for row in rows]


def _named(framework: Framework | None) -> dict[str, Any] | None:
    return None if framework is None else {"id": framework.id, "name": framework.name,
                                           "version": framework.version}


def activate(session: Session, actor: Actor, framework_id: int | None) -> str:
    """Make the loaded version `framework_id` the active one (audited with the old and new active version);
    returns what to tell the admin. Rejected when it is not loaded or already active."""
    target = session.get(Framework, framework_id) if framework_id is not None else None
    if target is None:
        raise Rejected([Problem("framework", "Choose a loaded version to activate; nothing was changed.")])
    previous = session.scalar(select(Framework).where(Framework.is_active))
    if previous is not None and previous.id == target.id:
        raise Rejected([Problem("framework", f"{target.name} version {target.version} is already active; "
                                             "nothing was changed.")])
    activate_framework(session, target)
    record(session, actor, "activate", "framework", target.id, {"active": _named(previous)},
           {"active": _named(target)})
    counts = {row.id: row for row in versions(session)}
    now = counts[target.id]
    was = f" (were {counts[previous.id].ratings} under version {previous.version})" if previous else ""
    return (f"{target.name} version {target.version} is now active. Every page now counts its "
            f"{now.competencies} competencies in {now.categories} categories; {now.ratings} ratings were recorded "
            f"against them{was}.")


def decode_file(data: bytes, filename: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{filename}: the file is larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{filename}: not UTF-8 text (byte {exc.start + 1})") from None


def load_file(session: Session, actor: Actor, filename: str, data: bytes) -> tuple[int, str]:
    """Load an uploaded framework file as a new, inactive version, checked exactly as `load-framework` checks one
    (dashboard.reference.load_framework_data); audited. Raises ConfigError naming the file, and for a syntax error
    its line and column; the caller's transaction then rolls back, so nothing is written. Returns the new version's
    id and what to tell the admin."""
    framework = load_framework_data(session, parse_json(decode_file(data, filename), filename), filename,
                                    activate=False)
    loaded = next(row for row in versions(session) if row.id == framework.id)
    record(session, actor, "load", "framework", framework.id, None,
           {"name": loaded.name, "version": loaded.version, "file": filename, "principles": loaded.principles,
            "categories": loaded.categories, "competencies": loaded.competencies, "active": False})
    said = (f"Loaded {loaded.name} version {loaded.version} from {filename}: {loaded.principles} principles, "
            f"{loaded.categories} categories, {loaded.competencies} competencies. It is not active yet: "
            "activate it below when you are ready.")
    return framework.id, said


VERSION_LIMIT = 40  # frameworks.version
STALE = ("Someone else changed the active framework after you opened this page. Nothing was saved: the form now shows "
         "the active version's mapping; try again.")
Mapping = dict[str, tuple[str, tuple[str, ...]]]  # category code -> (primary principle code, secondary codes)


def current_mapping(session: Session, framework_id: int) -> Mapping:
    """Each category of the version, by code, with its primary and secondary principles' codes (in file order)."""
    rows = session.execute(
        select(Category.code, Principle.code, CategoryPrinciple.is_primary)
        .join(CategoryPrinciple, CategoryPrinciple.category_id == Category.id)
        .join(Principle, Principle.id == CategoryPrinciple.principle_id)
        .where(Category.framework_id == framework_id)
        .order_by(Category.sort_order, Principle.sort_order)).all()
    mapping: dict[str, tuple[str, tuple[str, ...]]] = {}
    for category, principle, is_primary in rows:
        primary, secondary = mapping.get(category, ("", ()))
        mapping[category] = (principle, secondary) if is_primary else (primary, (*secondary, principle))
    return mapping


def _as_file(session: Session, framework: Framework, version: str, mapping: Mapping) -> dict[str, Any]:
    """The version as a framework file would hold it, with another version name and mapping."""
    principles = session.scalars(select(Principle).where(Principle.framework_id == framework.id)
                                 .order_by(Principle.sort_order)).all()
    categories = session.scalars(select(Category).where(Category.framework_id == framework.id)
                                 .order_by(Category.sort_order)).all()
    return {"name": framework.name, "version": version, "source": framework.source, "note": framework.note,
            "principles": [{"code": p.code, "name": p.name, "summary": p.summary} for p in principles],
            "categories": [{"code": c.code, "title": c.title, "primary": mapping[c.code][0],
                            "secondary": list(mapping[c.code][1]),
                            "competencies": [{"number": comp.number, "label": comp.label}
                                             for comp in c.competencies]} for c in categories]}


def save_mapping(session: Session, actor: Actor, version: Any, wanted: Any, seen_framework_id: int | None) -> str:
    """Save the active version with another category → principle mapping as a new, inactive version (loaded by the
    same code as a file); audited with the changed categories' old and new principles. Rejected, with nothing
    written, when the version name is taken or empty, a category lacks a primary principle or lists one twice, or
    the active version is no longer the one the editor opened."""
    base = session.scalar(select(Framework).where(Framework.is_active))
    if base is None or base.id != seen_framework_id:
        raise Rejected([Problem("framework", STALE)])
    old = current_mapping(session, base.id)
    order = list(session.scalars(select(Principle.code).where(Principle.framework_id == base.id)
                                 .order_by(Principle.sort_order)))
    principle_codes = set(order)
    problems: list[Problem] = []
    name = version.strip() if isinstance(version, str) else ""
    if not name or len(name) > VERSION_LIMIT:
        problems.append(Problem("version", f"Name the new version (1 to {VERSION_LIMIT} characters)."))
    elif session.scalar(select(Framework.id).where(Framework.name == base.name, Framework.version == name)):
        problems.append(Problem("version", f"Version {name!r} is already loaded; give the new version another name."))
    mapping: Mapping = {}
    given = wanted if isinstance(wanted, dict) else {}
    for code in old:
        entry = given.get(code)
        primary = entry[0] if isinstance(entry, (list, tuple)) and len(entry) == 2 else None
        secondary = entry[1] if isinstance(entry, (list, tuple)) and len(entry) == 2 else None
        if not isinstance(primary, str) or primary not in principle_codes:
            problems.append(Problem(code, f"Category {code}: choose its primary principle."))
            continue
        if not isinstance(secondary, (list, tuple)) or not all(
                isinstance(s, str) and s in principle_codes for s in secondary):
            problems.append(Problem(code, f"Category {code}: the secondary principles are not this framework's."))
            continue
        if primary in secondary or len(set(secondary)) != len(secondary):
            problems.append(Problem(code, f"Category {code}: a principle cannot be both primary and secondary."))
            continue
        mapping[code] = (primary, tuple(sorted(secondary, key=order.index)))
    if set(given) - set(old):
        problems.append(Problem("framework", "The mapping names categories this version does not have."))
    if problems:
        raise Rejected(problems)
    normalised_old = {code: (p, tuple(sorted(s))) for code, (p, s) in old.items()}
    changed = sorted((code for code in old if mapping[code][0] != normalised_old[code][0]
                      or tuple(sorted(mapping[code][1])) != normalised_old[code][1]),
                     key=list(old).index)
    if not changed:
        raise Rejected([Problem("framework", "The mapping is the same as the active version's; nothing was saved.")])
    framework = load_framework_data(session, _as_file(session, base, name, mapping),
                                    f"{base.name} version {name}", activate=False)

    def described(m: Mapping) -> dict[str, Any]:
        return {code: {"primary": m[code][0], "secondary": list(m[code][1])} for code in changed}
    record(session, actor, "update_mapping", "framework", framework.id,
           {"version": base.version, "mapping": described(old)}, {"version": name, "mapping": described(mapping)})
    return (f"Saved as version {name} ({len(changed)} categor{'y' if len(changed) == 1 else 'ies'} changed: "
            f"{', '.join(changed)}). It is not active yet: activate it above when you are ready.")
