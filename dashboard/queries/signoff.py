"""Sign-off states of supervision sessions: per session (the profile, the Sign-off page) and per worker (flags).

A session is *unsigned* until its supervisor signs it; *signed* while any attendee has not acknowledged its
current version; *acknowledged* once every attendee has. An amendment makes a new version, which is signed
by the amendment, so it is *signed* again until every attendee acknowledges the new version. Flags: a session
still unsigned more than `unsigned_flag_days` after it was held, and a signed one that some attendee has not
acknowledged more than `unacknowledged_flag_days` after it was signed (agency settings, 7 and 14 by default).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from dashboard.scope import Scope
from models import (AgencySettings, SessionAcknowledgement, SessionAmendment, SessionAttendee, Staff,
                    SupervisionSession, User)
from models.vocabulary import Role

UNSIGNED, SIGNED, ACKNOWLEDGED = "unsigned", "signed", "acknowledged"
STATES = {UNSIGNED: "Unsigned", SIGNED: "Signed, awaiting acknowledgement", ACKNOWLEDGED: "Acknowledged"}
PAGE_LIMIT = 2000  # rows on the Sign-off page; the count above the table says when more matched


@dataclass(frozen=True)
class FlagDays:
    unsigned: int = 7
    unacknowledged: int = 14


def flag_days(session: Session) -> FlagDays:
    row = session.get(AgencySettings, 1)
    return FlagDays() if row is None else FlagDays(row.unsigned_flag_days, row.unacknowledged_flag_days)


@dataclass(frozen=True)
class Acknowledgement:
    worker_id: int
    worker_name: str
    version: int
    acknowledged_at: datetime
    comment: str | None


@dataclass(frozen=True)
class Amendment:
    amended_at: datetime
    amended_by: str
    reason: str
    previous: dict[str, Any]


@dataclass(frozen=True)
class SessionSignoff:
    """One session's signature, acknowledgements (all versions) and amendments (oldest first)."""

    session_id: int
    version: int
    signed_at: datetime | None
    signed_by: str | None
    attendees: tuple[tuple[int, str], ...]
    acknowledgements: tuple[Acknowledgement, ...]
    amendments: tuple[Amendment, ...]

    def current(self, worker_id: int) -> Acknowledgement | None:
        """The worker's acknowledgement of the current version, if any."""
        return next((a for a in self.acknowledgements if a.worker_id == worker_id and a.version == self.version), None)

    @property
    def state(self) -> str:
        if self.signed_at is None:
            return UNSIGNED
        return ACKNOWLEDGED if all(self.current(w) for w, _ in self.attendees) else SIGNED


def signoffs(session: Session, session_ids: Iterable[int]) -> dict[int, SessionSignoff]:
    """Sign-off of the given sessions (the caller has already decided the viewer may see them)."""
    wanted = sorted(set(session_ids))
    if not wanted:
        return {}
    signer, amender = aliased(User), aliased(User)
    heads = session.execute(select(SupervisionSession.id, SupervisionSession.version, SupervisionSession.signed_at,
                                   func.coalesce(signer.full_name, signer.username))
                            .outerjoin(signer, signer.id == SupervisionSession.signed_by_id)
                            .where(SupervisionSession.id.in_(wanted))).all()
    attendees: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, worker_id, name in session.execute(
            select(SessionAttendee.session_id, Staff.id, Staff.full_name)
            .join(Staff, Staff.id == SessionAttendee.worker_id)
            .where(SessionAttendee.session_id.in_(wanted)).order_by(Staff.full_name)):
        attendees[session_id].append((worker_id, name))
    acks: dict[int, list[Acknowledgement]] = defaultdict(list)
    for session_id, worker_id, name, version, at, comment in session.execute(
            select(SessionAcknowledgement.session_id, SessionAcknowledgement.worker_id, Staff.full_name,
                   SessionAcknowledgement.session_version, SessionAcknowledgement.acknowledged_at,
                   SessionAcknowledgement.comment)
            .join(Staff, Staff.id == SessionAcknowledgement.worker_id)
            .where(SessionAcknowledgement.session_id.in_(wanted))
            .order_by(SessionAcknowledgement.acknowledged_at)):
        acks[session_id].append(Acknowledgement(worker_id, name, version, at, comment))
    amendments: dict[int, list[Amendment]] = defaultdict(list)
    for session_id, at, who, reason, previous in session.execute(
            select(SessionAmendment.session_id, SessionAmendment.amended_at,
                   func.coalesce(amender.full_name, amender.username), SessionAmendment.reason,
                   SessionAmendment.previous)
            .outerjoin(amender, amender.id == SessionAmendment.amended_by_id)
            .where(SessionAmendment.session_id.in_(wanted)).order_by(SessionAmendment.amended_at)):
        amendments[session_id].append(Amendment(at, who or "unknown", reason, dict(previous)))
    return {sid: SessionSignoff(sid, version, signed_at, who, tuple(attendees[sid]), tuple(acks[sid]),
                                tuple(amendments[sid])) for sid, version, signed_at, who in heads}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _unacknowledged_by(worker_id: Any) -> Any:
    """No acknowledgement of the session's current version by this worker (a column or an id)."""
    return ~exists().where(SessionAcknowledgement.session_id == SupervisionSession.id,
                           SessionAcknowledgement.worker_id == worker_id,
                           SessionAcknowledgement.session_version == SupervisionSession.version)


@dataclass(frozen=True)
class WorkerFlags:
    unsigned: int  # sessions the worker attended, unsigned more than FlagDays.unsigned days after they were held
    unacknowledged: int  # signed sessions the worker has not acknowledged, FlagDays.unacknowledged days after signing

    @property
    def label(self) -> str:
        parts = ([f"{self.unsigned} unsigned"] if self.unsigned else []) + \
            ([f"{self.unacknowledged} unacknowledged"] if self.unacknowledged else [])
        return " · ".join(parts)


def worker_flags(session: Session, worker_ids: Sequence[int], today: date, days: FlagDays
                 ) -> dict[int, WorkerFlags]:
    """Flagged sessions per worker (only workers with any appear); the caller passes workers it may see."""
    if not worker_ids:
        return {}
    unsigned_before = today - timedelta(days=days.unsigned)
    signed_before = _start_of(today - timedelta(days=days.unacknowledged))
    unsigned = func.sum(case((and_(SupervisionSession.signed_at.is_(None),
                                   SupervisionSession.held_on < unsigned_before), 1), else_=0))
    waiting = func.sum(case((and_(SupervisionSession.signed_at.is_not(None),
                                  SupervisionSession.signed_at < signed_before,
                                  _unacknowledged_by(SessionAttendee.worker_id)), 1), else_=0))
    rows = session.execute(select(SessionAttendee.worker_id, unsigned, waiting)
                           .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
                           .where(SessionAttendee.worker_id.in_(sorted(set(worker_ids))),
                                  or_(SupervisionSession.signed_at.is_(None),
                                      SupervisionSession.signed_at < signed_before))
                           .group_by(SessionAttendee.worker_id)).all()
    return {worker: WorkerFlags(int(u or 0), int(w or 0)) for worker, u, w in rows if u or w}


@dataclass(frozen=True)
class SignoffRow:
    session_id: int
    held_on: date
    supervisor_id: int
    supervisor_name: str
    minutes: int
    kind: str
    format: str
    attendees: int
    acknowledged: int  # attendees who acknowledged the current version
    signed_at: datetime | None
    amendments: int

    @property
    def state(self) -> str:
        if self.signed_at is None:
            return UNSIGNED
        return ACKNOWLEDGED if self.acknowledged >= self.attendees else SIGNED

    def flag(self, today: date, days: FlagDays) -> str:
        """Why the session is flagged, in words, or ""."""
        if self.signed_at is None:
            age = (today - self.held_on).days
            return f"unsigned {age} days after it was held" if age > days.unsigned else ""
        waited = (today - self.signed_at.date()).days
        if self.state == SIGNED and waited > days.unacknowledged:
            return f"not acknowledged {waited} days after signing"
        return ""


def session_rows(session: Session, scope: Scope, viewer_role: str, viewer_staff_id: int | None, start: date,
                 end: date, state: str | None) -> tuple[list[SignoffRow], int]:
    """Sessions held from start to end (inclusive) that the viewer may see, optionally in one state; newest first.

    A supervisor sees the sessions they ran; leadership, quality and admins the agency's. Returns (rows up to
    PAGE_LIMIT, how many matched)."""
    attendees = (select(func.count()).where(SessionAttendee.session_id == SupervisionSession.id)
                 .correlate(SupervisionSession).scalar_subquery())
    acknowledged = (select(func.count()).select_from(SessionAcknowledgement)
                    .where(SessionAcknowledgement.session_id == SupervisionSession.id,
                           SessionAcknowledgement.session_version == SupervisionSession.version)
                    .correlate(SupervisionSession).scalar_subquery())
    amendments = (select(func.count()).select_from(SessionAmendment)
                  .where(SessionAmendment.session_id == SupervisionSession.id)
                  .correlate(SupervisionSession).scalar_subquery())
    query: Select[Any] = (
        select(SupervisionSession.id, SupervisionSession.held_on, SupervisionSession.supervisor_id, Staff.full_name,
               SupervisionSession.minutes, SupervisionSession.kind, SupervisionSession.format, attendees,
               acknowledged, SupervisionSession.signed_at, amendments)
        .join(Staff, Staff.id == SupervisionSession.supervisor_id)
        .where(SupervisionSession.held_on >= start, SupervisionSession.held_on <= end))
    if viewer_role == Role.SUPERVISOR:
        query = query.where(SupervisionSession.supervisor_id == (viewer_staff_id or -1))
    elif scope.team_ids is not None:
        return [], 0  # peer workers read their own sessions on My record
    if state == UNSIGNED:
        query = query.where(SupervisionSession.signed_at.is_(None))
    elif state in (SIGNED, ACKNOWLEDGED):
        query = query.where(SupervisionSession.signed_at.is_not(None),
                            (acknowledged < attendees) if state == SIGNED else (acknowledged >= attendees))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
                           .limit(PAGE_LIMIT)).all()
    return [SignoffRow(*r) for r in rows], total
