"""Principle coverage and attention by team × principle, single points of failure, coverage trend, drill-down."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Date, Select, Subquery, and_, case, func, literal, or_, select, union_all
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from dashboard.queries import coverage_months
from dashboard.queries.common import (MetricSettings, TeamFilter, TeamRef, Window, members_during, members_on,
                                      teams_in_view, visible_team_ids)
from dashboard.queries.resources import GuideRow, list_guides
from dashboard.scope import Scope
from models import (Category, CategoryPrinciple, Competency, CompetencyRating, CurrentRating, Framework,
                    Principle, Program, RatingScale, SessionAttendee, SessionCompetency, Staff,
                    Team, TeamMembership)
from models.vocabulary import RaterRole, Role

SUPERVISOR = RaterRole.SUPERVISOR  # the only rater role that counts towards coverage; self ratings never do
WEAKEST_CATEGORIES = 2  # how many of a principle's weakest categories the drill-down suggests guides for
# The version of coverage_trend's rule (_team_trend_counts): bump it with any change of what a team's month counts,
# and the months kept under the old rule (coverage_months) are no longer read.
TREND_DEFINITION = 1


@dataclass(frozen=True)
class TeamPrincipleCell:
    """What every team × principle cell of the heatmap says about where it stands (its fields come first)."""

    team_id: int
    team_name: str
    program_id: int
    principle_code: str
    principle_name: str
    workers: int


@dataclass(frozen=True)
class CoverageCell(TeamPrincipleCell):
    """One team × principle cell of the proficiency heatmap; shares are None when suppressed or empty."""

    pairs: int
    proficient: int
    rated: int
    proficient_share: float | None
    rated_share: float | None
    suppressed: bool


@dataclass(frozen=True)
class AttentionCell(TeamPrincipleCell):
    """One team × principle cell of the discussed-mode heatmap; share is None when suppressed or empty."""

    competencies: int
    discussed: int
    share: float | None
    suppressed: bool


@dataclass(frozen=True)
class SinglePoint:
    """A principle that at most one of the team's workers holds."""

    team_id: int
    principle_code: str
    principle_name: str
    holders: int


@dataclass(frozen=True)
class TrendPoint:
    as_of: date
    proficient_share: float | None
    rated_share: float | None
    workers: int


@dataclass(frozen=True)
class CompetencyCounts:
    """Workers of the team (at the window's end) by the state of their current supervisor rating."""

    code: str
    label: str
    proficient: int
    rated_not_proficient: int
    not_rated: int


@dataclass(frozen=True)
class CategoryBreakdown:
    code: str
    title: str
    is_primary: bool
    competencies: tuple[CompetencyCounts, ...]  # empty when the team is too small to show
    proficient_share: float | None


@dataclass(frozen=True)
class GuideSuggestion:
    guide: GuideRow
    reason: str


@dataclass(frozen=True)
class Drilldown:
    team: TeamRef
    principle_code: str
    principle_name: str
    workers: int
    suppressed: bool
    categories: tuple[CategoryBreakdown, ...]
    guides: tuple[GuideSuggestion, ...]


# ----------------------------------------------------------------------------------------------------------
# Shared pieces


@dataclass(frozen=True)
class _Principle:
    id: int
    code: str
    name: str
    competencies: int  # competencies whose category has this principle as primary


@dataclass(frozen=True)
class _Framework:
    id: int
    proficient_level: int
    principles: tuple[_Principle, ...]

    @property
    def competencies(self) -> int:
        return sum(p.competencies for p in self.principles)


def _active_framework(session: Session) -> _Framework | None:
    """The active framework, its principles in order with their primary competency counts, and the threshold.

    Read once per transaction: a profile asks for it from four queries (session.info lives as long as the
    session, which the app opens per request; loading a framework happens in a session of its own).
    """
    if _FRAMEWORK_KEY not in session.info:
        session.info[_FRAMEWORK_KEY] = _read_active_framework(session)
    return session.info[_FRAMEWORK_KEY]


_FRAMEWORK_KEY = "peerdash.active_framework"


def _read_active_framework(session: Session) -> _Framework | None:
    row = session.execute(select(
        select(Framework.id).where(Framework.is_active).scalar_subquery(),
        select(RatingScale.proficient_level).where(RatingScale.is_active).scalar_subquery())).one()
    framework_id, proficient_level = row
    if framework_id is None or proficient_level is None:
        return None
    primary = _primary_principles(framework_id)
    counts = (select(primary.c.principle_id, func.count().label("competencies"))
              .group_by(primary.c.principle_id).subquery("primary_counts"))
    principles = session.execute(
        select(Principle.id, Principle.code, Principle.name, func.coalesce(counts.c.competencies, 0))
        .outerjoin(counts, counts.c.principle_id == Principle.id)
        .where(Principle.framework_id == framework_id).order_by(Principle.sort_order, Principle.id)).all()
    return _Framework(framework_id, proficient_level, tuple(_Principle(*p) for p in principles))


def _primary_principles(framework_id: int) -> Subquery:
    """(competency_id, principle_id): each competency of the framework with its category's primary principle."""
    return (select(Competency.id.label("competency_id"), CategoryPrinciple.principle_id)
            .join(CategoryPrinciple, and_(CategoryPrinciple.category_id == Competency.category_id,
                                          CategoryPrinciple.is_primary))
            .where(Competency.framework_id == framework_id).subquery("primary_principle"))


def _reads_current_table(session: Session, end: date) -> bool:
    """True when no rating is dated after `end`, so the maintained current_ratings table answers for it."""
    latest = session.scalar(select(func.max(CompetencyRating.rated_on)))
    return latest is None or end >= latest


def _current_supervisor_ratings(session: Session, members: Select[int, int], end: date,
                                staleness_days: int) -> Subquery:
    """(team_id, worker_id, competency_id, level): each member's current supervisor rating per competency.

    Current = the latest supervisor rating with rated_on <= end (same day: the higher id, as in
    current_ratings), counted only when rated_on > end - staleness_days. As of today it reads the
    maintained table; for a past end it picks the latest from the history (DISTINCT ON on PostgreSQL,
    ROW_NUMBER elsewhere) with the staleness limit in WHERE, which gives the same answer (a stale latest
    rating has no newer one in range) and reads far fewer rows.
    """
    team_members = members.subquery("members")
    cutoff = end - timedelta(days=staleness_days)
    if _reads_current_table(session, end):
        current = CurrentRating.__table__
        return (select(team_members.c.team_id, team_members.c.worker_id, current.c.competency_id,
                       current.c.level)
                .join(current, current.c.worker_id == team_members.c.worker_id)
                .where(current.c.rater_role == SUPERVISOR, current.c.rated_on > cutoff,
                       current.c.rated_on <= end)
                .subquery("current"))
    ratings = CompetencyRating.__table__
    in_range = and_(ratings.c.rater_role == SUPERVISOR, ratings.c.rated_on > cutoff, ratings.c.rated_on <= end)
    if session.get_bind().dialect.name == "postgresql":  # DISTINCT ON: ~2x faster there than ROW_NUMBER
        return (select(team_members.c.team_id, ratings.c.worker_id, ratings.c.competency_id, ratings.c.level)
                .join(team_members, team_members.c.worker_id == ratings.c.worker_id).where(in_range)
                .ext(distinct_on(team_members.c.team_id, ratings.c.worker_id, ratings.c.competency_id))
                .order_by(team_members.c.team_id, ratings.c.worker_id, ratings.c.competency_id,
                          ratings.c.rated_on.desc(), ratings.c.id.desc())
                .subquery("current"))
    ranked = (select(team_members.c.team_id, ratings.c.worker_id, ratings.c.competency_id, ratings.c.level,
                     func.row_number().over(
                         partition_by=(team_members.c.team_id, ratings.c.worker_id, ratings.c.competency_id),
                         order_by=(ratings.c.rated_on.desc(), ratings.c.id.desc())).label("recency"))
              .join(team_members, team_members.c.worker_id == ratings.c.worker_id)
              .where(in_range)
              .subquery("ranked"))
    return (select(ranked.c.team_id, ranked.c.worker_id, ranked.c.competency_id, ranked.c.level)
            .where(ranked.c.recency == 1).subquery("current"))


def _workers_per_team(session: Session, members: Select[int, int]) -> dict[int, int]:
    team_members = members.subquery("members")
    return {team_id: int(workers) for team_id, workers in session.execute(
        select(team_members.c.team_id, func.count(team_members.c.worker_id.distinct()))
        .group_by(team_members.c.team_id))}


def _share(part: int, whole: int, suppressed: bool) -> float | None:
    return None if suppressed or whole == 0 else part / whole


# ----------------------------------------------------------------------------------------------------------
# Public metrics


def _rated_members(session: Session, scope: Scope, window: Window, filters: TeamFilter,
                   settings: MetricSettings) -> tuple[_Framework, list[TeamRef], dict[int, int], Subquery,
                                                      Subquery] | None:
    """What coverage() and single_points_of_failure() both start from: the active framework, the visible
    teams, workers per team on window.end, their current supervisor ratings and the primary mapping."""
    framework = _active_framework(session)
    if framework is None:
        return None
    teams = teams_in_view(session, scope, filters)
    if not teams:
        return None
    members = members_on(window.end, visible_team_ids(scope, filters))
    current = _current_supervisor_ratings(session, members, window.end, settings.staleness_days)
    return (framework, teams, _workers_per_team(session, members), current,
            _primary_principles(framework.id))


def _counts_by_team_and_principle(session: Session, current: Subquery, primary: Subquery, proficient_level: int
                                  ) -> Select[int, int, int, int]:
    """(team_id, principle_id, rated, proficient): the current ratings counted per team and primary principle.

    On SQLite they are first summed per team and competency, and those ~15,000 sums meet the principles: joined row
    by row, SQLite looked each worker's ratings up one competency at a time (agency scale: 107 ms, 79 ms summed
    first). PostgreSQL hashes the join either way, and the extra step made it slower there (46-55 ms against 32).
    """
    proficient = case((current.c.level >= proficient_level, 1), else_=0)
    if session.get_bind().dialect.name != "sqlite":
        return (select(current.c.team_id, primary.c.principle_id, func.count(), func.sum(proficient))
                .join(primary, primary.c.competency_id == current.c.competency_id)
                .group_by(current.c.team_id, primary.c.principle_id))
    sums = (select(current.c.team_id, current.c.competency_id, func.count().label("rated"),
                   func.sum(proficient).label("proficient"))
            .group_by(current.c.team_id, current.c.competency_id).subquery("per_competency"))
    return (select(sums.c.team_id, primary.c.principle_id, func.sum(sums.c.rated), func.sum(sums.c.proficient))
            .join(primary, primary.c.competency_id == sums.c.competency_id)
            .group_by(sums.c.team_id, primary.c.principle_id))


def coverage(session: Session, scope: Scope, window: Window, filters: TeamFilter,
             settings: MetricSettings) -> list[CoverageCell]:
    """Principle coverage (proficiency mode), one cell per visible team × principle of the active framework.

    - workers: the team's peer workers on window.end (membership on that date, hired on or before it and
      not yet left); a worker who moved mid-window counts for the team they are on at the end only.
    - pairs: workers × the competencies whose category has the principle as its PRIMARY principle.
    - rated: pairs with a current supervisor rating: the latest supervisor rating with
      rated_on <= window.end (two on one day: the one recorded last), counted only when
      rated_on > window.end - staleness_days. Self ratings never count; an older rating superseded by a
      newer one counts as the newer one's level.
    - proficient: rated pairs whose current level >= the active rating scale's proficient_level.
    - proficient_share = proficient / pairs and rated_share = rated / pairs; both None when the cell is
      suppressed (fewer than settings.min_cell_workers workers; 0 turns suppression off) or pairs is 0.
      Counts are always filled in, for internal use only: the page shows "n<k" for suppressed cells.
    Teams with no workers are included (shares None). Cells come in team order (program name, team
    name), principles in framework order. Nothing when no framework or rating scale is active.
    """
    found = _rated_members(session, scope, window, filters, settings)
    if found is None:
        return []
    framework, teams, workers, current, primary = found
    counts: dict[tuple[int, int], tuple[int, int]] = {
        (team_id, principle_id): (int(rated), int(proficient))
        for team_id, principle_id, rated, proficient in session.execute(
            _counts_by_team_and_principle(session, current, primary, framework.proficient_level))}
    cells = []
    for team in teams:
        team_workers = workers.get(team.id, 0)
        suppressed = settings.suppressed(team_workers)
        for principle in framework.principles:
            rated, proficient = counts.get((team.id, principle.id), (0, 0))
            pairs = team_workers * principle.competencies
            cells.append(CoverageCell(
                team_id=team.id, team_name=team.name, program_id=team.program_id,
                principle_code=principle.code, principle_name=principle.name, workers=team_workers,
                pairs=pairs, proficient=proficient, rated=rated,
                proficient_share=_share(proficient, pairs, suppressed), rated_share=_share(rated, pairs, suppressed),
                suppressed=suppressed))
    return cells


def attention(session: Session, scope: Scope, window: Window, filters: TeamFilter,
              settings: MetricSettings) -> list[AttentionCell]:
    """Principle attention (discussed mode), one cell per visible team × principle of the active framework.

    - competencies: the competencies whose category has the principle as its PRIMARY principle.
    - discussed: how many of them were discussed (session_competencies) in at least one supervision
      session, individual or group, held in the window (start and end included) and attended by at least
      one peer worker who was a member of the team ON THE SESSION DATE. So a worker who moved mid-window
      brings their sessions before the move to the old team and after it to the new one; a group session
      with workers of two teams counts for both.
    - workers: the distinct peer workers who were members of the team at any time in the window (and
      employed then): everyone whose sessions could count.
    - share = discussed / competencies; None when the principle has no competencies or when the team is
      suppressed for the window as in coverage(): fewer than settings.min_cell_workers peer workers on
      window.end (0 turns suppression off). One decision per team and window, whichever mode is shown, so a
      team that says n<k in proficiency mode does not show its numbers in discussed mode or add them to a
      program row. (Those on the team on window.end are among `workers`, so this is never the laxer rule.)
    Same order as coverage(); teams with no workers are included.
    """
    framework = _active_framework(session)
    if framework is None:
        return []
    teams = teams_in_view(session, scope, filters)
    if not teams:
        return []
    visible = visible_team_ids(scope, filters)
    workers = _workers_per_team(session, members_during(window, visible))
    at_end = _workers_per_team(session, members_on(window.end, visible))
    primary = _primary_principles(framework.id)
    held = SessionAttendee.held_on  # the session's date, kept on the attendance: the window is a range of it
    # Distinct (team, competency) first, driven from the attendances in the window; the DISTINCT also keeps
    # SQLite from flattening it and starting from every discussed competency instead.
    team_topics = (select(TeamMembership.team_id, SessionCompetency.competency_id).distinct()
                   .select_from(SessionAttendee)
                   .join(Staff, and_(Staff.id == SessionAttendee.worker_id, Staff.role == Role.PEER_WORKER))
                   .join(TeamMembership, and_(TeamMembership.staff_id == SessionAttendee.worker_id,
                                              TeamMembership.start_date <= held,
                                              or_(TeamMembership.end_date.is_(None), TeamMembership.end_date > held)))
                   .join(SessionCompetency, SessionCompetency.session_id == SessionAttendee.session_id)
                   .where(held >= window.start, held <= window.end, TeamMembership.team_id.in_(visible))
                   .subquery("team_topics"))
    discussed: dict[tuple[int, int], int] = {
        (team_id, principle_id): int(count) for team_id, principle_id, count in session.execute(
            select(team_topics.c.team_id, primary.c.principle_id, func.count())
            .join(primary, primary.c.competency_id == team_topics.c.competency_id)
            .group_by(team_topics.c.team_id, primary.c.principle_id))}
    cells = []
    for team in teams:
        team_workers = workers.get(team.id, 0)
        suppressed = settings.suppressed(at_end.get(team.id, 0))
        for principle in framework.principles:
            count = discussed.get((team.id, principle.id), 0)
            cells.append(AttentionCell(
                team_id=team.id, team_name=team.name, program_id=team.program_id,
                principle_code=principle.code, principle_name=principle.name, workers=team_workers,
                competencies=principle.competencies, discussed=count,
                share=_share(count, principle.competencies, suppressed), suppressed=suppressed))
    return cells


def single_points_of_failure(session: Session, scope: Scope, window: Window, filters: TeamFilter,
                             settings: MetricSettings) -> list[SinglePoint]:
    """Per visible team not suppressed on window.end (at least one worker, and at least
    settings.min_cell_workers when suppression is on): the principles held by at most one of its workers.

    A worker (the team's peer workers on window.end, as in coverage()) holds a principle when their current
    supervisor ratings (as in coverage(): latest on or before window.end, not stale, self ratings ignored)
    are at or above the proficient level on at least settings.principle_holding_share of the principle's
    primary competencies (e.g. 0.75 × 9 = 6.75, so 7 of 9). holders is 0 or 1. A principle with no
    competencies is never listed. A suppressed team has no entry (whether one worker holds a principle of a
    team of two says who); the early-warning table shows "n<k" for it.
    """
    rated = _rated_members(session, scope, window, filters, settings)
    if rated is None:
        return []
    framework, teams, workers, current, primary = rated
    # The level test sits in the SUM, not in WHERE: there it would steer SQLite to the level index and
    # every current rating in the agency instead of starting from the members.
    per_worker = (select(current.c.team_id, current.c.worker_id, primary.c.principle_id,
                         func.sum(case((current.c.level >= framework.proficient_level, 1), else_=0))
                         .label("proficient"))
                  .join(primary, primary.c.competency_id == current.c.competency_id)
                  .group_by(current.c.team_id, current.c.worker_id, primary.c.principle_id)
                  .subquery("per_worker"))
    needed = (select(primary.c.principle_id, func.count().label("competencies"))
              .group_by(primary.c.principle_id).subquery("needed"))
    # Integer arithmetic in basis points, so 0.75 × 4 = 3 holds exactly on both databases.
    basis_points = round(settings.principle_holding_share * 10_000)
    holders: dict[tuple[int, int], int] = {
        (team_id, principle_id): int(count) for team_id, principle_id, count in session.execute(
            select(per_worker.c.team_id, per_worker.c.principle_id, func.count())
            .join(needed, needed.c.principle_id == per_worker.c.principle_id)
            .where(per_worker.c.proficient * 10_000 >= needed.c.competencies * basis_points)
            .group_by(per_worker.c.team_id, per_worker.c.principle_id))}
    return [SinglePoint(team.id, principle.code, principle.name, holders.get((team.id, principle.id), 0))
            for team in teams if workers.get(team.id, 0) >= 1 and not settings.suppressed(workers[team.id])
            for principle in framework.principles
            if principle.competencies > 0 and holders.get((team.id, principle.id), 0) <= 1]


def month_ends(end: date, months: int) -> list[date]:
    """The `months` points of a monthly trend ending on `end`: the last days of the months - 1 calendar
    months before end's month, then end itself; oldest first."""
    if months < 1:
        raise ValueError("a trend needs at least one month")
    points = [end]
    first_of_month = end.replace(day=1)
    for _ in range(months - 1):
        points.append(first_of_month - timedelta(days=1))
        first_of_month = points[-1].replace(day=1)
    return points[::-1]


def coverage_trend(session: Session, scope: Scope, end: date, months: int, filters: TeamFilter,
                   settings: MetricSettings, today: date | None = None) -> list[TrendPoint]:
    """Overall principle coverage at each point of month_ends(end, months), oldest first.

    At each date d, over the visible teams not suppressed on d (common.shown_team_ids) and all principles
    together, exactly as coverage() with window.end = d summed over its cells that are not suppressed:
    workers = the peer workers on those teams on d; proficient_share = (their current supervisor ratings on
    d at or above the proficient level) / (workers × the active framework's competencies that have a
    primary principle); rated_share likewise with any current rating. Both None when there are no such
    workers (every team in view too small on d). A team too small on one date still counts on the dates
    it is not, as its heatmap row would.

    Each team's counts on each date come from _team_trend_counts; given `today`, those of closed months (month ends
    before it) are kept in coverage_months and summed there (coverage_months.shown_totals). Without it every point
    is counted and nothing is kept.
    """
    points = month_ends(end, months)
    framework = _active_framework(session)
    if framework is None:
        return [TrendPoint(d, None, None, 0) for d in points]
    team_ids = list(session.scalars(visible_team_ids(scope, filters)))
    key = coverage_months.MonthKey(TREND_DEFINITION, framework.id, framework.proficient_level,
                                   settings.staleness_days)
    totals = coverage_months.shown_totals(
        session, key, team_ids, points, date.min if today is None else today,  # nothing ends before date.min
        lambda dates: _team_trend_counts(session, team_ids, dates, framework, settings.staleness_days), settings)
    trend = []
    for d in points:
        # A team suppressed on a date adds nothing to that date's point (common.shown_team_ids): shown_totals.
        counts = totals[d]
        pairs = counts.workers * framework.competencies
        # What is left is over enough workers, or none.
        trend.append(TrendPoint(d, _share(counts.proficient, pairs, False), _share(counts.rated, pairs, False),
                                counts.workers))
    return trend


def _team_trend_counts(session: Session, team_ids: list[int], points: list[date], framework: _Framework,
                       staleness_days: int) -> dict[tuple[date, int], coverage_months.TeamCounts]:
    """Each team's counts on each of `points` (ascending), suppression not applied: its peer workers on that date
    (common.members_on's rule), their current supervisor ratings of primary-mapped competencies on that date, and
    those at or above the proficient level. Teams nobody was on are left out.

    One statement for all dates. Each supervisor rating in range carries the date of the next rating of
    the same worker × competency (LEAD); it is current on the trend dates from the first one on or after
    its rated_on up to (not including) the first one on or after that next rating or on which it has gone
    stale. Those two date indexes become +1 / -1 steps per worker, so the count on date i is the sum of a
    member's steps at indexes <= i: a few rows per worker are joined to the members, not every rating to
    every date.
    """
    staleness = timedelta(days=staleness_days)
    date_rows = [select(literal(i).label("idx"), literal(d, Date).label("as_of")) for i, d in enumerate(points)]
    dates = (union_all(*date_rows) if len(date_rows) > 1 else date_rows[0]).cte("trend_dates")
    # The same rule as common.members_on, for every trend date at once.
    members = (select(dates.c.idx, TeamMembership.team_id, TeamMembership.staff_id.label("worker_id"))
               .select_from(dates)
               .join(TeamMembership, and_(TeamMembership.start_date <= dates.c.as_of,
                                          or_(TeamMembership.end_date.is_(None),
                                              TeamMembership.end_date > dates.c.as_of)))
               .join(Staff, and_(Staff.id == TeamMembership.staff_id, Staff.role == Role.PEER_WORKER,
                                 Staff.hire_date <= dates.c.as_of,
                                 or_(Staff.left_on.is_(None), Staff.left_on > dates.c.as_of)))
               .where(TeamMembership.team_id.in_(team_ids))
               .cte("trend_members"))
    primary = _primary_principles(framework.id)
    ratings = CompetencyRating.__table__
    rated = (select(ratings.c.worker_id, ratings.c.level, ratings.c.rated_on,
                    func.lead(ratings.c.rated_on, type_=Date).over(
                        partition_by=(ratings.c.worker_id, ratings.c.competency_id),
                        order_by=(ratings.c.rated_on, ratings.c.id)).label("superseded_on"))
             .where(ratings.c.rater_role == SUPERVISOR, ratings.c.rated_on > points[0] - staleness,
                    ratings.c.rated_on <= points[-1],
                    ratings.c.competency_id.in_(select(primary.c.competency_id)),
                    ratings.c.worker_id.in_(select(members.c.worker_id)))
             .subquery("rated"))
    # First date index on which the rating is current, and the first on which it no longer is (len(points)
    # = never within the trend): a binary search written as nested CASEs, cheaper than a join to the dates.
    first_current = _first_index(lambda i: rated.c.rated_on <= points[i], 0, len(points))
    first_not_current = _first_index(
        lambda i: or_(rated.c.superseded_on <= points[i], rated.c.rated_on <= points[i] - staleness),
        0, len(points))
    is_proficient = case((rated.c.level >= framework.proficient_level, 1), else_=0)
    intervals = (select(rated.c.worker_id, first_current.label("starts"), first_not_current.label("stops"),
                        is_proficient.label("proficient"))
                 .cte("intervals"))  # read twice below: a CTE, so the ratings are ranked once
    steps = union_all(
        select(intervals.c.worker_id, intervals.c.starts.label("idx"), literal(1).label("rated"),
               intervals.c.proficient.label("proficient"))
        .where(intervals.c.starts < intervals.c.stops),
        select(intervals.c.worker_id, intervals.c.stops, literal(-1), -intervals.c.proficient)
        .where(intervals.c.starts < intervals.c.stops, intervals.c.stops < len(points))).subquery("steps")
    worker_steps = (select(steps.c.worker_id, steps.c.idx, func.sum(steps.c.rated).label("rated"),
                           func.sum(steps.c.proficient).label("proficient"))
                    .group_by(steps.c.worker_id, steps.c.idx).subquery("worker_steps"))
    counts = (select(members.c.idx, members.c.team_id, func.sum(worker_steps.c.rated).label("rated"),
                     func.sum(worker_steps.c.proficient).label("proficient"))
              .join(worker_steps, and_(worker_steps.c.worker_id == members.c.worker_id,
                                       worker_steps.c.idx <= members.c.idx))
              .group_by(members.c.idx, members.c.team_id).subquery("counts"))
    head_counts = (select(members.c.idx, members.c.team_id,
                          func.count(members.c.worker_id.distinct()).label("workers"))
                   .group_by(members.c.idx, members.c.team_id).subquery("head_counts"))
    return {(points[int(idx)], int(team_id)): coverage_months.TeamCounts(int(workers), int(rated_count or 0),
                                                                           int(proficient or 0))
            for idx, team_id, workers, rated_count, proficient in session.execute(
                select(head_counts.c.idx, head_counts.c.team_id, head_counts.c.workers, counts.c.rated,
                       counts.c.proficient)
                .outerjoin(counts, and_(counts.c.idx == head_counts.c.idx,
                                        counts.c.team_id == head_counts.c.team_id)))}


def overall_coverage(cells: Sequence[CoverageCell]) -> float | None:
    """The "Overall coverage" KPI: the proficient pairs over all pairs of the heatmap's cells that are shown (teams
    not suppressed on window.end), which is coverage_trend's point on window.end (a test holds them equal). Summed
    from coverage()'s cells (the heatmap's, so the two panels share one query) because that reads the current-rating
    table for a window ending today: the trend's form recomputes the latest ratings from their history (agency
    scale, PostgreSQL: ~210 ms against ~35 ms)."""
    shown = [cell for cell in cells if not cell.suppressed]
    pairs = sum(cell.pairs for cell in shown)
    return sum(cell.proficient for cell in shown) / pairs if pairs else None


def _first_index(holds_at: Callable[[int], ColumnElement[bool]], low: int, high: int) -> ColumnElement[int]:
    """The least i in [low, high) for which holds_at(i) is true (it must stay true from there on), else high.

    A NULL comparison counts as false, so a rating never superseded searches on to `high`.
    """
    if low == high:
        return literal(low)
    middle = (low + high) // 2
    return case((holds_at(middle), _first_index(holds_at, low, middle)),
                else_=_first_index(holds_at, middle + 1, high))


def drilldown(session: Session, scope: Scope, window: Window, team_id: int, principle_code: str,
              settings: MetricSettings) -> Drilldown | None:
    """One heatmap cell opened: the principle's categories and competencies for one team, and guides.

    None when the team is outside the scope or the principle is not in the active framework.
    - categories: every category mapped to the principle, primary ones first, then secondary, each in
      framework order. Per competency, the team's peer workers on window.end split into proficient /
      rated but not proficient / not rated, by their current supervisor rating as in coverage(). A
      category's proficient_share = its proficient pairs / (workers × its competencies).
    - guides: resource guides linked to the principle and/or to one of its weakest categories: the 2
      categories with the lowest proficient share (ties in category order; categories already at 100%
      are no gap and never count as weak). Each carries a reason such as
      "linked to Trauma-informed; linked to XII (6% proficient); linked to VIII (20% proficient)" (weak
      categories weakest first). Guides matching more weak categories come first, then the guides' own
      order; guides linked to neither are left out.
    - suppressed (workers < settings.min_cell_workers, 0 turns it off): the per-competency counts and
      shares are withheld (empty tuples, None) and no category is singled out as weak, so the guides are
      those linked to the principle; categories and guides still show.
    """
    team_row = session.execute(
        select(Team.id, Team.name, Program.id, Program.name).join(Program, Program.id == Team.program_id)
        .where(Team.id == team_id, Team.id.in_(visible_team_ids(scope, TeamFilter())))).first()
    if team_row is None:
        return None
    team = TeamRef(*team_row)
    framework = _active_framework(session)
    principle = next((p for p in framework.principles if p.code == principle_code), None) if framework else None
    if framework is None or principle is None:
        return None
    categories = session.execute(
        select(Category.id, Category.code, Category.title, CategoryPrinciple.is_primary)
        .join(CategoryPrinciple, CategoryPrinciple.category_id == Category.id)
        .where(CategoryPrinciple.principle_id == principle.id)
        .order_by(CategoryPrinciple.is_primary.desc(), Category.sort_order, Category.id)).all()
    competencies: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for competency_id, category_id, code, label in session.execute(
            select(Competency.id, Competency.category_id, Competency.code, Competency.label)
            .where(Competency.category_id.in_([c.id for c in categories]))
            .order_by(Competency.sort_order, Competency.id)):
        competencies[category_id].append((competency_id, code, label))
    members = members_on(window.end, select(Team.id).where(Team.id == team.id))
    workers = _workers_per_team(session, members).get(team.id, 0)
    suppressed = settings.suppressed(workers)
    breakdowns = []
    if suppressed:
        breakdowns = [CategoryBreakdown(c.code, c.title, bool(c.is_primary), (), None) for c in categories]
    else:
        current = _current_supervisor_ratings(session, members, window.end, settings.staleness_days)
        counts: dict[int, tuple[int, int]] = {
            competency_id: (int(rated), int(proficient)) for competency_id, rated, proficient in session.execute(
                select(current.c.competency_id, func.count(),
                       func.sum(case((current.c.level >= framework.proficient_level, 1), else_=0)))
                .group_by(current.c.competency_id))}  # all of the team's competencies: at most a few dozen rows
        for c in categories:
            rows = []
            for competency_id, code, label in competencies[c.id]:
                rated, proficient = counts.get(competency_id, (0, 0))
                rows.append(CompetencyCounts(code, label, proficient, rated - proficient, workers - rated))
            pairs = workers * len(rows)
            breakdowns.append(CategoryBreakdown(c.code, c.title, bool(c.is_primary), tuple(rows),
                                                _share(sum(r.proficient for r in rows), pairs, False)))
    return Drilldown(team=team, principle_code=principle.code, principle_name=principle.name, workers=workers,
                     suppressed=suppressed, categories=tuple(breakdowns),
                     guides=_guide_suggestions(session, principle, breakdowns))


def _guide_suggestions(session: Session, principle: _Principle,
                       breakdowns: list[CategoryBreakdown]) -> tuple[GuideSuggestion, ...]:
    ranked = sorted((b for b in breakdowns if b.proficient_share is not None and b.proficient_share < 1),
                    key=lambda b: b.proficient_share or 0.0)  # stable: ties keep category order
    weak = ranked[:WEAKEST_CATEGORIES]
    principle_guides = set(list_guides(session, principle_code=principle.code))
    suggestions = []
    for order, guide in enumerate(list_guides(session)):
        linked_weak = [b for b in weak if b.code in guide.category_codes]
        linked_principle = guide in principle_guides
        if not linked_weak and not linked_principle:
            continue
        reasons = ([f"linked to {principle.name}"] if linked_principle else []) + [
            f"linked to {b.code} ({b.proficient_share or 0.0:.0%} proficient)" for b in linked_weak]
        suggestions.append(((-len(linked_weak), order),
                            GuideSuggestion(guide, "; ".join(reasons))))
    return tuple(s for _, s in sorted(suggestions, key=lambda item: item[0]))
