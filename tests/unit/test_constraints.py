"""The database itself refuses rows that would be bugs: checked on SQLite and PostgreSQL alike."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from dashboard.db import Database
from models import (AuditEvent, CompetencyRating, Competency, Framework, Program, RatingScale, Staff,
                    SupervisionSession, Team, TeamMembership, User)


def people(s: Session) -> tuple[Staff, Staff, Team, Team]:
    program = Program(name="P")
    s.add(program)
    s.flush()
    team_a, team_b = Team(program_id=program.id, name="A"), Team(program_id=program.id, name="B")
    supervisor = Staff(full_name="Sue", role="supervisor", hire_date=date(2020, 1, 1))
    worker = Staff(full_name="Wes", role="peer_worker", hire_date=date(2024, 1, 1))
    s.add_all([team_a, team_b, supervisor, worker])
    s.flush()
    return supervisor, worker, team_a, team_b


def refused(db: Database, write: Callable[[Session], object]) -> None:
    """The write fails inside the database, and nothing of it is left behind."""
    with pytest.raises((IntegrityError, DBAPIError)):
        with db.session() as s:
            write(s)
            s.flush()


def session_row(supervisor_id: int, changes: dict[str, object]) -> dict[str, object]:
    return {"held_on": date(2025, 1, 6), "minutes": 60, "format": "individual", "kind": "supportive",
            "modality": "in_person", "supervisor_id": supervisor_id, **changes}


@pytest.mark.parametrize("changes", [{"minutes": 0}, {"minutes": -5}, {"format": "pairs"},
                                     {"kind": "therapy"}, {"modality": "fax"}, {"supervisor_id": 999}])
def test_sessions_refuse_bad_minutes_unknown_kinds_and_missing_supervisors(reference_db: Database,
                                                                          changes: dict[str, object]) -> None:
    with reference_db.session() as s:
        supervisor, *_ = people(s)
        supervisor_id = supervisor.id
    refused(reference_db, lambda s: s.execute(insert(SupervisionSession), [session_row(supervisor_id, changes)]))
    with reference_db.session() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_ratings_must_use_a_level_on_the_scale_and_self_ratings_are_by_the_worker(reference_db: Database) -> None:
    with reference_db.session() as s:
        supervisor, worker, *_ = people(s)
        scale = s.scalar(select(RatingScale).where(RatingScale.is_active))
        competency_id = s.scalar(select(Competency.id).limit(1))
        base = {"worker_id": worker.id, "competency_id": competency_id, "scale_id": scale.id, "level": 3,
                "rater_id": supervisor.id, "rater_role": "supervisor", "rated_on": date(2025, 2, 1)}
        s.execute(insert(CompetencyRating), [base])
    for bad in ({"level": 5}, {"level": 0}, {"rater_role": "self"}, {"rater_role": "peer"}):
        refused(reference_db, lambda s, bad=bad: s.execute(insert(CompetencyRating), [{**base, **bad}]))
    with reference_db.session() as s:
        s.execute(insert(CompetencyRating), [{**base, "rater_role": "self", "rater_id": base["worker_id"]}])
        assert s.scalar(select(func.count()).select_from(CompetencyRating)) == 2


def test_a_worker_has_one_open_team_membership_and_dates_run_forward(reference_db: Database) -> None:
    with reference_db.session() as s:
        _, worker, team_a, team_b = people(s)
        ids = (worker.id, team_a.id, team_b.id)
        s.add(TeamMembership(staff_id=worker.id, team_id=team_a.id, start_date=date(2024, 1, 1)))
    worker_id, team_a_id, team_b_id = ids
    refused(reference_db, lambda s: s.add(TeamMembership(staff_id=worker_id, team_id=team_b_id,
                                                         start_date=date(2024, 6, 1))))
    refused(reference_db, lambda s: s.add(TeamMembership(staff_id=worker_id, team_id=team_b_id,
                                                         start_date=date(2024, 6, 1), end_date=date(2024, 5, 1))))
    with reference_db.session() as s:  # a move: close the old membership on the day the new one opens
        s.execute(update(TeamMembership).values(end_date=date(2024, 6, 1)))
        s.add(TeamMembership(staff_id=worker_id, team_id=team_b_id, start_date=date(2024, 6, 1)))
    with reference_db.session() as s:
        assert s.scalar(select(func.count()).select_from(TeamMembership)) == 2


def test_staff_checks_fte_and_leaving_before_hire(reference_db: Database) -> None:
    for bad in ({"fte": 0}, {"fte": 1.5}, {"left_on": date(2019, 1, 1)}, {"role": "volunteer"}):
        refused(reference_db, lambda s, bad=bad: s.add(Staff(**{
            "full_name": "X", "role": "peer_worker", "hire_date": date(2020, 1, 1), **bad})))


def test_accounts_link_to_staff_exactly_when_the_role_acts_for_one(reference_db: Database) -> None:
    with reference_db.session() as s:
        _, worker, *_ = people(s)
        worker_id = worker.id
    user = {"username": "u", "full_name": "U", "password_hash": "x"}
    refused(reference_db, lambda s: s.add(User(**user, role="peer_worker")))
    refused(reference_db, lambda s: s.add(User(**user, role="leadership", staff_id=worker_id)))
    refused(reference_db, lambda s: s.add(User(**user, role="superuser")))


def test_only_one_framework_is_active(reference_db: Database) -> None:
    refused(reference_db, lambda s: s.add(Framework(name="Other", version="1", is_active=True)))


def test_audit_events_cannot_be_changed_or_deleted(reference_db: Database) -> None:
    with reference_db.session() as s:
        s.add(AuditEvent(username="admin", action="create", entity="session", entity_id="1",
                         new_values={"minutes": 60}))
    refused(reference_db, lambda s: s.execute(update(AuditEvent).values(action="edited")))
    refused(reference_db, lambda s: s.execute(text("DELETE FROM audit_events")))
    with reference_db.session() as s:
        event = s.scalar(select(AuditEvent))
        assert (event.action, event.new_values) == ("create", {"minutes": 60})
