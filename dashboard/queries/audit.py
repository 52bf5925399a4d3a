"""The audit log, read-only: filter choices and the newest events matching a filter."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.audit import Change, changes
from models import AuditEvent

PAGE_LIMIT = 1000  # newest first; narrow the filter to see older events


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    entity: str | None = None
    action: str | None = None
    first_day: date | None = None  # UTC days, both counted
    last_day: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    username: str
    action: str
    entity: str
    entity_id: str | None
    changes: tuple[Change, ...]  # the fields the event changed (a create's new values, a delete's old ones)
    address: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    total: int  # events matching the filter, of which rows holds the newest PAGE_LIMIT


@dataclass(frozen=True)
class AuditChoices:
    usernames: tuple[str, ...]
    entities: tuple[str, ...]
    actions: tuple[str, ...]


def choices(session: Session) -> AuditChoices:
    """The distinct people, entities and actions in the log, for the filters."""
    def distinct(column: object) -> tuple[str, ...]:
        return tuple(session.scalars(select(column).distinct().order_by(column)))  # type: ignore[call-overload]
    return AuditChoices(distinct(AuditEvent.username), distinct(AuditEvent.entity), distinct(AuditEvent.action))


def events(session: Session, wanted: AuditFilter, limit: int = PAGE_LIMIT) -> AuditPage:
    """Events matching every given filter, newest first (at most `limit`), and how many match in all."""
    conditions = []
    if wanted.username is not None:
        conditions.append(AuditEvent.username == wanted.username)
    if wanted.entity is not None:
        conditions.append(AuditEvent.entity == wanted.entity)
    if wanted.action is not None:
        conditions.append(AuditEvent.action == wanted.action)
    if wanted.first_day is not None:
        conditions.append(AuditEvent.occurred_at >= datetime.combine(wanted.first_day, time(), UTC))
    if wanted.last_day is not None:
        conditions.append(AuditEvent.occurred_at < datetime.combine(wanted.last_day + timedelta(days=1), time(), UTC))
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    rows = session.execute(select(AuditEvent).where(*conditions)
                           .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)).scalars()
    return AuditPage(tuple(AuditRow(e.id, e.occurred_at, e.username, e.action, e.entity, e.entity_id,
                                    changes(e.old_values, e.new_values), e.address) for e in rows), total)
