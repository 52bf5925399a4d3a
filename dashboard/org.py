"""Programs and teams: create, rename, archive (and restore), audited; an archived one keeps its history.

The People page calls these; each write is one transaction with its audit event and raises Rejected (nothing
written) with a message per field. Renames and archiving name what the editor saw (the name and the archived
state): when someone changed it in between, the save is refused, as the session form refuses a stale session.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.people import changed_rows
from dashboard.recording import MAX_ID, Problem, Rejected
from models import Program, Team, TeamMembership, TeamSupervisor

NAME_LIMIT = 120
DESCRIPTION_LIMIT = 500
STALE = ("Someone else changed this {what} after you opened the page. Nothing was saved: the list now shows their "
         "change; try again.")


@dataclass(frozen=True)
class TeamRow:
    id: int
    program_id: int
    name: str
    archived_on: date | None
    workers_now: int  # peer workers on the team today
    supervisors_now: int


@dataclass(frozen=True)
class ProgramRow:
    id: int
    name: str
    description: str | None
    archived_on: date | None
    teams: tuple[TeamRow, ...]


def _held_on(model: Any, day: date) -> ColumnElement[bool]:
    return (model.start_date <= day) & (or_(model.end_date.is_(None), model.end_date > day))


def programs_and_teams(session: Session, today: date) -> list[ProgramRow]:
    """Every program with its teams (archived ones too), by name; who is on each team today."""
    workers = dict(session.execute(select(TeamMembership.team_id, func.count()).where(
        _held_on(TeamMembership, today)).group_by(TeamMembership.team_id)).all())
    supervisors = dict(session.execute(select(TeamSupervisor.team_id, func.count()).where(
        _held_on(TeamSupervisor, today)).group_by(TeamSupervisor.team_id)).all())
    teams: dict[int, list[TeamRow]] = {}
    for tid, pid, name, archived in session.execute(select(Team.id, Team.program_id, Team.name, Team.archived_on)
                                                    .order_by(Team.name, Team.id)):
        teams.setdefault(pid, []).append(TeamRow(tid, pid, name, archived, workers.get(tid, 0),
                                                 supervisors.get(tid, 0)))
    return [ProgramRow(pid, name, description, archived, tuple(teams.get(pid, ())))
            for pid, name, description, archived in session.execute(
                select(Program.id, Program.name, Program.description, Program.archived_on)
                .order_by(Program.name, Program.id))]


def open_teams(session: Session) -> list[tuple[int, str]]:
    """(team id, "Team (Program)") of the teams in use: what a move or a supervisor's new team may name."""
    return [(tid, f"{team} ({program})") for tid, team, program in session.execute(
        select(Team.id, Team.name, Program.name).join(Program, Program.id == Team.program_id)
        .where(Team.archived_on.is_(None)).order_by(Program.name, Team.name))]


def _name(raw: object, field: str, what: str) -> tuple[str | None, list[Problem]]:
    if not isinstance(raw, str) or not raw.strip():
        return None, [Problem(field, f"Give the {what} a name.")]
    name = " ".join(raw.split())
    if len(name) > NAME_LIMIT:
        return None, [Problem(field, f"The name is {len(name)} characters; keep it to {NAME_LIMIT}.")]
    return name, []


def _identifier(raw: object) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= MAX_ID else None


def create_program(session: Session, actor: Actor, raw_name: object, raw_description: object = None) -> int:
    name, problems = _name(raw_name, "program_name", "program")
    description = None
    if raw_description is not None and not isinstance(raw_description, str):
        problems.append(Problem("description", "The description must be text."))
    elif isinstance(raw_description, str) and raw_description.strip():
        description = raw_description.strip()
        if len(description) > DESCRIPTION_LIMIT:
            problems.append(Problem("description", f"The description is {len(description)} characters; keep it "
                                                   f"to {DESCRIPTION_LIMIT}."))
    if name is not None and session.scalar(select(func.count()).select_from(Program).where(
            func.lower(Program.name) == name.lower())):
        problems.append(Problem("program_name", f"A program called “{name}” already exists."))
    if name is None or problems:
        raise Rejected(problems)
    program = Program(name=name, description=description)
    session.add(program)
    session.flush()
    record(session, actor, "create", "program", program.id, None, {"name": name, "description": description})
    return program.id


def create_team(session: Session, actor: Actor, program_id: object, raw_name: object) -> int:
    name, problems = _name(raw_name, "team_name", "team")
    program = session.get(Program, pid) if (pid := _identifier(program_id)) else None
    if program is None:
        problems.append(Problem("program", "Choose the team's program."))
    elif program.archived_on is not None:
        problems.append(Problem("program", f"{program.name} is archived; restore it first."))
    if name is not None and program is not None and session.scalar(select(func.count()).select_from(Team).where(
            Team.program_id == program.id, func.lower(Team.name) == name.lower())):
        problems.append(Problem("team_name", f"{program.name} already has a team called “{name}”."))
    if name is None or program is None or problems:
        raise Rejected(problems)
    team = Team(program_id=program.id, name=name)
    session.add(team)
    session.flush()
    record(session, actor, "create", "team", team.id, None, {"program_id": program.id, "name": name})
    return team.id


def _chosen(session: Session, kind: object, entity_id: object, seen_name: object, seen_archived: object
            ) -> Program | Team:
    """The program or team the editor chose, as long as it still has the name and state they saw."""
    row: Program | Team | None = None
    if kind == "program" and _identifier(entity_id):
        row = session.get(Program, entity_id)
    elif kind == "team" and _identifier(entity_id):
        row = session.get(Team, entity_id)
    if row is None:
        raise Rejected([Problem("chosen", "Choose a program or a team on the list.")])
    if row.name != seen_name or (row.archived_on is not None) != seen_archived:
        raise Rejected([Problem("chosen", STALE.format(what=str(kind)))])
    return row


def _compare_and_set(session: Session, row: Program | Team, **values: Any) -> None:
    """UPDATE … WHERE the row still has the name and archived day read: a change committed in between matches
    no row, and the save is refused."""
    model = type(row)
    archived = model.archived_on.is_(None) if row.archived_on is None else model.archived_on == row.archived_on
    if changed_rows(session, update(model).where(model.id == row.id, model.name == row.name, archived)
                       .values(**values)) != 1:
        raise Rejected([Problem("chosen", STALE.format(what=model.__tablename__[:-1]))])
    session.expire(row)


def rename(session: Session, actor: Actor, kind: object, entity_id: object, raw_name: object, seen_name: object,
           seen_archived: object) -> None:
    row = _chosen(session, kind, entity_id, seen_name, seen_archived)
    name, problems = _name(raw_name, "rename", str(kind))
    if name is not None and name == row.name:
        problems.append(Problem("rename", f"It is already called “{name}”."))
    elif name is not None:
        siblings = (select(func.count()).select_from(Program).where(func.lower(Program.name) == name.lower(),
                                                                     Program.id != row.id)
                    if isinstance(row, Program) else
                    select(func.count()).select_from(Team).where(Team.program_id == row.program_id,
                                                                 func.lower(Team.name) == name.lower(),
                                                                 Team.id != row.id))
        if session.scalar(siblings):
            problems.append(Problem("rename", f"“{name}” is already taken" +
                                    ("." if isinstance(row, Program) else " in this program.")))
    if name is None or problems:
        raise Rejected(problems)
    old = row.name
    entity = "program" if isinstance(row, Program) else "team"
    _compare_and_set(session, row, name=name)
    record(session, actor, "update", entity, row.id, {"name": old}, {"name": name})


def set_archived(session: Session, actor: Actor, kind: object, entity_id: object, archive: bool,
                 seen_name: object, seen_archived: object, today: date) -> None:
    """Archive (from today) or restore a program or team. A team is archived only when no one is on it or
    supervises it from today on; a program only when all its teams are archived; a team is restored only in a
    program in use."""
    row = _chosen(session, kind, entity_id, seen_name, seen_archived)
    entity = "program" if isinstance(row, Program) else "team"
    if archive == (row.archived_on is not None):
        raise Rejected([Problem("chosen", f"“{row.name}” is already {'archived' if archive else 'in use'}.")])
    if archive and isinstance(row, Team):
        ahead = (TeamMembership.end_date.is_(None)) | (TeamMembership.end_date > today)
        workers = session.scalar(select(func.count()).select_from(TeamMembership).where(
            TeamMembership.team_id == row.id, ahead))
        led = (TeamSupervisor.end_date.is_(None)) | (TeamSupervisor.end_date > today)
        supervisors = session.scalar(select(func.count()).select_from(TeamSupervisor).where(
            TeamSupervisor.team_id == row.id, led))
        if workers or supervisors:
            raise Rejected([Problem("chosen", f"{row.name} still has {workers} peer worker(s) and {supervisors} "
                                              "supervisor(s) from today on: move the workers to other teams and end "
                                              "the supervisors' time on it first.")])
    if archive and isinstance(row, Program):
        open_teams_left = session.scalars(select(Team.name).where(Team.program_id == row.id,
                                                                  Team.archived_on.is_(None))).all()
        if open_teams_left:
            raise Rejected([Problem("chosen", f"{row.name} still has teams in use ({', '.join(open_teams_left)}): "
                                              "archive them first.")])
    if not archive and isinstance(row, Team):
        program = session.get(Program, row.program_id)
        if program is not None and program.archived_on is not None:
            raise Rejected([Problem("chosen", f"Its program, {program.name}, is archived: restore that first.")])
    old = row.archived_on
    _compare_and_set(session, row, archived_on=today if archive else None)
    record(session, actor, "archive" if archive else "restore", entity, row.id, {"archived_on": old},
           {"archived_on": today if archive else None})
