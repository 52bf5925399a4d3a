"""What every metric shares: the window, the viewer's filters, agency settings, and who was on which team when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session

from dashboard.scope import Scope
from models import AgencySettings, Program, Staff, Team, TeamMembership
from models.vocabulary import Role

AVERAGE_MONTH_DAYS = 365.25 / 12
# What a filter control sends for "no filter" (all programs, teams, stages): a value of the core, which the
# layouts' controls and the export parameters share.
ALL = "all"


@dataclass(frozen=True)
class Window:
    """An inclusive date range, start and end both counted."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the window ends before it starts")

    @classmethod
    def last_days(cls, days: int, today: date) -> Window:
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        return self.days / AVERAGE_MONTH_DAYS


@dataclass(frozen=True)
class TeamFilter:
    """What the viewer asked for; always intersected with their Scope, never trusted on its own."""

    program_id: int | None = None
    team_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MetricSettings:
    staleness_days: int = 365
    min_cell_workers: int = 3
    fte_per_supervisor_limit: float = 7.0
    principle_holding_share: float = 0.75

    def suppressed(self, workers: int) -> bool:
        """Small-cell suppression: a team-level value over too few people can identify them."""
        return 0 < self.min_cell_workers and workers < self.min_cell_workers

    def shown(self, workers: ColumnElement[int]) -> ColumnElement[bool]:
        """suppressed() negated, in SQL: for a HAVING over a team's head count."""
        return true() if self.min_cell_workers <= 0 else workers >= self.min_cell_workers


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str
    program_id: int
    program_name: str


def load_settings(session: Session) -> MetricSettings:
    row = session.get(AgencySettings, 1)
    if row is None:
        return MetricSettings()
    return MetricSettings(staleness_days=row.staleness_days, min_cell_workers=row.min_cell_workers,
                          fte_per_supervisor_limit=float(row.fte_per_supervisor_limit),
                          principle_holding_share=float(row.principle_holding_share))


def visible_team_ids(scope: Scope, filters: TeamFilter) -> Select[int]:
    """Team ids both requested by the filters and allowed by the scope (a forged id simply drops out)."""
    query = select(Team.id).where(scope.teams(Team.id))
    if filters.program_id is not None:
        query = query.where(Team.program_id == filters.program_id)
    if filters.team_ids:
        query = query.where(Team.id.in_(sorted(filters.team_ids)))
    return query


def teams_in_view(session: Session, scope: Scope, filters: TeamFilter, in_use_only: bool = False) -> list[TeamRef]:
    """The teams a view covers; in_use_only leaves archived teams out (a filter's choices: an archived team keeps
    its history in every view, but is no longer offered)."""
    query = (select(Team.id, Team.name, Program.id, Program.name).join(Program, Program.id == Team.program_id)
             .where(Team.id.in_(visible_team_ids(scope, filters))).order_by(Program.name, Team.name))
    rows = session.execute(query.where(Team.archived_on.is_(None)) if in_use_only else query)
    return [TeamRef(*row) for row in rows]


def members_on(day: date, team_ids: Select[int]) -> Select[int, int]:
    """(worker_id, team_id) for peer workers on those teams and still employed on `day`.

    Memberships are half-open ([start_date, end_date)), so a worker who moves on `day` counts
    for the new team only.
    """
    return (select(TeamMembership.staff_id.label("worker_id"), TeamMembership.team_id.label("team_id"))
            .join(Staff, Staff.id == TeamMembership.staff_id)
            .where(TeamMembership.team_id.in_(team_ids), TeamMembership.start_date <= day,
                   or_(TeamMembership.end_date.is_(None), TeamMembership.end_date > day),
                   Staff.role == Role.PEER_WORKER, Staff.hire_date <= day,
                   or_(Staff.left_on.is_(None), Staff.left_on > day)))


def members_during(window: Window, team_ids: Select[int]) -> Select[int, int]:
    """(worker_id, team_id) for every membership overlapping the window, on those teams."""
    return (select(TeamMembership.staff_id.label("worker_id"), TeamMembership.team_id.label("team_id"))
            .join(Staff, Staff.id == TeamMembership.staff_id)
            .where(TeamMembership.team_id.in_(team_ids), TeamMembership.start_date <= window.end,
                   or_(TeamMembership.end_date.is_(None), TeamMembership.end_date > window.start),
                   Staff.role == Role.PEER_WORKER,
                   and_(Staff.hire_date <= window.end),
                   or_(Staff.left_on.is_(None), Staff.left_on > window.start))
            .distinct())


def shown_team_ids(scope: Scope, filters: TeamFilter, day: date, settings: MetricSettings) -> Select[int]:
    """The visible teams NOT suppressed on `day`: at least settings.min_cell_workers peer workers on it
    (members_on); every visible team with a worker when suppression is off.

    The one place where an aggregate learns which teams it may add up. A suppressed team contributes to no
    number shown beside a team it is added to (KPIs, trend points, program rows), or adding it to the filter
    and taking it away again would give its hidden value back by subtraction. Head counts still include it.
    """
    members = members_on(day, visible_team_ids(scope, filters)).subquery("sized_members")
    return (select(members.c.team_id).group_by(members.c.team_id)
            .having(settings.shown(func.count(members.c.worker_id.distinct()))))


def last_whole_month_end(day: date) -> date:
    """`day` when it is the last day of its month, else the last day of the month before."""
    if (day + timedelta(days=1)).day == 1:
        return day
    return day.replace(day=1) - timedelta(days=1)
