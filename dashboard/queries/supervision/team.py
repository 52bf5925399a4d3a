"""Team-level supervision metrics: frequency, mix of kinds, supervisor signals."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Float, Select, case, func, literal, select
from sqlalchemy.orm import Session

from dashboard.queries.common import (AVERAGE_MONTH_DAYS, MetricSettings, TeamFilter, Window, members_on, teams_in_view,
                                      visible_team_ids)
from dashboard.queries.supervision.results import TeamFrequency, TeamMix, TeamSupervisorSignals
from dashboard.queries.supervision.rule import _join_rule_on
from dashboard.queries.supervision.sql import _day, _employed_on, _holds_on, days_between
from dashboard.scope import Scope
from models import SESSION_KINDS, SessionAttendee, Staff, SupervisionSession, Team, TeamSupervisor
from models.vocabulary import SessionFormat, SessionKind


def _attended_in(window: Window) -> Select[*tuple[Any, ...]]:
    """(worker_id, session_id, held_on, minutes, format, kind) of every attendance in the window, read by date.

    The attendances by their own date (session_attendees.held_on, the session's, kept by the database) and the
    sessions by theirs: both tables are read as a range of an index, where joining the window's sessions to the
    attendances had read every attendance of the agency."""
    return (select(SessionAttendee.worker_id, SessionAttendee.session_id, SessionAttendee.held_on,
                   SupervisionSession.minutes, SupervisionSession.format, SupervisionSession.kind)
            .select_from(SessionAttendee)
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .where(SessionAttendee.held_on >= window.start, SessionAttendee.held_on <= window.end,
                   SupervisionSession.held_on >= window.start, SupervisionSession.held_on <= window.end))


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
                     func.sum(case((attended.c.format == SessionFormat.INDIVIDUAL, 1), else_=0)).label("individual"),
                     func.sum(attended.c.minutes).label("minutes"))
              .select_from(members).join(attended, attended.c.worker_id == members.c.worker_id)
              .group_by(members.c.team_id).subquery("totals"))
    points = (select(members.c.worker_id, members.c.team_id, attended.c.held_on,
                     func.lag(attended.c.held_on).over(partition_by=members.c.worker_id,
                                                       order_by=attended.c.held_on).label("previous"))
              .select_from(members).join(attended, attended.c.worker_id == members.c.worker_id)
              .where(attended.c.format == SessionFormat.INDIVIDUAL).subquery("points"))
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
        share = None if suppressed or total == 0 else minutes[team.id].get(SessionKind.ADMINISTRATIVE, 0) / total
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
