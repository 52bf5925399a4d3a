"""The navbar's search: peer workers on a team today and teams in use, within the viewer's scope, by name."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.queries.common import members_on
from dashboard.scope import Scope
from models import Program, Staff, Team

MIN_LENGTH = 2  # one letter matches half the agency
LIMIT = 8  # per kind: a list to scan, not a report


@dataclass(frozen=True)
class Hit:
    kind: str  # "worker" or "team"
    id: int
    name: str
    team_id: int
    team_name: str  # a worker's team today, or the team itself
    program_name: str


def _like(text: str) -> str:
    """A case-insensitive contains-pattern with the LIKE wildcards in the text taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find(session: Session, scope: Scope, text: str, today: date) -> list[Hit]:
    """Workers (by name or employee code) on a team in scope today, then teams in scope and in use (by name); at
    most LIMIT of each, by name. Nothing for fewer than MIN_LENGTH characters, or for a scope with no teams (a peer
    worker's: their own record is one click away)."""
    text = " ".join(text.split())[:80]
    if len(text) < MIN_LENGTH or not scope.sees_teams:
        return []
    pattern = _like(text)
    teams_in_scope = select(Team.id).where(scope.teams(Team.id))
    members = members_on(today, teams_in_scope).subquery()
    workers = session.execute(
        select(Staff.id, Staff.full_name, Team.id, Team.name, Program.name)
        .join(members, members.c.worker_id == Staff.id).join(Team, Team.id == members.c.team_id)
        .join(Program, Program.id == Team.program_id)
        .where(func.lower(Staff.full_name).like(pattern, escape="\\")
               | func.lower(func.coalesce(Staff.employee_code, "")).like(pattern, escape="\\"))
        .order_by(Staff.full_name, Staff.id).limit(LIMIT)).all()
    teams = session.execute(
        select(Team.id, Team.name, Program.name).join(Program, Program.id == Team.program_id)
        .where(scope.teams(Team.id), Team.archived_on.is_(None), func.lower(Team.name).like(pattern, escape="\\"))
        .order_by(Team.name, Team.id).limit(LIMIT)).all()
    return ([Hit("worker", wid, name, tid, team, program) for wid, name, tid, team, program in workers]
            + [Hit("team", tid, name, tid, name, program) for tid, name, program in teams])
