"""Deterministic demo and benchmark agency: programs, teams, staff, supervision sessions and ratings.

Same inputs give the same rows: every random choice comes from random.Random seeded with the seed and
the thing being generated (a worker, a team), so ids, dates and levels never depend on the clock,
on dict or set order, or on anything generated before.

Planted patterns (team roles repeat every ten teams, so the larger scales carry them in the same
proportion). Names below are those of the demo agency (DEMO scale, seed 2015); "team t" counts
teams from 0 in id order.
1. Falling behind on supervision: Riverside Health Home (team 4). In its last 120 days individual
   sessions come 2-3 times the allowed interval apart and none in the final 35 days for three workers
   in four, so most of its workers are overdue at end_date.
2. Trauma-informed weakly covered: Northgate Recovery Coaching and Hospital Bridge Team (teams 3, 7).
   Supervisors rate the competencies of the trauma-informed principle's primary categories
   (VIII and XII under the default mapping, looked up from category_principles) mostly 1-2 there,
   and those competencies come up less often in their sessions.
3. New hires: the last worker of Downtown Drop-in Center, Midtown Primary Care Bridge and Mobile
   Crisis Follow-up (teams 2, 5, 8), hired 12-55 days before end_date, in training, no ratings yet:
   Brianna Tran, Mei Davis and Brianna Coleman.
4. Group sessions for every team roughly monthly (3-8 attendees from that team) besides individual
   sessions.
5. Team move: Diego Sanchez moves from Downtown Drop-in Center to Midtown Primary Care Bridge 150 days
   before end_date (one membership ends the day the next starts); a few random moves at any scale.
6. Worker who left: Hiroshi Begay of Mobile Crisis Follow-up left 200 days before end_date (left_on set,
   membership and stage end that day, no sessions or ratings from then on); some random leavers too.
7. Supervisors with a peer credential (supervisor index % 5 in 0, 2, 3) and without.
8. Administrative-heavy team (peer drift): Southpoint Health Home (team 6); most of its supervision
   minutes are administrative.
9. Supervisor of two teams: Maria Johnson alone supervises Eastside Outreach and Westside
   Outreach (teams 0, 1); the demo account `supervisor` is this person and `peer` is Omar Davis of
   Eastside Outreach.
10. Leave of absence: the first worker of Westside Outreach (team 1) has been away since 20 days before
   end_date and is back 25 days after it (no sessions meanwhile); about one worker in twenty-five took one
   leave of 14-90 days some time in the history.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dashboard.accounts import create_user
from dashboard.bulk import advance_sequence, bulk_insert, first_free_id
from dashboard.current_ratings import rebuild_current_ratings
from dashboard.errors import ConfigError
from models import (Base, Category, CategoryPrinciple, CertificationStage, Competency, CompetencyRating, Framework,
                    Leave, Principle, Program, RatingLevel, RatingScale, SessionAttendee, SessionCompetency,
                    StageAssignment, Staff, StandardRule, SupervisionSession, SupervisionStandard, Team,
                    TeamMembership, TeamSupervisor, utcnow)
from dashboard.reference import load_reference_data
from seed_data.demo_signoff import seed_requirements, seed_signoffs


@dataclass(frozen=True)
class Scale:
    workers: int  # peer-worker records over the whole history, leavers included
    months: int
    programs: int
    teams: int
    supervisors: int


# Eight workers per team; at agency and state scale one supervisor per ~6 FTE peers (peers average 0.8 FTE,
# and some records are leavers); the demo is a little richer in supervisors so co-supervision shows.
DEMO = Scale(workers=80, months=24, programs=3, teams=10, supervisors=14)
AGENCY = Scale(workers=2000, months=60, programs=12, teams=250, supervisors=230)
STATE = Scale(workers=20000, months=60, programs=80, teams=2500, supervisors=2300)

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = (  # username, role, full name (staff-linked accounts take the staff member's name)
    ("admin", "admin", "Jordan Ellis"),
    ("leader", "leadership", "Renee Whitaker"),
    ("quality", "quality", "Marcus Bell"),
)

# Roles of team t by t % 10.
TWO_TEAM_SUPERVISOR_TEAMS = (0, 1)
WEAK_PRINCIPLE_TEAMS = (3, 7)
BEHIND_TEAM = 4
ADMINISTRATIVE_TEAM = 6
NEW_HIRE_TEAMS = (2, 5, 8)
MOVER_FROM_TEAM, MOVER_TEAM_OFFSET, MOVE_DAYS_BEFORE_END = 2, 3, 150
LEAVER_TEAM, LEAVE_DAYS_BEFORE_END = 8, 200
# Leave of absence (away, then back; not leaving the agency): the planted one, then the random ones.
ABSENCE_TEAM, ABSENCE_FROM_DAYS_BEFORE_END, ABSENCE_BACK_DAYS_AFTER_END = 1, 20, 25
ABSENCE_RATE, ABSENCE_DAYS = 0.04, (14, 90)
WEAK_PRINCIPLE_CODE = "trauma-informed"

BEHIND_DAYS = 120  # how long the behind team has been slipping
BEHIND_SILENT_DAYS = 35  # longer than any stage's allowed interval, so a silent worker is overdue
TEAMS_PER_CHUNK = 25  # ~200 workers' sessions and ratings held in memory at a time

MISSED_SESSION_RATE = 0.08
RANDOM_LEAVE_RATE = 0.07
RANDOM_MOVE_RATE = 0.03
SKIPPED_SELF_ASSESSMENT_RATE = 0.2
GROUP_ATTENDANCE_RATE = 0.8

# Weighted pools: rng.choice on a tuple is cheaper than rng.choices with weights, per row.
INDIVIDUAL_MINUTES = (30, 45, 45, 60, 60, 60, 60, 75, 90)
GROUP_MINUTES = (60, 75, 90, 90, 105, 120)
MODALITIES = ("in_person",) * 7 + ("video",) * 2 + ("phone",)
GROUP_MODALITIES = ("in_person",) * 3 + ("video",)
INDIVIDUAL_KINDS = (("clinical_educational",) * 8 + ("supportive",) * 7 + ("administrative",) * 3
                    + ("direct_observation",) * 2)
ADMINISTRATIVE_TEAM_KINDS = ("administrative",) * 15 + ("supportive",) * 2 + ("clinical_educational",) * 3
RATING_KINDS = ("clinical_educational",) * 7 + ("direct_observation",) * 3
ADMINISTRATIVE_TEAM_RATING_KINDS = ("administrative",) * 5 + ("clinical_educational",) * 3 + (
    "direct_observation",) * 2
GROUP_KINDS = ("supportive",) * 9 + ("clinical_educational",) * 9 + ("administrative",) * 2
ADMINISTRATIVE_TEAM_GROUP_KINDS = ("administrative",) * 6 + ("supportive",) * 2 + ("clinical_educational",) * 2
FTES = tuple(Decimal(x) for x in ("0.50", "0.60", "0.75", "0.80", "1.00", "1.00", "1.00"))

NOTES = {  # about the worker's practice and wellbeing only: supervision notes hold no client information
    "administrative": ("Reviewed documentation timeliness and caseload.",
                       "Schedule, timesheets and training plan for next month.",
                       "Went over the updated documentation policy.",
                       "Caseload size and productivity targets; flagged clerical tasks creeping in."),
    "supportive": ("Checked in on stress and self-care after a hard week.",
                   "Talked through boundaries when peers call after hours.",
                   "Made a wellness plan for the busy season.",
                   "Discussed when sharing lived experience helps and when to hold back."),
    "clinical_educational": ("Practised listening for content and emotion.",
                             "Worked on recovery planning led by the peer's own goals.",
                             "Reviewed crisis steps and local crisis resources.",
                             "Role-played recovery-oriented, non-clinical language."),
    "direct_observation": ("Observed a group the worker facilitated; feedback given.",
                           "Shadowed a community visit; strengths noted.",
                           "Observed a first meeting with a new peer."),
}

PROGRAMS = (
    ("Community Recovery Services", "Outreach and recovery coaching in the community."),
    ("Integrated Health Homes", "Peers on primary-care and behavioral-health home teams."),
    ("Crisis & Transition Services", "Follow-up after crisis, hospital discharge and release."),
    ("Youth & Family Peer Support", "Family peer advocates and young-adult peer mentors."),
    ("Recovery Housing Supports", "Peer support in supportive and recovery housing."),
    ("Justice-Involved Reentry", "Peers working with courts, jails and people coming home."),
    ("Hospital Bridge Program", "Peers in emergency departments and inpatient units."),
    ("Veterans Peer Network", "Veteran peers supporting veterans."),
    ("Substance Use Recovery Coaching", "Recovery coaches in treatment and community settings."),
    ("Homeless Outreach & Engagement", "Street and shelter outreach."),
    ("Wellness & Employment Supports", "Whole-health coaching and supported employment."),
    ("Peer-Run Respite", "Short stays in a peer-run respite house."),
)
PROGRAM_NAMES = tuple(name for name, _ in PROGRAMS)
TEAMS = (
    "Eastside Outreach", "Westside Outreach", "Downtown Drop-in Center", "Northgate Recovery Coaching",
    "Riverside Health Home", "Midtown Primary Care Bridge", "Southpoint Health Home", "Hospital Bridge Team",
    "Mobile Crisis Follow-up", "Reentry Navigation", "Harbor Housing Support", "Hillcrest Wellness",
    "Lakeview Family Support", "Parkside Engagement", "Valley Recovery Coaching", "Old Town Outreach",
    "University District Navigation", "Airport Corridor Outreach", "Greenfield Wellness",
    "Cedar Heights Housing Support", "Bayfront Engagement", "Pine Ridge Recovery Coaching",
    "Market Street Drop-in Center", "Fairview Health Home", "Oak Park Family Support", "Southgate Reentry",
    "Maple Grove Wellness", "Westfield Bridge Team", "Northside Crisis Follow-up",
    "Brookside Employment Support", "Elm Street Youth Support", "Central Station Outreach",
    "Highland Housing Support", "Kingsley Health Home", "Meadowbrook Wellness", "Rosewood Navigation",
    "Stonebridge Recovery Coaching", "Clearwater Engagement", "Sunset Family Support", "Ironworks Reentry",
)
# 48 and 47 names: coprime lengths, so index i pairs them into 2,256 distinct full names in turn.
FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Jamal", "Priya", "Carlos", "Fatima", "Daniel", "Keisha", "Miguel",
    "Hannah", "Tyrone", "Mei", "Omar", "Rosa", "Samuel", "Yolanda", "Ahmed", "Grace", "Luis", "Tamika",
    "Kevin", "Ana", "Darnell", "Linh", "Joseph", "Nia", "Rafael", "Sarah", "Hiroshi", "Deja", "Andre",
    "Lucia", "Terrence", "Amara", "Diego", "Brianna", "Tomas", "Leila", "Curtis", "Esperanza", "Malik",
    "Hye-jin", "Patrick", "Imani", "Victor", "Naomi",
)
LAST_NAMES = (
    "Johnson", "Garcia", "Nguyen", "Williams", "Okafor", "Patel", "Rodriguez", "Chen", "Brown", "Hernandez",
    "Kim", "Jackson", "Lopez", "Ali", "Davis", "Martinez", "Washington", "Singh", "Thompson", "Gonzalez",
    "Yazzie", "Robinson", "Rivera", "Park", "Harris", "Flores", "Mensah", "Walker", "Torres", "Cohen",
    "Reyes", "Begay", "Mitchell", "Ramirez", "Osei", "Carter", "Sanchez", "Tran", "Coleman", "Morales",
    "Haddad", "Bennett", "Cruz", "Foster", "Diaz", "Murphy", "Abdi",
)

SESSION_COLUMNS = ("id", "held_on", "minutes", "format", "kind", "modality", "supervisor_id", "note",
                   "created_by_id", "created_at", "updated_by_id", "updated_at", "version")
RATING_COLUMNS = ("id", "worker_id", "competency_id", "scale_id", "level", "rater_id", "rater_role",
                  "rated_on", "session_id", "note", "created_by_id", "created_at")
TABLES_WITH_IDS = (Program, Team, Staff, TeamMembership, TeamSupervisor, StageAssignment, Leave,
                   SupervisionSession, CompetencyRating)

Progress = Callable[[str, int], None]
Row = tuple[Any, ...]


def full_name(index: int) -> str:
    """The index-th name of the generator; a middle initial keeps names distinct past 2,256 people."""
    first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]
    pairs = len(FIRST_NAMES) * len(LAST_NAMES)
    if index < pairs:
        return f"{first} {last}"
    return f"{first} {chr(ord('A') + (index // pairs - 1) % 26)}. {last}"


def employee_code(index: int) -> str:
    """The index-th person's employee code: E0001, E0002, ... (more digits past 9,999)."""
    return f"E{index + 1:04d}"


def first_worker(team: int, scale: Scale) -> int:
    """Teams hold contiguous runs of worker indices, so a chunk of teams is a run of workers too."""
    return -(-team * scale.workers // scale.teams)


def numbered(names: Sequence[str], index: int) -> str:
    name = names[index % len(names)]
    return name if index < len(names) else f"{name} {index // len(names) + 1}"


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


@dataclass(frozen=True)
class Reference:
    """What the generator reads from the reference data: competencies, scale, stages and their rules."""

    competency_ids: tuple[int, ...]
    category_competencies: tuple[tuple[int, ...], ...]
    weak_competency_ids: frozenset[int]
    scale_id: int
    lowest_level: int
    highest_level: int
    stage_ids: tuple[int, ...]  # in progression order
    max_days_by_stage: tuple[int, ...]
    other_competency_ids: tuple[int, ...]  # those outside the weak principle, which weak teams favour


def read_reference(session: Session, end_date: date) -> Reference:
    framework_id = session.scalar(select(Framework.id).where(Framework.is_active))
    scale = session.scalar(select(RatingScale).where(RatingScale.is_active))
    standard_id = session.scalar(select(SupervisionStandard.id)
                                 .where(SupervisionStandard.effective_from <= end_date)
                                 .order_by(SupervisionStandard.effective_from.desc()).limit(1))
    if framework_id is None or scale is None or standard_id is None:
        raise ConfigError("load the reference data (framework, rating scale, standard) before the demo data")
    categories = session.execute(
        select(Category.id, Competency.id).join(Competency, Competency.category_id == Category.id)
        .where(Category.framework_id == framework_id)
        .order_by(Category.sort_order, Competency.sort_order)).all()
    by_category: dict[int, list[int]] = {}
    for category_id, competency_id in categories:
        by_category.setdefault(category_id, []).append(competency_id)
    weak = session.scalars(
        select(Competency.id)
        .join(CategoryPrinciple, CategoryPrinciple.category_id == Competency.category_id)
        .join(Principle, Principle.id == CategoryPrinciple.principle_id)
        .where(CategoryPrinciple.is_primary, Principle.code == WEAK_PRINCIPLE_CODE,
               Principle.framework_id == framework_id)).all()
    if not weak:
        raise ConfigError(f"the active framework maps no category to principle {WEAK_PRINCIPLE_CODE!r}")
    levels = session.scalars(select(RatingLevel.level).where(RatingLevel.scale_id == scale.id)
                             .order_by(RatingLevel.level)).all()
    stages = session.execute(
        select(CertificationStage.id, StandardRule.max_days_between_individual)
        .join(StandardRule, StandardRule.stage_id == CertificationStage.id)
        .where(StandardRule.standard_id == standard_id)
        .order_by(CertificationStage.sort_order, CertificationStage.id)).all()
    if not stages:
        raise ConfigError("the supervision standard has no certification stages")
    return Reference(
        competency_ids=tuple(c for _, c in categories),
        category_competencies=tuple(tuple(ids) for ids in by_category.values()),
        weak_competency_ids=frozenset(weak), scale_id=scale.id,
        lowest_level=levels[0], highest_level=levels[-1],
        stage_ids=tuple(s for s, _ in stages), max_days_by_stage=tuple(d for _, d in stages),
        other_competency_ids=tuple(c for _, c in categories if c not in weak))


@dataclass
class WorkerPlan:
    """One peer worker's career: everything about them except their sessions and ratings."""

    index: int
    staff_id: int
    hire_date: date
    fte: Decimal
    left_on: date | None
    memberships: list[tuple[int, date, date | None]]  # (team index, start, end) — half-open
    stages: list[tuple[int, date, date | None]]  # (stage position, start, end)
    ability: float  # how far this person's ratings sit above or below the agency's typical curve
    self_bias: float  # how much higher than their supervisor this person rates themselves
    absence: tuple[date, date] | None = None  # a leave of absence: [first day away, day back)

    def away_on(self, day: date) -> bool:
        return self.absence is not None and self.absence[0] <= day < self.absence[1]

    def team_on(self, day: date) -> int:
        for team, start, end in self.memberships:
            if start <= day and (end is None or day < end):
                return team
        raise ValueError(f"worker {self.index} is in no team on {day}")

    def stage_on(self, day: date) -> int:
        for stage, start, end in self.stages:
            if start <= day and (end is None or day < end):
                return stage
        raise ValueError(f"worker {self.index} has no stage on {day}")


@dataclass
class OrgPlan:
    end_date: date
    window_start: date  # first day of the generated history
    supervisors_by_team: list[list[int]]  # staff ids, lead first
    workers: list[WorkerPlan]
    rosters: list[list[tuple[int, date, date | None]]]  # per team: (staff id, start, end)
    absences: dict[int, tuple[date, date]] = field(default_factory=dict)  # staff id -> [away, back)


@dataclass
class ChunkRows:
    sessions: list[Row] = field(default_factory=list)
    attendees: list[Row] = field(default_factory=list)
    topics: list[Row] = field(default_factory=list)
    ratings: list[Row] = field(default_factory=list)


class IdCounter:
    """Hands out explicit ids after what a table already holds, so children reference parents directly."""

    def __init__(self, session: Session, model: type[Base]) -> None:
        self.next = first_free_id(session, model.__table__)

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


class BulkWriter:
    """Writes rows with the app's bulk writer (dashboard.bulk: COPY on PostgreSQL, the driver's executemany on
    SQLite), counting them per table for the progress line and the summary."""

    def __init__(self, session: Session, progress: Progress | None) -> None:
        self.session = session
        self.progress = progress
        self.counts: dict[str, int] = {}

    def write(self, model: type[Base], columns: Sequence[str], rows: Sequence[Row]) -> None:
        name = model.__tablename__
        bulk_insert(self.session, model.__table__, columns, rows)
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        if self.progress is not None:
            self.progress(name, self.counts[name])

    def advance_sequences(self) -> None:
        for model in TABLES_WITH_IDS:
            if self.counts.get(model.__tablename__):
                advance_sequence(self.session, model.__table__)


def generate(session: Session, *, end_date: date, scale: Scale = DEMO, seed: int = 2015,
             progress: Progress | None = None) -> dict[str, int]:
    """Write a whole agency's people and supervision history ending on end_date; return rows per table.

    Expects the reference data (active framework and rating scale, standard with its stages) and no
    people yet. Sessions and ratings are generated and written a chunk of teams at a time, so memory
    stays flat at any scale.
    """
    reference = read_reference(session, end_date)
    writer = BulkWriter(session, progress)
    plan = plan_organisation(session, writer, scale, end_date, seed, reference)
    session_ids = IdCounter(session, SupervisionSession)
    rating_ids = IdCounter(session, CompetencyRating)
    levels = LevelModel(reference, seed)
    created = utcnow()
    for first_team in range(0, scale.teams, TEAMS_PER_CHUNK):
        teams = range(first_team, min(first_team + TEAMS_PER_CHUNK, scale.teams))
        rows = ChunkRows()
        for team in teams:
            group_sessions(plan, reference, team, seed, session_ids, created, rows)
        workers = range(first_worker(teams.start, scale), first_worker(teams.stop, scale))
        for index in workers:
            worker = plan.workers[index]
            individual_sessions(plan, reference, levels, worker, seed, session_ids, rating_ids, created, rows)
            self_assessments(plan, reference, levels, worker, seed, rating_ids, created, rows)
        writer.write(SupervisionSession, SESSION_COLUMNS, rows.sessions)
        writer.write(SessionAttendee, ("session_id", "worker_id"), rows.attendees)
        writer.write(SessionCompetency, ("session_id", "competency_id"), rows.topics)
        writer.write(CompetencyRating, RATING_COLUMNS, rows.ratings)
    writer.advance_sequences()
    current = rebuild_current_ratings(session)
    if progress is not None:
        progress("current_ratings", current)
    # Fresh planner statistics: without them PostgreSQL (autovacuum may be off or slow to notice a bulk
    # load) picks nested loops over millions of rows, and SQLite has no statistics at all.
    session.execute(text("ANALYZE"))
    return {**writer.counts, "current_ratings": current}


def supervisors_by_team(teams: int, supervisors: int) -> list[list[int]]:
    """Supervisor indices per team, lead first.

    Each team gets its own lead, except that the second team of each pair in TWO_TEAM_SUPERVISOR_TEAMS
    shares the first one's; supervisors left over co-supervise other teams in turn.
    """
    leads: list[int] = []
    next_supervisor = 0
    for team in range(teams):
        if team % 10 == TWO_TEAM_SUPERVISOR_TEAMS[1] and team > 0:
            leads.append(leads[team - 1])
        else:
            leads.append(next_supervisor % supervisors)
            next_supervisor += 1
    by_team = [[lead] for lead in leads]
    co_supervised = [t for t in range(teams) if t % 10 not in TWO_TEAM_SUPERVISOR_TEAMS] or list(range(teams))
    for turn, supervisor in enumerate(range(next_supervisor, supervisors)):
        by_team[co_supervised[turn % len(co_supervised)]].append(supervisor)
    return by_team


def plan_organisation(session: Session, writer: BulkWriter, scale: Scale, end_date: date, seed: int,
                      reference: Reference) -> OrgPlan:
    """Decide and write programs, teams, staff, team supervisors, memberships and stage histories."""
    window_start = months_before(end_date, scale.months) + timedelta(days=1)
    program_ids = IdCounter(session, Program)
    team_ids = IdCounter(session, Team)
    staff_ids = IdCounter(session, Staff)
    programs = [(program_ids.take(), numbered(PROGRAM_NAMES, p), PROGRAMS[p % len(PROGRAMS)][1])
                for p in range(scale.programs)]
    teams = [(team_ids.take(), programs[t * scale.programs // scale.teams][0], numbered(TEAMS, t))
             for t in range(scale.teams)]
    writer.write(Program, ("id", "name", "description"), programs)
    writer.write(Team, ("id", "program_id", "name"), teams)

    # Employee codes E0001, E0002, ... in the order people are written (supervisors first): imports refer to
    # people by code, so demo people can be imported for without a staff import first.
    staff_columns = ("id", "employee_code", "full_name", "role", "hire_date", "fte", "left_on", "peer_credential")
    staff_rows: list[Row] = []
    supervisor_ids: list[int] = []
    supervisor_hired: list[date] = []
    for index in range(scale.supervisors):
        rng = random.Random(f"{seed}:supervisor:{index}")
        # Hired before any of their workers, so a team is never without its supervisor.
        hired = window_start - timedelta(days=rng.randint(6 * 366, 11 * 365))
        staff_id = staff_ids.take()
        supervisor_ids.append(staff_id)
        supervisor_hired.append(hired)
        staff_rows.append((staff_id, employee_code(len(staff_rows)), full_name(len(staff_rows)), "supervisor", hired,
                           Decimal("1.00"), None, index % 5 in (0, 2, 3)))
    team_supervisor_ids = IdCounter(session, TeamSupervisor)
    team_supervisor_rows: list[Row] = []
    by_team_indices = supervisors_by_team(scale.teams, scale.supervisors)
    for team, indices in enumerate(by_team_indices):
        for index in indices:
            team_supervisor_rows.append((team_supervisor_ids.take(), teams[team][0], supervisor_ids[index],
                                         supervisor_hired[index], None))

    workers = [plan_worker(index, staff_ids.take(), scale, end_date, window_start, seed, reference)
               for index in range(scale.workers)]
    for worker in workers:
        staff_rows.append((worker.staff_id, employee_code(len(staff_rows)), full_name(len(staff_rows)), "peer_worker",
                           worker.hire_date, worker.fte, worker.left_on, False))
    writer.write(Staff, staff_columns, staff_rows)
    writer.write(TeamSupervisor, ("id", "team_id", "staff_id", "start_date", "end_date"),
                 team_supervisor_rows)

    membership_ids = IdCounter(session, TeamMembership)
    stage_ids = IdCounter(session, StageAssignment)
    rosters: list[list[tuple[int, date, date | None]]] = [[] for _ in range(scale.teams)]
    membership_rows: list[Row] = []
    stage_rows: list[Row] = []
    for worker in workers:
        for team, start, end in worker.memberships:
            membership_rows.append((membership_ids.take(), worker.staff_id, teams[team][0], start, end))
            rosters[team].append((worker.staff_id, start, end))
        for stage, start, end in worker.stages:
            stage_rows.append((stage_ids.take(), worker.staff_id, reference.stage_ids[stage], start, end))
    writer.write(TeamMembership, ("id", "staff_id", "team_id", "start_date", "end_date"),
                 membership_rows)
    writer.write(StageAssignment, ("id", "staff_id", "stage_id", "start_date", "end_date"), stage_rows)
    leave_ids = IdCounter(session, Leave)
    writer.write(Leave, ("id", "staff_id", "start_date", "end_date"),
                 [(leave_ids.take(), w.staff_id, *w.absence) for w in workers if w.absence is not None])
    return OrgPlan(end_date=end_date, window_start=window_start,
                   supervisors_by_team=[[supervisor_ids[i] for i in indices] for indices in by_team_indices],
                   workers=workers, rosters=rosters,
                   absences={w.staff_id: w.absence for w in workers if w.absence is not None})


def plan_worker(index: int, staff_id: int, scale: Scale, end_date: date, window_start: date, seed: int,
                reference: Reference) -> WorkerPlan:
    """One worker's hire date, FTE, team(s), leaving date and certification stages."""
    rng = random.Random(f"{seed}:worker:{index}")
    home_team = index * scale.teams // scale.workers
    position = index - first_worker(home_team, scale)
    team_size = first_worker(home_team + 1, scale) - first_worker(home_team, scale)
    team_role = home_team % 10
    window_days = (end_date - window_start).days

    is_new_hire = team_role in NEW_HIRE_TEAMS and position == team_size - 1
    move_to = (home_team + MOVER_TEAM_OFFSET) % scale.teams
    is_planted_mover = team_role == MOVER_FROM_TEAM and position == team_size - 2 and move_to != home_team
    is_planted_leaver = team_role == LEAVER_TEAM and position == 0
    # The first two workers of the two-team supervisor's first team stay put: the demo `peer` is one.
    is_settled = team_role == TWO_TEAM_SUPERVISOR_TEAMS[0] and position < 2
    tenured = is_planted_mover or is_planted_leaver or is_settled or rng.random() < 0.65

    if is_new_hire:
        hired = end_date - timedelta(days=rng.randint(12, 55))
    elif tenured:
        hired = window_start - timedelta(days=rng.randint(30, 6 * 365))
    else:  # hired during the history, but not so recently as to look like the planted new hires
        hired = window_start + timedelta(days=rng.randint(0, max(window_days - 120, 0)))

    left_on: date | None = None
    move: tuple[date, int] | None = None
    if is_planted_leaver:
        left_on = end_date - timedelta(days=LEAVE_DAYS_BEFORE_END)
    elif is_planted_mover:
        move = (end_date - timedelta(days=MOVE_DAYS_BEFORE_END), move_to)
    elif not (is_new_hire or is_settled):
        earliest = max(hired + timedelta(days=90), window_start + timedelta(days=30))
        latest = end_date - timedelta(days=30)
        span = (latest - earliest).days
        draw = rng.random()
        if span > 0 and draw < RANDOM_LEAVE_RATE:
            left_on = earliest + timedelta(days=rng.randint(0, span))
        elif span > 0 and draw < RANDOM_LEAVE_RATE + RANDOM_MOVE_RATE:
            program = home_team * scale.programs // scale.teams
            same_program = [t for t in range(scale.teams)
                            if t * scale.programs // scale.teams == program and t != home_team]
            if same_program:
                move = (earliest + timedelta(days=rng.randint(0, span)), rng.choice(same_program))

    memberships: list[tuple[int, date, date | None]]
    if move is None:
        memberships = [(home_team, hired, left_on)]
    else:
        memberships = [(home_team, hired, move[0]), (move[1], move[0], left_on)]

    stages: list[tuple[int, date, date | None]] = []
    start = hired
    last_stage = len(reference.stage_ids) - 1
    for stage in range(len(reference.stage_ids)):
        duration = rng.randint(75, 180) if stage == 0 else rng.randint(150, 400)
        end = None if stage == last_stage else start + timedelta(days=duration)
        if end is not None and (end > end_date or (left_on is not None and end >= left_on)):
            end = None  # the worker is still in this stage at end_date, or left during it
        stages.append((stage, start, left_on if end is None else end))
        if end is None:
            break
        start = end
    return WorkerPlan(index=index, staff_id=staff_id, hire_date=hired,
                      fte=rng.choice(FTES), left_on=left_on, memberships=memberships, stages=stages,
                      ability=rng.gauss(0, 0.3), self_bias=rng.gauss(0.25, 0.3),
                      absence=plan_absence(index, seed, team_role == ABSENCE_TEAM and position == 0, hired, left_on,
                                           is_new_hire, end_date, window_start))


def plan_absence(index: int, seed: int, planted: bool, hired: date, left_on: date | None, is_new_hire: bool,
                 end_date: date, window_start: date) -> tuple[date, date] | None:
    """A leave of absence for some workers who stay: its own random stream, so nobody else's history moves."""
    if left_on is not None or is_new_hire:
        return None
    if planted:
        return (end_date - timedelta(days=ABSENCE_FROM_DAYS_BEFORE_END),
                end_date + timedelta(days=ABSENCE_BACK_DAYS_AFTER_END))
    rng = random.Random(f"{seed}:absence:{index}")
    if rng.random() >= ABSENCE_RATE:
        return None
    days = rng.randint(*ABSENCE_DAYS)
    earliest, latest = max(hired, window_start) + timedelta(days=60), end_date - timedelta(days=days + 10)
    if latest <= earliest:
        return None
    start = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
    return start, start + timedelta(days=days)


class LevelModel:
    """Rating levels: rising with tenure, harder for some competencies, low for the weak principle in weak teams."""

    SUPERVISOR_WEAK_PENALTY = 1.5  # brings tenured workers' typical ~3.6 down to mostly 2
    SELF_WEAK_PENALTY = 0.7  # workers sense the gap, but less than their supervisors record it

    def __init__(self, reference: Reference, seed: int) -> None:
        rng = random.Random(f"{seed}:difficulty")
        difficulty = {c: rng.uniform(-0.35, 0.25) for c in reference.competency_ids}
        weak = reference.weak_competency_ids
        self.lowest, self.highest = reference.lowest_level, reference.highest_level
        self.supervisor_offsets = {
            weak_team: {c: d - (self.SUPERVISOR_WEAK_PENALTY if weak_team and c in weak else 0.0)
                        for c, d in difficulty.items()} for weak_team in (False, True)}
        self.self_offsets = {
            weak_team: {c: d - (self.SELF_WEAK_PENALTY if weak_team and c in weak else 0.0)
                        for c, d in difficulty.items()} for weak_team in (False, True)}

    @staticmethod
    def expected(worker: WorkerPlan, day: date) -> float:
        tenure_years = (day - worker.hire_date).days / 365.25
        # New hires start near 'developing'; after two or three years most items are proficient.
        return 1.7 + 2.1 * (1 - math.exp(-tenure_years / 1.3)) + worker.ability

    def level(self, rng: random.Random, mean: float) -> int:
        return min(self.highest, max(self.lowest, round(mean + rng.gauss(0, 0.5))))


def usual_weekday_near(day: date, weekday: int, earliest: date, latest: date) -> date | None:
    """The given weekday nearest to day, pushed a week on if before earliest; None if after latest."""
    held = day + timedelta(days=(weekday - day.weekday() + 3) % 7 - 3)
    if held < earliest:
        held += timedelta(days=7)
    return held if held <= latest else None


def last_working_day(plan: OrgPlan, worker: WorkerPlan) -> date:
    if worker.left_on is None:
        return plan.end_date
    return min(plan.end_date, worker.left_on - timedelta(days=1))


def discussion_topics(rng: random.Random, reference: Reference, weak_team: bool) -> list[int]:
    pool = reference.other_competency_ids if weak_team and rng.random() < 0.9 else reference.competency_ids
    return rng.sample(pool, rng.randint(1, 4))


def session_row(session_id: int, held: date, minutes: int, format_: str, kind: str, modality: str,
                supervisor_id: int, note: str, created: datetime) -> Row:
    return (session_id, held, minutes, format_, kind, modality, supervisor_id, note, None, created, None,
            created, 1)


def individual_sessions(plan: OrgPlan, reference: Reference, levels: LevelModel, worker: WorkerPlan,
                        seed: int, session_ids: IdCounter, rating_ids: IdCounter, created: datetime,
                        rows: ChunkRows) -> None:
    """One-to-one supervision at the worker's stage's pace, with supervisor ratings every 1-2 months."""
    rng = random.Random(f"{seed}:sessions:{worker.index}")
    last_day = last_working_day(plan, worker)
    day = max(worker.hire_date + timedelta(days=rng.randint(1, 6)),
              plan.window_start + timedelta(days=rng.randint(0, 6)))
    # New workers are rated only after settling in, so the planted new hires have no ratings yet.
    next_rating = max(worker.hire_date + timedelta(days=rng.randint(60, 80)),
                      plan.window_start + timedelta(days=rng.randint(0, 50)))
    category_turn = rng.randrange(len(reference.category_competencies))
    slipping_from = plan.end_date - timedelta(days=BEHIND_DAYS)
    silent_from = plan.end_date - timedelta(days=BEHIND_SILENT_DAYS)
    usual_weekday = rng.randrange(5)  # people keep a regular slot: "Tuesdays at two"
    earliest = max(worker.hire_date, plan.window_start)
    while (held := usual_weekday_near(day, usual_weekday, earliest, last_day)) is not None:
        if worker.away_on(held):  # no supervision while away; the rhythm picks up once they are back
            assert worker.absence is not None
            earliest = day = worker.absence[1]
            continue
        team = worker.team_on(held)
        max_days = reference.max_days_by_stage[worker.stage_on(held)]
        # One worker in four keeps up, so "behind" shows as most of the team, not a blanket outage.
        slipping = team % 10 == BEHIND_TEAM and held >= slipping_from and worker.index % 4 != 3
        silenced = slipping and held >= silent_from
        if not silenced and rng.random() >= MISSED_SESSION_RATE:
            supervisors = plan.supervisors_by_team[team]
            supervisor_id = supervisors[worker.index % len(supervisors)]
            session_id = session_ids.take()
            administrative_team = team % 10 == ADMINISTRATIVE_TEAM
            weak_team = team % 10 in WEAK_PRINCIPLE_TEAMS
            if held >= next_rating:
                kind = rng.choice(ADMINISTRATIVE_TEAM_RATING_KINDS if administrative_team else RATING_KINDS)
                rated: list[int] = []
                for _ in range(rng.choice((1, 1, 2))):  # a category or two per review, in turn
                    rated.extend(reference.category_competencies[
                        category_turn % len(reference.category_competencies)])
                    category_turn += 1
                expected = levels.expected(worker, held)
                offsets = levels.supervisor_offsets[weak_team]
                for competency_id in rated:
                    rows.ratings.append((rating_ids.take(), worker.staff_id, competency_id, reference.scale_id,
                                         levels.level(rng, expected + offsets[competency_id]), supervisor_id,
                                         "supervisor", held, session_id, None, None, created))
                topics = rng.sample(rated, min(len(rated), rng.randint(1, 4)))
                next_rating = held + timedelta(days=rng.randint(30, 60))
            else:
                kind = rng.choice(ADMINISTRATIVE_TEAM_KINDS if administrative_team else INDIVIDUAL_KINDS)
                topics = discussion_topics(rng, reference, weak_team)
            rows.sessions.append(session_row(session_id, held, rng.choice(INDIVIDUAL_MINUTES), "individual", kind,
                                             rng.choice(MODALITIES), supervisor_id, rng.choice(NOTES[kind]),
                                             created))
            rows.attendees.append((session_id, worker.staff_id))
            rows.topics.extend((session_id, competency_id) for competency_id in topics)
        earliest = held + timedelta(days=1)
        # Usually inside the allowed interval, now and then a few days over it.
        interval = max_days * (rng.uniform(1.8, 3.0) if slipping else rng.uniform(0.6, 1.05))
        day = held + timedelta(days=round(interval))


def self_assessments(plan: OrgPlan, reference: Reference, levels: LevelModel, worker: WorkerPlan, seed: int,
                     rating_ids: IdCounter, created: datetime, rows: ChunkRows) -> None:
    """Twice-yearly self-ratings of every competency, from the fourth month on; some are skipped."""
    rng = random.Random(f"{seed}:self:{worker.index}")
    last_day = last_working_day(plan, worker)
    day = max(worker.hire_date + timedelta(days=rng.randint(90, 120)),
              plan.window_start + timedelta(days=rng.randint(0, 180)))
    while day <= last_day:
        if rng.random() >= SKIPPED_SELF_ASSESSMENT_RATE:
            offsets = levels.self_offsets[worker.team_on(day) % 10 in WEAK_PRINCIPLE_TEAMS]
            expected = levels.expected(worker, day) + worker.self_bias
            for competency_id in reference.competency_ids:
                rows.ratings.append((rating_ids.take(), worker.staff_id, competency_id, reference.scale_id,
                                     levels.level(rng, expected + offsets[competency_id]), worker.staff_id,
                                     "self", day, None, None, None, created))
        day += timedelta(days=rng.randint(160, 200))


def group_sessions(plan: OrgPlan, reference: Reference, team: int, seed: int, session_ids: IdCounter,
                   created: datetime, rows: ChunkRows) -> None:
    """Roughly monthly group supervision of 3-8 of the team's current members, led by a team supervisor."""
    rng = random.Random(f"{seed}:groups:{team}")
    roster = plan.rosters[team]
    supervisors = plan.supervisors_by_team[team]
    administrative_team = team % 10 == ADMINISTRATIVE_TEAM
    weak_team = team % 10 in WEAK_PRINCIPLE_TEAMS
    slipping_from = plan.end_date - timedelta(days=BEHIND_DAYS) if team % 10 == BEHIND_TEAM else None
    usual_weekday = rng.randrange(5)
    day = plan.window_start + timedelta(days=rng.randint(3, 30))
    earliest = plan.window_start
    meetings = 0
    while (held := usual_weekday_near(day, usual_weekday, earliest, plan.end_date)) is not None:
        present = [staff_id for staff_id, start, end in roster if start <= held and (end is None or held < end)
                   and not (staff_id in plan.absences
                            and plan.absences[staff_id][0] <= held < plan.absences[staff_id][1])]
        attending = [staff_id for staff_id in present if rng.random() < GROUP_ATTENDANCE_RATE]
        if len(attending) < 3 <= len(present):
            attending = rng.sample(present, 3)
        if len(attending) > 8:
            attending = rng.sample(attending, 8)
        cancelled = slipping_from is not None and held >= slipping_from and rng.random() < 0.5
        if len(attending) >= 3 and not cancelled:
            session_id = session_ids.take()
            kind = rng.choice(ADMINISTRATIVE_TEAM_GROUP_KINDS if administrative_team else GROUP_KINDS)
            rows.sessions.append(session_row(session_id, held, rng.choice(GROUP_MINUTES), "group", kind,
                                             rng.choice(GROUP_MODALITIES), supervisors[meetings % len(supervisors)],
                                             rng.choice(NOTES[kind]), created))
            rows.attendees.extend((session_id, staff_id) for staff_id in attending)
            rows.topics.extend((session_id, c) for c in discussion_topics(rng, reference, weak_team))
            meetings += 1
        earliest = held + timedelta(days=1)
        day = held + timedelta(days=rng.randint(21, 38))


def seed_demo_agency(session: Session, *, end_date: date) -> dict[str, int]:
    """Reference data, the demo agency ending on end_date, and the five demo accounts (password "demo")."""
    load_reference_data(session)
    counts = generate(session, end_date=end_date)
    for username, role, name in DEMO_ACCOUNTS:
        create_user(session, username, DEMO_PASSWORD, role, full_name=name, allow_short_password=True)
    supervisor_id = session.scalars(
        select(TeamSupervisor.staff_id).where(TeamSupervisor.end_date.is_(None))
        .group_by(TeamSupervisor.staff_id).having(func.count() == 2).order_by(TeamSupervisor.staff_id)
        .limit(1)).one()
    # A settled worker (a year or more in post) on one of that supervisor's teams.
    peer_id = session.scalars(
        select(Staff.id).join(TeamMembership, TeamMembership.staff_id == Staff.id)
        .join(TeamSupervisor, (TeamSupervisor.team_id == TeamMembership.team_id)
              & TeamSupervisor.end_date.is_(None) & (TeamSupervisor.staff_id == supervisor_id))
        .where(TeamMembership.end_date.is_(None), Staff.left_on.is_(None),
               Staff.hire_date <= end_date - timedelta(days=365))
        .order_by(Staff.id).limit(1)).one()
    create_user(session, "supervisor", DEMO_PASSWORD, "supervisor", staff_id=supervisor_id,
                allow_short_password=True)
    create_user(session, "peer", DEMO_PASSWORD, "peer_worker", staff_id=peer_id, allow_short_password=True)
    signed = seed_signoffs(session, end_date, keep_open_for=peer_id)
    seed_requirements(session)
    return {**counts, "users": len(DEMO_ACCOUNTS) + 2, "signed_sessions": signed}
