"""Supervision metrics: meeting the standard, due dates, frequency, mix of kinds, supervisor signals, trend, KPIs."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain
import typing
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (CTE, Column, ColumnElement, Date, Float, Integer, MetaData, PrimaryKeyConstraint,
                        SQLColumnExpression, Select, String, Subquery, Table, and_, case, cast, func, literal,
                        literal_column, null, or_, select, text, true, union_all)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.schema import CreateTable, DropTable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import NamedFromClause

from dashboard.queries.common import (AVERAGE_MONTH_DAYS, MetricSettings, TeamFilter, Window, members_on,
                                      shown_team_ids, teams_in_view, visible_team_ids)
from dashboard.scope import Scope
from models import (EVERYONE, SESSION_KINDS, CertificationStage, JudgementVersion, Leave, MonthJudgement,
                    SessionAttendee, StageAssignment, Staff, StandardRule, SupervisionSession, SupervisionStandard,
                    Team, TeamMembership, TeamSupervisor)

T = TypeVar("T")
DUE_SOON_DAYS = 7
# The last individual session before a day is looked for among at least this many days of sessions, read by
# date; only workers with none that recent have their whole history read (see _last_individual_before).
ANCHOR_LOOKBACK_DAYS = 92
DUE_STATUSES = ("overdue", "due_soon", "on_track", "no_standard", "on_leave")
# The version of the rule that judges meeting the standard. Kept month judgements carry the version they were
# judged by and are stale under any other, so bump it with every change to what a judgement says (no trigger
# sees a change of code). 1: the first kept months. 2: a day away that is the day a gap is measured to is not a
# gap day (_days_at_work).
JUDGEMENT_DEFINITION = 2


# ---------------------------------------------------------------------------------------------------------------
# Results


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


# ---------------------------------------------------------------------------------------------------------------
# Portable SQL pieces


class days_between(FunctionElement[int]):
    """Whole days from `earlier` to `later` (later - earlier) on PostgreSQL and SQLite alike."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


class days_later(FunctionElement[date]):
    """A date plus a whole number of days (negative: earlier), on PostgreSQL and SQLite alike; see day_before."""

    type = Date()
    inherit_cache = True
    name = "days_later"


@compiles(days_later)
def _days_later_default(element: days_later, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({day} + {days})"


@compiles(days_later, "sqlite")
def _days_later_sqlite(element: days_later, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({day}, '{int(days):+d} day')"


def day_before(day: ColumnElement[date]) -> ColumnElement[date]:
    return days_later(day, literal_column("-1"))


def day_after(day: ColumnElement[date]) -> ColumnElement[date]:
    return days_later(day, literal_column("1"))


def _day(value: date) -> ColumnElement[date]:
    return literal(value, Date)


def _later(a: SQLColumnExpression[date], b: SQLColumnExpression[date]) -> ColumnElement[date]:
    return case((a > b, a), else_=b)


def _earlier(a: ColumnElement[date], b: ColumnElement[date]) -> ColumnElement[date]:
    return case((a < b, a), else_=b)


def _until(left_on: SQLColumnExpression[date | None], end_exclusive: ColumnElement[date]) -> ColumnElement[date]:
    """The first day not judged: the end (exclusive) or the leaving day, whichever is first."""
    return case((and_(left_on.is_not(None), left_on < end_exclusive), left_on), else_=end_exclusive)


def _holds_on(model: Any, day: ColumnElement[date] | date) -> ColumnElement[bool]:
    """Half-open dated rows ([start_date, end_date)) in force on `day`."""
    return and_(model.start_date <= day, or_(model.end_date.is_(None), model.end_date > day))


def _employed_on(day: ColumnElement[date] | date) -> ColumnElement[bool]:
    return and_(Staff.hire_date <= day, or_(Staff.left_on.is_(None), Staff.left_on > day))


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _calendar_months(first: date, last: date) -> list[tuple[date, date]]:
    """(first day, first day of the next month) of each calendar month overlapping [first, last]."""
    months = []
    month = _month_start(first)
    while month <= last:
        months.append((month, _next_month(month)))
        month = _next_month(month)
    return months


def _months_cte(months: list[tuple[date, date]], name: str) -> CTE:
    """Literal rows month_start, next_month, month_days."""
    rows = [select(_day(month).label("month_start"), _day(following).label("next_month"),
                   literal((following - month).days, Integer).label("month_days")) for month, following in months]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte(name)


def _month_of(day: ColumnElement[date], months: list[tuple[date, date]]) -> ColumnElement[date]:
    """The first day of the month of `day`, for days inside the given months (a CASE over literal bounds)."""
    if len(months) == 1:
        return _day(months[0][0])
    return case(*[(day < _day(following), _day(month)) for month, following in months[:-1]],
                else_=_day(months[-1][0]))


@dataclass(frozen=True)
class _Rule:
    """Columns of the rule in force, joined by _join_rule_on (all NULL when no rule applies)."""

    stage_id: SQLColumnExpression[int | None]
    stage_code: SQLColumnExpression[str | None]
    max_days: SQLColumnExpression[int | None]
    min_minutes: SQLColumnExpression[int | None]
    group_counts: SQLColumnExpression[bool | None]


def _join_rule_on(query: Select[*tuple[Any, ...]], worker_id: ColumnElement[int], day: ColumnElement[date]
                  ) -> tuple[Select[*tuple[Any, ...]], _Rule]:
    """Outer-join the standard rule in force for a worker on a day onto a query's join chain.

    The rule is the one, in the standard with the greatest effective_from on or before the day, for the
    certification stage the worker's stage assignment holds on that day.
    """
    assignment = aliased(StageAssignment)
    stage = aliased(CertificationStage)
    rule = aliased(StandardRule)
    periods = select(
        SupervisionStandard.id.label("standard_id"), SupervisionStandard.effective_from.label("valid_from"),
        func.lead(SupervisionStandard.effective_from).over(order_by=SupervisionStandard.effective_from)
        .label("valid_until")).subquery()
    query = (query
             .outerjoin(assignment, and_(assignment.staff_id == worker_id, _holds_on(assignment, day)))
             .outerjoin(stage, stage.id == assignment.stage_id)
             .outerjoin(periods, and_(periods.c.valid_from <= day,
                                      or_(periods.c.valid_until.is_(None), periods.c.valid_until > day)))
             .outerjoin(rule, and_(rule.standard_id == periods.c.standard_id, rule.stage_id == assignment.stage_id)))
    return query, _Rule(assignment.stage_id, stage.code, rule.max_days_between_individual,
                        rule.min_minutes_per_month, rule.group_counts_toward_minimum)


@dataclass(frozen=True)
class _Takers:
    """Workers whose leave days are looked up (_leave_days): with a leave in [since, before), and with leave
    only before `since`."""

    recent: frozenset[int]
    earlier: frozenset[int]

    def for_gaps(self, lacking: Iterable[int]) -> list[int]:
        """The recent ones, and the earlier ones among `lacking` (no individual session since `since`, read in
        full when exact): only their gaps reach back before `since`. Not exact, lacking is empty: such a gap
        then runs longer than the look-back at work, so past every limit with or without the older leave, and
        no verdict changes."""
        return sorted(self.recent | (self.earlier & set(lacking)))


def _leave_takers(session: Session, since: date, before: date) -> _Takers:
    """One small query on leaves: who took leave in [since, before), and who only before `since`. Keeping the
    list short matters: every row a statement judges checks it (a quarter's 1,778 workers: 72 takers over
    five years cost 60 ms; the 15 of the look-back and the quarter, 20 ms)."""
    recent = case((or_(Leave.end_date.is_(None), Leave.end_date > since), 1), else_=0)
    rows = session.execute(select(Leave.staff_id, func.max(recent)).where(Leave.start_date < before)
                           .group_by(Leave.staff_id)).all()
    return _Takers(frozenset(w for w, r in rows if r), frozenset(w for w, r in rows if not r))


def _leave_days(takers: Sequence[int], worker_id: ColumnElement[int], start: ColumnElement[date],
                end_excl: ColumnElement[date]) -> ColumnElement[int]:
    """Days of [start, end_excl) the worker was on leave (0 for an empty range).

    A correlated sum over their leaves, evaluated only for the workers in `takers` (_leave_takers), so a
    statement pays nothing for the many workers who never took leave, and nothing at all when nobody did.
    """
    if not takers:
        return literal(0, Integer)
    leave = aliased(Leave)  # its own alias: the outer statement may join Leave too (_due_query)
    overlap = days_between(_earlier(func.coalesce(leave.end_date, end_excl), end_excl), _later(leave.start_date, start))
    total = (select(func.coalesce(func.sum(overlap), 0))
             .where(leave.staff_id == worker_id, start < end_excl, leave.start_date < end_excl,
                    or_(leave.end_date.is_(None), leave.end_date > start))
             .correlate_except(leave).scalar_subquery())
    return case((worker_id.in_(takers), total), else_=0)


def _days_at_work(takers: Sequence[int], worker_id: ColumnElement[int], start: ColumnElement[date],
                  end: ColumnElement[date]) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """(days, of them on leave) from `start` to `end`: the days after `start` up to and including `end`, less
    those on leave. The day measured to counts as a day of the gap, so it counts as a day away when it is one
    (a gap from 27 Oct measured to 30 Nov, away from 10 Nov: 34 days, 21 away, 13)."""
    away = _leave_days(takers, worker_id, day_after(start), day_after(end))
    return days_between(end, start) - away, away


def _individual() -> ColumnElement[bool]:
    return SupervisionSession.format == "individual"


def _attended(workers: CTE, since: date, before: date, name: str, narrow: bool = False) -> CTE:
    """Every column of `workers` with held_on, format and minutes of each session they attended in [since, before).

    Read by date (the held_on index) and then the sessions' attendees: one pass that the anchors, the gaps
    and the monthly minutes of a statement all share. narrow (one worker, as on a profile): read through the
    attendee index instead, rather than every session of the agency in the range.
    """
    query = (select(*workers.c, SupervisionSession.held_on, SupervisionSession.format, SupervisionSession.minutes)
             .select_from(SupervisionSession)
             .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
             .join(workers, workers.c.worker_id == SessionAttendee.worker_id)
             .where(SupervisionSession.held_on >= since, SupervisionSession.held_on < before))
    if narrow:
        query = query.where(SessionAttendee.worker_id.in_(select(workers.c.worker_id)))
    return query.cte(name)


def _lookback_days(session: Session) -> int:
    """How far before a day its last individual session is looked for by date: beyond every rule's limit, so a
    worker with none that recent is over the limit whatever their exact last session was."""
    longest = session.scalar(select(func.max(StandardRule.max_days_between_individual))) or 0
    return max(ANCHOR_LOOKBACK_DAYS, longest + 1)


def _last_individual_before(session: Session, workers: CTE, attended: CTE, before: date, lookback: int,
                            exact: bool, narrow: bool = False) -> tuple[Subquery, list[int]]:
    """Every column of `workers` (one row per worker, with worker_id and hire_date) plus held_on: the worker's
    last individual session before `before` (NULL when none). `attended` must cover [before - lookback, before).
    Also the workers read in full (below; none unless exact).

    Only the last `lookback` days are read by date. When exact, the few workers hired earlier with no
    individual session in that time are found first (one small query) and their whole history is read;
    otherwise they get NULL, which judges them the same way (their gap exceeds every limit) but does not name
    the date. Naming them keeps the planners' estimates honest: a correlated subquery for the older sessions
    was costed as if it ran for every worker and set off PostgreSQL's JIT compiler (0.1-0.6 s a query).
    """
    recent_from = before - timedelta(days=lookback)
    worker_columns = [attended.c[c.name] for c in workers.c]
    recent = (select(*worker_columns, attended.c.held_on)
              .where(attended.c.format == "individual", attended.c.held_on >= recent_from,
                     attended.c.held_on < before))
    # The workers and their sessions stacked, then one GROUP BY: no join between two derived tables, which
    # SQLite (without statistics) runs as a nested scan.
    parts = [select(*workers.c, literal(None, Date).label("held_on")), recent]
    lacking: list[int] = []
    if exact:
        seen = _attended(workers, recent_from, before, f"{workers.name}_seen", narrow)
        lacking = sorted(session.scalars(
            select(workers.c.worker_id).where(workers.c.hire_date < recent_from)
            .except_(select(seen.c.worker_id).where(seen.c.format == "individual"))))
        if lacking:
            parts.append(select(*workers.c, SupervisionSession.held_on)
                         .select_from(SessionAttendee)
                         .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
                         .join(workers, workers.c.worker_id == SessionAttendee.worker_id)
                         .where(SessionAttendee.worker_id.in_(lacking), _individual(),
                                SupervisionSession.held_on < recent_from))
    stacked = union_all(*parts).subquery(f"{workers.name}_stacked")
    columns = [stacked.c[c.name] for c in workers.c]
    return (select(*columns, func.max(stacked.c.held_on).label("held_on")).group_by(*columns)
            .subquery(f"{workers.name}_last")), lacking


# ---------------------------------------------------------------------------------------------------------------
# Meeting the standard: the shared engine
#
# A "judged" CTE holds one row per (worker_id, period_start) with period_end_excl (the period's end + 1 day),
# until (the first day not judged: period_end_excl or the leaving day), hire_date and left_on: one window per
# worker for standard_status and the KPIs, one calendar month per worker and month for the trend. The span
# [span_start, span_end_excl) covers every period.


@dataclass(frozen=True)
class _Judgement:
    """The CTEs one statement shares: the judged periods, their workers, and what those attended."""

    judged: NamedFromClause
    workers: CTE
    attended: CTE
    span_start: date
    span_end_excl: date
    lookback: int
    takers: _Takers  # leave in [span_start - lookback, span_end_excl), and earlier
    # Every period lies inside one calendar month, judged.c.period_month (by-month judgements): joins to the
    # periods can then narrow by the month.
    monthly: bool = False


def _judgement(session: Session, judged: NamedFromClause, span_start: date, span_end_excl: date,
               one_per_worker: bool = False, gaps: bool = True, narrow: bool = False, monthly: bool = False
               ) -> _Judgement:
    """Set up the shared CTEs; without gaps (minutes only), nothing before the span is read."""
    workers = select(judged.c.worker_id, judged.c.hire_date, judged.c.left_on)
    workers_cte = (workers if one_per_worker else workers.distinct()).cte(f"{judged.name}_workers")
    lookback = _lookback_days(session) if gaps else 0
    attended = _attended(workers_cte, span_start - timedelta(days=lookback), span_end_excl,
                         f"{judged.name}_attended", narrow)
    return _Judgement(judged, workers_cte, attended, span_start, span_end_excl, lookback,
                      _leave_takers(session, span_start - timedelta(days=lookback), span_end_excl), monthly)


def _monthly_bounds(j: _Judgement, period_start: ColumnElement[date], first: ColumnElement[date],
                   last: ColumnElement[date | None]) -> list[ColumnElement[bool]]:
    """For a monthly judgement, period_start between the month of `first` and `last` (or the span's end): implied
    by a period overlapping [first, last], and a range the (worker_id, period_start) key answers directly."""
    if not j.monthly:
        return []
    calendar = _calendar_months(j.span_start, j.span_end_excl - timedelta(days=1))
    return [period_start >= _month_of(first, calendar),
            period_start <= func.coalesce(last, _day(j.span_end_excl))]


def _same_month(j: _Judgement, month_start: ColumnElement[date]) -> list[ColumnElement[bool]]:
    """For a monthly judgement, the period's month is `month_start`: implied by a day of that month inside the
    period, and an equality the planner can hash on."""
    return [j.judged.c.period_month == month_start] if j.monthly else []


def _gap_rows(session: Session, j: _Judgement, exact: bool, violations_only: bool = False) -> Subquery:
    """Every gap between consecutive individual sessions that overlaps a judged period, judged by its rule.

    The timeline of each worker starts at their last individual session before the span (or the hire date)
    and runs through the span's individual sessions; the gap after the last one stays open (gap_end NULL).
    A gap's days are cut at the last judged day (until - 1) when it runs past it; its days are those after
    gap_start up to and including gap_end (the day it is measured to), less those on leave (_days_at_work).
    With violations_only, gaps that cannot violate in any period (closed and within their limit, leave or not)
    are dropped before the periods are joined.
    """
    judged, attended = j.judged, j.attended
    anchor, lacking = _last_individual_before(session, j.workers, attended, j.span_start, j.lookback, exact)
    anchors = select(anchor.c.worker_id, func.coalesce(anchor.c.held_on, anchor.c.hire_date).label("day"),
                     literal(0, Integer).label("is_session"))
    sessions = (select(attended.c.worker_id, attended.c.held_on, literal(1, Integer))
                .where(attended.c.format == "individual", attended.c.held_on >= j.span_start))
    points = union_all(anchors, sessions).subquery("points")
    sequence = select(points.c.worker_id, points.c.day.label("gap_start"), points.c.is_session,
                      func.lead(points.c.day).over(partition_by=points.c.worker_id,
                                                   order_by=(points.c.day, points.c.is_session)).label("gap_end")
                      ).subquery("gap_sequence")
    ruled, rule = _join_rule_on(select(*sequence.c).select_from(sequence), sequence.c.worker_id,
                                sequence.c.gap_start)
    if violations_only:
        ruled = ruled.where(or_(sequence.c.gap_end.is_(None), rule.max_days.is_(None),
                                days_between(sequence.c.gap_end, sequence.c.gap_start) > rule.max_days))
    gaps = ruled.add_columns(rule.max_days.label("max_days")).cte(f"{judged.name}_gaps")
    end = case((and_(gaps.c.gap_end.is_not(None), gaps.c.gap_end < judged.c.until), gaps.c.gap_end),
               else_=day_before(judged.c.until))
    days, leave = _days_at_work(j.takers.for_gaps(lacking), judged.c.worker_id, gaps.c.gap_start, end)
    in_period = and_(gaps.c.is_session == 1, gaps.c.gap_start >= judged.c.period_start)
    return (select(judged.c.worker_id, judged.c.period_start, gaps.c.gap_start, end.label("gap_end"),
                   leave.label("leave_days"), days.label("days"), gaps.c.max_days,
                   case((in_period, 1), else_=0).label("is_session"),
                   case((or_(gaps.c.max_days.is_(None), days > gaps.c.max_days), 1), else_=0).label("violates"))
            .select_from(gaps)
            .join(judged, and_(judged.c.worker_id == gaps.c.worker_id, gaps.c.gap_start < judged.c.until,
                               or_(gaps.c.gap_end.is_(None), gaps.c.gap_end >= judged.c.period_start),
                               *_monthly_bounds(j, judged.c.period_start, gaps.c.gap_start, gaps.c.gap_end)))
            .subquery(f"{judged.name}_gap_rows"))


def _month_rows(j: _Judgement) -> Subquery:
    """One row per judged period × calendar month overlapping it: minutes counted, minimum required, shortfall.

    Minutes are those of sessions attended inside the period while employed: individual ones, and group ones
    when the month's rule lets them count. The month's rule is the one in force on its first day, or on the
    hire date for a month the worker joined in; the minimum is pro-rated by the days employed and not on leave
    (employed_days; leave_days were on leave) / days in the month and rounded up. Only calendar months wholly
    inside the period are judged (is_full). slice_days / slice_leave: the days of the month inside the period
    while employed, not on leave / on leave.
    """
    judged, attended = j.judged, j.attended
    calendar = _calendar_months(j.span_start, j.span_end_excl - timedelta(days=1))
    months = _months_cte(calendar, f"{judged.name}_months")
    keys = (judged.c.worker_id, judged.c.period_start, judged.c.period_end_excl, judged.c.hire_date, judged.c.left_on)
    # Months with no sessions need a row too. Sessions and months are stacked and summed in one GROUP BY:
    # no join between two derived tables, which SQLite (without statistics) would run as a nested scan.
    empty_months = (select(*keys, months.c.month_start, literal(0, Integer).label("individual"),
                           literal(0, Integer).label("group_minutes"))
                    .select_from(judged)
                    .join(months, and_(months.c.month_start < judged.c.period_end_excl,
                                       months.c.next_month > judged.c.period_start,
                                       *_same_month(j, months.c.month_start))))
    held, individual = attended.c.held_on, attended.c.format == "individual"
    sessions = (select(*keys, _month_of(held, calendar), case((individual, attended.c.minutes), else_=0),
                       case((individual, 0), else_=attended.c.minutes))
                .select_from(attended)
                .join(judged, and_(judged.c.worker_id == attended.c.worker_id, held >= judged.c.period_start,
                                   held < judged.c.until, held >= judged.c.hire_date,
                                   *_same_month(j, _month_of(held, calendar)))))
    stacked = union_all(empty_months, sessions).subquery(f"{judged.name}_stacked")
    grouped_keys = (stacked.c.worker_id, stacked.c.period_start, stacked.c.period_end_excl, stacked.c.hire_date,
                    stacked.c.left_on, stacked.c.month_start)
    sums = (select(*grouped_keys, func.sum(stacked.c.individual).label("individual"),
                   func.sum(stacked.c.group_minutes).label("group_minutes"))
            .group_by(*grouped_keys).subquery(f"{judged.name}_month_sums"))
    query = (select(sums.c.worker_id, sums.c.period_start)
             .select_from(sums).join(months, months.c.month_start == sums.c.month_start))
    query, rule = _join_rule_on(query, sums.c.worker_id, _later(sums.c.month_start, sums.c.hire_date))
    employed_from, employed_until = _later(sums.c.month_start, sums.c.hire_date), _until(sums.c.left_on,
                                                                                         months.c.next_month)
    takers = sorted(j.takers.recent)  # months lie inside the span
    leave_days = _leave_days(takers, sums.c.worker_id, employed_from, employed_until)
    employed_days = days_between(employed_until, employed_from) - leave_days
    counted = sums.c.individual + case((func.coalesce(rule.group_counts, true()), sums.c.group_minutes), else_=0)
    required = (rule.min_minutes * employed_days + months.c.month_days - 1) // months.c.month_days
    is_full = and_(months.c.month_start >= sums.c.period_start, months.c.next_month <= sums.c.period_end_excl)
    # Days of the month inside the period while employed (for the sessions required), and those on leave.
    slice_from = _later(_later(months.c.month_start, sums.c.period_start), sums.c.hire_date)
    slice_until = _until(sums.c.left_on, _earlier(months.c.next_month, sums.c.period_end_excl))
    slice_leave = _leave_days(takers, sums.c.worker_id, slice_from, slice_until)
    slice_days = days_between(slice_until, slice_from) - slice_leave
    return query.add_columns(
        months.c.month_start, months.c.month_days, employed_days.label("employed_days"),
        leave_days.label("leave_days"), slice_leave.label("slice_leave"),
        case((slice_days > 0, slice_days), else_=0).label("slice_days"), rule.max_days.label("max_days"),
        counted.label("counted"), required.label("required"),
        case((is_full, 1), else_=0).label("is_full"),
        case((and_(is_full, employed_days > 0, counted < required), 1), else_=0).label("short"),
    ).subquery(f"{judged.name}_month_rows")


def _meeting_counts(session: Session, judged: CTE, span_start: date, span_end_excl: date,
                    one_per_worker: bool = False) -> dict[date, tuple[int, int]]:
    """period_end_excl -> (workers judged, workers meeting the standard), counted in SQL."""
    j = _judgement(session, judged, span_start, span_end_excl, one_per_worker)
    gaps = _gap_rows(session, j, exact=False, violations_only=True)
    months = _month_rows(j)
    # Each judged period, its failed gaps and its short months stacked, then one GROUP BY (no joins, see
    # _month_rows).
    stacked = union_all(
        select(judged.c.worker_id, judged.c.period_start, judged.c.period_end_excl, literal(0, Integer).label("bad")),
        select(gaps.c.worker_id, gaps.c.period_start, literal(None, Date), gaps.c.violates)
        .where(gaps.c.violates == 1),
        select(months.c.worker_id, months.c.period_start, literal(None, Date), months.c.short)
        .where(months.c.short == 1),
    ).subquery("stacked_judgements")
    per_period = (select(func.max(stacked.c.period_end_excl).label("period_end_excl"),
                         func.max(stacked.c.bad).label("bad"))
                  .group_by(stacked.c.worker_id, stacked.c.period_start).subquery("per_period"))
    rows = session.execute(
        select(per_period.c.period_end_excl, func.count(), func.sum(1 - per_period.c.bad))
        .group_by(per_period.c.period_end_excl))
    return {end_excl: (int(count), int(meeting or 0)) for end_excl, count, meeting in rows}


def _window_judged_select(scope: Scope, window: Window, filters: TeamFilter, stage_id: int | None = None
                          ) -> Select[*tuple[Any, ...]]:
    """Peer workers with a membership on a visible team overlapping both the window and their employment.

    One row per worker; team_id is their last such membership's team (the team at window.end when they are
    still on a visible team then). With stage_id, only workers holding that stage on the last judged day.
    """
    return _judged_select(scope, _day(window.start), _day(window.end + timedelta(days=1)), filters, stage_id)


def _judged_select(scope: Scope, start: ColumnElement[date], end_excl: ColumnElement[date], filters: TeamFilter,
                   stage_id: int | None) -> Select[*tuple[Any, ...]]:
    """_window_judged_select for the period [start, end_excl): literal days, or the columns of a table of periods
    (then one row per worker and period)."""
    until = _until(Staff.left_on, end_excl)
    team_ids = visible_team_ids(scope, filters)
    # The last such membership: no later one on a visible team starts inside the window and the employment
    # (memberships of one worker do not overlap, so a later one that starts in time also overlaps both).
    later = aliased(TeamMembership)
    no_later = ~(select(later.id).where(later.staff_id == TeamMembership.staff_id,
                                        later.start_date > TeamMembership.start_date, later.team_id.in_(team_ids),
                                        later.start_date < end_excl, later.start_date < until).exists())
    query = (select(TeamMembership.staff_id.label("worker_id"), TeamMembership.team_id,
                    start.label("period_start"), end_excl.label("period_end_excl"),
                    until.label("until"), Staff.hire_date, Staff.left_on, Staff.full_name)
             .join(Staff, Staff.id == TeamMembership.staff_id)
             .where(TeamMembership.team_id.in_(team_ids), Staff.role == "peer_worker",
                    Staff.hire_date < end_excl, or_(Staff.left_on.is_(None), Staff.left_on > start),
                    TeamMembership.start_date < end_excl, TeamMembership.start_date < until,
                    or_(TeamMembership.end_date.is_(None),
                        and_(TeamMembership.end_date > start, TeamMembership.end_date > Staff.hire_date)),
                    no_later))
    if stage_id is not None:
        held = aliased(StageAssignment)
        query = query.where(select(held.id).where(
            held.staff_id == TeamMembership.staff_id, held.stage_id == stage_id, held.start_date < until,
            or_(held.end_date.is_(None), held.end_date >= until)).exists())
    return query


# Month names for the reasons, looked up rather than formatted with strftime (a reason a row: ~0.2 s per 100k rows).
_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
_MONTH_ABBREVIATIONS = tuple(name[:3] for name in _MONTH_NAMES)


def _month_label(month: date) -> str:
    return f"{_MONTH_NAMES[month.month]} {month.year}"


def _gap_span(start: date, end: date) -> str:
    """Words for a gap's dates: 'in March 2026 (2 to 25 Mar)' or 'from 10 Feb to 20 Mar 2026'."""
    until = f"{end.day} {_MONTH_ABBREVIATIONS[end.month]}"
    if (start.year, start.month) == (end.year, end.month):
        return f"in {_MONTH_NAMES[start.month]} {start.year} ({start.day} to {until})"
    first = f"{start.day} {_MONTH_ABBREVIATIONS[start.month]}"
    return f"from {first} to {until} {end.year}" if start.year == end.year else \
        f"from {first} {start.year} to {until} {end.year}"


def month_periods(window: Window) -> list[Window]:
    """The calendar months overlapping a window, the first and last cut at its ends."""
    return [Window(max(first, window.start), min(following - timedelta(days=1), window.end))
            for first, following in _calendar_months(window.start, window.end)]


def standard_status(session: Session, scope: Scope, window: Window, filters: TeamFilter, *, kept: bool = True
                    ) -> list[WorkerStandard]:
    """Meeting the standard, per peer worker, over a window (the one definition the overview, roster and
    compliance export share).

    Workers: peer workers with a membership on a visible team that overlaps the window while they were
    employed (hire_date <= day < left_on). Team: their team at window.end, or the last visible team they were
    on in the window. Stage: the one held on window.end, or on the last employed day.

    A worker meets the standard when both hold:
    (a) Gaps. Take the individual sessions they attended (format 'individual'), preceded by the last one
        before the window (or the hire date when there was none). No gap between consecutive ones that
        overlaps the window may exceed max_days_between_individual of the rule in force on the gap's first
        day; the open gap after the last session runs to window.end or to the last employed day (the day
        before left_on), whichever is first. A gap is end - start in days.
    (b) Minutes. Every full calendar month inside the window reaches min_minutes_per_month of the rule in
        force on the month's first day (or the hire date, if hired that month). Minutes = individual sessions
        attended + group sessions attended when that rule's group_counts_toward_minimum is true. For a month
        employed only in part the minimum is pro-rated by employed days / days in the month, rounded up.
    The rule in force on a day is the rule for the worker's stage assignment holding that day in the
    standard with the greatest effective_from on or before it. A gap with no rule in force (no stage
    recorded) cannot be judged and counts against the worker, with a reason saying so.

    individual_sessions and minutes count within the window while employed (minutes as counted toward the
    minimum, partial months included); longest_gap_days is the longest gap overlapping the window.
    required_minutes sums the minimum of the full months judged; required_individual_sessions is
    floor(sum over the window's months of the days employed in the window / that month's max days).
    Ordered by team name, then worker name.
    """
    return list(iter_standard_status(session, scope, window, filters, kept=kept))


def iter_standard_status(session: Session, scope: Scope, window: Window, filters: TeamFilter, *,
                         by_month: bool = False, stage_id: int | None = None, stream: bool = False,
                         make: Callable[..., T] = WorkerStandard,  # type: ignore[assignment]
                         kept: bool = True) -> Iterator[T]:
    """standard_status's rows one at a time; by_month judges each calendar month of the window on its own
    (month_periods: one row per worker and month, with that month's team and stage); stage_id keeps the
    workers holding that stage on the period's last judged day. With stream, rows are read from the
    database in batches (server-side cursors on PostgreSQL), so memory stays flat however many rows.
    make builds each row from WorkerStandard's fields, in order (WorkerStandard by default): the compliance
    view builds its rows straight from them, one object per row instead of two (~0.3 s per 100k rows).
    kept: whole calendar months may be read from (and written to) month_judgements; False judges every period from
    the records alone, as the tests' oracle does.
    """
    return _standards(_standard_rows(session, scope, window, filters, by_month, stage_id, stream, kept), make)


def _standard_rows(session: Session, scope: Scope, window: Window, filters: TeamFilter, by_month: bool,
                   stage_id: int | None, stream: bool, kept: bool) -> Iterator[Any]:
    """iter_standard_status's one statement, its rows as tuples in the roster's order (team name, worker name,
    worker id, period): for each judged period a summary row (its worker, team, stage and totals), then its
    violating gaps, then its short months. By month, whole calendar months are read from month_judgements where
    it holds them for the worker's current version (judged and kept first, see _keep_month_judgements); a window of
    whole months, read in one snapshot, is composed from them (_composed_rows).
    """
    whole = _whole_months(window) if kept else None
    # A window of whole calendar months (a quarter, a year) is judged from its months' kept judgements when this
    # transaction reads one snapshot (_composed_rows).
    composed = (not by_month and whole is not None and (whole[0], _next_month(whole[1])) ==
                (window.start, window.end + _ONE_DAY) and _one_snapshot(session))
    periods = _judged_periods(scope, window, filters, stage_id, by_month, versions=by_month or composed)
    # The periods are written once to a temporary table keyed on (worker_id, period_start), with statistics, when
    # that pays: by month (~95k rows for five years of an agency, which PostgreSQL otherwise misjudges), when its
    # months are kept, and always on SQLite, which has no hash joins (its key is the index the joins need) and no
    # round trips. Otherwise, for one window on PostgreSQL the four extra statements would cost more than they save.
    temporary = by_month or composed or session.get_bind().dialect.name == "sqlite"
    cut: list[tuple[Window, Table]] = []  # the months the window cuts, when judged on their own
    postgres = session.get_bind().dialect.name == "postgresql"
    if stream and postgres:
        # Server-side cursors are planned for their first 10% of rows by default (cursor_tuple_fraction 0.1):
        # nested loops that took 20 s where the plan for every row takes 10 s. Every row is read here.
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    if by_month and whole is not None and postgres:
        # Sorting five years of periods by name spilled to disk with the default 4 MB (~0.1 s).
        session.execute(text("SET LOCAL work_mem = '32MB'"))
        # Each (worker, month) is looked up in month_judgements once, but the planner counted on caching the
        # look-ups (Memoize: 93k misses, no hits) and chose them over one hash join (five years: 0.5 s against 0.15).
        session.execute(text("SET LOCAL enable_memoize = off"))
    judged = _temporary(session, periods, "judged", ("worker_id", "period_start")) if temporary \
        else periods.cte("judged")
    if composed and whole is not None and _keep_month_judgements(session, _employed_months(judged, window), window,
                                                                whole):
        rows = _composed_rows(judged, whole)
    elif by_month and whole is not None:
        if _keep_month_judgements(session, judged, window, whole) and _one_snapshot(session):
            # Every whole month is kept, and this transaction reads one snapshot: only the months cut by the
            # window's ends are left, each judged over its own month (not five years of sessions for two months).
            # Their periods go to tables of their own, with statistics: as CTEs, PostgreSQL took ~2,000 workers for
            # 200 and read each one's whole history of sessions.
            cut = [(period, _temporary(session, select(judged).where(judged.c.period_start == period.start),
                                       f"judged_{'first' if period.start == window.start else 'last'}",
                                       ("worker_id", "period_start")))
                   for period in month_periods(window) if not whole[0] <= period.start <= whole[1]]
            fresh = [_judgement_rows(session, table, period, by_month) for period, table in cut]
        else:
            # Whatever is not kept (a write or a second export got in between) is judged here, in the statement
            # that reads the kept rows, so no period can be left out or shown twice.
            rest = select(judged).where(~_kept(judged, whole).exists()).cte("judged_rest")
            fresh = [_judgement_rows(session, rest, window, by_month)]
        rows = union_all(_kept_rows(judged, whole), *(select(part) for part in fresh)).subquery("standard_rows")
    else:
        rows = _judgement_rows(session, judged, window, by_month)
    options = {"yield_per": 2000} if stream else {}
    result = session.connection().execute(
        select(rows).order_by(rows.c.position, rows.c.kind, rows.c.day, rows.c.days), execution_options=options)

    try:
        # Whole batches from the driver, not a row at a time (~0.3 s per 100k rows).
        yield from (chain.from_iterable(result.partitions()) if stream else result.all())
    finally:
        result.close()
    if temporary:  # done with them (an abandoned stream leaves them to the next call, or the connection's end)
        for table in (judged, *(table for _, table in cut)):
            session.execute(DropTable(typing.cast(Table, table)))  # temporary: all Tables


def _judgement_rows(session: Session, judged: NamedFromClause, window: Window, by_month: bool) -> Subquery:
    """The judgement of the periods in `judged`: per period its summary row, violating gaps and short months
    (position, kind, day, then _SUMMARY's and _DETAIL's columns; a detail row carries its period's worker_id and
    period_start and leaves the other summary columns NULL)."""
    j = _judgement(session, judged, window.start, window.end + timedelta(days=1), one_per_worker=not by_month,
                   monthly=by_month)

    def shared(rows: Subquery) -> CTE:
        """rows as a CTE: the summaries and the details both read them, computed once."""
        return select(rows).cte(f"{rows.name}_shared")

    gaps, months = shared(_gap_rows(session, j, exact=True)), shared(_month_rows(j))
    last_stage, stage = aliased(StageAssignment), aliased(CertificationStage)
    # Each period's own row, its gaps and its months stacked, then one GROUP BY into its summary (no join between
    # derived tables, which SQLite runs as a nested scan; see _month_rows).
    stacked = union_all(
        select(judged.c.position, *_layout(_SUMMARY, worker_id=judged.c.worker_id,
                        period_start=judged.c.period_start, period_end_excl=judged.c.period_end_excl,
                        full_name=judged.c.full_name, team_id=judged.c.team_id, team_name=judged.c.team_name,
                        stage_code=stage.code))
        .select_from(judged)
        # the stage held on the last judged day, until - 1: start <= until - 1 < end
        .outerjoin(last_stage, and_(last_stage.staff_id == judged.c.worker_id, last_stage.start_date < judged.c.until,
                                    or_(last_stage.end_date.is_(None), last_stage.end_date >= judged.c.until)))
        .outerjoin(stage, stage.id == last_stage.stage_id),
        select(cast(null(), Integer), *_layout(_SUMMARY, worker_id=gaps.c.worker_id,
                                               period_start=gaps.c.period_start, longest=gaps.c.days,
                                               sessions=gaps.c.is_session)),
        select(cast(null(), Integer), *_layout(_SUMMARY, worker_id=months.c.worker_id,
                                               period_start=months.c.period_start, minutes=months.c.counted,
                        minimum=case((and_(months.c.is_full == 1, months.c.employed_days > 0), months.c.required),
                                     else_=0),
                        # NULL as soon as one month has no rule: sum() skips NULLs, unruled counts them
                        expected=months.c.slice_days * 1.0 / months.c.max_days,
                        unruled=case((and_(months.c.slice_days > 0, months.c.max_days.is_(None)), 1), else_=0),
                        leave_days=months.c.slice_leave)),
    ).subquery("stacked_periods")
    keys = (stacked.c.worker_id, stacked.c.period_start)
    # kind: 0 a period's summary, 1 a violating gap, 2 a short month; day orders the details of a kind.
    summaries = select(
        func.max(stacked.c.position).label("position"), literal(0, Integer).label("kind"),
        cast(null(), Date).label("day"), *keys,
        *(aggregate(stacked.c[name]).label(name) for name, _, aggregate in _SUMMARY if aggregate is not None),
        *_layout(_DETAIL)).group_by(*keys)

    def detail(rows: CTE, kind: int, day: ColumnElement[date],
               **values: ColumnElement[Any]) -> Select[*tuple[Any, ...]]:
        """A detail row for each of rows, after its period's summary."""
        return (select(judged.c.position, literal(kind, Integer), day,
                       *_layout(_SUMMARY, worker_id=judged.c.worker_id, period_start=judged.c.period_start),
                       *_layout(_DETAIL, **values))
                .join(judged, and_(judged.c.worker_id == rows.c.worker_id,
                                   judged.c.period_start == rows.c.period_start)))

    violations = detail(gaps, 1, gaps.c.gap_start, days=gaps.c.days, max_days=gaps.c.max_days,
                        gap_end=gaps.c.gap_end, away=gaps.c.leave_days).where(gaps.c.violates == 1)
    shortfalls = detail(months, 2, months.c.month_start, counted=months.c.counted, required=months.c.required,
                        employed_days=months.c.employed_days, month_days=months.c.month_days,
                        away=months.c.leave_days).where(months.c.short == 1)
    return union_all(summaries, violations, shortfalls).subquery(f"{judged.name}_rows")


def _whole_months(window: Window) -> tuple[date, date] | None:
    """The first days of the first and the last calendar month wholly inside the window (None when none is)."""
    whole = [p.start for p in month_periods(window)
             if p.start.day == 1 and p.end == _next_month(p.start) - timedelta(days=1)]
    return (whole[0], whole[-1]) if whole else None


def _is_whole(judged: NamedFromClause, whole: tuple[date, date]) -> list[ColumnElement[bool]]:
    """A period of `judged` is one of the whole months (the window cuts at most its first and last month): said of
    the period's end, not its start, which the kept rows are joined on. SQLite carried a range on the start over to
    month_judgements.month and searched each worker's five years of kept rows instead of one month (~1 s more)."""
    return [judged.c.period_end_excl > whole[0], judged.c.period_end_excl <= _next_month(whole[1])]


def _everyone_version() -> ColumnElement[int]:
    return func.coalesce(select(JudgementVersion.version).where(JudgementVersion.worker_id == EVERYONE)
                         .scalar_subquery(), 0)


def _kept(judged: NamedFromClause, whole: tuple[date, date]) -> Select[*tuple[Any, ...]]:
    """A judged period's summary in month_judgements, when the period is a whole month and the summary was kept at
    the versions read with the period (judged.c.version, judged.c.everyone_version; see _judged_periods)."""
    kept = MonthJudgement
    return select(kept.worker_id).where(
        kept.worker_id == judged.c.worker_id, kept.month == judged.c.period_start, *_current(judged),
        kept.kind == 0, *_is_whole(judged, whole))


def _current(judged: NamedFromClause) -> list[ColumnElement[bool]]:
    """Kept rows judged under the current definition at the versions read with the periods of `judged`."""
    kept = MonthJudgement
    return [kept.definition == JUDGEMENT_DEFINITION, kept.version == judged.c.version,
            kept.everyone_version == judged.c.everyone_version]


def _kept_rows(judged: NamedFromClause, whole: tuple[date, date]) -> Select[*tuple[Any, ...]]:
    """_judgement_rows' rows for the whole months kept at the periods' versions, with the period's position, names
    and team from `judged` (what depends on the team is never kept)."""
    kept = MonthJudgement.__table__.c
    stored = {name: kept[name] for name, _, _ in (*_SUMMARY, *_DETAIL) if name in kept}
    return (select(judged.c.position, kept.kind, kept.day,
                   *_layout(_SUMMARY, **{**stored, "worker_id": judged.c.worker_id,
                                         "period_start": judged.c.period_start, "full_name": judged.c.full_name,
                                         "team_id": judged.c.team_id, "team_name": judged.c.team_name}),
                   *_layout(_DETAIL, **stored))
            .select_from(judged)
            .join(MonthJudgement, and_(kept.worker_id == judged.c.worker_id, kept.month == judged.c.period_start,
                                       *_current(judged)))
            .where(*_is_whole(judged, whole)))


def _employed_months(judged: NamedFromClause, window: Window) -> CTE:
    """The by-month periods of the workers judged over a window of whole months: each calendar month of it in which
    the worker was employed (what _keep_month_judgements keeps, and _composed_rows reads)."""
    months = _months_cte(_calendar_months(window.start, window.end), "window_months")
    return (select(judged.c.worker_id, judged.c.team_id, months.c.month_start.label("period_start"),
                   months.c.next_month.label("period_end_excl"),
                   _until(judged.c.left_on, months.c.next_month).label("until"), judged.c.hire_date, judged.c.left_on,
                   judged.c.full_name, months.c.month_start.label("period_month"), judged.c.position,
                   judged.c.team_name, judged.c.version, judged.c.everyone_version)
            .join(months, and_(judged.c.hire_date < months.c.next_month,
                               or_(judged.c.left_on.is_(None), judged.c.left_on > months.c.month_start)))
            .cte("judged_months"))


def _composed_rows(judged: NamedFromClause, whole: tuple[date, date]) -> Subquery:
    """_judgement_rows' rows for periods that are whole calendar months, composed from the kept judgements of the
    months in which each worker was employed (all kept at the periods' versions: _keep_month_judgements first).

    A month's judgement is its part of the period's: sessions, minutes, minimums, sessions expected and leave add
    up, and short months are the months'. A gap's days grow with the day it is measured to, and each month
    measures the gaps overlapping it to its own last judged day at most, so the period's judgement of a gap is the
    longest of the months' (the month it ends in, or the period's last): the longest gap is the months' longest,
    and each violating gap is listed once, from the month that measured it longest. The stage is the one on the
    period's last judged day: the last month's. Months the worker was not employed in add nothing either way.
    """
    kept = MonthJudgement.__table__.c

    def joined(kind: int, *columns: ColumnElement[Any]) -> Select[*tuple[Any, ...]]:
        return (select(*columns).select_from(judged)
                .join(MonthJudgement, and_(kept.worker_id == judged.c.worker_id, kept.month.between(*whole),
                                           *_current(judged), kept.kind == kind)))

    last_month = and_(kept.month < judged.c.until, kept.period_end_excl >= judged.c.until)
    sources = {**{name: kept[name] for name, _, _ in _SUMMARY if name in kept},
               "period_end_excl": judged.c.period_end_excl, "full_name": judged.c.full_name,
               "team_id": judged.c.team_id, "team_name": judged.c.team_name,
               "stage_code": case((last_month, kept.stage_code))}
    summaries = joined(0, func.max(judged.c.position).label("position"), literal(0, Integer).label("kind"),
                       cast(null(), Date).label("day"), judged.c.worker_id, judged.c.period_start,
                       *(aggregate(sources[name]).label(name) for name, _, aggregate in _SUMMARY
                         if aggregate is not None),
                       *_layout(_DETAIL)).group_by(judged.c.worker_id, judged.c.period_start)
    longest_first = func.row_number().over(partition_by=(judged.c.worker_id, kept.day),
                                           order_by=(kept.days.desc(), kept.gap_end.desc()))
    gaps = joined(1, judged.c.position, judged.c.worker_id, judged.c.period_start, kept.day, kept.days,
                  kept.max_days, kept.gap_end, kept.away, longest_first.label("rank")).subquery("kept_gaps")
    violations = select(gaps.c.position, literal(1, Integer), gaps.c.day,
                        *_layout(_SUMMARY, worker_id=gaps.c.worker_id, period_start=gaps.c.period_start),
                        *_layout(_DETAIL, days=gaps.c.days, max_days=gaps.c.max_days, gap_end=gaps.c.gap_end,
                                 away=gaps.c.away)).where(gaps.c.rank == 1)
    shortfalls = joined(2, judged.c.position, literal(2, Integer), kept.day,
                        *_layout(_SUMMARY, worker_id=judged.c.worker_id, period_start=judged.c.period_start),
                        *_layout(_DETAIL, counted=kept.counted, required=kept.required,
                                 employed_days=kept.employed_days, month_days=kept.month_days, away=kept.away))
    return union_all(summaries, violations, shortfalls).subquery("composed_rows")


def _keep_month_judgements(session: Session, judged: NamedFromClause, window: Window, whole: tuple[date, date]
                           ) -> bool:
    """Judge the whole months of `judged` that month_judgements does not hold at the worker's current version, and
    keep them (replacing what it held for those months).

    A whole month's judgement reads only the worker's own records (sessions attended, hire and leaving dates,
    stages, leave) and the standard, never the team or the window around it; the triggers of migration 0005
    bump the worker's version (or everyone's) on any write to those. The versions are read by the statement
    that judges, so a write committed after it leaves these rows at an older version: never used, and replaced
    the next time. Two exports keeping the same month at once keep it once (the key includes the version).
    True when every whole month of `judged` is now kept at the periods' versions.
    """
    stale = select(judged).where(*_is_whole(judged, whole), ~_kept(judged, whole).exists())
    if not session.scalar(select(stale.exists())):
        return True
    table = _temporary(session, stale, "judged_stale", ("worker_id", "period_start"))
    rows = _judgement_rows(session, table, window, by_month=True)
    version = aliased(JudgementVersion)
    kept = typing.cast(Table, MonthJudgement.__table__)
    sequence = func.row_number().over(partition_by=(rows.c.worker_id, rows.c.period_start, rows.c.kind),
                                      order_by=(rows.c.day, rows.c.days))
    values = {"worker_id": rows.c.worker_id, "month": rows.c.period_start,
              "definition": literal(JUDGEMENT_DEFINITION),
              "version": func.coalesce(version.version, 0), "everyone_version": _everyone_version(),
              "kind": rows.c.kind, "seq": sequence}
    columns = [c.name for c in kept.c]
    query = (select(*(values[name] if name in values else rows.c[name] for name in columns))
             .select_from(rows).outerjoin(version, version.worker_id == rows.c.worker_id))
    postgres = session.get_bind().dialect.name == "postgresql"
    # How many periods are judged here (the INSERT's rowcount is not reported: -1), and of how many whole ones.
    judging, of = session.execute(select(select(func.count()).select_from(table).scalar_subquery(),
                                         select(func.count()).where(*_is_whole(judged, whole)).scalar_subquery())
                                  ).one() if postgres else (0, 0)
    try:
        with session.begin_nested():
            session.execute(kept.delete().where(select(table.c.worker_id).where(
                table.c.worker_id == kept.c.worker_id, table.c.period_start == kept.c.month).exists()))
            insert = postgresql.insert if postgres else sqlite.insert
            session.execute(insert(kept).from_select(columns, query).on_conflict_do_nothing())
    except OperationalError:
        # Another transaction wrote these rows first (PostgreSQL's repeatable read refuses to overwrite them), or
        # wrote anything since this SQLite snapshot began: what is not kept is then judged by the caller.
        return False
    finally:
        session.execute(DropTable(table))
    if judging > 500 and 2 * judging >= of:
        # Statistics now rather than when autovacuum comes round (if it is on at all): the next reads join it to the
        # periods, and months the statistics have not seen are taken for empty, then scanned once per period (a
        # quarter: 0.5-1.7 s instead of 35 ms; a month for the whole agency is ~1,800). Months seen for the first
        # time are most of a keep; re-judging a fifth of the workers does not need it (~20 ms saved).
        _analyze(session, "month_judgements")
    return True


def _one_snapshot(session: Session) -> bool:
    """Whether every statement of the transaction reads the same snapshot: SQLite's transactions do; on
    PostgreSQL, repeatable read (dashboard.db.one_snapshot) does and read committed does not."""
    if session.get_bind().dialect.name == "sqlite":
        return True
    return session.connection().get_isolation_level() in ("REPEATABLE READ", "SERIALIZABLE")


def _standards(rows: Iterable[Any], make: Callable[..., T]) -> Iterator[T]:
    """iter_standard_status's rows read into make(WorkerStandard's fields): a summary row opens a period, its details
    follow."""
    summary: Any = None
    reasons: _Reasons | None = None  # only for periods with a detail row (most have none)
    # Rows are unpacked as tuples: reading 20 columns by name cost ~1 s per 100k rows.
    for row in rows:
        kind = row[1]
        if kind == 0:
            if summary is not None:
                yield _standard(summary, reasons, make)
            summary, reasons = row, None
            continue
        if reasons is None:
            reasons = _Reasons()
        day = row[2]
        days, limit, counted, required, employed, month_days, end, away = row[17:]
        if kind == 1:
            reasons.gap(day, end, away, int(days), limit)
        else:
            reasons.short_month(day, int(counted), int(required), employed, away, month_days)
    if summary is not None:
        yield _standard(summary, reasons, make)


def _standard(summary: Any, reasons: _Reasons | None, make: Callable[..., T]) -> T:
    """A period's row (make(WorkerStandard's fields, in order)) from its summary row and the reasons of its detail
    rows. Positional: keywords cost a microsecond a row."""
    (_, _, _, worker_id, period_start, period_end_excl, name, team_id, team_name, stage_code, longest, sessions,
     minutes, minimum, expected, unruled, leave_days) = summary[:17]
    return make(
        worker_id, name, team_id, team_name, stage_code,
        reasons is None,  # meets
        int(sessions or 0), int(minutes or 0),  # individual_sessions, minutes
        None if longest is None else int(longest),  # longest_gap_days
        () if reasons is None else tuple(reasons.gap_violations),
        () if reasons is None else tuple(reasons.shortfalls),  # month_shortfalls
        () if reasons is None else tuple(reasons.texts),  # reasons
        period_start, period_end_excl - _ONE_DAY,  # period_start, period_end
        # required_individual_sessions: NULL as soon as one month has no rule, or none is judged
        None if unruled or expected is None else math.floor(round(float(expected), 9)),
        int(minimum or 0), int(leave_days or 0))  # required_minutes, leave_days


_ONE_DAY = timedelta(days=1)


# The columns of iter_standard_status's rows after (position, kind, day): a summary's, with the aggregate that
# forms it from the stacked rows (worker_id and period_start are the group), then a detail's. Each row leaves the
# others' columns NULL.
_SUMMARY: tuple[tuple[str, Any, Any], ...] = (
    ("worker_id", Integer, None), ("period_start", Date, None), ("period_end_excl", Date, func.max),
    ("full_name", String, func.max), ("team_id", Integer, func.max), ("team_name", String, func.max),
    ("stage_code", String, func.max), ("longest", Integer, func.max), ("sessions", Integer, func.sum),
    ("minutes", Integer, func.sum), ("minimum", Integer, func.sum), ("expected", Float, func.sum),
    ("unruled", Integer, func.sum), ("leave_days", Integer, func.sum))
_DETAIL: tuple[tuple[str, Any, Any], ...] = (
    ("days", Integer, None), ("max_days", Integer, None), ("counted", Integer, None), ("required", Integer, None),
    ("employed_days", Integer, None), ("month_days", Integer, None), ("gap_end", Date, None), ("away", Integer, None))


def _layout(columns: tuple[tuple[str, Any, Any], ...], **values: SQLColumnExpression[Any]) -> list[ColumnElement[Any]]:
    """The columns in order: the values given, a NULL of the column's type for the others (so that the parts of a
    UNION agree on each column's type)."""
    return [values.get(name, cast(null(), type_)).label(name) for name, type_, _ in columns]


class _Reasons:
    """The reasons a period's detail rows (violating gaps, short months) give for not meeting the standard."""

    def __init__(self) -> None:
        self.gap_violations: list[GapViolation] = []
        self.shortfalls: list[MonthShortfall] = []
        self.texts: list[str] = []

    def gap(self, start: date, end: date, away: int, days: int, limit: int | None) -> None:
        leave = f" (not counting {away} days on leave)" if away else ""
        if limit is None:
            self.texts.append(f"gap of {days} days from {start} to {end}{leave}; no standard rule applies "
                                f"(no certification stage recorded on {start})")
        else:
            self.gap_violations.append(GapViolation(start, end, days, limit))
            self.texts.append(f"gap of {days} days {_gap_span(start, end)}{leave}; limit {limit}")

    def short_month(self, month: date, counted: int, required: int, employed: int, away: int,
                    month_days: int) -> None:
        self.shortfalls.append(MonthShortfall(month, counted, required, int(away)))
        note = (f" (pro-rated: at work {employed} of {month_days} days, {away} on leave)" if away else
                f" (pro-rated: employed {employed} of {month_days} days)" if employed < month_days else "")
        self.texts.append(f"{_month_label(month)}: {counted} of {required} minutes{note}")


def _judged_periods(scope: Scope, window: Window, filters: TeamFilter, stage_id: int | None, by_month: bool,
                    versions: bool) -> Select[*tuple[Any, ...]]:
    """The judged periods of iter_standard_status: _window_judged_select's rows for the window, or for each calendar
    month of it with by_month (plus period_month, the month's first day), and their position in the roster's
    order (team name, worker name, worker id, period): names are compared once, here, and the statement that
    reads the periods sorts on the position.
    """
    if by_month:
        # One join with a table of the months, rather than one statement per month stacked (60 for five years):
        # planned once, and ~2x faster on PostgreSQL.
        months = union_all(*[select(_day(p.start).label("period_start"),
                                    _day(p.end + timedelta(days=1)).label("period_end_excl"),
                                    _day(_month_start(p.start)).label("period_month")) for p in month_periods(window)]
                           ).cte("periods")
        stacked = (_judged_select(scope, months.c.period_start, months.c.period_end_excl, filters, stage_id)
                   .add_columns(months.c.period_month).subquery("judged_periods"))
    else:
        stacked = _window_judged_select(scope, window, filters, stage_id).subquery("judged_periods")
    position = func.row_number(type_=Integer).over(order_by=(Team.name, stacked.c.full_name, stacked.c.worker_id,
                                                             stacked.c.period_start))
    # The team's name rides along: every statement reading the periods shows it.
    query = (select(*stacked.c, position.label("position"), Team.name.label("team_name"))
             .join(Team, Team.id == stacked.c.team_id))
    if versions:  # the versions its whole months are looked up by in month_judgements (_kept)
        version = aliased(JudgementVersion)
        query = (query.outerjoin(version, version.worker_id == stacked.c.worker_id)
                 .add_columns(func.coalesce(version.version, 0).label("version"),
                              _everyone_version().label("everyone_version")))
    return query


def _analyze(session: Session, table: str) -> None:
    """Statistics for a table just written, from a sample of 3,000 rows on PostgreSQL (statistics target 10, for the
    rest of the transaction): enough to see every month and worker, and ~20 ms where the default 30,000 took
    ~110 ms for five years of periods and ~160 ms for month_judgements."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL default_statistics_target = 10"))
    session.execute(text(f"ANALYZE {table}"))


# The temporary tables' definitions by layout (name, columns and their types, key). SQLAlchemy caches a statement's
# compiled SQL by its structure, and a Table object is part of that structure: a new one each call made every
# statement reading it compile again (~35 ms a call at agency scale, most of the SQLite page's own time).
_TEMPORARY_TABLES: dict[tuple[Any, ...], Table] = {}


def _temporary(session: Session, query: Select[*tuple[Any, ...]], name: str, key: tuple[str, ...]) -> Table:
    """query's rows written once to a temporary table with key as its primary key, and its statistics (a
    temporary table has none until ANALYZE, and PostgreSQL's autovacuum never visits it).

    PostgreSQL drops it when the transaction ends; the caller drops it when done, for SQLite and for a second use
    in the same transaction, and one left behind by an abandoned stream is replaced here.
    """
    layout = (name, tuple((c.name, repr(c.type)) for c in query.selected_columns), key)
    table = _TEMPORARY_TABLES.get(layout)
    if table is None:  # one Table per layout, reused: see _TEMPORARY_TABLES
        table = _TEMPORARY_TABLES[layout] = Table(
            name, MetaData(), *(Column(c.name, c.type) for c in query.selected_columns), PrimaryKeyConstraint(*key),
            prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
    session.execute(DropTable(table, if_exists=True))
    session.execute(CreateTable(table))
    session.execute(table.insert().from_select(list(table.c.keys()), query))
    _analyze(session, name)
    return table


# ---------------------------------------------------------------------------------------------------------------
# Due dates and overdue


def _active_workers(scope: Scope, filters: TeamFilter, day: date, name: str, worker_id: int | None = None) -> CTE:
    """Peer workers on visible teams on `day` (members_on) with hire date and name; one of them if worker_id."""
    query = (members_on(day, visible_team_ids(scope, filters))
             .add_columns(Staff.hire_date.label("hire_date"), Staff.left_on.label("left_on"),
                          Staff.full_name.label("full_name")))
    if worker_id is not None:
        query = query.where(Staff.id == worker_id)
    return query.cte(name)


def _due_query(session: Session, scope: Scope, as_of: date, filters: TeamFilter, exact: bool,
               worker_id: int | None = None) -> Select[*tuple[Any, ...]]:
    active = _active_workers(scope, filters, as_of, "active", worker_id)
    lookback, before = _lookback_days(session), as_of + timedelta(days=1)
    narrow = worker_id is not None
    attended = _attended(active, before - timedelta(days=lookback), before, "active_attended", narrow)
    last, lacking = _last_individual_before(session, active, attended, before, lookback, exact, narrow)
    since = func.coalesce(last.c.held_on, last.c.hire_date)
    takers = _leave_takers(session, before - timedelta(days=lookback), before).for_gaps(lacking)
    days_since, _away = _days_at_work(takers, last.c.worker_id, since, _day(as_of))
    query = (select(last.c.worker_id, last.c.full_name, last.c.team_id, Team.name.label("team_name"))
             .select_from(last).join(Team, Team.id == last.c.team_id)
             .outerjoin(Leave, and_(Leave.staff_id == last.c.worker_id, _holds_on(Leave, as_of))))
    query, rule = _join_rule_on(query, last.c.worker_id, _day(as_of))
    return query.add_columns(rule.stage_code.label("stage_code"), last.c.held_on.label("last_individual"),
                             days_since.label("days_since"),
                             rule.max_days.label("limit"), Leave.id.is_not(None).label("on_leave"),
                             Leave.end_date.label("back_on"))


def _not_on_leave(due: Subquery) -> ColumnElement[bool]:
    """Overdue counts leave out workers away on the day: nobody can supervise them."""
    return due.c.on_leave.is_(False)


def _status(days_since: int, limit: int | None, on_leave: bool) -> str:
    if on_leave:
        return "on_leave"
    if limit is None:
        return "no_standard"
    if days_since > limit:
        return "overdue"
    return "due_soon" if limit - days_since <= DUE_SOON_DAYS else "on_track"


def due_dates(session: Session, scope: Scope, as_of: date, filters: TeamFilter,
              worker_id: int | None = None) -> list[DueDate]:
    """Every active peer worker on a visible team on `as_of` (members_on) with their supervision due date
    (only the one worker when worker_id is given: a profile needs one row, not the team's).

    last_individual: their last individual session on or before as_of (None when none). days_since: as_of
    minus that date, or minus the hire date when there was none. limit: max_days_between_individual of the
    rule in force on as_of for their current stage. Days on leave do not count: days_since leaves out the days
    after that date up to and including as_of on which the worker was on leave (_days_at_work).
    next_due = as_of + days_until_due, days_until_due = limit - days_since. status: 'overdue' when
    days_since > limit, 'due_soon' when due within DUE_SOON_DAYS (7) days including today, 'on_track'
    otherwise, 'no_standard' when no rule is in force (no stage recorded), 'on_leave' for a worker on leave on
    as_of: back_on is the day they are back, and the clock restarts then, the day back being the first day that
    counts again (next_due = back_on + limit - days_since - 1; None with days_until_due when the return is not
    known). minutes_this_month / required_this_month: minutes counted toward the month's
    minimum from the first of as_of's month to as_of, against the whole month's minimum (pro-rated for a
    worker hired that month), as in standard_status. Ordered overdue first (fewest days until due), then name.
    """
    due = _due_query(session, scope, as_of, filters, exact=True, worker_id=worker_id).subquery()
    rows = session.execute(select(due)).all()

    month_start, next_month = _month_start(as_of), _next_month(as_of)
    active = _active_workers(scope, filters, as_of, "month_active", worker_id)
    judged = select(active.c.worker_id, _day(month_start).label("period_start"),
                    _day(next_month).label("period_end_excl"), _day(as_of + timedelta(days=1)).label("until"),
                    active.c.hire_date, active.c.left_on).cte("month_judged")
    months = _month_rows(_judgement(session, judged, month_start, as_of + timedelta(days=1), one_per_worker=True,
                                    gaps=False, narrow=worker_id is not None))
    month = {worker_id: (int(counted), None if required is None else int(required))
             for worker_id, counted, required in session.execute(
                 select(months.c.worker_id, months.c.counted, months.c.required))}

    result = []
    for worker_id, name, team_id, team_name, stage_code, last_individual, days_since, limit, on_leave, back_on \
            in rows:
        days = int(days_since)
        # Away on as_of: the clock restarts on the day back, which is itself a day at work (days + 1 then).
        restart = back_on - timedelta(days=1) if on_leave and back_on else None if on_leave else as_of
        next_due = None if limit is None or restart is None else restart + timedelta(days=limit - days)
        counted, required = month.get(worker_id, (0, None))
        result.append(DueDate(
            worker_id=worker_id, worker_name=name, team_id=team_id, team_name=team_name, stage_code=stage_code,
            last_individual=last_individual, days_since=days, limit=limit, next_due=next_due,
            days_until_due=None if next_due is None else (next_due - as_of).days,
            status=_status(days, limit, bool(on_leave)), minutes_this_month=counted, required_this_month=required,
            back_on=back_on if on_leave else None))
    result.sort(key=lambda d: (d.days_until_due is None, d.days_until_due or 0, d.worker_name, d.worker_id))
    return result


def overdue_now(session: Session, scope: Scope, as_of: date, filters: TeamFilter) -> list[OverdueWorker]:
    """Active peer workers on visible teams on `as_of`, not on leave that day, whose days since their last
    individual session (or since hire, when none; leave days left out) exceed max_days_between_individual for
    their stage on as_of: due_dates' 'overdue' rows."""
    due = _due_query(session, scope, as_of, filters, exact=True).subquery()
    rows = session.execute(
        select(due.c.worker_id, due.c.full_name, due.c.team_id, due.c.last_individual, due.c.days_since,
               due.c.limit)
        .where(due.c.limit.is_not(None), due.c.days_since > due.c.limit, _not_on_leave(due))
        .order_by((due.c.days_since - due.c.limit).desc(), due.c.full_name, due.c.worker_id))
    return [OverdueWorker(worker_id, name, team_id, last, int(days_since), int(limit))
            for worker_id, name, team_id, last, days_since, limit in rows]


# ---------------------------------------------------------------------------------------------------------------
# Team-level metrics


def _attended_in(window: Window) -> Select[*tuple[Any, ...]]:
    """(worker_id, session_id, held_on, minutes, format, kind) of every attendance in the window, read by date."""
    return (select(SessionAttendee.worker_id, SupervisionSession.id.label("session_id"), SupervisionSession.held_on,
                   SupervisionSession.minutes, SupervisionSession.format, SupervisionSession.kind)
            .select_from(SupervisionSession)
            .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .where(SupervisionSession.held_on >= window.start, SupervisionSession.held_on <= window.end))


def frequency(session: Session, scope: Scope, window: Window, filters: TeamFilter,
              settings: MetricSettings) -> list[TeamFrequency]:
    """Supervision frequency per visible team, over the team's peer workers on window.end (members_on).

    individual_per_worker_month: individual sessions those workers attended in the window / workers /
    window.months (days / 30.4375). hours_per_worker_month: minutes of every session they attended in the
    window (a group session counts for each attendee) / 60 / workers / window.months. Sessions count for
    the team the worker is on at window.end, whichever team they were on when it was held.
    median_gap_days: the median, over all the team's workers' gaps, of the days between consecutive
    individual sessions both inside the window (the mean of the middle two for an even count).
    expected_individual_per_worker_month: the standard line, the mean over the workers with a rule on
    window.end of 30.4375 / max_days_between_individual. All four are None when there are no workers, or
    no gaps for the median, and when settings.suppressed(workers). Teams in teams_in_view order.
    """
    members = members_on(window.end, visible_team_ids(scope, filters)).cte("members")
    attended = _attended_in(window).subquery("attended")
    totals = (select(members.c.team_id,
                     func.sum(case((attended.c.format == "individual", 1), else_=0)).label("individual"),
                     func.sum(attended.c.minutes).label("minutes"))
              .select_from(members).join(attended, attended.c.worker_id == members.c.worker_id)
              .group_by(members.c.team_id).subquery("totals"))
    points = (select(members.c.worker_id, members.c.team_id, attended.c.held_on,
                     func.lag(attended.c.held_on).over(partition_by=members.c.worker_id,
                                                       order_by=attended.c.held_on).label("previous"))
              .select_from(members).join(attended, attended.c.worker_id == members.c.worker_id)
              .where(attended.c.format == "individual").subquery("points"))
    gaps = (select(points.c.team_id, days_between(points.c.held_on, points.c.previous).label("days"))
            .where(points.c.previous.is_not(None)).subquery("team_gaps"))
    ranked = select(gaps.c.team_id, gaps.c.days,
                    func.row_number().over(partition_by=gaps.c.team_id, order_by=gaps.c.days).label("rank"),
                    func.count().over(partition_by=gaps.c.team_id).label("gaps")).subquery("ranked_gaps")
    medians = (select(ranked.c.team_id, func.avg(ranked.c.days * 1.0).label("median"))
               .where(ranked.c.rank.in_([(ranked.c.gaps + 1) // 2, (ranked.c.gaps + 2) // 2]))
               .group_by(ranked.c.team_id).subquery("medians"))
    expected_query = select(members.c.team_id).select_from(members)
    expected_query, rule = _join_rule_on(expected_query, members.c.worker_id, _day(window.end))
    expected = (expected_query.add_columns(
        func.avg(literal(AVERAGE_MONTH_DAYS, Float) / rule.max_days).label("expected"))
        .where(rule.max_days.is_not(None)).group_by(members.c.team_id).subquery("expected"))
    headcount = (select(members.c.team_id, func.count(func.distinct(members.c.worker_id)).label("workers"))
                 .group_by(members.c.team_id).subquery("headcount"))
    rows = {row.team_id: row for row in session.execute(
        select(Team.id.label("team_id"), headcount.c.workers, totals.c.individual, totals.c.minutes,
               medians.c.median, expected.c.expected)
        .select_from(Team)
        .outerjoin(headcount, headcount.c.team_id == Team.id).outerjoin(totals, totals.c.team_id == Team.id)
        .outerjoin(medians, medians.c.team_id == Team.id).outerjoin(expected, expected.c.team_id == Team.id)
        .where(Team.id.in_(visible_team_ids(scope, filters))))}

    result = []
    for team in teams_in_view(session, scope, filters):
        row: Any = rows.get(team.id)  # None: no workers, and then only its absence is read
        workers = int(row.workers or 0) if row else 0
        hidden = settings.suppressed(workers) or workers == 0
        per_month = workers * window.months
        result.append(TeamFrequency(
            team_id=team.id, team_name=team.name, program_id=team.program_id, workers=workers,
            individual_per_worker_month=None if hidden else int(row.individual or 0) / per_month,
            hours_per_worker_month=None if hidden else int(row.minutes or 0) / 60 / per_month,
            median_gap_days=None if hidden or row.median is None else float(row.median),
            expected_individual_per_worker_month=None if hidden or row.expected is None else float(row.expected),
            suppressed=settings.suppressed(workers)))
    return result


def supervision_mix(session: Session, scope: Scope, window: Window, filters: TeamFilter,
                    settings: MetricSettings) -> list[TeamMix]:
    """Share of supervision minutes by kind, per visible team.

    Sessions: those held in the window that at least one of the team's peer workers on window.end
    (members_on) attended; each counts once per team, by its minutes, whatever the format.
    minutes_by_kind lists every kind in SESSION_KINDS order (zeros included); administrative_share =
    administrative minutes / all minutes (None when there are none). When settings.suppressed(workers),
    minutes_by_kind is empty and the share None. Teams in teams_in_view order.
    """
    members = members_on(window.end, visible_team_ids(scope, filters)).cte("members")
    attended = _attended_in(window).subquery("attended")
    team_sessions = (select(members.c.team_id, attended.c.session_id, attended.c.kind, attended.c.minutes)
                     .select_from(members).join(attended, attended.c.worker_id == members.c.worker_id)
                     .distinct().subquery("team_sessions"))
    minutes: dict[int, dict[str, int]] = defaultdict(dict)
    for team_id, kind, total in session.execute(
            select(team_sessions.c.team_id, team_sessions.c.kind, func.sum(team_sessions.c.minutes))
            .group_by(team_sessions.c.team_id, team_sessions.c.kind)):
        minutes[team_id][kind] = int(total)
    workers: dict[int, int] = dict(session.execute(
        select(members.c.team_id, func.count(func.distinct(members.c.worker_id))).group_by(members.c.team_id)).all())
    result = []
    for team in teams_in_view(session, scope, filters):
        count = int(workers.get(team.id, 0))
        suppressed = settings.suppressed(count)
        by_kind = tuple((kind, minutes[team.id].get(kind, 0)) for kind in SESSION_KINDS)
        total = sum(m for _, m in by_kind)  # four per-kind sums from SQL
        share = None if suppressed or total == 0 else minutes[team.id].get("administrative", 0) / total
        result.append(TeamMix(team_id=team.id, minutes_by_kind=() if suppressed else by_kind,
                              administrative_share=share, suppressed=suppressed, team_name=team.name,
                              workers=count))
    return result


def supervisor_signals(session: Session, scope: Scope, window: Window, filters: TeamFilter,
                       settings: MetricSettings) -> list[TeamSupervisorSignals]:
    """Who supervises each visible team on window.end, and how heavily.

    supervisors: the team's supervisors on window.end (team_supervisors holding that day, still employed).
    peer_credential_share: share of the team's peer workers on window.end (members_on) whose supervisor holds
    a peer credential; a worker counts when at least one of the team's supervisors does (None without
    workers). fte_per_supervisor: for each of the team's supervisors, the summed FTE of the active peer
    workers on every team they supervise that day (all teams, visible or not: it is the supervisor's load);
    the team reports the largest (None without supervisors). over_limit: fte_per_supervisor >
    settings.fte_per_supervisor_limit. When settings.suppressed(workers) both values are None and
    over_limit False. Teams in teams_in_view order.
    """
    day = window.end
    supervising = (select(TeamSupervisor.team_id, TeamSupervisor.staff_id, Staff.peer_credential)
                   .join(Staff, Staff.id == TeamSupervisor.staff_id)
                   .where(_holds_on(TeamSupervisor, day), _employed_on(day)).cte("supervising"))
    everyone = members_on(day, select(Team.id)).subquery("everyone")
    load = (select(supervising.c.staff_id, func.sum(Staff.fte).label("fte"))
            .select_from(supervising).join(everyone, everyone.c.team_id == supervising.c.team_id)
            .join(Staff, Staff.id == everyone.c.worker_id)
            .group_by(supervising.c.staff_id).subquery("load"))
    team_supervision = (select(supervising.c.team_id, func.count(func.distinct(supervising.c.staff_id)).label("n"),
                               func.max(case((supervising.c.peer_credential, 1), else_=0)).label("credentialed"),
                               func.max(func.coalesce(load.c.fte, 0)).label("fte"))
                        .select_from(supervising).outerjoin(load, load.c.staff_id == supervising.c.staff_id)
                        .group_by(supervising.c.team_id).subquery("team_supervision"))
    members = members_on(day, visible_team_ids(scope, filters)).subquery("members")
    headcount = (select(members.c.team_id, func.count(func.distinct(members.c.worker_id)).label("workers"))
                 .group_by(members.c.team_id).subquery("headcount"))
    rows = {row.team_id: row for row in session.execute(
        select(Team.id.label("team_id"), headcount.c.workers, team_supervision.c.n, team_supervision.c.credentialed,
               team_supervision.c.fte)
        .select_from(Team)
        .outerjoin(headcount, headcount.c.team_id == Team.id)
        .outerjoin(team_supervision, team_supervision.c.team_id == Team.id)
        .where(Team.id.in_(visible_team_ids(scope, filters))))}
    result = []
    for team in teams_in_view(session, scope, filters):
        row: Any = rows.get(team.id)  # None: no workers, and then only its absence is read
        workers = int(row.workers or 0) if row else 0
        supervisors = int(row.n or 0) if row else 0
        suppressed = settings.suppressed(workers)
        credentialed_workers = workers if row is not None and row.credentialed else 0
        fte = None if suppressed or not supervisors else float(row.fte)
        result.append(TeamSupervisorSignals(
            team_id=team.id, supervisors=supervisors,
            peer_credential_share=None if suppressed or not workers else credentialed_workers / workers,
            fte_per_supervisor=fte, over_limit=fte is not None and fte > settings.fte_per_supervisor_limit,
            suppressed=suppressed, team_name=team.name, workers=workers))
    return result


# ---------------------------------------------------------------------------------------------------------------
# Trend and KPIs


def _judged_at_period_ends(scope: Scope, filters: TeamFilter, settings: MetricSettings,
                           periods: Sequence[tuple[date, date]], name: str) -> CTE:
    """The overview's population for "meeting the standard": per (first day, last day) period, the peer workers
    on a visible team not suppressed on the period's last day (shown_team_ids, members_on), judged over the
    period. Workers who left or moved off the teams in view before that day are not judged: the same people as
    "Active peer workers", less the suppressed teams."""
    parts = []
    for start, last_day in periods:
        members = members_on(last_day, shown_team_ids(scope, filters, last_day, settings)).subquery()
        after = _day(last_day + timedelta(days=1))  # they are employed on last_day, so judged up to its end
        parts.append(select(members.c.worker_id, _day(start).label("period_start"), after.label("period_end_excl"),
                            after.label("until"), Staff.hire_date, Staff.left_on)
                     .select_from(members).join(Staff, Staff.id == members.c.worker_id).distinct())
    return (union_all(*parts) if len(parts) > 1 else parts[0]).cte(name)


def meeting_trend(session: Session, scope: Scope, end: date, months: int, filters: TeamFilter,
                  settings: MetricSettings) -> list[MeetingPoint]:
    """Share of peer workers meeting the standard, per calendar month, for the `months` months up to `end`.

    Each point judges one month with standard_status's rules, the window being the calendar month (the last
    one cut at `end` when `end` is not a month's last day: then its minutes are not judged, as it is not a full
    month; the overview ends its trend at the last whole month). Workers: those on a visible team not
    suppressed on the month's last day (_judged_at_period_ends; a team is suppressed month by month, as
    coverage_trend does). month_end is that last day. meeting_share is None for a month with no such workers.
    Oldest first.
    """
    if months < 1:
        return []
    first = _month_start(end)
    for _ in range(months - 1):
        first = _month_start(first - timedelta(days=1))
    periods: list[tuple[date, date]] = []
    month = first
    while month <= end:
        last_day = min(_next_month(month) - timedelta(days=1), end)
        periods.append((month, last_day))
        month = _next_month(month)
    judged = _judged_at_period_ends(scope, filters, settings, periods, "trend_judged")
    counts = _meeting_counts(session, judged, first, end + timedelta(days=1))
    points = []
    for _start, last_day in periods:
        workers, meeting = counts.get(last_day + timedelta(days=1), (0, 0))
        points.append(MeetingPoint(last_day, workers, meeting / workers if workers else None))
    return points


def kpi_supervision(session: Session, scope: Scope, window: Window, filters: TeamFilter,
                    settings: MetricSettings) -> SupervisionKpis:
    """Agency (scope) totals over the visible teams on window.end.

    Head counts, over every visible team: active_workers: peer workers on visible teams on window.end
    (members_on). supervisors: distinct staff supervising a visible team on window.end (still employed).
    small_teams: visible teams with at least one but fewer than settings.min_cell_workers workers on window.end.

    Everything else is over the visible teams NOT suppressed on window.end (shown_team_ids), so that no two
    filter sets differing by a suppressed team can be subtracted to recover it. shown_workers: their peer
    workers on window.end. meeting_share: the share of those workers meeting the standard (standard_status's
    judgement) over the window; workers who left or moved off the teams in view before window.end are not
    judged (None when there is nobody). overdue_now: overdue_now's count with as_of = window.end, on those teams.
    on_leave_now: their workers on leave on window.end. hours_per_worker_month: minutes of every session they
    attended in the window (group sessions count for each attendee) / 60 / shown_workers / window.months.
    """
    team_ids = visible_team_ids(scope, filters)
    shown = shown_team_ids(scope, filters, window.end, settings).subquery("kpi_shown")
    everyone = members_on(window.end, team_ids).subquery("kpi_everyone")
    head_counts = (select(everyone.c.team_id, func.count(everyone.c.worker_id.distinct()).label("workers"))
                   .group_by(everyone.c.team_id).subquery("kpi_head_counts"))
    active = int(session.scalar(select(func.count(everyone.c.worker_id.distinct()))) or 0)
    small_teams = int(session.scalar(select(func.count()).select_from(head_counts)
                                     .where(head_counts.c.team_id.not_in(select(shown.c.team_id)))) or 0)
    members = members_on(window.end, select(shown.c.team_id)).cte("kpi_members")
    shown_workers = int(session.scalar(select(func.count(func.distinct(members.c.worker_id)))) or 0)
    supervisors = int(session.scalar(
        select(func.count(func.distinct(TeamSupervisor.staff_id)))
        .join(Staff, Staff.id == TeamSupervisor.staff_id)
        .where(TeamSupervisor.team_id.in_(team_ids), _holds_on(TeamSupervisor, window.end),
               _employed_on(window.end))) or 0)
    judged = _judged_at_period_ends(scope, filters, settings, [(window.start, window.end)], "judged")
    counts = _meeting_counts(session, judged, window.start, window.end + timedelta(days=1), one_per_worker=True)
    judged_workers, meeting = counts.get(window.end + timedelta(days=1), (0, 0))
    due = _due_query(session, scope, window.end, filters, exact=False).subquery()
    overdue = int(session.scalar(select(func.count()).select_from(due)
                                 .where(due.c.limit.is_not(None), due.c.days_since > due.c.limit,
                                        _not_on_leave(due), due.c.team_id.in_(select(shown.c.team_id)))) or 0)
    on_leave = int(session.scalar(
        select(func.count(func.distinct(members.c.worker_id)))
        .join(Leave, Leave.staff_id == members.c.worker_id).where(_holds_on(Leave, window.end))) or 0)
    attended = _attended_in(window).subquery()
    minutes = int(session.scalar(select(func.sum(attended.c.minutes)).select_from(members)
                                 .join(attended, attended.c.worker_id == members.c.worker_id)) or 0)
    return SupervisionKpis(
        active_workers=active, supervisors=supervisors,
        meeting_share=meeting / judged_workers if judged_workers else None, overdue_now=overdue,
        hours_per_worker_month=minutes / 60 / shown_workers / window.months if shown_workers else None,
        on_leave_now=on_leave, shown_workers=shown_workers, small_teams=small_teams)
