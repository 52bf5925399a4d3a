"""The demo generator: determinism, size, planted patterns, integrity, demo accounts; current-rating rebuild."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from dashboard.accounts import authenticate
from dashboard.audit import Actor
from dashboard.current_ratings import rebuild_current_ratings
from dashboard.db import Database
from dashboard.importers import run_import
from models import (Base, CategoryPrinciple, Competency, CompetencyRating, CurrentRating, Principle, Program,
                    RatingScale, SessionAttendee, SessionCompetency, StageAssignment, Staff, StandardRule,
                    SupervisionSession, Team, TeamMembership, TeamSupervisor, User)
from seed_data.demo import DEMO, generate, months_before
from tests.conftest import DEMO_END

GENERATED_MODELS = (Program, Team, Staff, TeamMembership, TeamSupervisor, StageAssignment, SupervisionSession,
                    SessionAttendee, SessionCompetency, CompetencyRating, CurrentRating)
WRITE_TIMESTAMPS = {"created_at", "updated_at"}  # the only columns allowed to differ between runs
# ... besides what the demo's sign-off history (seed_data/demo_signoff.py, after generate) sets on sessions
SIGNOFF_COLUMNS = {"signed_at", "signed_by_id", "version"}
WINDOW_START = months_before(DEMO_END, DEMO.months) + timedelta(days=1)


def table_rows(session: Session, model: type[Base]) -> list[tuple[Any, ...]]:
    table = model.__table__
    columns = [c for c in table.columns if c.name not in WRITE_TIMESTAMPS | SIGNOFF_COLUMNS]
    return [tuple(row) for row in session.execute(select(*columns).order_by(*table.primary_key))]


def member_on(day: date | InstrumentedAttribute[date],
              membership: type[TeamMembership | TeamSupervisor | StageAssignment] = TeamMembership,
              ) -> ColumnElement[bool]:
    """Half-open dated rows: in force on day when start_date <= day < end_date (end_date NULL = still)."""
    return and_(membership.start_date <= day, or_(membership.end_date.is_(None), membership.end_date > day))


def test_generating_twice_gives_identical_rows_and_reports_its_progress(demo_db: Database,
                                                                       reference_db: Database) -> None:
    reported: dict[str, int] = {}
    with reference_db.session() as session:
        counts = generate(session, end_date=DEMO_END, progress=reported.__setitem__)
    assert reported == counts  # the last report per step is that step's total
    with demo_db.session() as demo, reference_db.session() as again:
        for model in GENERATED_MODELS:
            rows = table_rows(demo, model)
            assert rows == table_rows(again, model), model.__tablename__
            assert counts[model.__tablename__] == len(rows)


def test_another_seed_gives_another_agency(demo_db: Database, reference_db: Database) -> None:
    with reference_db.session() as session:
        generate(session, end_date=DEMO_END, seed=7)
    with demo_db.session() as demo, reference_db.session() as other:
        assert table_rows(demo, Staff) != table_rows(other, Staff)
        assert table_rows(demo, CompetencyRating) != table_rows(other, CompetencyRating)


def test_demo_agency_has_3_programs_10_teams_80_workers_14_supervisors_over_24_months(demo_db: Database) -> None:
    with demo_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Program)) == 3
        assert session.scalar(select(func.count()).select_from(Team)) == 10
        roles = dict(session.execute(select(Staff.role, func.count()).group_by(Staff.role)).all())
        assert roles == {"peer_worker": 80, "supervisor": 14}
        first, last = session.execute(select(func.min(SupervisionSession.held_on),
                                             func.max(SupervisionSession.held_on))).one()
        assert WINDOW_START == date(2024, 11, 1)
        assert WINDOW_START <= first <= WINDOW_START + timedelta(days=7)
        assert DEMO_END - timedelta(days=7) <= last <= DEMO_END
        peer_ftes = session.scalars(select(Staff.fte).where(Staff.role == "peer_worker")).all()
        assert min(peer_ftes) == Decimal("0.50") and max(peer_ftes) == Decimal("1.00")


def test_nothing_is_dated_after_the_end_date(demo_db: Database) -> None:
    dated = [Staff.hire_date, Staff.left_on, TeamMembership.start_date, TeamMembership.end_date,
             TeamSupervisor.start_date, StageAssignment.start_date, StageAssignment.end_date,
             SupervisionSession.held_on, CompetencyRating.rated_on, CurrentRating.rated_on]
    with demo_db.session() as session:
        latest = {column: session.scalar(select(func.max(column))) for column in dated}
    assert all(day is not None and day <= DEMO_END for day in latest.values()), latest


def test_nobody_is_supervised_or_rated_outside_their_employment(demo_db: Database) -> None:
    with demo_db.session() as session:
        attended_outside = session.scalar(
            select(func.count()).select_from(SessionAttendee)
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .join(Staff, Staff.id == SessionAttendee.worker_id)
            .where(or_(SupervisionSession.held_on < Staff.hire_date, SupervisionSession.held_on >= Staff.left_on)))
        rated_outside = session.scalar(
            select(func.count()).select_from(CompetencyRating).join(Staff, Staff.id == CompetencyRating.worker_id)
            .where(or_(CompetencyRating.rated_on < Staff.hire_date, CompetencyRating.rated_on >= Staff.left_on)))
        memberships_before_hire = session.scalar(
            select(func.count()).select_from(TeamMembership).join(Staff, Staff.id == TeamMembership.staff_id)
            .where(TeamMembership.start_date < Staff.hire_date))
    assert (attended_outside, rated_outside, memberships_before_hire) == (0, 0, 0)


def test_every_attendee_was_in_a_team_of_the_sessions_supervisor_on_the_day(demo_db: Database) -> None:
    held_on = SupervisionSession.held_on
    supervised_then = (
        select(TeamMembership.id)
        .join(TeamSupervisor, (TeamSupervisor.team_id == TeamMembership.team_id)
              & (TeamSupervisor.staff_id == SupervisionSession.supervisor_id) & member_on(held_on, TeamSupervisor))
        .where(TeamMembership.staff_id == SessionAttendee.worker_id, member_on(held_on)))
    with demo_db.session() as session:
        stray = session.scalar(
            select(func.count()).select_from(SessionAttendee)
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .where(~supervised_then.exists()))
        # A supervisor's rating is given in a session of that supervisor's, with the worker, that day.
        mismatched_ratings = session.scalar(
            select(func.count()).select_from(CompetencyRating)
            .join(SupervisionSession, SupervisionSession.id == CompetencyRating.session_id)
            .outerjoin(SessionAttendee, (SessionAttendee.session_id == SupervisionSession.id)
                       & (SessionAttendee.worker_id == CompetencyRating.worker_id))
            .where(or_(SessionAttendee.worker_id.is_(None), SupervisionSession.held_on != CompetencyRating.rated_on,
                       SupervisionSession.supervisor_id != CompetencyRating.rater_id)))
        unattached_supervisor_ratings = session.scalar(
            select(func.count()).select_from(CompetencyRating)
            .where(CompetencyRating.rater_role == "supervisor", CompetencyRating.session_id.is_(None)))
    assert (stray, mismatched_ratings, unattached_supervisor_ratings) == (0, 0, 0)


def overdue_by_team(session: Session, day: date) -> dict[str, tuple[int, int]]:
    """(overdue, current workers) per team: overdue when the last individual session is older than the stage allows."""
    last_individual = (
        select(SessionAttendee.worker_id, func.max(SupervisionSession.held_on).label("held_on"))
        .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
        .where(SupervisionSession.format == "individual").group_by(SessionAttendee.worker_id).subquery())
    rows = session.execute(
        select(Team.name, last_individual.c.held_on, StandardRule.max_days_between_individual)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .join(StageAssignment, (StageAssignment.staff_id == TeamMembership.staff_id) & member_on(day, StageAssignment))
        .join(StandardRule, StandardRule.stage_id == StageAssignment.stage_id)
        .outerjoin(last_individual, last_individual.c.worker_id == TeamMembership.staff_id)
        .where(member_on(day))).all()
    teams: dict[str, tuple[int, int]] = {}
    for team, last_held, max_days in rows:
        overdue, workers = teams.get(team, (0, 0))
        teams[team] = (overdue + (last_held is None or (day - last_held).days > max_days), workers + 1)
    return teams


def test_riverside_health_home_is_falling_behind_on_supervision(demo_db: Database) -> None:
    with demo_db.session() as session:
        teams = overdue_by_team(session, DEMO_END)
        four_months_ago = overdue_by_team(session, DEMO_END - timedelta(days=122))
    assert teams.pop("Riverside Health Home") == (6, 8)
    assert max(overdue for overdue, _ in teams.values()) <= 1
    assert four_months_ago["Riverside Health Home"][0] <= 1  # it is recent: the team was fine before


def test_trauma_informed_is_weakly_covered_in_northgate_and_hospital_bridge(demo_db: Database) -> None:
    weak_categories = (
        select(CategoryPrinciple.category_id).join(Principle, Principle.id == CategoryPrinciple.principle_id)
        .where(CategoryPrinciple.is_primary, Principle.code == "trauma-informed").subquery())
    is_weak = weak_categories.c.category_id.is_not(None).label("is_weak")
    with demo_db.session() as session:
        assert session.scalar(select(func.count()).select_from(weak_categories)) == 2  # VIII and XII
        rows = session.execute(
            select(Team.name, is_weak, func.avg(CurrentRating.level),
                   func.avg(case((CurrentRating.level <= 2, 1.0), else_=0.0)))
            .join(TeamMembership, (TeamMembership.staff_id == CurrentRating.worker_id)
                  & TeamMembership.end_date.is_(None))
            .join(Team, Team.id == TeamMembership.team_id)
            .join(Competency, Competency.id == CurrentRating.competency_id)
            .outerjoin(weak_categories, weak_categories.c.category_id == Competency.category_id)
            .where(CurrentRating.rater_role == "supervisor")
            .group_by(Team.name, is_weak)).all()
    average = {(team, bool(weak)): float(level) for team, weak, level, _ in rows}
    low_share = {(team, bool(weak)): float(share) for team, weak, _, share in rows}
    weak_teams = {"Northgate Recovery Coaching", "Hospital Bridge Team"}
    other_teams = {team for team, _ in average} - weak_teams
    for team in weak_teams:
        assert average[team, True] < 2.0 and low_share[team, True] >= 0.75
        assert average[team, False] >= 2.5  # the principle is weak there, not the whole team
    assert min(average[team, True] for team in other_teams) >= 2.25


def test_new_hires_have_few_or_no_ratings(demo_db: Database) -> None:
    with demo_db.session() as session:
        new_hires = session.execute(
            select(Staff.full_name, func.count(CompetencyRating.id))
            .outerjoin(CompetencyRating, CompetencyRating.worker_id == Staff.id)
            .where(Staff.role == "peer_worker", Staff.hire_date > DEMO_END - timedelta(days=61))
            .group_by(Staff.id, Staff.full_name).order_by(Staff.full_name)).all()
    assert new_hires == [("Brianna Coleman", 0), ("Brianna Tran", 0), ("Mei Davis", 0)]


def test_every_team_has_monthly_group_sessions_of_3_to_8_and_individual_sessions_of_1(
        demo_db: Database) -> None:
    attendees = (select(SessionAttendee.session_id, func.count().label("people"))
                 .group_by(SessionAttendee.session_id).subquery())
    with demo_db.session() as session:
        sizes = {fmt: (low, high) for fmt, low, high in session.execute(
            select(SupervisionSession.format, func.min(attendees.c.people), func.max(attendees.c.people))
            .join(attendees, attendees.c.session_id == SupervisionSession.id)
            .group_by(SupervisionSession.format))}
        groups_per_team = session.execute(
            select(Team.name, func.count(func.distinct(SupervisionSession.id)))
            .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .join(TeamMembership, (TeamMembership.staff_id == SessionAttendee.worker_id)
                  & member_on(SupervisionSession.held_on))
            .join(Team, Team.id == TeamMembership.team_id)
            .where(SupervisionSession.format == "group").group_by(Team.name)).all()
    assert sizes == {"group": (3, 8), "individual": (1, 1)}
    assert len(groups_per_team) == 10
    assert min(count for _, count in groups_per_team) >= 18  # ~monthly over 24 months, a few fall through


def test_diego_sanchez_moved_team_within_the_last_year(demo_db: Database) -> None:
    before, after = aliased(TeamMembership), aliased(TeamMembership)
    old_team, new_team = aliased(Team), aliased(Team)
    with demo_db.session() as session:
        moves = session.execute(
            select(Staff.full_name, old_team.name, new_team.name, before.end_date)
            .join(before, before.staff_id == Staff.id)
            .join(after, (after.staff_id == before.staff_id) & (after.start_date == before.end_date))
            .join(old_team, old_team.id == before.team_id).join(new_team, new_team.id == after.team_id)
            .where(before.team_id != after.team_id)).all()
    assert ("Diego Sanchez", "Downtown Drop-in Center", "Midtown Primary Care Bridge",
            DEMO_END - timedelta(days=150)) in moves


def test_hiroshi_begay_left_and_nobody_is_supervised_after_leaving(demo_db: Database) -> None:
    with demo_db.session() as session:
        leavers = session.execute(
            select(Staff.full_name, Staff.left_on, TeamMembership.end_date)
            .join(TeamMembership, TeamMembership.staff_id == Staff.id)
            .where(Staff.left_on.is_not(None)).order_by(Staff.id, TeamMembership.start_date)).all()
        sessions_after_leaving = session.scalar(
            select(func.count()).select_from(SessionAttendee)
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .join(Staff, Staff.id == SessionAttendee.worker_id).where(SupervisionSession.held_on >= Staff.left_on))
    assert ("Hiroshi Begay", DEMO_END - timedelta(days=200), DEMO_END - timedelta(days=200)) in leavers
    assert all(left_on == membership_end for _, left_on, membership_end in leavers)
    assert sessions_after_leaving == 0


def test_supervisors_with_and_without_a_peer_credential(demo_db: Database) -> None:
    with demo_db.session() as session:
        credentials = dict(session.execute(
            select(Staff.peer_credential, func.count()).where(Staff.role == "supervisor")
            .group_by(Staff.peer_credential)).all())
    assert credentials == {True: 9, False: 5}


def test_southpoint_health_home_spends_most_supervision_minutes_on_administration(demo_db: Database) -> None:
    session_team = (
        select(SessionAttendee.session_id, TeamMembership.team_id).distinct()
        .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
        .join(TeamMembership, (TeamMembership.staff_id == SessionAttendee.worker_id)
              & member_on(SupervisionSession.held_on)).subquery())
    with demo_db.session() as session:
        shares = {team: float(administrative) / float(total) for team, administrative, total in session.execute(
            select(Team.name,
                   func.sum(case((SupervisionSession.kind == "administrative", SupervisionSession.minutes),
                                 else_=0)),
                   func.sum(SupervisionSession.minutes))
            .join(session_team, session_team.c.session_id == SupervisionSession.id)
            .join(Team, Team.id == session_team.c.team_id).group_by(Team.name))}
    assert shares.pop("Southpoint Health Home") > 0.5
    assert max(shares.values()) < 0.25


def test_rebuild_current_ratings_keeps_the_latest_per_worker_competency_and_rater_role(
        reference_db: Database) -> None:
    with reference_db.session() as session:
        first, second = session.scalars(select(Competency.id).order_by(Competency.sort_order).limit(2)).all()
        scale_id = session.scalar(select(RatingScale.id).where(RatingScale.is_active))
        session.execute(insert(Staff), [
            {"id": 1, "full_name": "Sam Supervisor", "role": "supervisor", "hire_date": date(2020, 1, 6)},
            {"id": 2, "full_name": "Pat Peer", "role": "peer_worker", "hire_date": date(2024, 3, 4)}])

        def rating(rating_id: int, competency_id: int, role: str, day: date, level: int) -> dict[str, Any]:
            return {"id": rating_id, "worker_id": 2, "competency_id": competency_id, "scale_id": scale_id,
                    "level": level, "rater_id": 1 if role == "supervisor" else 2, "rater_role": role,
                    "rated_on": day}

        session.execute(insert(CompetencyRating), [
            rating(1, first, "supervisor", date(2026, 1, 10), 2),
            rating(2, first, "supervisor", date(2026, 3, 5), 3),  # latest supervisor rating of `first`
            rating(3, first, "self", date(2026, 3, 5), 4),  # the only self rating: its own row
            rating(4, second, "supervisor", date(2026, 2, 1), 1),
            rating(5, second, "supervisor", date(2026, 2, 1), 2),  # same day as 4: the higher id wins
            rating(6, second, "supervisor", date(2026, 1, 15), 4),  # highest id, but older: the date wins
        ])
        # A stale row from before: the rebuild must replace it, not add to it.
        session.execute(insert(CurrentRating), [{"worker_id": 2, "competency_id": first, "rater_role": "supervisor",
                                                 "rating_id": 1, "level": 2, "rated_on": date(2026, 1, 10)}])
        assert rebuild_current_ratings(session) == 3
        current = session.execute(
            select(CurrentRating.worker_id, CurrentRating.competency_id, CurrentRating.rater_role,
                   CurrentRating.rating_id, CurrentRating.level, CurrentRating.rated_on)
            .order_by(CurrentRating.rating_id)).all()
    assert current == [
        (2, first, "supervisor", 2, 3, date(2026, 3, 5)),
        (2, first, "self", 3, 4, date(2026, 3, 5)),
        (2, second, "supervisor", 5, 2, date(2026, 2, 1)),
    ]


def test_the_five_demo_accounts_and_their_links(demo_db: Database) -> None:
    with demo_db.session() as session:
        accounts = {user.username: user for user in session.scalars(select(User))}
        assert {name: user.role for name, user in accounts.items()} == {
            "admin": "admin", "leader": "leadership", "quality": "quality", "supervisor": "supervisor",
            "peer": "peer_worker"}
        assert all(accounts[name].staff_id is None for name in ("admin", "leader", "quality"))
        supervisor, peer = accounts["supervisor"], accounts["peer"]
        assert (supervisor.full_name, peer.full_name) == ("Maria Johnson", "Omar Davis")
        supervised_teams = session.scalars(
            select(Team.name).join(TeamSupervisor, TeamSupervisor.team_id == Team.id)
            .where(TeamSupervisor.staff_id == supervisor.staff_id, TeamSupervisor.end_date.is_(None))
            .order_by(Team.name)).all()
        assert supervised_teams == ["Eastside Outreach", "Westside Outreach"]
        peer_team = session.scalar(
            select(Team.name).join(TeamMembership, TeamMembership.team_id == Team.id)
            .where(TeamMembership.staff_id == peer.staff_id, TeamMembership.end_date.is_(None)))
        assert peer_team == "Eastside Outreach"
        assert session.get_one(Staff, peer.staff_id).left_on is None
        assert authenticate(session, "peer", "demo") is not None


def test_rows_added_after_the_demo_get_fresh_ids(demo_db: Database) -> None:
    # The generator writes explicit ids; PostgreSQL's sequences must have been moved past them.
    with demo_db.session() as session:
        highest_staff_id = session.scalar(select(func.max(Staff.id)))
        highest_session_id = session.scalar(select(func.max(SupervisionSession.id)))
        newcomer = Staff(full_name="Robin Newcomer", role="peer_worker", hire_date=DEMO_END)
        session.add(newcomer)
        session.flush()
        meeting = SupervisionSession(held_on=DEMO_END, minutes=45, format="individual", kind="supportive",
                                     modality="phone", supervisor_id=1)
        session.add(meeting)
        session.flush()
        assert (newcomer.id, meeting.id) == (highest_staff_id + 1, highest_session_id + 1)


def test_demo_people_have_employee_codes_so_files_can_be_imported_for_them(demo_db: Database) -> None:
    with demo_db.session() as session:
        people = session.execute(select(Staff.employee_code, Staff.role, Staff.full_name).order_by(Staff.id)).all()
        # Supervisors first (E0001-E0014), then peer workers (E0015-E0094), in the order they are generated.
        assert [code for code, _role, _name in people] == [f"E{n:04d}" for n in range(1, 95)]
        assert {role for _code, role, _name in people[:14]} == {"supervisor"}
        assert {role for _code, role, _name in people[14:]} == {"peer_worker"}
        # The demo supervisor (Maria Johnson, E0001) and peer (Omar Davis, E0015) can be imported for at once.
        assert (people[0][2], people[14][2]) == ("Maria Johnson", "Omar Davis")
        sessions = run_import(session, "sessions", (
            "held_on,supervisor_code,format,kind,modality,minutes,attendee_codes,competencies,note\n"
            "2026-10-30,E0001,individual,supportive,in_person,45,E0015,I.1,\n").encode(),
            file_name="sessions.csv", actor=Actor(None, "cli:test"), today=DEMO_END)
        assert (sessions.errors, sessions.counts) == ((), {"create": 1})
        # Hiroshi Begay (E0079) left on 2026-04-14: a later rating says so, not that E0008 did not supervise him.
        ratings = run_import(session, "ratings", (
            "rated_on,worker_code,competency,level,rater_role,rater_code,note\n"
            "2026-10-30,E0015,I.1,3,supervisor,E0001,\n"
            "2026-05-01,E0079,I.1,3,supervisor,E0008,\n").encode(),
            file_name="ratings.csv", actor=Actor(None, "cli:test"), today=DEMO_END)
        assert [(e.row, e.column, e.message) for e in ratings.errors] == [
            (3, "rated_on", "E0079 had left (14 Apr 2026); a worker is not rated after leaving")]
