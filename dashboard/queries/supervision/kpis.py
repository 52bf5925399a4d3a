"""The overview's supervision KPIs and its monthly trend of meeting the standard."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import CTE, Select, func, select, union_all
from sqlalchemy.orm import Session

from dashboard.queries import kept_months
from dashboard.queries.common import MetricSettings, TeamFilter, Window, members_on, shown_team_ids, visible_team_ids
from dashboard.queries.supervision import kept_windows
from dashboard.queries.supervision.due import _due_query, _not_on_leave
from dashboard.queries.supervision.results import MeetingPoint, SupervisionKpis
from dashboard.queries.supervision.rule import JUDGEMENT_DEFINITION, _team_meeting_counts
from dashboard.queries.supervision.sql import _day, _employed_on, _holds_on, _month_start, _next_month
from dashboard.queries.supervision.team import _attended_in
from dashboard.scope import Scope
from models import Leave, MeetingMonth, MeetingMonthGuard, Staff, TeamSupervisor

# The version of meeting_trend's own rule (who is judged per team and month, _team_meeting_months): bump it with any
# change of what a team's month counts, and the months kept under the old rule (meeting_months) are no longer read.
# A change of the judgement itself bumps rule.JUDGEMENT_DEFINITION, which the kept rows carry too.
MEETING_TREND_DEFINITION = 1


@dataclass(frozen=True)
class MeetingCounts:
    """One team's unsuppressed counts for one month: its peer workers on the month's last day, judged over the month,
    and those meeting the standard (meeting_months' columns)."""

    workers: int
    meeting: int


def _judged_at_period_ends(scope: Scope, filters: TeamFilter, settings: MetricSettings,
                           periods: Sequence[tuple[date, date]], name: str) -> CTE:
    """The overview's population for "meeting the standard": per (first day, last day) period, the peer workers
    on a visible team not suppressed on the period's last day (shown_team_ids, members_on), judged over the
    period. Workers who left or moved off the teams in view before that day are not judged: the same people as
    "Active peer workers", less the suppressed teams."""
    return _period_members(periods, lambda last_day: shown_team_ids(scope, filters, last_day, settings), False, name)


def _period_members(periods: Sequence[tuple[date, date]], teams_on: Callable[[date], Select[int]], with_team: bool,
                    name: str) -> CTE:
    """Per (first day, last day) period, the peer workers on one of teams_on(last day) that day (members_on), with
    the columns _meeting_counts judges them by; with_team, also the team they are on (one row per worker and team)."""
    parts = []
    for start, last_day in periods:
        members = members_on(last_day, teams_on(last_day)).subquery()
        after = _day(last_day + timedelta(days=1))  # they are employed on last_day, so judged up to its end
        team = [members.c.team_id] if with_team else []
        parts.append(select(members.c.worker_id, *team, _day(start).label("period_start"),
                            after.label("period_end_excl"), after.label("until"), Staff.hire_date, Staff.left_on)
                     .select_from(members).join(Staff, Staff.id == members.c.worker_id).distinct())
    return (union_all(*parts) if len(parts) > 1 else parts[0]).cte(name)


def meeting_trend(session: Session, scope: Scope, end: date, months: int, filters: TeamFilter,
                  settings: MetricSettings, today: date | None = None) -> list[MeetingPoint]:
    """Share of peer workers meeting the standard, per calendar month, for the `months` months up to `end`.

    Each point judges one month with standard_status's rules, the window being the calendar month (the last
    one cut at `end` when `end` is not a month's last day: then its minutes are not judged, as it is not a full
    month; the overview ends its trend at the last whole month). Workers: those on a visible team not
    suppressed on the month's last day (the people _judged_at_period_ends picks; a team is suppressed month by
    month, as coverage_trend does). month_end is that last day. meeting_share is None for a month with no such workers.
    Oldest first.

    Each visible team's counts per month come from _team_meeting_months, suppression applied here (a worker is on
    one team at a time, so the teams' counts add up to the population's); given `today`,
    those of closed months (ending before it) are kept in meeting_months and summed there
    (kept_months.shown_totals). Without it every month is counted and nothing is kept.
    """
    if months < 1:
        return []
    first = _month_start(end)
    for _ in range(months - 1):
        first = _month_start(first - timedelta(days=1))
    periods: dict[date, date] = {}  # last day -> first day
    month = first
    while month <= end:
        periods[min(_next_month(month) - timedelta(days=1), end)] = month
        month = _next_month(month)
    team_ids = list(session.scalars(visible_team_ids(scope, filters)))
    store = kept_months.Store(MeetingMonth, MeetingMonthGuard, {"definition": MEETING_TREND_DEFINITION,
                                                                "judgement_definition": JUDGEMENT_DEFINITION},
                              MeetingCounts)
    totals = kept_months.shown_totals(
        session, store, team_ids, list(periods), date.min if today is None else today,  # nothing ends before it
        lambda last_days: _team_meeting_months(session, visible_team_ids(scope, filters),
                                               [(periods[d], d) for d in last_days]), settings)
    points = []
    for last_day in periods:
        # A team suppressed on a month's last day adds nothing to that month (common.shown_team_ids): shown_totals.
        counts = totals[last_day]
        points.append(MeetingPoint(last_day, counts.workers,
                                   counts.meeting / counts.workers if counts.workers else None))
    return points


def _team_meeting_months(session: Session, teams: Select[int], periods: list[tuple[date, date]]
                         ) -> dict[tuple[date, int], MeetingCounts]:
    """Each team's unsuppressed counts per (first day, last day) period (ascending): its peer workers on the last
    day, judged over the period, and those meeting the standard. Teams nobody was on are left out."""
    judged = _period_members(periods, lambda _day: teams, True, "trend_judged")
    counts = _team_meeting_counts(session, judged, periods[0][0], periods[-1][1] + timedelta(days=1))
    return {(end_excl - timedelta(days=1), team_id): MeetingCounts(workers, meeting)
            for (end_excl, team_id), (workers, meeting) in counts.items()}


def kpi_supervision(session: Session, scope: Scope, window: Window, filters: TeamFilter,
                    settings: MetricSettings, today: date | None = None) -> SupervisionKpis:
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

    Given the page's `today`, the verdicts of a window ending on it are kept per worker (kept_windows).
    """
    team_ids = visible_team_ids(scope, filters)
    # The counts are read by one statement: the members and the shown teams are worked out once, not once per count,
    # and one round trip instead of seven (~20 ms of the agency's KPI callback).
    shown = shown_team_ids(scope, filters, window.end, settings).cte("kpi_shown")
    everyone = members_on(window.end, team_ids).cte("kpi_everyone")
    head_counts = (select(everyone.c.team_id, func.count(everyone.c.worker_id.distinct()).label("workers"))
                   .group_by(everyone.c.team_id).subquery("kpi_head_counts"))
    members = members_on(window.end, select(shown.c.team_id)).cte("kpi_members")
    due = _due_query(session, scope, window.end, filters, exact=False).subquery()
    attended = _attended_in(window).subquery()
    counts = {
        "active": select(func.count(everyone.c.worker_id.distinct())),
        "small_teams": (select(func.count()).select_from(head_counts)
                        .where(head_counts.c.team_id.not_in(select(shown.c.team_id)))),
        "shown_workers": select(func.count(func.distinct(members.c.worker_id))),
        "supervisors": (select(func.count(func.distinct(TeamSupervisor.staff_id)))
                        .join(Staff, Staff.id == TeamSupervisor.staff_id)
                        .where(TeamSupervisor.team_id.in_(team_ids), _holds_on(TeamSupervisor, window.end),
                               _employed_on(window.end))),
        # The shown teams worked out again here, not read from kpi_shown: the planner takes the due rows for one and
        # then scans the CTE once per worker (226k comparisons, 30 ms); an IN over its own subquery is hashed.
        "overdue": (select(func.count()).select_from(due)
                    .where(due.c.limit.is_not(None), due.c.days_since > due.c.limit, _not_on_leave(due),
                           due.c.team_id.in_(shown_team_ids(scope, filters, window.end, settings)))),
        "on_leave": (select(func.count(func.distinct(members.c.worker_id)))
                     .join(Leave, Leave.staff_id == members.c.worker_id).where(_holds_on(Leave, window.end))),
        "minutes": (select(func.sum(attended.c.minutes)).select_from(members)
                    .join(attended, attended.c.worker_id == members.c.worker_id)),
    }
    read = session.execute(select(*(query.scalar_subquery().label(name) for name, query in counts.items()))).one()
    active, small_teams, shown_workers, supervisors, overdue, on_leave, minutes = (int(value or 0) for value in read)
    judged = _judged_at_period_ends(scope, filters, settings, [(window.start, window.end)], "judged")
    judged_workers, meeting = kept_windows.meeting_counts(session, judged, window, today)
    return SupervisionKpis(
        active_workers=active, supervisors=supervisors,
        meeting_share=meeting / judged_workers if judged_workers else None, overdue_now=overdue,
        hours_per_worker_month=minutes / 60 / shown_workers / window.months if shown_workers else None,
        on_leave_now=on_leave, shown_workers=shown_workers, small_teams=small_teams)
