"""The certification hours ledger: which supervision counts toward a credential requirement, and how far each
worker has come.

A session *counts* toward a requirement for a worker when the worker attended it (a group session counts its full
minutes for every attendee); it was held within the requirement's period up to the day judged (the last
`period_months` months: after the same calendar day that many months earlier, the day clamped to the month's
length; no period = the whole record); its kind, format and modality are among the requirement's (an empty list
means any); and, when the requirement says so, it is signed, and acknowledged by this worker in its current
version. A session that would count but for its signature or acknowledgement is *pending*. Minutes counted are the
session's current minutes (an amendment's minutes replace the earlier version's). Hours counted = minutes counted /
60; the requirement is *met* when minutes counted reach hours required × 60. A requirement applies to a worker
when its stage list is empty or holds the worker's certification stage on the day judged.
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session

from models import (CertificationStage, CredentialRequirement, SessionAcknowledgement, SessionAttendee,
                    StageAssignment, Staff, SupervisionSession)


@dataclass(frozen=True)
class Requirement:
    id: int
    name: str
    issuing_body: str
    hours_required: float
    period_months: int | None
    kinds: tuple[str, ...]
    formats: tuple[str, ...]
    modalities: tuple[str, ...]
    stage_codes: tuple[str, ...]
    require_signed: bool
    require_acknowledged: bool
    source: str | None

    def applies_to(self, stage_code: str | None) -> bool:
        return not self.stage_codes or stage_code in self.stage_codes

    def period_start(self, as_of: date) -> date | None:
        """The last day *before* the period (sessions held after it count), or None for the whole record."""
        return None if self.period_months is None else months_before(as_of, self.period_months)


def months_before(day: date, months: int) -> date:
    """The same calendar day `months` months earlier, clamped to that month's length (31 Mar - 1 month = 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Progress:
    requirement: Requirement
    worker_id: int
    as_of: date
    minutes_by_kind: tuple[tuple[str, int], ...]  # counted minutes per kind, largest first
    minutes_pending: int  # would count once signed (and acknowledged, when required)

    @property
    def minutes_counted(self) -> int:
        return sum(minutes for _, minutes in self.minutes_by_kind)

    @property
    def hours_counted(self) -> float:
        return self.minutes_counted / 60

    @property
    def met(self) -> bool:
        return self.minutes_counted >= round(self.requirement.hours_required * 60)

    @property
    def share(self) -> float:
        """Progress from 0 to 1 (capped at 1 once met)."""
        return min(1.0, self.minutes_counted / (self.requirement.hours_required * 60))


def hours_text(minutes: int) -> str:
    """Hours to one decimal, rounded down, so 24.96 hours never reads as a met 25.0."""
    return f"{(minutes * 10 // 60) / 10:g}"


def _requirement(row: CredentialRequirement) -> Requirement:
    return Requirement(row.id, row.name, row.issuing_body, float(row.hours_required), row.period_months,
                       tuple(row.kinds or ()), tuple(row.formats or ()), tuple(row.modalities or ()),
                       tuple(row.stage_codes or ()), row.require_signed, row.require_acknowledged, row.source)


def requirements(session: Session, active_only: bool = True) -> list[Requirement]:
    query = select(CredentialRequirement).order_by(CredentialRequirement.name)
    if active_only:
        query = query.where(CredentialRequirement.is_active)
    return [_requirement(row) for row in session.scalars(query)]


def stage_names(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every certification stage, in progression order."""
    return [(code, name) for code, name in session.execute(
        select(CertificationStage.code, CertificationStage.name).order_by(CertificationStage.sort_order))]


def stages_on(session: Session, worker_ids: Sequence[int], day: date) -> dict[int, str]:
    """Each worker's certification stage code on `day` (workers with none recorded are left out)."""
    if not worker_ids:
        return {}
    return dict(session.execute(
        select(StageAssignment.staff_id, CertificationStage.code)
        .join(CertificationStage, CertificationStage.id == StageAssignment.stage_id)
        .where(StageAssignment.staff_id.in_(sorted(set(worker_ids))), StageAssignment.start_date <= day,
               or_(StageAssignment.end_date.is_(None), StageAssignment.end_date > day))).all())


def eligible(requirement: Requirement, as_of: date) -> ColumnElement[bool]:
    """Held in the period, of a kind, format and modality that counts (signature and acknowledgement apart)."""
    start = requirement.period_start(as_of)
    parts: list[ColumnElement[bool]] = [SupervisionSession.held_on <= as_of]
    if start is not None:
        parts.append(SupervisionSession.held_on > start)
    for column, allowed in ((SupervisionSession.kind, requirement.kinds),
                            (SupervisionSession.format, requirement.formats),
                            (SupervisionSession.modality, requirement.modalities)):
        if allowed:
            parts.append(column.in_(allowed))
    return and_(*parts)


def confirmed(requirement: Requirement) -> ColumnElement[bool]:
    """Signed, and acknowledged in its current version by the attendee, as far as the requirement asks."""
    parts: list[ColumnElement[bool]] = [true()]
    if requirement.require_signed or requirement.require_acknowledged:
        parts.append(SupervisionSession.signed_at.is_not(None))
    if requirement.require_acknowledged:
        parts.append(exists().where(SessionAcknowledgement.session_id == SupervisionSession.id,
                                    SessionAcknowledgement.worker_id == SessionAttendee.worker_id,
                                    SessionAcknowledgement.session_version == SupervisionSession.version))
    return and_(*parts)


def progress(session: Session, worker_ids: Sequence[int], as_of: date,
             wanted: Sequence[Requirement] | None = None) -> dict[int, list[Progress]]:
    """Per worker, their progress toward each requirement that applies to them (the caller passes workers the
    viewer may see); one grouped query per requirement."""
    if not worker_ids:
        return {}
    reqs = requirements(session) if wanted is None else list(wanted)
    stages = stages_on(session, worker_ids, as_of)
    result: dict[int, list[Progress]] = defaultdict(list)
    for requirement in reqs:
        applies = [w for w in sorted(set(worker_ids)) if requirement.applies_to(stages.get(w))]
        if not applies:
            continue
        ok = confirmed(requirement)
        rows = session.execute(
            select(SessionAttendee.worker_id, SupervisionSession.kind,
                   func.sum(case((ok, SupervisionSession.minutes), else_=0)),
                   func.sum(case((ok, 0), else_=SupervisionSession.minutes)))
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .where(SessionAttendee.worker_id.in_(applies), eligible(requirement, as_of))
            .group_by(SessionAttendee.worker_id, SupervisionSession.kind)).all()
        by_worker: dict[int, dict[str, Any]] = {w: {"kinds": {}, "pending": 0} for w in applies}
        for worker_id, kind, counted, pending in rows:
            if counted:
                by_worker[worker_id]["kinds"][kind] = int(counted)
            by_worker[worker_id]["pending"] += int(pending or 0)
        for worker_id, parts in by_worker.items():
            kinds = tuple(sorted(parts["kinds"].items(), key=lambda item: (-item[1], item[0])))
            result[worker_id].append(Progress(requirement, worker_id, as_of, kinds, parts["pending"]))
    return dict(result)


@dataclass(frozen=True)
class LedgerLine:
    """One session in a worker's ledger for a requirement, with why it does or does not count."""

    session_id: int
    held_on: date
    minutes: int
    kind: str
    format: str
    modality: str
    supervisor_name: str
    signed_at: Any
    acknowledged_at: Any
    counts: bool
    why_not: str  # "" when it counts


def ledger_lines(session: Session, worker_id: int, requirement: Requirement, start: date, end: date
                 ) -> list[LedgerLine]:
    """The worker's sessions held from start to end (inclusive), oldest first, judged against the requirement as
    of `end` (the caller has decided the viewer may see this worker)."""
    acknowledged_at = (select(func.max(SessionAcknowledgement.acknowledged_at))
                       .where(SessionAcknowledgement.session_id == SupervisionSession.id,
                              SessionAcknowledgement.worker_id == worker_id,
                              SessionAcknowledgement.session_version == SupervisionSession.version)
                       .correlate(SupervisionSession).scalar_subquery())
    rows = session.execute(
        select(SupervisionSession.id, SupervisionSession.held_on, SupervisionSession.minutes, SupervisionSession.kind,
               SupervisionSession.format, SupervisionSession.modality, Staff.full_name,
               SupervisionSession.signed_at, acknowledged_at, eligible(requirement, end))
        .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
        .join(Staff, Staff.id == SupervisionSession.supervisor_id)
        .where(SessionAttendee.worker_id == worker_id, SupervisionSession.held_on >= start,
               SupervisionSession.held_on <= end)
        .order_by(SupervisionSession.held_on, SupervisionSession.id)).all()
    lines = []
    for sid, held, minutes, kind, fmt, modality, supervisor, signed_at, acked_at, in_scope in rows:
        why = ("" if in_scope else "kind, format, modality or date does not count")
        if not why and (requirement.require_signed or requirement.require_acknowledged) and signed_at is None:
            why = "not signed"
        elif not why and requirement.require_acknowledged and acked_at is None:
            why = "not acknowledged"
        lines.append(LedgerLine(sid, held, minutes, kind, fmt, modality, supervisor, signed_at, acked_at,
                                not why, why))
    return lines
