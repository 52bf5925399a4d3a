"""The supervisor's workspace and a peer worker's record: roster, competency profile, history, sessions, guides."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from dashboard.queries.common import MetricSettings, TeamFilter, members_on, visible_team_ids
from dashboard.queries.coverage import (SUPERVISOR, _active_framework, _current_supervisor_ratings, _Principle,
                                        _primary_principles, month_ends)
from dashboard.queries.resources import GuideRow, list_guides
from dashboard.queries.supervision import DueDate, due_dates
from dashboard.scope import Scope
from models import (Category, CategoryPrinciple, CertificationStage, Competency, CompetencyRating, CurrentRating,
                    Framework, Principle, RatingLevel, RatingScale, SessionAttendee, SessionCompetency,
                    Leave, StageAssignment, Staff, SupervisionSession, Team, TeamMembership)
from models.vocabulary import RaterRole, Role

DIFFERENCE_FLAG = 2  # supervisor and self ratings this many levels apart are flagged for a conversation
WEAKEST_CATEGORIES = 3  # how many of the worker's weakest categories guides are suggested for


@dataclass(frozen=True)
class PrincipleShare:
    code: str
    name: str
    # Counted from supervisor ratings: the roster's current ones (stale ones left out), the profile's latest ones
    # whatever their age (profile_principle_shares).
    proficient: int   # the worker's primary competencies of the principle rated proficient
    competencies: int
    rated: int = 0    # ... rated at all: 0 means unknown rather than weak

    @property
    def share(self) -> float | None:
        return self.proficient / self.competencies if self.competencies else None


@dataclass(frozen=True)
class RosterRow:
    due: DueDate
    stage_name: str | None
    principles: tuple[PrincipleShare, ...]


@dataclass(frozen=True)
class WorkerRef:
    id: int
    name: str
    team_id: int | None
    team_name: str | None
    hire_date: date
    stage_name: str | None


@dataclass(frozen=True)
class CompetencyLevels:
    competency_id: int
    code: str
    label: str
    supervisor_level: int | None
    supervisor_on: date | None
    self_level: int | None
    self_on: date | None

    @property
    def flagged(self) -> bool:
        return (self.supervisor_level is not None and self.self_level is not None
                and abs(self.supervisor_level - self.self_level) >= DIFFERENCE_FLAG)


@dataclass(frozen=True)
class CategoryLevels:
    code: str
    title: str
    principle: str
    supervisor_mean: float | None
    self_mean: float | None
    competencies: tuple[CompetencyLevels, ...]

    @property
    def flags(self) -> int:
        return sum(c.flagged for c in self.competencies)


@dataclass(frozen=True)
class HistoryPoint:
    category_code: str
    as_of: date
    mean_level: float
    rated: int


@dataclass(frozen=True)
class LeaveRow:
    id: int
    worker_id: int
    start_date: date
    end_date: date | None  # the day back; None while not known
    days: int | None  # days away (None while the return is not known)


@dataclass(frozen=True)
class WorkerSession:
    id: int
    held_on: date
    format: str
    kind: str
    modality: str
    minutes: int
    supervisor_id: int
    supervisor_name: str
    note: str | None
    version: int
    attendee_ids: tuple[int, ...]
    competency_ids: tuple[int, ...]
    competency_codes: tuple[str, ...]


@dataclass(frozen=True)
class NotDiscussed:
    sessions: int                  # how many sessions were looked at (up to the N asked for)
    principles: tuple[str, ...]    # names of principles none of whose primary competencies came up


@dataclass(frozen=True)
class WorkerGuide:
    guide: GuideRow
    reason: str


# ---------------------------------------------------------------------------------------------------------------
# Who may be looked at


def visible_worker(session: Session, scope: Scope, worker_id: object, today: date) -> WorkerRef | None:
    """The worker if the scope may see them today, else None (an unknown or forged id reads as not found).

    A peer worker sees only themself; a supervisor, peer workers now on their teams; the agency, anyone.
    """
    if not isinstance(worker_id, int) or isinstance(worker_id, bool):
        return None
    if scope.worker_id is not None and worker_id != scope.worker_id:
        return None
    team = (select(TeamMembership.staff_id, Team.id.label("team_id"), Team.name.label("team_name"))
            .join(Team, Team.id == TeamMembership.team_id)
            .where(TeamMembership.start_date <= today,
                   or_(TeamMembership.end_date.is_(None), TeamMembership.end_date > today)).subquery("team_now"))
    stage = (select(StageAssignment.staff_id, CertificationStage.name)
             .join(CertificationStage, CertificationStage.id == StageAssignment.stage_id)
             .where(StageAssignment.start_date <= today,
                    or_(StageAssignment.end_date.is_(None), StageAssignment.end_date > today)).subquery("stage_now"))
    query = (select(Staff.id, Staff.full_name, team.c.team_id, team.c.team_name, Staff.hire_date, stage.c.name)
             .outerjoin(team, team.c.staff_id == Staff.id).outerjoin(stage, stage.c.staff_id == Staff.id)
             .where(Staff.id == worker_id, Staff.role == Role.PEER_WORKER))
    if scope.worker_id is None:
        query = query.where(Staff.id.in_(select(members_on(today, visible_team_ids(scope, TeamFilter()))
                                                .subquery().c.worker_id)))
    row = session.execute(query).first()
    return WorkerRef(*row) if row else None


# ---------------------------------------------------------------------------------------------------------------
# Roster


def roster(session: Session, scope: Scope, as_of: date, filters: TeamFilter,
           settings: MetricSettings) -> list[RosterRow]:
    """Every active peer worker on the visible teams on as_of, in due_dates' order (overdue first), with
    their stage and, per principle, how many of its primary competencies their current supervisor rating
    puts at or above the proficient level (the overview's coverage, for one worker; stale ratings don't count).
    """
    due = due_dates(session, scope, as_of, filters)
    if not due:
        return []
    stages = dict(session.execute(select(CertificationStage.code, CertificationStage.name)).all())
    shares = _principle_shares(session, members_on(as_of, visible_team_ids(scope, filters)), as_of, settings)
    return [RosterRow(d, stages.get(d.stage_code) if d.stage_code else None, shares.get(d.worker_id, shares[None]))
            for d in due]


def _principle_shares(session: Session, members: Select[*tuple[Any, ...]], as_of: date, settings: MetricSettings
                      ) -> dict[int | None, tuple[PrincipleShare, ...]]:
    """Per member (worker_id), per principle of the active framework: primary competencies rated at all and
    rated proficient by their current supervisor rating (stale ones don't count); key None: a worker with none."""
    framework = _active_framework(session)
    if framework is None:
        return {None: ()}
    current = _current_supervisor_ratings(session, members, as_of, settings.staleness_days)
    primary = _primary_principles(framework.id)
    counts: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for worker_id, principle_id, proficient, rated in session.execute(
            select(current.c.worker_id, primary.c.principle_id,
                   func.sum(case((current.c.level >= framework.proficient_level, 1), else_=0)), func.count())
            .join(primary, primary.c.competency_id == current.c.competency_id)
            .group_by(current.c.worker_id, primary.c.principle_id)):
        counts[worker_id][principle_id] = (int(proficient or 0), int(rated))

    def shares(by_principle: dict[int, tuple[int, int]]) -> tuple[PrincipleShare, ...]:
        return tuple(PrincipleShare(p.code, p.name, by_principle.get(p.id, (0, 0))[0], p.competencies,
                                    by_principle.get(p.id, (0, 0))[1]) for p in framework.principles)
    return {worker_id: shares(by_principle) for worker_id, by_principle in counts.items()} | {None: shares({})}


# ---------------------------------------------------------------------------------------------------------------
# Profile


def scale_labels(session: Session) -> dict[int, str]:
    """{level: label} of the active rating scale (read once per transaction, like the active framework)."""
    if "peerdash.scale_labels" not in session.info:
        session.info["peerdash.scale_labels"] = _read_scale_labels(session)
    return session.info["peerdash.scale_labels"]


def _read_scale_labels(session: Session) -> dict[int, str]:
    return dict(session.execute(select(RatingLevel.level, RatingLevel.label)
                                .join(RatingScale, RatingScale.id == RatingLevel.scale_id)
                                .where(RatingScale.is_active).order_by(RatingLevel.level)).all())


def competency_profile(session: Session, worker: WorkerRef) -> list[CategoryLevels]:
    """The active framework's categories in order, each with its competencies' latest supervisor and self
    rating (from current_ratings, whatever their age) and the category means of those levels (SQL AVG)."""
    framework = _active_framework(session)
    if framework is None:
        return []
    current = CurrentRating.__table__
    by_role = {role: (select(current.c.competency_id, current.c.level, current.c.rated_on)
                      .where(current.c.worker_id == worker.id, current.c.rater_role == role).subquery(role))
               for role in (SUPERVISOR, RaterRole.SELF)}
    sup, own = by_role[SUPERVISOR], by_role[RaterRole.SELF]
    primary_name = (select(CategoryPrinciple.category_id, Principle.name)
                    .join(Principle, Principle.id == CategoryPrinciple.principle_id)
                    .where(CategoryPrinciple.is_primary).subquery("primary_name"))
    rows = session.execute(
        select(Category.id, Category.code, Category.title, primary_name.c.name, Competency.id, Competency.code,
               Competency.label, sup.c.level, sup.c.rated_on, own.c.level, own.c.rated_on,
               func.avg(sup.c.level).over(partition_by=Category.id),
               func.avg(own.c.level).over(partition_by=Category.id))
        .join(Competency, Competency.category_id == Category.id)
        .outerjoin(primary_name, primary_name.c.category_id == Category.id)
        .outerjoin(sup, sup.c.competency_id == Competency.id).outerjoin(own, own.c.competency_id == Competency.id)
        .where(Category.framework_id == framework.id)
        .order_by(Category.sort_order, Category.id, Competency.sort_order, Competency.id)).all()
    categories: dict[int, tuple[tuple[str, str, str, float | None, float | None], list[CompetencyLevels]]] = {}
    for (category_id, code, title, principle, competency_id, c_code, label, s_level, s_on, o_level, o_on,
         s_mean, o_mean) in rows:
        head, items = categories.setdefault(category_id, (
            (code, title, principle or "", None if s_mean is None else float(s_mean),
             None if o_mean is None else float(o_mean)), []))
        items.append(CompetencyLevels(competency_id, c_code, label, s_level, s_on, o_level, o_on))
    return [CategoryLevels(*head, tuple(items)) for head, items in categories.values()]


def rating_history(session: Session, worker: WorkerRef, end: date, months: int = 24) -> list[HistoryPoint]:
    """Per category, at each of month_ends(end, months): the mean level of the worker's current supervisor
    ratings on that day (the latest on or before it per competency, whatever its age). Points with no
    rating in the category are left out."""
    points = month_ends(end, months)
    date_rows = [select(literal(d, Date).label("as_of")) for d in points]
    dates = (union_all(*date_rows) if len(date_rows) > 1 else date_rows[0]).cte("history_dates")
    ratings = CompetencyRating.__table__
    # Each rating carries the day the next one of the same competency replaced it (LEAD; same day: the one
    # recorded later wins), so it is current on the dates in [rated_on, superseded_on): only current pairs
    # are joined to the dates, not every rating to every date.
    spans = (select(ratings.c.competency_id, ratings.c.level, ratings.c.rated_on,
                    func.lead(ratings.c.rated_on, type_=Date).over(
                        partition_by=ratings.c.competency_id,
                        order_by=(ratings.c.rated_on, ratings.c.id)).label("superseded_on"))
             .where(ratings.c.worker_id == worker.id, ratings.c.rater_role == SUPERVISOR,
                    ratings.c.rated_on <= end).subquery("spans"))
    current = (select(dates.c.as_of, spans.c.competency_id, spans.c.level).select_from(dates)
               .join(spans, and_(spans.c.rated_on <= dates.c.as_of,
                                 or_(spans.c.superseded_on.is_(None), spans.c.superseded_on > dates.c.as_of)))
               .subquery("current_then"))
    rows = session.execute(
        select(Category.code, current.c.as_of, func.avg(current.c.level), func.count())
        .join(Competency, Competency.id == current.c.competency_id)
        .join(Category, Category.id == Competency.category_id)
        .group_by(Category.code, Category.sort_order, current.c.as_of)
        .order_by(Category.sort_order, current.c.as_of)).all()
    return [HistoryPoint(code, as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)),
                         round(float(mean), 2), int(rated)) for code, as_of, mean, rated in rows]


def worker_sessions(session: Session, worker: WorkerRef, limit: int = 100) -> list[WorkerSession]:
    """The worker's supervision sessions (any format), newest first, with what was discussed."""
    rows = session.execute(
        select(SupervisionSession.id, SupervisionSession.held_on, SupervisionSession.format, SupervisionSession.kind,
               SupervisionSession.modality, SupervisionSession.minutes, SupervisionSession.supervisor_id,
               Staff.full_name, SupervisionSession.note, SupervisionSession.version)
        .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
        .join(Staff, Staff.id == SupervisionSession.supervisor_id)
        .where(SessionAttendee.worker_id == worker.id)
        .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc()).limit(limit)).all()
    ids = [r[0] for r in rows]
    topics: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, competency_id, code in session.execute(
            select(SessionCompetency.session_id, Competency.id, Competency.code)
            .join(Competency, Competency.id == SessionCompetency.competency_id)
            .where(SessionCompetency.session_id.in_(ids)).order_by(Competency.sort_order, Competency.id)):
        topics[session_id].append((competency_id, code))
    attendees: dict[int, list[int]] = defaultdict(list)
    for session_id, attendee in session.execute(select(SessionAttendee.session_id, SessionAttendee.worker_id)
                                                .where(SessionAttendee.session_id.in_(ids))):
        attendees[session_id].append(attendee)
    # the select's ten columns are WorkerSession's first ten fields (past ten, SQLAlchemy types a row loosely)
    return [WorkerSession(*r, attendee_ids=tuple(sorted(attendees[r[0]])),  # type: ignore[misc]
                          competency_ids=tuple(c for c, _ in topics[r[0]]),
                          competency_codes=tuple(code for _, code in topics[r[0]])) for r in rows]


def not_discussed(session: Session, worker: WorkerRef, last_sessions: int) -> NotDiscussed:
    """Principles none of whose primary competencies was discussed in the worker's last N sessions."""
    framework = _active_framework(session)
    if framework is None:
        return NotDiscussed(0, ())
    last = (select(SupervisionSession.id).join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .where(SessionAttendee.worker_id == worker.id)
            .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
            .limit(last_sessions).subquery("last_sessions"))
    primary = _primary_principles(framework.id)
    sessions = session.scalar(select(func.count()).select_from(last)) or 0
    discussed = set(session.scalars(
        select(primary.c.principle_id).distinct()
        .join(SessionCompetency, SessionCompetency.competency_id == primary.c.competency_id)
        .where(SessionCompetency.session_id.in_(select(last.c.id)))))
    return NotDiscussed(int(sessions), tuple(p.name for p in framework.principles if p.id not in discussed))


def guides_for_worker(session: Session, categories: list[CategoryLevels]) -> list[WorkerGuide]:
    """Guides linked to the worker's weakest categories and principles, each with why, on the profile's basis.

    Every reason counts the ratings the profile shows beside it (`categories`, from competency_profile):
    the latest supervisor rating of each competency, whatever its age.
    Weakest categories: up to WEAKEST_CATEGORIES whose mean latest supervisor level is below the
    proficient level, lowest first (unrated categories are not guessed at). Weakest principle: the one
    with the smallest share of its primary competencies whose latest supervisor rating is proficient or
    above, when below half and at least one of them is rated (no ratings is not known to be weak). A guide
    linked to either is suggested; guides matching more reasons come first.
    """
    framework = _active_framework(session)
    if framework is None:
        return []
    labels = scale_labels(session)
    weak = sorted((c for c in categories if c.supervisor_mean is not None
                   and c.supervisor_mean < framework.proficient_level),
                  key=lambda c: c.supervisor_mean or 0.0)[:WEAKEST_CATEGORIES]
    shares = profile_principle_shares(categories, framework.principles, framework.proficient_level)
    weakest = min((s for s in shares if s.rated and s.share is not None and s.share < 0.5),
                  key=lambda s: s.share or 0.0, default=None)
    result = []
    for order, guide in enumerate(list_guides(session)):
        # The label of the level the average has reached (2.8 has reached 2, not 3: it is below proficient).
        reasons = [f"linked to {c.code}, rated {labels.get(math.floor(c.supervisor_mean or 0), 'low').lower()} "
                   f"(average {c.supervisor_mean:.1f})" for c in weak if c.code in guide.category_codes]
        if weakest is not None and weakest.name in guide.principle_names:
            reasons.append(f"linked to {weakest.name}: {weakest.proficient} of its {weakest.competencies} "
                           "competencies proficient or above in the latest supervisor ratings "
                           f"({weakest.rated} of {weakest.competencies} rated)")
        if reasons:
            result.append((-len(reasons), order, WorkerGuide(guide, "; ".join(reasons))))
    return [g for _, _, g in sorted(result, key=lambda item: item[:2])]


def profile_principle_shares(categories: Sequence[CategoryLevels], principles: Sequence[_Principle],
                             proficient_level: int) -> list[PrincipleShare]:
    """Per principle (in framework order), its primary competencies counted from the profile's categories:
    rated by a supervisor, and rated proficient or above, by the latest rating whatever its age. The roster's
    counts (_principle_shares) leave stale ratings out; the profile shows them, and so counts them."""
    rated: dict[str, int] = defaultdict(int)
    proficient: dict[str, int] = defaultdict(int)
    for category in categories:
        for competency in category.competencies:
            if competency.supervisor_level is not None:
                rated[category.principle] += 1
                proficient[category.principle] += competency.supervisor_level >= proficient_level
    return [PrincipleShare(p.code, p.name, proficient[p.name], p.competencies, rated[p.name]) for p in principles]


# ---------------------------------------------------------------------------------------------------------------
# What the forms offer


@dataclass(frozen=True)
class MemberChoice:
    worker_id: int
    name: str
    team_name: str


@dataclass(frozen=True)
class CompetencyChoice:
    id: int
    category: str
    code: str
    label: str


def team_members(session: Session, scope: Scope, today: date) -> list[MemberChoice]:
    """Peer workers on the scope's teams today, by team then name: who a session can be recorded for."""
    members = members_on(today, visible_team_ids(scope, TeamFilter())).subquery("members")
    rows = session.execute(select(members.c.worker_id, Staff.full_name, Team.name)
                           .join(Staff, Staff.id == members.c.worker_id).join(Team, Team.id == members.c.team_id)
                           .order_by(Team.name, Staff.full_name, Staff.id))
    return [MemberChoice(*row) for row in rows]


def competency_choices(session: Session) -> list[CompetencyChoice]:
    """The active framework's competencies in framework order, with their category for grouping."""
    rows = session.execute(
        select(Competency.id, Category.code, Category.title, Competency.code, Competency.label)
        .join(Category, Category.id == Competency.category_id)
        .join(Framework, Framework.id == Competency.framework_id).where(Framework.is_active)
        .order_by(Category.sort_order, Category.id, Competency.sort_order, Competency.id))
    return [CompetencyChoice(cid, f"{ccode} {title}", code, label) for cid, ccode, title, code, label in rows]


def own_session(session: Session, supervisor_id: int | None, session_id: object) -> WorkerSession | None:
    """A session for the edit form, only when the supervisor ran it (another's reads as not found)."""
    if supervisor_id is None or not isinstance(session_id, int) or isinstance(session_id, bool):
        return None
    row = session.execute(
        select(SupervisionSession.id, SupervisionSession.held_on, SupervisionSession.format, SupervisionSession.kind,
               SupervisionSession.modality, SupervisionSession.minutes, SupervisionSession.supervisor_id,
               Staff.full_name, SupervisionSession.note, SupervisionSession.version)
        .join(Staff, Staff.id == SupervisionSession.supervisor_id)
        .where(SupervisionSession.id == session_id, SupervisionSession.supervisor_id == supervisor_id)).first()
    if row is None:
        return None
    attendees = tuple(session.scalars(select(SessionAttendee.worker_id)
                                      .where(SessionAttendee.session_id == session_id)
                                      .order_by(SessionAttendee.worker_id)))
    topics = session.execute(select(Competency.id, Competency.code)
                             .join(SessionCompetency, SessionCompetency.competency_id == Competency.id)
                             .where(SessionCompetency.session_id == session_id).order_by(Competency.sort_order)).all()
    return WorkerSession(*row, attendee_ids=attendees, competency_ids=tuple(t[0] for t in topics),  # type: ignore[misc]
                         competency_codes=tuple(t[1] for t in topics))


def worker_leaves(session: Session, worker: WorkerRef) -> list[LeaveRow]:
    """The worker's leaves of absence, latest first (the worker is already known to be visible)."""
    rows = session.execute(select(Leave.id, Leave.staff_id, Leave.start_date, Leave.end_date)
                           .where(Leave.staff_id == worker.id).order_by(Leave.start_date.desc())).all()
    return [LeaveRow(i, w, start, back, (back - start).days if back else None) for i, w, start, back in rows]


def visible_leave(session: Session, scope: Scope, leave_id: object, today: date) -> LeaveRow | None:
    """A leave for the edit form, only when its worker is visible to the scope (else None, as not found)."""
    if not isinstance(leave_id, int) or isinstance(leave_id, bool) or not 1 <= leave_id < 2**31:  # INTEGER ids
        return None
    worker_id = session.scalar(select(Leave.staff_id).where(Leave.id == leave_id))
    worker = visible_worker(session, scope, worker_id, today)
    return next((row for row in worker_leaves(session, worker) if row.id == leave_id), None) if worker else None
