"""What a viewer may see, decided on the server from their account: every query takes a Scope."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, SQLColumnExpression, or_, select, true
from sqlalchemy.orm import Session

from dashboard.auth import Viewer
from models import TeamSupervisor
from models.vocabulary import Role


@dataclass(frozen=True)
class Scope:
    """team_ids None means every team; a peer worker's scope has no teams and only their own record."""

    team_ids: frozenset[int] | None
    worker_id: int | None = None

    @classmethod
    def agency(cls) -> Scope:
        return cls(team_ids=None)

    @property
    def sees_teams(self) -> bool:
        return self.team_ids is None or bool(self.team_ids)

    def teams(self, team_id_column: SQLColumnExpression[int]) -> ColumnElement[bool]:
        """A WHERE clause limiting a team id column to this scope."""
        return true() if self.team_ids is None else team_id_column.in_(sorted(self.team_ids))


def scope_for(session: Session, viewer: Viewer, on: date) -> Scope:
    """Leadership, quality and admins see the agency; a supervisor their teams on `on`; a peer worker themself."""
    if viewer.role in (Role.ADMIN, Role.LEADERSHIP, Role.QUALITY):
        return Scope.agency()
    if viewer.role == Role.SUPERVISOR and viewer.staff_id is not None:
        team_ids = session.scalars(select(TeamSupervisor.team_id).where(
            TeamSupervisor.staff_id == viewer.staff_id, TeamSupervisor.start_date <= on,
            or_(TeamSupervisor.end_date.is_(None), TeamSupervisor.end_date > on)))
        return Scope(team_ids=frozenset(team_ids))
    return Scope(team_ids=frozenset(), worker_id=viewer.staff_id)
