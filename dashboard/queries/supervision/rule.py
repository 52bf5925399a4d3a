"""Meeting the standard, the rule: the rule in force, days at work, gaps, months, who is judged, the verdict."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (CTE, ColumnElement, Date, Integer, Select, SQLColumnExpression, Subquery, and_, case, cast,
                        func, literal, null, or_, select, true, union_all)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import NamedFromClause

from dashboard.queries.common import TeamFilter, Window, visible_team_ids
from dashboard.queries.supervision.reasons import _DETAIL, _SUMMARY, _layout
from dashboard.queries.supervision.sql import (_calendar_months, _day, _earlier, _holds_on, _later, _month_of,
                                               _months_cte, _until, day_after, day_before, days_between)
from dashboard.scope import Scope
from models import (CertificationStage, Leave, SessionAttendee, StageAssignment, Staff, StandardRule,
                    SupervisionSession, SupervisionStandard, TeamMembership)
from models.vocabulary import Role, SessionFormat


# The version of this rule. Kept month judgements (kept.py) carry the version they were judged by and are stale
# under any other, so bump it with every change to what a judgement says: no trigger sees a change of code, and
# tests/unit/test_month_judgements.py fails on any change to this file's code (or reasons.py's, sql.py's) until
# the fingerprint recorded there is updated. 1: the first kept months. 2: a day away that is the day a gap is
# measured to is not a gap day (_days_at_work).
JUDGEMENT_DEFINITION = 2

# The last individual session before a day is looked for among at least this many days of sessions, read by
# date; only workers with none that recent have their whole history read (see _last_individual_before).
ANCHOR_LOOKBACK_DAYS = 92


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
    return SupervisionSession.format == SessionFormat.INDIVIDUAL


def _attended(workers: CTE, since: date, before: date, name: str, narrow: bool = False) -> CTE:
    """Every column of `workers` with held_on, format and minutes of each session they attended in [since, before).

    Read by date, the attendances by their own copy of the session's date (session_attendees.held_on, kept by
    the database) and the sessions by theirs, so both are ranges of an index: one pass that the anchors, the gaps
    and the monthly minutes of a statement all share. narrow (one worker, as on a profile): read through the
    (worker, date) index instead, rather than every attendance of the agency in the range.
    """
    query = (select(*workers.c, SessionAttendee.held_on, SupervisionSession.format, SupervisionSession.minutes)
             .select_from(SessionAttendee)
             .join(workers, workers.c.worker_id == SessionAttendee.worker_id)
             .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
             .where(SessionAttendee.held_on >= since, SessionAttendee.held_on < before,
                    SupervisionSession.held_on >= since, SupervisionSession.held_on < before))
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
              .where(attended.c.format == SessionFormat.INDIVIDUAL, attended.c.held_on >= recent_from,
                     attended.c.held_on < before))
    # The workers and their sessions stacked, then one GROUP BY: no join between two derived tables, which
    # SQLite (without statistics) runs as a nested scan.
    parts = [select(*workers.c, literal(None, Date).label("held_on")), recent]
    lacking: list[int] = []
    if exact:
        seen = _attended(workers, recent_from, before, f"{workers.name}_seen", narrow)
        lacking = sorted(session.scalars(
            select(workers.c.worker_id).where(workers.c.hire_date < recent_from)
            .except_(select(seen.c.worker_id).where(seen.c.format == SessionFormat.INDIVIDUAL))))
        if lacking:
            parts.append(select(*workers.c, SessionAttendee.held_on)
                         .select_from(SessionAttendee)
                         .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
                         .join(workers, workers.c.worker_id == SessionAttendee.worker_id)
                         .where(SessionAttendee.worker_id.in_(lacking), _individual(),
                                SessionAttendee.held_on < recent_from))
    stacked = union_all(*parts).subquery(f"{workers.name}_stacked")
    columns = [stacked.c[c.name] for c in workers.c]
    return (select(*columns, func.max(stacked.c.held_on).label("held_on")).group_by(*columns)
            .subquery(f"{workers.name}_last")), lacking


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
                .where(attended.c.format == SessionFormat.INDIVIDUAL, attended.c.held_on >= j.span_start))
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
    held, individual = attended.c.held_on, attended.c.format == SessionFormat.INDIVIDUAL
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
    per_period = _meeting_per_period(session, judged, span_start, span_end_excl, one_per_worker)
    rows = session.execute(
        select(per_period.c.period_end_excl, func.count(), func.sum(1 - per_period.c.bad))
        .group_by(per_period.c.period_end_excl))
    return {end_excl: (int(count), int(meeting or 0)) for end_excl, count, meeting in rows}


def _team_meeting_counts(session: Session, judged: CTE, span_start: date, span_end_excl: date
                         ) -> dict[tuple[date, int], tuple[int, int]]:
    """_meeting_counts per team: (period_end_excl, team_id) -> (workers judged, workers meeting the standard), for
    `judged` carrying each worker's team_id (a worker is on one team at a time, so the teams' counts add up)."""
    per_period = _meeting_per_period(session, judged, span_start, span_end_excl, False)
    rows = session.execute(
        select(per_period.c.period_end_excl, judged.c.team_id, func.count(), func.sum(1 - per_period.c.bad))
        .join(judged, and_(judged.c.worker_id == per_period.c.worker_id,
                           judged.c.period_start == per_period.c.period_start))
        .group_by(per_period.c.period_end_excl, judged.c.team_id))
    return {(end_excl, int(team_id)): (int(count), int(meeting or 0)) for end_excl, team_id, count, meeting in rows}


def _meeting_per_period(session: Session, judged: CTE, span_start: date, span_end_excl: date,
                        one_per_worker: bool) -> Subquery:
    """One row per judged worker and period: its period_end_excl and bad = 1 when the standard was not met."""
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
    return (select(stacked.c.worker_id, stacked.c.period_start,
                   func.max(stacked.c.period_end_excl).label("period_end_excl"), func.max(stacked.c.bad).label("bad"))
            .group_by(stacked.c.worker_id, stacked.c.period_start).subquery("per_period"))


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
             .where(TeamMembership.team_id.in_(team_ids), Staff.role == Role.PEER_WORKER,
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


def month_periods(window: Window) -> list[Window]:
    """The calendar months overlapping a window, the first and last cut at its ends."""
    return [Window(max(first, window.start), min(following - timedelta(days=1), window.end))
            for first, following in _calendar_months(window.start, window.end)]


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
