"""Kept meeting months give the live meeting trend exactly; every write that could change a closed month deletes it."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from dashboard.bulk import bulk_insert
from dashboard.db import Database
from dashboard.queries.common import MetricSettings, TeamFilter
from dashboard.queries.supervision import kpis
from dashboard.scope import Scope
from models import (CertificationStage, Leave, MeetingMonth, SessionAttendee, StageAssignment, Staff, StandardRule,
                    SupervisionSession, SupervisionStandard, Team, TeamMembership)
from models.judgements import JudgementVersion
from models.vocabulary import Role, SessionFormat
from tests.conftest import DEMO_END

TODAY = date(2026, 11, 24)  # every month of the demo agency (to DEMO_END, 2026-10-31) has closed
LIVE = None  # no day given: every month is counted live and nothing is kept
MONTHS = 27  # 2024-08-31 .. DEMO_END: the demo's sessions start in November 2024, its workers years before
DEFAULT = MetricSettings()
AGENCY = Scope.agency()
EVERYTHING = TeamFilter()


def trend(s: Session, settings: MetricSettings = DEFAULT, today: date | None = TODAY, scope: Scope = AGENCY,
          filters: TeamFilter = EVERYTHING) -> list[Any]:
    return kpis.meeting_trend(s, scope, DEMO_END, MONTHS, filters, settings, today)


def kept_by_month(s: Session) -> dict[date, int]:
    return {month: int(rows) for month, rows in s.execute(
        select(MeetingMonth.month_end, func.count()).group_by(MeetingMonth.month_end))}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[date]]:
    """The month ends each call counted live (not read from meeting_months)."""
    days: list[date] = []
    real = kpis._team_meeting_months

    def spy(session: Session, teams: Any, periods: list[tuple[date, date]]) -> Any:
        days.extend(last_day for _, last_day in periods)
        return real(session, teams, periods)
    monkeypatch.setattr(kpis, "_team_meeting_months", spy)
    yield days


def test_kept_months_give_the_live_trend_for_every_month_of_the_demo_agency(demo_db: Database,
                                                                            counted: list[date]) -> None:
    with demo_db.session() as s:
        live = trend(s, today=LIVE)
        assert kept_by_month(s) == {}
        first = trend(s)
        teams = s.scalar(select(func.count()).select_from(Team))
        assert kept_by_month(s) == {p.month_end: teams for p in live}  # every team, every closed month
    counted.clear()
    with demo_db.session() as s:
        again = trend(s)
        assert counted == []  # all read from meeting_months
        assert first == again == live
        # Suppression is applied when reading, team by team; scopes and filters pick teams from the same rows.
        for settings in (MetricSettings(min_cell_workers=0), MetricSettings(min_cell_workers=8)):
            assert trend(s, settings) == trend(s, settings, today=LIVE)
        for team_id in s.scalars(select(Team.id)):
            assert trend(s, scope=Scope(team_ids=frozenset({team_id}))) == trend(
                s, scope=Scope(team_ids=frozenset({team_id})), today=LIVE)
        program = s.scalar(select(Team.program_id).limit(1))
        assert trend(s, filters=TeamFilter(program_id=program)) == trend(
            s, filters=TeamFilter(program_id=program), today=LIVE)
    # Real numbers: workers every month, some meeting the standard and some not once the demo has sessions.
    assert all(p.workers > 50 for p in live)
    assert sum(1 for p in live if p.meeting_share is not None and 0 < p.meeting_share < 1) >= 20


def test_the_current_month_and_a_mid_month_end_stay_live(demo_db: Database, counted: list[date]) -> None:
    mid_month = date(2026, 10, 15)
    with demo_db.session() as s:
        points = kpis.meeting_trend(s, AGENCY, mid_month, 3, EVERYTHING, DEFAULT, TODAY)
        assert sorted(kept_by_month(s)) == [date(2026, 8, 31), date(2026, 9, 30)]
        counted.clear()
        assert kpis.meeting_trend(s, AGENCY, mid_month, 3, EVERYTHING, DEFAULT, TODAY) == points
        assert counted == [mid_month]
        counted.clear()
        # On 2026-10-31 itself October has not closed yet.
        kpis.meeting_trend(s, AGENCY, DEMO_END, 3, EVERYTHING, DEFAULT, DEMO_END)
        assert counted == [DEMO_END]
        assert DEMO_END not in kept_by_month(s)


# ---------------------------------------------------------------------------------------------------- writes


def _attendance(s: Session) -> SessionAttendee:
    """An attendance in spring 2026 of a worker still on staff: months before it stay kept."""
    return s.scalars(select(SessionAttendee).join(Staff, Staff.id == SessionAttendee.worker_id)
                     .where(Staff.left_on.is_(None), SessionAttendee.held_on.between(date(2026, 3, 1),
                                                                                     date(2026, 3, 31)))
                     .order_by(SessionAttendee.held_on, SessionAttendee.session_id, SessionAttendee.worker_id)
                     .limit(1)).one()


def insert_attendance(s: Session) -> date:
    attended = _attendance(s)
    other = s.scalars(select(SupervisionSession).where(
        SupervisionSession.held_on.between(date(2026, 4, 1), date(2026, 4, 30)),
        ~select(SessionAttendee.worker_id).where(SessionAttendee.session_id == SupervisionSession.id,
                                                 SessionAttendee.worker_id == attended.worker_id).exists())
        .order_by(SupervisionSession.held_on, SupervisionSession.id).limit(1)).one()
    s.add(SessionAttendee(session_id=other.id, worker_id=attended.worker_id))
    return other.held_on


def delete_attendance(s: Session) -> date:
    attended = _attendance(s)
    day = attended.held_on
    assert day is not None
    s.delete(attended)
    return day


def move_attendance(s: Session) -> date:
    """To a session of another day, by changing session_id."""
    attended = _attendance(s)
    day = attended.held_on
    assert day is not None
    later = s.scalars(select(SupervisionSession).where(
        SupervisionSession.held_on.between(date(2026, 6, 1), date(2026, 6, 30)),
        ~select(SessionAttendee.worker_id).where(SessionAttendee.session_id == SupervisionSession.id,
                                                 SessionAttendee.worker_id == attended.worker_id).exists())
        .order_by(SupervisionSession.held_on, SupervisionSession.id).limit(1)).one()
    s.execute(update(SessionAttendee).where(SessionAttendee.session_id == attended.session_id,
                                            SessionAttendee.worker_id == attended.worker_id)
              .values(session_id=later.id))
    return day


def _session(s: Session) -> SupervisionSession:
    return s.scalars(select(SupervisionSession).where(SupervisionSession.held_on.between(date(2026, 3, 1),
                                                                                         date(2026, 3, 31)))
                     .order_by(SupervisionSession.held_on, SupervisionSession.id).limit(1)).one()


def move_session_later(s: Session) -> date:
    session = _session(s)
    old, session.held_on = session.held_on, session.held_on + timedelta(days=75)  # from the earlier date
    return old


def shorten_session(s: Session) -> date:
    session = _session(s)
    session.minutes = 5
    return session.held_on


def change_session_format(s: Session) -> date:
    session = _session(s)
    session.format = SessionFormat.GROUP if session.format == SessionFormat.INDIVIDUAL else SessionFormat.INDIVIDUAL
    return session.held_on


def delete_session(s: Session) -> date:
    session = _session(s)
    s.delete(session)
    return session.held_on


def _worker(s: Session) -> Staff:
    """A peer worker on staff since before 2026 with an open membership begun in 2025."""
    return s.scalars(select(Staff).join(TeamMembership, TeamMembership.staff_id == Staff.id)
                     .where(TeamMembership.end_date.is_(None), Staff.left_on.is_(None), Staff.role == Role.PEER_WORKER,
                            TeamMembership.start_date.between(date(2025, 1, 1), date(2025, 6, 30)))
                     .order_by(TeamMembership.start_date, TeamMembership.id).limit(1)).one()


def insert_leave(s: Session) -> date:
    day = date(2026, 2, 9)
    s.add(Leave(staff_id=_worker(s).id, start_date=day, end_date=date(2026, 4, 20)))
    return day


def _leave(s: Session) -> Leave:
    """The demo's earliest leave (it has few, the planted one 20 days before its end)."""
    return s.scalars(select(Leave).where(Leave.start_date <= DEMO_END)
                     .order_by(Leave.start_date, Leave.id).limit(1)).one()


def extend_leave(s: Session) -> date:
    leave = _leave(s)
    leave.end_date = (leave.end_date or leave.start_date) + timedelta(days=40)
    return leave.start_date


def delete_leave(s: Session) -> date:
    leave = _leave(s)
    s.delete(leave)
    return leave.start_date


def _stage(s: Session) -> StageAssignment:
    return s.scalars(select(StageAssignment).where(StageAssignment.start_date.between(date(2025, 6, 1),
                                                                                      date(2026, 6, 30)))
                     .order_by(StageAssignment.start_date, StageAssignment.id).limit(1)).one()


def change_stage(s: Session) -> date:
    assignment = _stage(s)
    assignment.stage_id = s.scalar(select(CertificationStage.id).where(CertificationStage.id != assignment.stage_id)
                                   .order_by(CertificationStage.id).limit(1))
    return assignment.start_date


def delete_stage(s: Session) -> date:
    assignment = _stage(s)
    s.delete(assignment)
    return assignment.start_date


def insert_stage(s: Session) -> date:
    """A new stage for a worker whose open assignment is closed first (one open assignment each)."""
    assignment = s.scalars(select(StageAssignment).where(StageAssignment.end_date.is_(None),
                                                         StageAssignment.start_date < date(2026, 1, 1))
                           .order_by(StageAssignment.start_date, StageAssignment.id).limit(1)).one()
    day = date(2026, 5, 4)
    assignment.end_date = day  # an update dated from its own start: earlier than the new one
    s.flush()
    s.add(StageAssignment(staff_id=assignment.staff_id, stage_id=assignment.stage_id, start_date=day))
    return assignment.start_date


def end_membership(s: Session) -> date:
    membership = s.scalars(select(TeamMembership).where(TeamMembership.staff_id == _worker(s).id,
                                                        TeamMembership.end_date.is_(None))).one()
    membership.end_date = date(2026, 2, 10)
    return membership.start_date


def delete_membership(s: Session) -> date:
    membership = s.scalars(select(TeamMembership).where(TeamMembership.staff_id == _worker(s).id,
                                                        TeamMembership.end_date.is_(None))).one()
    s.delete(membership)
    return membership.start_date


def set_left_on(s: Session) -> date:
    worker = _worker(s)
    worker.left_on = date(2026, 3, 3)
    return worker.hire_date


def change_rule(s: Session) -> date:
    s.execute(update(StandardRule).values(min_minutes_per_month=StandardRule.min_minutes_per_month + 90))
    return date.min


def insert_standard(s: Session) -> date:
    s.add(SupervisionStandard(name="Stricter", effective_from=date(2026, 6, 1)))
    return date.min


def rename_stage(s: Session) -> date:
    s.execute(update(CertificationStage).where(CertificationStage.id == s.scalar(select(func.min(
        CertificationStage.id)))).values(sort_order=CertificationStage.sort_order + 1))
    return date.min


WRITES: dict[str, Callable[[Session], date]] = {
    "attendance inserted": insert_attendance, "attendance deleted": delete_attendance,
    "attendance moved to another session": move_attendance, "session moved later": move_session_later,
    "session shortened": shorten_session, "session format changed": change_session_format,
    "session deleted": delete_session, "leave inserted": insert_leave,
    "leave extended": extend_leave, "leave deleted": delete_leave, "stage changed": change_stage,
    "stage deleted": delete_stage, "stage inserted": insert_stage, "membership ended": end_membership,
    "membership deleted": delete_membership, "worker left": set_left_on, "rule changed": change_rule,
    "standard inserted": insert_standard, "certification stage updated": rename_stage}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_deletes_the_kept_months_from_its_date_and_the_trend_follows_it(
        demo_db: Database, write: Callable[[Session], date]) -> None:
    with demo_db.session() as s:
        trend(s)
        kept_before = kept_by_month(s)
    with demo_db.session() as s:
        since = write(s)
    with demo_db.session() as s:
        kept_after = kept_by_month(s)
        # Without the table's trigger the changed months would still be here, and read.
        assert kept_after == {month: rows for month, rows in kept_before.items() if month < since}
        assert len(kept_after) < len(kept_before)
        after = trend(s)
        assert after == trend(s, today=LIVE)
        assert kept_by_month(s) == kept_before  # counted again and kept again


def judgement_versions(s: Session) -> dict[int, int]:
    return dict(s.execute(select(JudgementVersion.worker_id, JudgementVersion.version)).all())


def test_signing_a_session_keeps_the_kept_months_and_its_attendees_judgements(demo_db: Database) -> None:
    """Sign-off (dashboard.signoff.sign_session) writes who signed and when, which no count reads: migration 0018.
    Before it, a signature deleted the kept months from the session's date (and, on PostgreSQL, bumped its attendees'
    judgements), so every sign-off of last month's sessions had the next Overview count them again."""
    with demo_db.session() as s:
        trend(s)
        kept_before = kept_by_month(s)
        versions_before = judgement_versions(s)
    with demo_db.session() as s:
        session = _session(s)
        signer = s.scalar(text("SELECT min(id) FROM users"))
        session.signed_at, session.signed_by_id = datetime(2026, 4, 2, 9, 30, tzinfo=UTC), signer
    with demo_db.session() as s:
        assert _session(s).signed_at is not None
        assert kept_by_month(s) == kept_before and len(kept_before) >= 11
        assert judgement_versions(s) == versions_before


def test_a_bulk_import_deletes_the_months_it_touches(demo_db: Database) -> None:
    """The importer writes with bulk.bulk_insert: COPY on PostgreSQL, which fires the statement-level triggers."""
    with demo_db.session() as s:
        trend(s)
        kept_before = kept_by_month(s)
    with demo_db.session() as s:
        worker = _worker(s).id
        session = _session(s)
        day = session.held_on
        assert s.get(SessionAttendee, (session.id, worker)) is None
        bulk_insert(s, SessionAttendee.__table__, ("session_id", "worker_id"), [(session.id, worker)])
    with demo_db.session() as s:
        assert kept_by_month(s) == {month: rows for month, rows in kept_before.items() if month < day}
        assert trend(s) == trend(s, today=LIVE)


def test_suppression_reads_the_same_rows(demo_db: Database) -> None:
    with demo_db.session() as s:
        before = trend(s)
        rows = sum(kept_by_month(s).values())
        other = MetricSettings(min_cell_workers=8)
        assert trend(s, other) == trend(s, other, today=LIVE) != before
        assert sum(kept_by_month(s).values()) == rows


def test_a_new_definition_ignores_the_rows_kept_under_the_old_one(demo_db: Database, counted: list[date],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_db.session() as s:
        before = trend(s)
        teams = s.scalar(select(func.count()).select_from(Team))
        for name in ("MEETING_TREND_DEFINITION", "JUDGEMENT_DEFINITION"):
            monkeypatch.setattr(kpis, name, getattr(kpis, name) + 1)
            counted.clear()
            assert trend(s) == before
            assert len(counted) == MONTHS  # counted again, not read
        assert Counter(s.scalars(select(MeetingMonth.definition))) == {
            kpis.MEETING_TREND_DEFINITION - 1: MONTHS * teams, kpis.MEETING_TREND_DEFINITION: 2 * MONTHS * teams}


# Every trigger of migration 0017, by name: a write to these tables that could change a closed month deletes it.
DATED = ("session_attendees", "stage_assignments", "leaves", "team_memberships")
EVERY_MONTH = ("supervision_standards", "standard_rules", "certification_stages")
TRIGGERS = {f"mm_{table}_{event}" for table in DATED + EVERY_MONTH for event in ("insert", "update", "delete")} | {
    "mm_supervision_sessions_update", "mm_supervision_sessions_delete", "mm_staff_update", "mm_staff_delete"}
TRUNCATE_TRIGGERS = {f"mm_{table}_truncate" for table in (*DATED, *EVERY_MONTH, "supervision_sessions", "staff")}


def test_every_write_that_can_change_a_closed_month_has_its_trigger(empty_db: Database) -> None:
    with empty_db.session() as s:
        if s.get_bind().dialect.name == "postgresql":
            found = set(s.scalars(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'mm\\_%'")))
            assert found == TRIGGERS | TRUNCATE_TRIGGERS  # COPY fires the statement-level ones too
        else:
            found = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'mm\\_%' "
                                       "ESCAPE '\\'")))
            assert found == TRIGGERS  # SQLite has no TRUNCATE


# ------------------------------------------------------------------------------------------ keeping refused


def test_a_write_committed_while_counting_refuses_the_keep(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    real = kpis._team_meeting_months

    def counted_then_written(*args: Any) -> Any:
        counts = real(*args)
        with demo_db.session() as other:  # another request records an attendance dated in a counted month
            delete_attendance(other)
        return counts
    monkeypatch.setattr(kpis, "_team_meeting_months", counted_then_written)
    with demo_db.session() as s:
        trend(s)
    monkeypatch.setattr(kpis, "_team_meeting_months", real)
    with demo_db.session() as s:
        assert kept_by_month(s) == {}  # counted from before the write: not kept
        assert trend(s) == trend(s, today=LIVE)


def test_a_read_only_transaction_answers_without_keeping(demo_db: Database) -> None:
    with demo_db.session() as s:
        live = trend(s, today=LIVE)
    with demo_db.session() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SET TRANSACTION READ ONLY"))
        else:
            s.execute(text("PRAGMA query_only = ON"))
        assert trend(s) == live
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text("PRAGMA query_only = OFF"))
    with demo_db.session() as s:
        assert kept_by_month(s) == {}
