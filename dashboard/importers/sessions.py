"""Import of supervision sessions: matched by supervisor, date and the set of attendees."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.bulk import allocate_ids, bulk_insert
from dashboard.importers.plan import (Calendar, Plan, RowChecker, StaffRef, active_framework_competencies,
                                      chunks, new_rows, read_competencies, read_people, read_person,
                                      record_created, staff_by_code)
from dashboard.importers.reading import Column, Kind, ParsedFile, RowError
from dashboard.recording import (MAX_MINUTES, MIN_MINUTES, NOTE_LIMIT, after_leaving, attendee_count_fits, before_hire,
                                 in_future, minutes_allowed)
from dashboard.dates import show
from models import (SESSION_FORMATS, SESSION_KINDS, SESSION_MODALITIES, SessionAttendee, SessionCompetency,
                    SupervisionSession, utcnow)
from models.vocabulary import Role, SessionFormat

KIND = Kind("sessions", "Supervision sessions", (
    Column("held_on", True, "Date of the session, YYYY-MM-DD; not in the future.", "2025-10-06"),
    Column("supervisor_code", True, "Employee code of the supervisor.", "E0007"),
    Column("format", True, "individual or group.", "individual"),
    Column("kind", True, "administrative, supportive, clinical_educational or direct_observation.",
           "supportive"),
    Column("modality", True, "in_person, video or phone.", "in_person"),
    Column("minutes", True, f"Whole minutes, {MIN_MINUTES}–{MAX_MINUTES}.", "60"),
    Column("attendee_codes", True, "Employee codes of the peer workers, separated by ';'. "
           "Individual: one; group: two or more.", "E1042"),
    Column("competencies", False, "Competency codes discussed, separated by ';'.", "VIII.3; IX.6"),
    Column("note", False, "Free text about the supervision (no client information).", ""),
), "A session is matched by supervisor, date and attendees; a row that matches a recorded session "
   "with the same details changes nothing.")



# The session row rules: the same rules as the supervisor's form (dashboard/recording.py, check_session),
# applied to a whole file with the facts loaded once (Calendar) instead of a few queries per row. The
# minutes range, the attendee count, the future and the hire and leaving dates are recording.py's functions
# (minutes_allowed, attendee_count_fits, in_future, before_hire, after_leaving), called by both; who was on
# the supervisor's teams is checked here against the Calendar. tests/unit/test_importers.py checks row by row
# that both give the same verdict; a rule added there that is not one of those functions must be added here.

def check_session_facts(check: RowChecker, held_on: date | None, supervisor: StaffRef | None,
                        format_: str | None, attendees: list[StaffRef], calendar: Calendar) -> None:
    if supervisor and held_on and not in_future(held_on, check.today):
        supervised = calendar.teams_supervised(supervisor.id, held_on)
        for worker in attendees:
            if before_hire(held_on, worker.hire_date):
                check.fail("attendee_codes", f"{worker.code} was hired later ({show(worker.hire_date)})",
                           worker.code or "")
            elif after_leaving(held_on, worker.left_on):
                check.fail("attendee_codes", f"{worker.code} had left ({show(worker.left_on)})",
                           worker.code or "")
            elif not calendar.team_of(worker.id, held_on) & supervised:
                check.fail("attendee_codes", f"{worker.code} was not on a team this supervisor supervised "
                                             "on that date", worker.code or "")
    if format_ and attendees and not attendee_count_fits(format_, len(attendees)):
        check.fail("attendee_codes", "an individual session has exactly one attendee"
                   if format_ == SessionFormat.INDIVIDUAL else "a group session needs at least two attendees")


def read_minutes(check: RowChecker) -> int | None:
    minutes = check.integer("minutes")
    if minutes is not None and not minutes_allowed(minutes):
        check.fail("minutes", f"minutes must be between {MIN_MINUTES} and {MAX_MINUTES}")
        return None
    return minutes



@dataclass(frozen=True)
class SessionRow:
    row: int
    held_on: date
    supervisor_id: int
    format: str
    kind: str
    modality: str
    minutes: int
    attendee_ids: tuple[int, ...]  # sorted
    competency_ids: tuple[int, ...]  # sorted
    note: str | None

    @property
    def key(self) -> tuple[int, date, tuple[int, ...]]:
        return (self.supervisor_id, self.held_on, self.attendee_ids)

    @property
    def details(self) -> tuple[Any, ...]:
        return (self.format, self.kind, self.modality, self.minutes, self.competency_ids, self.note or None)


def make_plan(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    plan = Plan(KIND, len(parsed.rows), list(parsed.errors))
    by_code = staff_by_code(session)
    competencies = active_framework_competencies(session)
    staged: list[tuple[RowChecker, date | None, StaffRef | None, str | None, list[StaffRef], dict[str, Any]]] = []
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        held_on = check.date("held_on")
        supervisor = read_person(check, "supervisor_code", by_code, Role.SUPERVISOR, "one supervisor per session")
        format_ = check.choice("format", SESSION_FORMATS)
        fields = {"kind": check.choice("kind", SESSION_KINDS), "modality": check.choice("modality", SESSION_MODALITIES),
                  "minutes": read_minutes(check),
                  "competency_ids": read_competencies(check, "competencies", competencies, required=False),
                  "note": check.text("note", required=False, max_length=NOTE_LIMIT)}
        attendees = read_people(check, "attendee_codes", by_code, Role.PEER_WORKER)
        staged.append((check, held_on, supervisor, format_, attendees, fields))
    calendar = Calendar.load(session, {s[2].id for s in staged if s[2]}, {w.id for s in staged for w in s[4]})
    checked: list[SessionRow] = []
    for check, held_on, supervisor, format_, attendees, fields in staged:
        check_session_facts(check, held_on, supervisor, format_, attendees, calendar)
        if plan.rejects(check):
            continue
        assert held_on and supervisor and format_
        checked.append(SessionRow(check.row, held_on, supervisor.id, format_, fields["kind"], fields["modality"],
                                  fields["minutes"], tuple(sorted(w.id for w in attendees)),
                                  tuple(sorted(fields["competency_ids"])), fields["note"]))
    existing = _recorded_sessions(session, checked)
    names = {ref.id: ref.code for ref in by_code.values()}
    to_insert = new_rows(
        plan, "session", checked, existing, details=lambda item: item.details,
        label=lambda item: f"{show(item.held_on)} {names[item.supervisor_id]} with "
                           + ", ".join(str(names[w]) for w in item.attendee_ids),
        duplicate=lambda item, earlier: RowError(
            item.row, "attendee_codes", "",
            f"duplicate row: the same supervisor, date and attendees are on row {earlier}"),
        conflict=lambda item, _recorded: RowError(
            item.row, "attendee_codes", "", "a session with this supervisor, date and attendees is already recorded "
            "with other details; correct it in the app"))

    def apply(s: Session, actor: Actor) -> None:
        ids = insert_sessions(s, to_insert, actor)
        # What the form's "create" event holds (recording._session_values), plus the file's row.
        record_created(s, actor, "create", "supervision_session", (
            (sid, {"held_on": r.held_on, "minutes": r.minutes, "format": r.format, "kind": r.kind,
                   "modality": r.modality, "supervisor_id": r.supervisor_id, "note": r.note,
                   "attendee_ids": sorted(r.attendee_ids), "competency_ids": sorted(r.competency_ids),
                   "version": 1, "row": r.row}) for sid, r in zip(ids, to_insert)))

    plan.apply = apply
    return plan


def _recorded_sessions(session: Session, rows: Sequence[SessionRow]) -> dict[tuple[int, date, tuple[int, ...]],
                                                                              tuple[Any, ...]]:
    """Sessions already recorded with a file row's natural key, with their details: a few set-based queries.

    Narrows in steps: the supervisors' sessions in the file's date range, kept when a file row has the
    same supervisor and day; their attendees; and details and topics only for sessions whose key matches.
    """
    if not rows:
        return {}
    supervisors = sorted({r.supervisor_id for r in rows})
    pairs = {(r.supervisor_id, r.held_on) for r in rows}
    wanted_keys = {r.key for r in rows}
    first, last = min(r.held_on for r in rows), max(r.held_on for r in rows)
    in_range = and_(SupervisionSession.supervisor_id.in_(supervisors), SupervisionSession.held_on.between(first, last))
    candidates = {sid: (sup, held) for sid, sup, held in session.execute(
        select(SupervisionSession.id, SupervisionSession.supervisor_id, SupervisionSession.held_on).where(in_range))
        if (sup, held) in pairs}
    if not candidates:
        return {}
    attendees: dict[int, list[int]] = defaultdict(list)
    for sid, worker in session.execute(select(SessionAttendee.session_id, SessionAttendee.worker_id)
                                       .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
                                       .where(in_range)):
        if sid in candidates:
            attendees[sid].append(worker)
    matched = {sid: (sup, held, tuple(sorted(attendees.get(sid, ())))) for sid, (sup, held) in candidates.items()}
    matched = {sid: key for sid, key in matched.items() if key in wanted_keys}
    found: dict[tuple[int, date, tuple[int, ...]], tuple[Any, ...]] = {}
    for chunk in chunks(sorted(matched)):
        topics: dict[int, list[int]] = defaultdict(list)
        for sid, cid in session.execute(select(SessionCompetency.session_id, SessionCompetency.competency_id)
                                        .where(SessionCompetency.session_id.in_(chunk))):
            topics[sid].append(cid)
        for sid, fmt, kind, modality, minutes, note in session.execute(
                select(SupervisionSession.id, SupervisionSession.format, SupervisionSession.kind,
                       SupervisionSession.modality, SupervisionSession.minutes, SupervisionSession.note)
                .where(SupervisionSession.id.in_(chunk))):
            found[matched[sid]] = (fmt, kind, modality, minutes, tuple(sorted(topics.get(sid, ()))), note or None)
    return found



SESSION_COLUMNS = ("id", "held_on", "minutes", "format", "kind", "modality", "supervisor_id", "note",
                   "created_by_id", "created_at", "updated_by_id", "updated_at", "version")


def session_tuples(ids: Sequence[int], rows: Sequence[SessionRow], user_id: int | None
                   ) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]], list[tuple[int, int]]]:
    """Sessions, attendees and topics as tuples for bulk_insert
    (SESSION_COLUMNS; session, worker; session, competency)."""
    now = utcnow().replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    sessions = [(sid, r.held_on, r.minutes, r.format, r.kind, r.modality, r.supervisor_id, r.note, user_id, now,
                 user_id, now, 1) for sid, r in zip(ids, rows)]
    attendees = [(sid, w) for sid, r in zip(ids, rows) for w in r.attendee_ids]
    topics = [(sid, c) for sid, r in zip(ids, rows) for c in r.competency_ids]
    return sessions, attendees, topics


def insert_sessions(session: Session, rows: Sequence[SessionRow], actor: Actor) -> list[int]:
    """Bulk-insert checked sessions with their attendees and topics, ids taken up front; returns the new ids."""
    if not rows:
        return []
    ids = allocate_ids(session, SupervisionSession.__table__, len(rows))
    sessions, attendees, topics = session_tuples(ids, rows, actor.user_id)
    bulk_insert(session, SupervisionSession.__table__, SESSION_COLUMNS, sessions)
    bulk_insert(session, SessionAttendee.__table__, ("session_id", "worker_id"), attendees)
    bulk_insert(session, SessionCompetency.__table__, ("session_id", "competency_id"), topics)
    return ids

