"""Recording supervision: validate and save sessions, ratings and leave, in one transaction, with audit events.

The supervisor's forms, the peer worker's self-rating and the CSV import all go through these
functions, so a rule is written once. Every function takes a `Writer` (who acts and what they may
touch, decided on the server) and either writes everything or raises `Rejected` with messages a person
understands, having written nothing.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard import dates
from dashboard.audit import Actor, plain, record
from dashboard.auth import Viewer
from dashboard.numbers import is_digits
from dashboard.queries.common import members_on
from dashboard.scope import Scope, scope_for
from dashboard.dates import show
from models import (Competency, CompetencyRating, CurrentRating, Framework, Leave, RatingLevel, RatingScale,
                    SessionAmendment, SessionAttendee, SessionCompetency, Staff, SupervisionSession, Team,
                    TeamMembership, TeamSupervisor)
from models.base import utcnow
from models.supervision import SESSION_FORMATS, SESSION_KINDS, SESSION_MODALITIES
from models.vocabulary import Modality, RaterRole, Role, SessionFormat, SessionKind, labels

MIN_MINUTES, MAX_MINUTES = 5, 480
MAX_ID = 2**31 - 1  # ids are INTEGER columns on both databases
NOTE_LIMIT = 2000
FORMAT_LABELS = labels(SessionFormat)
# The session form's order: the common kinds first.
KIND_LABELS = labels((SessionKind.SUPPORTIVE, SessionKind.CLINICAL_EDUCATIONAL, SessionKind.ADMINISTRATIVE,
                      SessionKind.DIRECT_OBSERVATION))
MODALITY_LABELS = labels(Modality)
LEAVE_PLANNED_DAYS = 366  # leave can be recorded ahead of time, up to a year
LEAVE_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.QUALITY)
STALE_VERSION = ("Someone else changed this session after you opened it. Nothing was saved: "
                 "reopen it to see their changes, then edit again.")
REASON_LIMIT = 500
AMENDMENT_REASON_NEEDED = ("This session is signed, so a change is an amendment: say why you are amending it "
                           "(the earlier version stays readable beside it).")
SIGNED_NOT_DELETED = ("A signed session cannot be deleted: it is part of the supervision record. Amend it instead, "
                      "giving the reason.")
DUPLICATE = ("A session with the same supervisor, date, attendees and minutes is already recorded ({when}). "
             "Save anyway?")

# An API caller may send a moment ("2026-03-31T10:00"); its day is what a session or rating keeps.
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class Rejected(Exception):
    """Nothing was written; `problems` say why, field by field."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class ProbableDuplicate(Rejected):
    """Nothing was written: the session looks like one already recorded. Saving it anyway is the writer's
    decision, made by naming `session_ids` (the sessions they were shown) in allow_duplicate_of."""

    def __init__(self, session_ids: Iterable[int], held_on: date) -> None:
        self.session_ids = tuple(sorted(session_ids))
        super().__init__([Problem("duplicate", DUPLICATE.format(when=show(held_on)))])


@dataclass(frozen=True)
class Writer:
    """Who writes and what they may touch. team_ids None = the whole agency (quality/admin imports)."""

    actor: Actor
    role: str
    staff_id: int | None
    team_ids: frozenset[int] | None

    @classmethod
    def from_viewer(cls, session: Session, viewer: Viewer, today: date, address: str | None = None) -> Writer:
        scope: Scope = scope_for(session, viewer, today)
        return cls(Actor(viewer.user_id, viewer.username, address), viewer.role, viewer.staff_id,
                   scope.team_ids)


@dataclass(frozen=True)
class SessionDraft:
    held_on: date
    minutes: int
    format: str
    kind: str
    modality: str
    supervisor_id: int
    attendee_ids: tuple[int, ...]
    competency_ids: tuple[int, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class RatingDraft:
    worker_id: int
    competency_id: int
    level: int
    rated_on: date
    note: str | None = None


@dataclass
class _Checks:
    """Collects problems; parsing helpers return None for a bad value and note why."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(field_name, message))

    def date(self, field_name: str, label: str, raw: object) -> date | None:
        if raw is None or raw == "":
            self.add(field_name, f"{label} is required.")
            return None
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = str(raw).strip()
        try:  # typed in the agency's format or ISO; an API caller's ISO moment has a time part after a "T"
            return dates.parse(text.split("T", 1)[0] if _ISO_MOMENT.match(text) else text)
        except ValueError:
            self.add(field_name, f"{label}: {dates.asked_for(mid_sentence=True)}")
            return None

    def whole_number(self, field_name: str, label: str, raw: object) -> int | None:
        if raw is None or raw == "":
            self.add(field_name, f"{label} is required.")
            return None
        if isinstance(raw, bool):
            self.add(field_name, f"{label} must be a whole number.")
            return None
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        try:
            return int(str(raw).strip())
        except ValueError:
            self.add(field_name, f"{label} must be a whole number.")
            return None

    def identifier(self, field_name: str, label: str, raw: object) -> int | None:
        """A record id: a whole number the database's INTEGER ids can hold (PostgreSQL refuses to compare a
        bigger one rather than finding nothing)."""
        number = self.whole_number(field_name, label, raw)
        if number is not None and not 1 <= number <= MAX_ID:
            self.add(field_name, f"{label} is not a valid choice.")
            return None
        return number

    def choice(self, field_name: str, label: str, raw: object, allowed: Mapping[str, str]) -> str | None:
        if raw is None or raw == "":
            self.add(field_name, f"{label} is required.")
            return None
        if not isinstance(raw, str) or raw not in allowed:
            self.add(field_name, f"{label} must be one of: {', '.join(allowed.values())}.")
            return None
        return str(raw)

    def ids(self, field_name: str, label: str, raw: object) -> tuple[int, ...] | None:
        if raw is None or raw == "":
            return ()
        values = raw if isinstance(raw, (list, tuple)) else [raw]
        result = []
        for value in values:
            number = value if isinstance(value, int) and not isinstance(value, bool) else None
            if number is None and isinstance(value, str) and is_digits(value.strip()):
                number = int(value)
            if number is None or not 1 <= number <= MAX_ID:
                self.add(field_name, f"{label} contains something that is not a valid choice.")
                return None
            result.append(number)
        return tuple(dict.fromkeys(result))  # keep order, drop repeats

    def note(self, raw: object) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.add("note", "The note must be text.")
            return None
        text = raw.strip()
        if len(text) > NOTE_LIMIT:
            self.add("note", f"The note is {len(text)} characters; keep it under {NOTE_LIMIT}.")
            return None
        return text or None


# ---------------------------------------------------------------------------------------------------------------
# What a writer may touch


def writable_worker_ids(session: Session, writer: Writer, worker_ids: Iterable[int], today: date) -> set[int]:
    """The given ids the writer may record for: a supervisor, peer workers now on their teams; a peer
    worker, only themself; quality/admin (team_ids None), any peer worker. Unknown ids drop out."""
    wanted = sorted(set(worker_ids))
    if not wanted:
        return set()
    if writer.role == Role.PEER_WORKER:
        return {writer.staff_id} & set(wanted) if writer.staff_id is not None else set()
    if writer.team_ids is None:
        return set(session.scalars(select(Staff.id).where(Staff.id.in_(wanted), Staff.role == Role.PEER_WORKER)))
    # The roster's own rule (members_on): who is on those teams today.
    members = members_on(today, select(Team.id).where(Team.id.in_(sorted(writer.team_ids)))).subquery()
    return set(session.scalars(select(members.c.worker_id).where(members.c.worker_id.in_(wanted))))


def _supervised_on(session: Session, supervisor_id: int, worker_ids: Sequence[int], day: date) -> set[int]:
    """Workers who were on a team led by the supervisor on `day` (imports name the supervisor per row)."""
    team_ids = select(TeamSupervisor.team_id).where(
        TeamSupervisor.staff_id == supervisor_id, TeamSupervisor.start_date <= day,
        or_(TeamSupervisor.end_date.is_(None), TeamSupervisor.end_date > day))
    return set(session.scalars(select(TeamMembership.staff_id).where(
        TeamMembership.staff_id.in_(sorted(worker_ids)), TeamMembership.team_id.in_(team_ids),
        TeamMembership.start_date <= day,
        or_(TeamMembership.end_date.is_(None), TeamMembership.end_date > day))))


def active_competency_ids(session: Session, competency_ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(competency_ids))
    if not wanted:
        return set()
    return set(session.scalars(select(Competency.id).join(Framework, Framework.id == Competency.framework_id)
                               .where(Framework.is_active, Competency.id.in_(wanted))))


# ---------------------------------------------------------------------------------------------------------------
# Row rules the forms and the CSV import share (dashboard/importers/sessions.py, ratings.py, moves.py): each
# caller words its own message; what is allowed is decided here, once.


def minutes_allowed(minutes: int) -> bool:
    return MIN_MINUTES <= minutes <= MAX_MINUTES


def attendee_count_fits(session_format: str, count: int) -> bool:
    """For one or more attendees (none is a problem of its own): an individual session has one, a group two or
    more."""
    if session_format == SessionFormat.INDIVIDUAL:
        return count == 1
    if session_format == SessionFormat.GROUP:
        return count >= 2
    return True


def in_future(day: date, today: date) -> bool:
    return day > today


def before_hire(day: date, hire_date: date) -> bool:
    return day < hire_date


def after_leaving(day: date, left_on: date | None) -> bool:
    """On or after the day the person left (no longer on staff from that day)."""
    return left_on is not None and day >= left_on


def level_on_scale(level: int, levels: Collection[int]) -> bool:
    return level in levels


# ---------------------------------------------------------------------------------------------------------------
# Sessions


def parse_session(raw: Mapping[str, Any], writer: Writer) -> tuple[SessionDraft | None, list[Problem]]:
    """Form or CSV values (strings, numbers, lists of ids) -> a draft, or the problems with them.

    A supervisor always records as themself; quality/admin (imports) must name the supervisor.
    """
    checks = _Checks()
    held_on = checks.date("held_on", "The session date", raw.get("held_on"))
    minutes = checks.whole_number("minutes", "Minutes", raw.get("minutes"))
    session_format = checks.choice("format", "Format", raw.get("format"), FORMAT_LABELS)
    kind = checks.choice("kind", "Kind", raw.get("kind"), KIND_LABELS)
    modality = checks.choice("modality", "Modality", raw.get("modality"), MODALITY_LABELS)
    attendees = checks.ids("attendee_ids", "Attendees", raw.get("attendee_ids"))
    competencies = checks.ids("competency_ids", "Competencies discussed", raw.get("competency_ids"))
    note = checks.note(raw.get("note"))
    if writer.role == Role.SUPERVISOR:
        supervisor_id = writer.staff_id
        if supervisor_id is None:
            checks.add("supervisor_id", "Your account is not linked to a staff record; ask an administrator.")
    else:
        supervisor_id = checks.identifier("supervisor_id", "Supervisor", raw.get("supervisor_id"))
    if checks.problems or None in (held_on, minutes, session_format, kind, modality, supervisor_id) \
            or attendees is None or competencies is None:
        return None, checks.problems or [Problem("form", "The session could not be read.")]
    return SessionDraft(held_on, minutes, session_format, kind, modality, supervisor_id,  # type: ignore[arg-type]
                        attendees, competencies, note), []


def check_session(session: Session, draft: SessionDraft, writer: Writer, today: date) -> list[Problem]:
    """Every rule a session must meet, as messages; an empty list means it may be saved."""
    checks = _Checks()
    if in_future(draft.held_on, today):
        checks.add("held_on", f"The session date {show(draft.held_on)} is in the future; "
                              "record a session once it has taken place.")
    if not minutes_allowed(draft.minutes):
        checks.add("minutes", f"Minutes must be between {MIN_MINUTES} and {MAX_MINUTES} "
                              f"({MAX_MINUTES // 60} hours); {draft.minutes} was entered.")
    if draft.format not in SESSION_FORMATS or draft.kind not in SESSION_KINDS \
            or draft.modality not in SESSION_MODALITIES:
        checks.add("format", "Format, kind or modality is not one of the allowed choices.")
    if not draft.attendee_ids:
        checks.add("attendee_ids", "Choose who attended.")
    elif not attendee_count_fits(draft.format, len(draft.attendee_ids)):
        checks.add("attendee_ids", f"An individual session has one peer worker; {len(draft.attendee_ids)} "
                                   "were chosen. Record it as a group session instead."
                   if draft.format == SessionFormat.INDIVIDUAL else "A group session needs at least 2 peer workers.")

    supervisor = session.get(Staff, draft.supervisor_id)
    if writer.role == Role.SUPERVISOR and draft.supervisor_id != writer.staff_id:
        checks.add("supervisor_id", "You can only record your own sessions.")
    elif writer.role not in (Role.SUPERVISOR, Role.ADMIN, Role.QUALITY):
        checks.add("supervisor_id", "Your role cannot record supervision sessions.")
    elif supervisor is None or supervisor.role != Role.SUPERVISOR:
        checks.add("supervisor_id", "The supervisor is not a supervisor on record.")

    if draft.attendee_ids:
        allowed = writable_worker_ids(session, writer, draft.attendee_ids, today)
        if writer.team_ids is None and supervisor is not None and draft.held_on <= today:
            allowed &= _supervised_on(session, supervisor.id, draft.attendee_ids, draft.held_on)
        outside = [i for i in draft.attendee_ids if i not in allowed]
        if outside:
            where = "your teams" if writer.team_ids is not None else "the supervisor's teams on that date"
            checks.add("attendee_ids", f"{len(outside)} of the attendees {'is' if len(outside) == 1 else 'are'} "
                                       f"not a peer worker on {where}.")
        people = session.execute(select(Staff.full_name, Staff.hire_date, Staff.left_on)
                                 .where(Staff.id.in_(sorted(allowed)))).all()
        for name, hired, left_on in people:
            if before_hire(draft.held_on, hired):
                checks.add("held_on", f"{name} was hired on {show(hired)}; the session date "
                                      f"{show(draft.held_on)} is before that.")
            if after_leaving(draft.held_on, left_on):
                checks.add("held_on", f"{name} left on {show(left_on)}; the session date is after that.")

    unknown = set(draft.competency_ids) - active_competency_ids(session, draft.competency_ids)
    if unknown:
        checks.add("competency_ids", f"{len(unknown)} of the competencies chosen "
                                     f"{'is' if len(unknown) == 1 else 'are'} not in the agency's framework.")
    return checks.problems


def _session_values(row: SupervisionSession | SessionDraft, attendee_ids: Iterable[int],
                    competency_ids: Iterable[int]) -> dict[str, Any]:
    return {"held_on": row.held_on, "minutes": row.minutes, "format": row.format, "kind": row.kind,
            "modality": row.modality, "supervisor_id": row.supervisor_id, "note": row.note,
            "attendee_ids": sorted(attendee_ids), "competency_ids": sorted(competency_ids)}


def _own_session(session: Session, writer: Writer, session_id: object, expected_version: object
                 ) -> SupervisionSession:
    """The writer's own session at the version they opened, or Rejected (another's reads as not found)."""
    row = session.get(SupervisionSession, session_id) if isinstance(session_id, int) else None
    if row is None or writer.staff_id is None or row.supervisor_id != writer.staff_id:
        raise Rejected([Problem("session", "That session was not found among your sessions.")])
    if expected_version != row.version:
        raise Rejected([Problem("session", STALE_VERSION)])
    return row


def _links(session: Session, session_id: int) -> tuple[list[int], list[int]]:
    attendees = list(session.scalars(select(SessionAttendee.worker_id).where(SessionAttendee.session_id == session_id)))
    topics = list(session.scalars(select(SessionCompetency.competency_id)
                                  .where(SessionCompetency.session_id == session_id)))
    return attendees, topics


def probable_duplicates(session: Session, draft: SessionDraft, other_than: int | None = None) -> set[int]:
    """Sessions already recorded with the same supervisor, date, minutes and attendees (a second save of the same
    session, more likely than two alike); other_than leaves out the session being edited."""
    same_day = select(SupervisionSession.id).where(
        SupervisionSession.supervisor_id == draft.supervisor_id, SupervisionSession.held_on == draft.held_on,
        SupervisionSession.minutes == draft.minutes, SupervisionSession.id != (other_than or 0))
    attendees: dict[int, set[int]] = {}
    for session_id, worker_id in session.execute(select(SessionAttendee.session_id, SessionAttendee.worker_id)
                                                  .where(SessionAttendee.session_id.in_(same_day))):
        attendees.setdefault(session_id, set()).add(worker_id)
    return {session_id for session_id, workers in attendees.items() if workers == set(draft.attendee_ids)}


def _flush_or_stale(session: Session) -> None:
    """Flush; an UPDATE or DELETE carrying "AND version = <opened>" that matched no row (a concurrent save
    committed first) is the person's stale copy, not a database fault."""
    try:
        session.flush()
    except StaleDataError:
        raise Rejected([Problem("session", STALE_VERSION)]) from None


def save_session(session: Session, writer: Writer, raw: Mapping[str, Any], today: date,
                 session_id: int | None = None, expected_version: int | None = None,
                 allow_duplicate_of: Collection[int] = ()) -> int:
    """Create (session_id None) or edit the writer's own session from form values; returns its id.

    Flushes but does not commit: the caller's transaction commits it with its audit event, or rolls
    everything back. Raises Rejected (nothing written) on any problem, including a stale version, and
    ProbableDuplicate when a new session (or an edit of its date, minutes or attendees) matches one already
    recorded that is not in allow_duplicate_of. Any change to the session or to its attendees and topics
    makes a new version, so an editor holding the old one is refused.
    """
    draft, problems = parse_session(raw, writer)
    if draft is None:
        raise Rejected(problems)
    problems = check_session(session, draft, writer, today)
    if problems:
        raise Rejected(problems)
    row = _own_session(session, writer, session_id, expected_version) if session_id is not None else None
    old = _session_values(row, *_links(session, row.id)) if row is not None else None
    new = _session_values(draft, draft.attendee_ids, draft.competency_ids)
    reason = amendment_reason(raw.get("amendment_reason")) if row is not None and row.signed_at is not None \
        and new != old else None
    if old is None or any(old[k] != new[k] for k in ("held_on", "minutes", "attendee_ids")):
        duplicates = probable_duplicates(session, draft, session_id) - set(allow_duplicate_of)
        if duplicates:
            raise ProbableDuplicate(duplicates, draft.held_on)
    if row is None:
        row = SupervisionSession(held_on=draft.held_on, minutes=draft.minutes, format=draft.format, kind=draft.kind,
                                 modality=draft.modality, supervisor_id=draft.supervisor_id, note=draft.note,
                                 created_by_id=writer.actor.user_id, updated_by_id=writer.actor.user_id)
        session.add(row)
        session.flush()
    elif new != old:
        if reason is not None:
            assert old is not None
            _amend(session, writer, row, old, reason)
        row.held_on, row.minutes, row.format, row.kind = draft.held_on, draft.minutes, draft.format, draft.kind
        row.modality, row.note, row.updated_by_id = draft.modality, draft.note, writer.actor.user_id
        # Set even when only the attendees or topics changed: the row's UPDATE is what makes a new version (and
        # refuses a concurrent save), and it runs here, before the links are replaced.
        row.updated_at = utcnow()
        _flush_or_stale(session)
        session.execute(delete(SessionAttendee).where(SessionAttendee.session_id == row.id))
        session.execute(delete(SessionCompetency).where(SessionCompetency.session_id == row.id))
    if old is None or new != old:
        session.add_all([SessionAttendee(session_id=row.id, worker_id=w) for w in draft.attendee_ids])
        session.add_all([SessionCompetency(session_id=row.id, competency_id=c) for c in draft.competency_ids])
    _flush_or_stale(session)
    record(session, writer.actor, "create" if old is None else "amend" if reason is not None else "update",
           "supervision_session", row.id, old,
           new | {"version": row.version} | ({"amendment_reason": reason} if reason is not None else {}))
    return row.id


def amendment_reason(raw: object) -> str:
    """The reason for amending a signed session: required, as text, at most REASON_LIMIT characters."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise Rejected([Problem("amendment_reason", AMENDMENT_REASON_NEEDED)])
    if len(text) > REASON_LIMIT:
        raise Rejected([Problem("amendment_reason", f"The reason is {len(text)} characters; keep it under "
                                                    f"{REASON_LIMIT}.")])
    return text


def _amend(session: Session, writer: Writer, row: SupervisionSession, old: dict[str, Any], reason: str) -> None:
    """Keep the signed version as it was, then re-sign the session as its author's amendment: the new version's
    signature is the amendment's time, and every attendee is asked to acknowledge again (acknowledgements name
    the version they acknowledged, which this change moves on)."""
    previous = old | {"version": row.version, "signed_at": row.signed_at}
    session.add(SessionAmendment(session_id=row.id, amended_by_id=writer.actor.user_id, reason=reason,
                                 previous=plain(previous)))
    row.signed_at, row.signed_by_id = utcnow(), writer.actor.user_id


def delete_session(session: Session, writer: Writer, session_id: int, expected_version: int | None) -> None:
    """Delete the writer's own session (attendees and topics go with it; ratings keep, unlinked)."""
    row = _own_session(session, writer, session_id, expected_version)
    if row.signed_at is not None:
        raise Rejected([Problem("session", SIGNED_NOT_DELETED)])
    old = _session_values(row, *_links(session, row.id)) | {"version": row.version}
    session.delete(row)
    _flush_or_stale(session)
    record(session, writer.actor, "delete", "supervision_session", session_id, old, None)


# ---------------------------------------------------------------------------------------------------------------
# Ratings


def rater_role(writer: Writer) -> str:
    return RaterRole.SELF if writer.role == Role.PEER_WORKER else RaterRole.SUPERVISOR


def active_scale(session: Session) -> tuple[int, dict[int, str]] | None:
    """(scale id, {level: label}) of the agency's active rating scale."""
    scale_id = session.scalar(select(RatingScale.id).where(RatingScale.is_active))
    if scale_id is None:
        return None
    return scale_id, dict(session.execute(select(RatingLevel.level, RatingLevel.label)
                                          .where(RatingLevel.scale_id == scale_id)).all())


def parse_ratings(worker_id: object, levels: Mapping[Any, Any], rated_on: object, notes: Mapping[Any, Any] | None
                  ) -> tuple[list[RatingDraft], list[Problem]]:
    """{competency id: level} as sent by a form (ids may arrive as strings) -> drafts, or problems."""
    checks = _Checks()
    worker = checks.identifier("worker_id", "Worker", worker_id)
    day = checks.date("rated_on", "The rating date", rated_on)
    if not isinstance(levels, Mapping) or (notes is not None and not isinstance(notes, Mapping)):
        checks.add("levels", "The ratings could not be read.")
        return [], checks.problems
    drafts = []
    for raw_competency, raw_level in levels.items():
        competency = checks.identifier("levels", "A competency", raw_competency)
        level = checks.whole_number("levels", "A rating level", raw_level)
        note = checks.note((notes or {}).get(raw_competency) if notes else None)
        if None not in (competency, level, worker, day):
            drafts.append(RatingDraft(worker, competency, level, day, note))  # type: ignore[arg-type]
    return drafts, checks.problems


def check_ratings(session: Session, drafts: Sequence[RatingDraft], writer: Writer, today: date) -> list[Problem]:
    """Every rule a batch of ratings must meet (in bulk: a few queries whatever the batch size)."""
    checks = _Checks()
    scale = active_scale(session)
    if scale is None:
        return [Problem("levels", "The agency has no active rating scale; ask an administrator.")]
    _, levels = scale
    workers = {d.worker_id for d in drafts}
    allowed = writable_worker_ids(session, writer, workers, today)
    for worker_id in sorted(workers - allowed):
        checks.add("worker_id", "You can rate only your own record." if writer.role == Role.PEER_WORKER
                   else f"Worker {worker_id} is not a peer worker on your teams.")
    hired = dict(session.execute(select(Staff.id, Staff.hire_date).where(Staff.id.in_(sorted(allowed)))).all())
    known = active_competency_ids(session, (d.competency_id for d in drafts))
    seen: set[tuple[int, int, date]] = set()
    for d in drafts:
        if in_future(d.rated_on, today):
            checks.add("rated_on", f"The rating date {show(d.rated_on)} is in the future.")
        if d.worker_id in hired and before_hire(d.rated_on, hired[d.worker_id]):
            checks.add("rated_on", f"The rating date {show(d.rated_on)} is before the worker's hire date "
                                   f"{show(hired[d.worker_id])}.")
        if d.competency_id not in known:
            checks.add("levels", f"Competency {d.competency_id} is not in the agency's framework.")
        if not level_on_scale(d.level, levels):
            checks.add("levels", f"Level {d.level} is not on the agency's scale "
                                 f"({', '.join(f'{k} {v}' for k, v in sorted(levels.items()))}).")
        key = (d.worker_id, d.competency_id, d.rated_on)
        if key in seen:
            checks.add("levels", f"Competency {d.competency_id} is rated twice for the same day.")
        seen.add(key)
    return list(dict.fromkeys(checks.problems))  # one message per distinct problem


def save_ratings(session: Session, writer: Writer, drafts: Sequence[RatingDraft], today: date,
                 session_id: int | None = None) -> int:
    """Add the drafts whose level differs from the current rating by the same rater role; returns how many.

    History is kept (a new row per rating, never an update); current_ratings follows in the same
    transaction when the new rating is the latest. One audit event per worker lists old and new levels.
    session_id links the ratings to a session the caller has just saved (never an id from a request).
    """
    problems = check_ratings(session, drafts, writer, today)
    if problems:
        raise Rejected(problems)
    role = rater_role(writer)
    scale = active_scale(session)
    assert scale is not None  # check_ratings refused otherwise
    rater = writer.staff_id
    if rater is None:
        raise Rejected([Problem("worker_id", "Your account is not linked to a staff record; ask an administrator.")])
    saved = 0
    for worker_id in sorted({d.worker_id for d in drafts}):
        mine = [d for d in drafts if d.worker_id == worker_id]
        current = {c.competency_id: c for c in session.scalars(select(CurrentRating).where(
            CurrentRating.worker_id == worker_id, CurrentRating.rater_role == role,
            CurrentRating.competency_id.in_(sorted({d.competency_id for d in mine}))))}
        changed = [d for d in mine if d.competency_id not in current or current[d.competency_id].level != d.level]
        if not changed:
            continue
        rows = [CompetencyRating(worker_id=worker_id, competency_id=d.competency_id, scale_id=scale[0], level=d.level,
                                 rater_id=worker_id if role == RaterRole.SELF else rater, rater_role=role,
                                 rated_on=d.rated_on, session_id=session_id, note=d.note,
                                 created_by_id=writer.actor.user_id) for d in changed]
        old = {str(d.competency_id): current[d.competency_id].level for d in changed if d.competency_id in current}
        session.add_all(rows)
        session.flush()
        for row in rows:
            now = current.get(row.competency_id)
            if now is None:
                session.add(CurrentRating(worker_id=worker_id, competency_id=row.competency_id, rater_role=role,
                                          rating_id=row.id, level=row.level, rated_on=row.rated_on))
            elif row.rated_on >= now.rated_on:
                now.rating_id, now.level, now.rated_on = row.id, row.level, row.rated_on
        record(session, writer.actor, "rate", "competency_ratings", worker_id, old,
               {"rater_role": role, "rated_on": changed[0].rated_on,
                "levels": {str(d.competency_id): d.level for d in changed}})
        saved += len(rows)
    session.flush()
    return saved


# ---------------------------------------------------------------------------------------------------------------
# Leave of absence (days away are left out of gaps and monthly minimums; no reason is kept)


@dataclass(frozen=True)
class LeaveDraft:
    worker_id: int
    start_date: date
    end_date: date | None  # the day back; None while the return is not known


def leave_problems(start: date, back_on: date | None, hire_date: date, left_on: date | None,
                   others: Iterable[tuple[date, date | None]], today: date) -> list[Problem]:
    """The date rules of one leave against the person's employment and their other leaves (the form and the
    import both use this)."""
    checks = _Checks()
    if before_hire(start, hire_date):
        checks.add("start_date", f"The first day away ({show(start)}) is before the hire date "
                                 f"({show(hire_date)}).")
    if after_leaving(start, left_on):
        checks.add("start_date", f"The first day away ({show(start)}) is on or after the day the person left "
                                 f"({show(left_on)}).")
    if start > today + timedelta(days=LEAVE_PLANNED_DAYS):
        checks.add("start_date", "Leave can be recorded up to a year ahead.")
    if back_on is not None and back_on <= start:
        checks.add("end_date", "The day back must be after the first day away.")
    elif back_on is not None and left_on is not None and back_on > left_on:
        checks.add("end_date", f"The day back is after the day the person left ({show(left_on)}).")
    for other_start, other_back in others:
        if (back_on is None or other_start < back_on) and (other_back is None or start < other_back):
            until = f"back on {show(other_back)}" if other_back else "return not known"
            checks.add("start_date", f"This overlaps another leave (from {show(other_start)}, {until}); "
                                     "change that one instead.")
            break
    return checks.problems


def _leave_values(row: Leave) -> dict[str, Any]:
    return {"staff_id": row.staff_id, "start_date": row.start_date, "end_date": row.end_date}


def _writable_leave(session: Session, writer: Writer, leave_id: object, today: date) -> Leave:
    """A recorded leave of a worker the writer may record for; any other reads as not found."""
    row = session.get(Leave, leave_id) if isinstance(leave_id, int) and 1 <= leave_id <= MAX_ID else None
    if row is None or writer.role not in LEAVE_ROLES or not writable_worker_ids(session, writer, [row.staff_id],
                                                                                 today):
        raise Rejected([Problem("leave", "That leave was not found among your workers' records.")])
    return row


def save_leave(session: Session, writer: Writer, raw: Mapping[str, Any], today: date,
               leave_id: int | None = None) -> int:
    """Record a new leave (raw names worker_id) or change the dates of a recorded one; returns its id.

    Supervisors record for the peer workers on their teams today, quality and admin for anyone; peer workers
    cannot. Flushes with its audit event; raises Rejected (nothing written) on any problem.
    """
    checks = _Checks()
    existing = _writable_leave(session, writer, leave_id, today) if leave_id is not None else None
    worker_id = existing.staff_id if existing else checks.identifier("worker_id", "Worker", raw.get("worker_id"))
    start = checks.date("start_date", "The first day away", raw.get("start_date"))
    back_raw = raw.get("end_date")
    back_on = checks.date("end_date", "The day back", back_raw) if back_raw not in (None, "") else None
    if writer.role not in LEAVE_ROLES:
        checks.add("worker_id", "Leave is recorded by a supervisor or an administrator.")
    elif worker_id is not None and not writable_worker_ids(session, writer, [worker_id], today):
        checks.add("worker_id", "That worker is not a peer worker on your teams.")
    if checks.problems or worker_id is None or start is None:
        raise Rejected(checks.problems or [Problem("form", "The leave could not be read.")])
    person = session.get(Staff, worker_id)
    assert person is not None  # writable_worker_ids found them
    others = session.execute(select(Leave.start_date, Leave.end_date).where(
        Leave.staff_id == worker_id, Leave.id != (existing.id if existing else -1))).all()
    problems = leave_problems(start, back_on, person.hire_date, person.left_on, others, today)
    if problems:
        raise Rejected(problems)
    if existing is None:
        row, old = Leave(staff_id=worker_id, start_date=start, end_date=back_on), None
        session.add(row)
    else:
        row, old = existing, _leave_values(existing)
        row.start_date, row.end_date = start, back_on
    session.flush()
    record(session, writer.actor, "create" if old is None else "update", "leave", row.id, old, _leave_values(row))
    return row.id


def delete_leave(session: Session, writer: Writer, leave_id: object, today: date) -> None:
    """Remove a leave recorded by mistake (audited with its dates)."""
    row = _writable_leave(session, writer, leave_id, today)
    old = _leave_values(row)
    session.delete(row)
    session.flush()
    record(session, writer.actor, "delete", "leave", leave_id if isinstance(leave_id, int) else None, old, None)
