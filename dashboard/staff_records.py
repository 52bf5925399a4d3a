"""Staff records: create and edit a person (name, code, role, dates, FTE, peer credential), and a supervisor's teams
with start and end dates; audited, refused whole with a message per field, and refused when stale.

The People page's staff form calls save_staff, and the Hypothesis test calls the same function. An edit names the
values the editor loaded; when the record changed since (another editor, an import), nothing is written, as the
session form refuses a stale session. A worker's team moves are dated history in dashboard/people.py (TEAMS).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, func, select, true, update
from sqlalchemy.orm import Session

from dashboard import dates
from dashboard.audit import Actor, plain, record
from dashboard.people import STALE_WORKER, changed_rows
from dashboard.recording import MAX_ID, Problem, Rejected, after_leaving, before_hire, in_future
from dashboard.dates import show
from models import (STAFF_ROLES, CompetencyRating, Program, SessionAttendee, StageAssignment, Staff,
                    SupervisionSession, Team, TeamMembership, TeamSupervisor)
from models.vocabulary import Role

NAME_LIMIT, CODE_LIMIT = 120, 40
FIELDS = ("full_name", "employee_code", "role", "hire_date", "left_on", "fte", "peer_credential")
STALE = ("Someone else changed this person's record after you opened it. Nothing was saved: the form now shows "
         "their change; try again.")


@dataclass(frozen=True)
class StaffView:
    id: int
    employee_code: str | None
    full_name: str
    role: str
    hire_date: date
    left_on: date | None
    fte: Decimal
    peer_credential: bool

    def values(self) -> dict[str, Any]:
        """The form's values, JSON-safe: what the editor saw, sent back with the save."""
        return {name: plain(getattr(self, name)) for name in FIELDS}


@dataclass(frozen=True)
class Supervision:
    id: int
    team_id: int
    team_name: str  # "Team (Program)"
    start: date
    end: date | None


def staff_list(session: Session) -> list[StaffView]:
    return [StaffView(*row) for row in session.execute(
        select(Staff.id, Staff.employee_code, Staff.full_name, Staff.role, Staff.hire_date, Staff.left_on, Staff.fte,
               Staff.peer_credential).order_by(Staff.full_name, Staff.id))]


def staff_view(session: Session, staff_id: int) -> StaffView | None:
    row = session.execute(select(Staff.id, Staff.employee_code, Staff.full_name, Staff.role, Staff.hire_date,
                                 Staff.left_on, Staff.fte, Staff.peer_credential)
                          .where(Staff.id == staff_id)).one_or_none()
    return StaffView(*row) if row else None


def _day(raw: object, field: str, label: str, problems: list[Problem], required: bool) -> date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            problems.append(Problem(field, f"{label} is required."))
        return None
    if isinstance(raw, str):
        try:
            return dates.parse(raw)
        except ValueError:
            pass
    problems.append(Problem(field, f"{label}: {dates.asked_for(mid_sentence=True)}"))
    return None


def _fte(raw: object, problems: list[Problem]) -> Decimal | None:
    if raw is None or raw == "":
        return Decimal("1.00")
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise InvalidOperation
        fte = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        problems.append(Problem("fte", "FTE must be a number above 0 and at most 1, e.g. 0.8."))
        return None
    if not fte.is_finite() or not Decimal(0) < fte <= Decimal(1):
        problems.append(Problem("fte", "FTE must be above 0 and at most 1, e.g. 0.8."))
        return None
    if fte != fte.quantize(Decimal("0.01")):
        problems.append(Problem("fte", "FTE has at most two decimals."))
        return None
    return fte.quantize(Decimal("0.01"))


def parse_staff(raw: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The form's values checked one by one: the values to save, or a problem per field."""
    problems: list[Problem] = []
    name = raw.get("full_name")
    full_name = " ".join(name.split()) if isinstance(name, str) else ""
    if not full_name:
        problems.append(Problem("full_name", "The name is required."))
    elif len(full_name) > NAME_LIMIT:
        problems.append(Problem("full_name", f"The name is {len(full_name)} characters; keep it to {NAME_LIMIT}."))
    code_raw = raw.get("employee_code")
    code = code_raw.strip() or None if isinstance(code_raw, str) else None
    if code_raw is not None and not isinstance(code_raw, str):
        problems.append(Problem("employee_code", "The employee code must be text."))
    elif code is not None and (len(code) > CODE_LIMIT or any(c.isspace() for c in code)):
        problems.append(Problem("employee_code", f"The employee code is at most {CODE_LIMIT} characters, without "
                                                 "spaces."))
    role = raw.get("role")
    if role not in STAFF_ROLES:
        problems.append(Problem("role", "Choose peer worker or supervisor."))
    hire = _day(raw.get("hire_date"), "hire_date", "The hire date", problems, required=True)
    left = _day(raw.get("left_on"), "left_on", "The leaving date", problems, required=False)
    if hire and left and left < hire:
        problems.append(Problem("left_on", "The leaving date is before the hire date."))
    fte = _fte(raw.get("fte"), problems)
    credential = raw.get("peer_credential")
    if credential is None:
        credential = False
    if not isinstance(credential, bool):
        problems.append(Problem("peer_credential", "Tick the peer credential or leave it clear."))
    elif credential and role == Role.PEER_WORKER:
        problems.append(Problem("peer_credential", "The peer credential is recorded for supervisors (who supervise "
                                                   "from lived experience)."))
    if problems:
        return None, problems
    return {"full_name": full_name, "employee_code": code, "role": str(role), "hire_date": hire, "left_on": left,
            "fte": fte, "peer_credential": credential}, []


def _recorded_days(session: Session, staff_id: int) -> tuple[date | None, date | None, int]:
    """The first and last day the person's records name (teams, stages, supervision, sessions), and how many."""
    days: list[date] = []
    for model in (TeamMembership, TeamSupervisor, StageAssignment):
        days += session.scalars(select(model.start_date).where(model.staff_id == staff_id)).all()
    days += session.scalars(select(SupervisionSession.held_on).join(
        SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
        .where(SessionAttendee.worker_id == staff_id)).all()
    days += session.scalars(select(SupervisionSession.held_on)
                            .where(SupervisionSession.supervisor_id == staff_id)).all()
    ratings = session.scalar(select(func.count()).select_from(CompetencyRating).where(
        (CompetencyRating.worker_id == staff_id) | (CompetencyRating.rater_id == staff_id)))
    return (min(days) if days else None), (max(days) if days else None), len(days) + (ratings or 0)


def _same(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def save_staff(session: Session, actor: Actor, raw: Mapping[str, Any], staff_id: object = None,
               seen: object = None) -> int:
    """Create a person (staff_id None) or edit one the editor opened (seen: the values they loaded); returns the
    id. Rejected (nothing written) with a problem per field; a stale copy is refused."""
    if not isinstance(raw, Mapping):
        raise Rejected([Problem("form", "The form could not be read; reload the page.")])
    values, problems = parse_staff(raw)
    current = None
    if staff_id is not None:
        if not (isinstance(staff_id, int) and not isinstance(staff_id, bool) and 1 <= staff_id <= MAX_ID):
            raise Rejected([Problem("person", "Choose a person on the list.")])
        current = staff_view(session, staff_id)
        if current is None:
            raise Rejected([Problem("person", "Choose a person on the list.")])
        if seen != current.values():
            raise Rejected([Problem("person", STALE)])
    if values is None:
        raise Rejected(problems)
    if values["employee_code"] is not None and session.scalar(select(func.count()).select_from(Staff).where(
            Staff.employee_code == values["employee_code"], Staff.id != (current.id if current else 0))):
        problems.append(Problem("employee_code", f"{values['employee_code']} is another person's employee code."))
    if current is not None:
        first, last, recorded = _recorded_days(session, current.id)
        if values["role"] != current.role and recorded:
            problems.append(Problem("role", "The role is not changed once the person has teams, stages, sessions or "
                                            "ratings recorded; record the new role as a new person."))
        if first is not None and values["hire_date"] > first:
            problems.append(Problem("hire_date", f"The hire date is after the first day their records name "
                                                 f"({show(first)})."))
        if last is not None and values["left_on"] is not None and values["left_on"] <= last:
            problems.append(Problem("left_on", f"The leaving date must be after the last day their records name "
                                               f"({show(last)})."))
    if problems:
        raise Rejected(problems)
    if current is None:
        person = Staff(**values)
        session.add(person)
        session.flush()
        record(session, actor, "create", "staff", person.id, None, values)
        return person.id
    old = {name: getattr(current, name) for name in FIELDS}
    changed = {name: value for name, value in values.items() if old[name] != value}
    if not changed:
        raise Rejected([Problem("form", "Nothing to save: the record already has these values.")])
    # Compare-and-set on every field read: a save committed between our read and this write matches no row.
    guard = [_same(getattr(Staff, name), old[name]) for name in FIELDS]
    if changed_rows(session, update(Staff).where(Staff.id == current.id, *guard).values(**changed)) != 1:
        raise Rejected([Problem("person", STALE)])
    record(session, actor, "update", "staff", current.id, {k: old[k] for k in changed}, changed)
    return current.id


# ---------------------------------------------------------------------------------------------------------------
# A supervisor's teams (several at once, each with its own dates)


def supervisions(session: Session, staff_id: int) -> list[Supervision]:
    return [Supervision(sid, tid, f"{team} ({program})", start, end) for sid, tid, team, program, start, end in
            session.execute(select(TeamSupervisor.id, Team.id, Team.name, Program.name, TeamSupervisor.start_date,
                                   TeamSupervisor.end_date)
                            .join(Team, Team.id == TeamSupervisor.team_id).join(Program, Program.id == Team.program_id)
                            .where(TeamSupervisor.staff_id == staff_id).order_by(TeamSupervisor.start_date))]


def _supervisor(session: Session, staff_id: object) -> Staff:
    person = (session.get(Staff, staff_id) if isinstance(staff_id, int) and not isinstance(staff_id, bool)
              and 1 <= staff_id <= MAX_ID else None)
    if person is None or person.role != Role.SUPERVISOR:
        raise Rejected([Problem("person", "Choose a supervisor on the list.")])
    return person


def _first_day_problems(start: date, person: Staff, today: date, label: str) -> list[Problem]:
    """A supervisor's first day on a team: not in the future, on staff that day."""
    problems = []
    if in_future(start, today):
        problems.append(Problem("from_date", f"{label} is in the future (today is {show(today)})."))
    if before_hire(start, person.hire_date):
        problems.append(Problem("from_date", f"{label} is before the hire date ({show(person.hire_date)})."))
    if after_leaving(start, person.left_on):
        problems.append(Problem("from_date", f"{label} is on or after the day they left ({show(person.left_on)})."))
    return problems


def add_supervision(session: Session, actor: Actor, staff_id: object, team_id: object, raw_start: object,
                    today: date) -> int:
    """The supervisor leads the team from the date on (alongside their other teams)."""
    person = _supervisor(session, staff_id)
    problems: list[Problem] = []
    team = (session.get(Team, team_id) if isinstance(team_id, int) and not isinstance(team_id, bool)
            and 1 <= team_id <= MAX_ID else None)
    if team is None or team.archived_on is not None:
        problems.append(Problem("team", "Choose a team in use."))
    start = _day(raw_start, "from_date", "The first day", problems, required=True)
    if start is not None:
        problems += _first_day_problems(start, person, today, "The date")
    if team is not None and start is not None and not problems:
        for other in supervisions(session, person.id):
            if other.team_id == team.id and (other.end is None or other.end > start):
                problems.append(Problem("team", f"{person.full_name} already supervises {other.team_name} from "
                                                f"{show(other.start)}" + (f" to {show(other.end)}."
                                                                               if other.end else ".")))
    if problems or team is None or start is None:
        raise Rejected(problems)
    row = TeamSupervisor(team_id=team.id, staff_id=person.id, start_date=start)
    session.add(row)
    session.flush()
    record(session, actor, "create", "team_supervisor", row.id, None,
           {"staff_id": person.id, "team_id": team.id, "start_date": start})
    return row.id


def _sessions_left_outside(session: Session, supervisor_id: int, entry: Supervision, start: date,
                           end: date | None) -> list[Problem]:
    """New dates for one of a supervisor's team entries may not leave out sessions they recorded with that team's
    workers (on the team that day) on days the old dates covered: recording requires the worker to be on one of
    the supervisor's teams on the day (recording._supervised_on), and the dates are what says so."""
    day = SessionAttendee.held_on
    old = (day >= entry.start) & ((day < entry.end) if entry.end is not None else true())
    new = (day >= start) & ((day < end) if end is not None else true())
    count, first, last = session.execute(
        select(func.count(func.distinct(SupervisionSession.id)), func.min(day), func.max(day))
        .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
        .join(TeamMembership, (TeamMembership.staff_id == SessionAttendee.worker_id)
              & (TeamMembership.team_id == entry.team_id) & (TeamMembership.start_date <= day)
              & (TeamMembership.end_date.is_(None) | (TeamMembership.end_date > day)))
        .where(SupervisionSession.supervisor_id == supervisor_id, old, ~new)).one()
    if not count:
        return []
    span = f"on {show(first)}" if first == last else f"from {show(first)} to {show(last)}"
    return [Problem("supervision", f"They recorded {count} session{'s' * (count != 1)} with this team's workers "
                                   f"{span}, outside the new dates. Choose dates that include "
                                   f"{'it' if count == 1 else 'them'}, or correct those sessions first.")]


def end_supervision(session: Session, actor: Actor, staff_id: object, supervision_id: object,
                    raw_end: object) -> None:
    """The supervisor's last day on a team is the day before `raw_end` (the day it ends, as every dated row)."""
    person = _supervisor(session, staff_id)
    mine = {s.id: s for s in supervisions(session, person.id)}
    entry = mine.get(supervision_id) if isinstance(supervision_id, int) else None
    if entry is None or entry.end is not None:
        raise Rejected([Problem("supervision", "Choose one of their teams that has no end yet.")])
    problems: list[Problem] = []
    end = _day(raw_end, "end_date", "The end date", problems, required=True)
    if end is not None and end <= entry.start:
        problems.append(Problem("end_date", f"The end date must be after the first day ({show(entry.start)})."))
    if end is not None and not problems:
        problems += _sessions_left_outside(session, person.id, entry, entry.start, end)
    if problems or end is None:
        raise Rejected(problems)
    if changed_rows(session, update(TeamSupervisor).where(TeamSupervisor.id == entry.id,
                                                          TeamSupervisor.end_date.is_(None)).values(end_date=end)) != 1:
        raise Rejected([Problem("supervision", STALE_WORKER)])
    record(session, actor, "update", "team_supervisor", entry.id, {"end_date": None}, {"end_date": end})


def edit_supervision_dates(session: Session, actor: Actor, staff_id: object, supervision_id: object,
                           raw_start: object, raw_end: object, seen: object, today: date) -> None:
    """Correct the first day (and the end, empty: still leads the team) of one of the supervisor's team entries, as
    dated history: the end after the first day, the first day on staff and not in the future, and no overlap with
    another entry of theirs for the same team. `seen` is the entry's [start, end] as the editor loaded it."""
    person = _supervisor(session, staff_id)
    mine = {s.id: s for s in supervisions(session, person.id)}
    entry = mine.get(supervision_id) if isinstance(supervision_id, int) and not isinstance(supervision_id, bool) \
        else None
    if entry is None:
        raise Rejected([Problem("supervision", "Choose one of their teams on the list.")])
    shown = [entry.start.isoformat(), entry.end.isoformat() if entry.end else None]
    if seen != shown:
        raise Rejected([Problem("supervision", STALE_WORKER)])
    problems: list[Problem] = []
    start = _day(raw_start, "from_date", "The first day", problems, required=True)
    end = _day(raw_end, "end_date", "The end date", problems, required=False)
    if start is not None:
        problems += _first_day_problems(start, person, today, "The first day")
    if start is not None and end is not None and end <= start:
        problems.append(Problem("end_date", f"The end date must be after the first day ({show(start)})."))
    if start is not None and not problems:
        for other in mine.values():
            if other.id != entry.id and other.team_id == entry.team_id and \
                    (end is None or other.start < end) and (other.end is None or other.end > start):
                problems.append(Problem("supervision", f"Those dates overlap their other time on {other.team_name} "
                                                       f"(from {show(other.start)}"
                                                       + (f" to {show(other.end)})." if other.end else ").")))
    if start is not None and not problems:
        problems += _sessions_left_outside(session, person.id, entry, start, end)
    if problems or start is None:
        raise Rejected(problems)
    if (start, end) == (entry.start, entry.end):
        raise Rejected([Problem("supervision", "Nothing to save: the entry already has these dates.")])
    same_end = TeamSupervisor.end_date.is_(None) if entry.end is None else TeamSupervisor.end_date == entry.end
    if changed_rows(session, update(TeamSupervisor).where(TeamSupervisor.id == entry.id,
                                                          TeamSupervisor.start_date == entry.start, same_end)
                    .values(start_date=start, end_date=end)) != 1:
        raise Rejected([Problem("supervision", STALE_WORKER)])
    old = {"start_date": entry.start, "end_date": entry.end}
    new = {"start_date": start, "end_date": end}
    record(session, actor, "update", "team_supervisor", entry.id, {k: v for k, v in old.items() if new[k] != v},
           {k: v for k, v in new.items() if old[k] != v})
