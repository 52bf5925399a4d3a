"""The supervision standard's versions: read them, and add (or, before it takes effect, replace) one, audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.dates import show
from models import CertificationStage, StandardRule, SupervisionStandard, User

PRESETS = (("7", "Weekly (7)"), ("14", "Every 2 weeks (14)"), ("31", "Monthly (31)"), ("custom", "Custom"))
MAX_DAYS_LIMIT = 366
MAX_MINUTES_LIMIT = 100 * 60


class StandardError(ValueError):
    """Why a version cannot be saved, in words for the person saving it."""


@dataclass(frozen=True)
class RuleView:
    stage_id: int
    stage_code: str
    stage_name: str
    max_days: int
    min_minutes: int
    group_counts: bool


@dataclass(frozen=True)
class StandardVersion:
    id: int
    name: str
    effective_from: date
    until: date | None  # the next version's effective_from
    source: str
    created_by: str | None
    created_at: datetime | None
    rules: tuple[RuleView, ...]


@dataclass(frozen=True)
class Stage:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class RuleInput:
    stage_id: int
    max_days: int
    min_minutes: int
    group_counts: bool


def stages(session: Session) -> list[Stage]:
    return [Stage(*row) for row in session.execute(
        select(CertificationStage.id, CertificationStage.code, CertificationStage.name)
        .order_by(CertificationStage.sort_order, CertificationStage.name))]


def versions(session: Session) -> list[StandardVersion]:
    """Every version, newest effective date first, each with its rules in stage order."""
    standards = session.execute(
        select(SupervisionStandard, User.username).outerjoin(User, User.id == SupervisionStandard.created_by_id)
        .order_by(SupervisionStandard.effective_from)).all()
    rules: dict[int, list[RuleView]] = {}
    for standard_id, *rule in session.execute(
            select(StandardRule.standard_id, CertificationStage.id, CertificationStage.code, CertificationStage.name,
                   StandardRule.max_days_between_individual, StandardRule.min_minutes_per_month,
                   StandardRule.group_counts_toward_minimum)
            .join(CertificationStage, CertificationStage.id == StandardRule.stage_id)
            .order_by(CertificationStage.sort_order, CertificationStage.name)):
        rules.setdefault(standard_id, []).append(RuleView(*rule))
    result = []
    for index, (standard, username) in enumerate(standards):
        until = standards[index + 1][0].effective_from if index + 1 < len(standards) else None
        result.append(StandardVersion(standard.id, standard.name, standard.effective_from, until, standard.source,
                                      username, standard.created_at, tuple(rules.get(standard.id, []))))
    return result[::-1]


def in_force(all_versions: list[StandardVersion], day: date) -> StandardVersion | None:
    return next((v for v in all_versions if v.effective_from <= day), None)


def _rules_dict(rules: list[RuleView] | tuple[RuleView, ...]) -> dict[str, dict[str, object]]:
    return {r.stage_code: {"max_days_between_individual": r.max_days, "min_minutes_per_month": r.min_minutes,
                           "group_counts_toward_minimum": r.group_counts} for r in rules}


def save_version(session: Session, actor: Actor, name: str, effective_from: date, source: str,
                 rules: list[RuleInput], today: date) -> StandardVersion:
    """Add a version taking effect on effective_from (today or later: a period already judged keeps the standard
    it was judged by), with one rule per certification stage. A version not yet in force may be replaced by
    saving another on its date. Audited with the old and new values."""
    name = name.strip()
    if not name:
        raise StandardError("Give the version a name, e.g. “2027 state rule”.")
    if len(name) > 200:
        raise StandardError("The name is longer than 200 characters.")
    if effective_from < today:
        raise StandardError(f"The effective date {show(effective_from)} is in the past. A change takes effect "
                            "from today or later, so that a period already judged keeps its standard.")
    known = {s.id: s for s in stages(session)}
    by_stage = {r.stage_id: r for r in rules}
    if set(by_stage) != set(known) or len(rules) != len(by_stage):
        raise StandardError("Give one rule for every certification stage.")
    for rule in rules:
        stage = known[rule.stage_id].name
        if not 1 <= rule.max_days <= MAX_DAYS_LIMIT:
            raise StandardError(f"{stage}: the days between individual sessions must be a whole number from 1 "
                                f"to {MAX_DAYS_LIMIT}.")
        if not 0 <= rule.min_minutes <= MAX_MINUTES_LIMIT:
            raise StandardError(f"{stage}: the minimum minutes per month must be a whole number from 0 to "
                                f"{MAX_MINUTES_LIMIT}.")
    existing = session.scalar(select(SupervisionStandard).where(SupervisionStandard.effective_from == effective_from))
    old_values = None
    if existing is not None:
        if existing.effective_from <= today:
            raise StandardError(f"A version already takes effect on {show(effective_from)}; it is in force, so "
                                "it cannot be changed. Choose a later date.")
        before = next(v for v in versions(session) if v.id == existing.id)
        old_values = {"name": before.name, "effective_from": before.effective_from, "source": before.source,
                      "rules": _rules_dict(before.rules)}
        for rule in session.scalars(select(StandardRule).where(StandardRule.standard_id == existing.id)):
            session.delete(rule)
        existing.name, existing.source, existing.created_by_id = name, source.strip(), actor.user_id
        standard = existing
    else:
        standard = SupervisionStandard(name=name, effective_from=effective_from, source=source.strip(),
                                       created_by_id=actor.user_id)
        session.add(standard)
    session.flush()
    for rule in rules:
        session.add(StandardRule(standard_id=standard.id, stage_id=rule.stage_id,
                                 max_days_between_individual=rule.max_days, min_minutes_per_month=rule.min_minutes,
                                 group_counts_toward_minimum=rule.group_counts))
    session.flush()
    saved = next(v for v in versions(session) if v.id == standard.id)
    record(session, actor, "update" if old_values else "create", "supervision_standard", standard.id,
           old=old_values, new={"name": saved.name, "effective_from": saved.effective_from, "source": saved.source,
                                "rules": _rules_dict(saved.rules)})
    return saved
