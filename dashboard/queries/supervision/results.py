"""What the supervision metrics return: small frozen dataclasses, and NamedTuples where rows are many."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class GapViolation:
    start: date
    end: date
    days: int
    limit: int


@dataclass(frozen=True, slots=True)
class MonthShortfall:
    month: date  # first day of the month
    minutes: int
    required: int
    leave_days: int = 0  # days of the month on leave (the minimum is pro-rated over the others)


class WorkerStandard(NamedTuple):
    """A worker's judgement over one period. A NamedTuple rather than a frozen dataclass: as immutable, and built
    in a third of the time (two per row of a 100k-row export)."""

    worker_id: int
    worker_name: str
    team_id: int
    team_name: str
    stage_code: str | None
    meets: bool
    individual_sessions: int
    minutes: int
    longest_gap_days: int | None
    gap_violations: tuple[GapViolation, ...]
    month_shortfalls: tuple[MonthShortfall, ...]
    reasons: tuple[str, ...]
    # The period judged (the window, or one calendar month of it for iter_standard_status(by_month=True)).
    period_start: date | None = None
    period_end: date | None = None
    # One individual session per whole max-days interval: floor(sum over the period's employed days of
    # 1 / max_days of the rule on each month's first day); None when no rule applies.
    required_individual_sessions: int | None = None
    # The sum of the minimum minutes over the full calendar months judged (pro-rated as they are).
    required_minutes: int = 0
    # Days of the period (while employed) on leave: left out of gaps, minimums and sessions required.
    leave_days: int = 0


@dataclass(frozen=True)
class DueDate:
    worker_id: int
    worker_name: str
    team_id: int
    team_name: str
    stage_code: str | None
    last_individual: date | None
    days_since: int
    limit: int | None
    next_due: date | None
    days_until_due: int | None
    status: str  # one of DUE_STATUSES
    minutes_this_month: int
    required_this_month: int | None
    back_on: date | None = None  # for a worker on leave on as_of: the day they are back (None: not known)


@dataclass(frozen=True)
class OverdueWorker:
    worker_id: int
    worker_name: str
    team_id: int
    last_individual: date | None
    days_since: int
    limit: int


@dataclass(frozen=True)
class TeamFrequency:
    team_id: int
    team_name: str
    program_id: int
    workers: int
    individual_per_worker_month: float | None
    hours_per_worker_month: float | None
    median_gap_days: float | None
    expected_individual_per_worker_month: float | None
    suppressed: bool


@dataclass(frozen=True)
class TeamMix:
    team_id: int
    minutes_by_kind: tuple[tuple[str, int], ...]
    administrative_share: float | None
    suppressed: bool
    team_name: str = ""
    workers: int = 0


@dataclass(frozen=True)
class TeamSupervisorSignals:
    team_id: int
    supervisors: int
    peer_credential_share: float | None
    fte_per_supervisor: float | None
    over_limit: bool
    suppressed: bool
    team_name: str = ""
    workers: int = 0


@dataclass(frozen=True)
class MeetingPoint:
    month_end: date
    workers: int
    meeting_share: float | None


@dataclass(frozen=True)
class SupervisionKpis:
    active_workers: int
    supervisors: int
    meeting_share: float | None
    overdue_now: int
    hours_per_worker_month: float | None
    on_leave_now: int = 0  # of shown_workers, those on leave on window.end (counted active, never overdue)
    shown_workers: int = 0  # of active_workers, those on teams not suppressed: what every other number is over
    small_teams: int = 0  # visible teams with workers, but too few to show: counted in the head counts only

    @property
    def all_suppressed(self) -> bool:
        """Every worker in view is on a suppressed team: the other cards say n<k rather than a misleading 0."""
        return self.active_workers > 0 and self.shown_workers == 0
