"""session_attendees.held_on is always its session's date, whoever writes; the models match the migrations."""
from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from dashboard.db import Database
from models import Base, SessionAttendee, SupervisionSession
from tests.builders import Agency
from tests.unit.test_recording import Place, form, place, saved  # noqa: F401 - place is a fixture

MISMATCHED = text("SELECT count(*) FROM session_attendees AS a JOIN supervision_sessions AS s ON s.id = a.session_id "
                  "WHERE a.held_on IS NULL OR a.held_on <> s.held_on")


def dates(db: Database, session_id: int) -> dict[int, date | None]:
    """worker -> held_on of the session's attendances, as stored."""
    with db.session() as s:
        rows = s.execute(select(SessionAttendee.worker_id, SessionAttendee.held_on)
                         .where(SessionAttendee.session_id == session_id))
        return {worker_id: held_on for worker_id, held_on in rows}


def test_the_models_match_the_migrations(empty_db: Database) -> None:
    with empty_db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_every_attendance_of_the_demo_agency_carries_its_sessions_date(demo_db: Database) -> None:
    with demo_db.session() as s:
        assert s.scalar(select(SessionAttendee).limit(1)) is not None
        assert s.scalar(MISMATCHED) == 0


def test_saving_and_editing_a_session_keep_its_attendances_dates(place: tuple[Database, Place]) -> None:  # noqa: F811
    db, p = place
    session_id = saved(db, p.ana, form(format="group", held_on="2026-05-28", attendee_ids=[p.kim, p.lou]))
    assert dates(db, session_id) == {p.kim: date(2026, 5, 28), p.lou: date(2026, 5, 28)}
    # The form's edit: a new date and one more attendee (the attendees are replaced).
    saved(db, p.ana, form(format="group", held_on="2026-05-21", attendee_ids=[p.kim, p.lou, p.ned]),
          session_id=session_id, expected_version=1)
    assert dates(db, session_id) == {p.kim: date(2026, 5, 21), p.lou: date(2026, 5, 21), p.ned: date(2026, 5, 21)}


def test_the_date_follows_the_session_whoever_writes(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("A")
        kim, lou, ned = a.worker("Kim", team), a.worker("Lou", team), a.worker("Ned", team)
        a.group([kim, lou], date(2026, 3, 2))
        a.individual(ned, date(2026, 3, 9))
        first, second = s.scalars(select(SupervisionSession.id).order_by(SupervisionSession.held_on)).all()
        # The ORM reads the value back after the insert (never the NULL SQLite's insert itself returned).
        attendance = s.get(SessionAttendee, (first, kim.id))
        assert attendance is not None and attendance.held_on == date(2026, 3, 2)
        s.commit()
        ids = {"kim": kim.id, "lou": lou.id, "ned": ned.id, "first": first, "second": second}
    assert dates(reference_db, first) == {ids["kim"]: date(2026, 3, 2), ids["lou"]: date(2026, 3, 2)}

    with reference_db.session() as s:  # the ORM moves the session (as the session form does)
        row = s.get(SupervisionSession, first)
        assert row is not None
        row.held_on = date(2026, 3, 4)
        s.commit()
    assert dates(reference_db, first) == {ids["kim"]: date(2026, 3, 4), ids["lou"]: date(2026, 3, 4)}
    assert dates(reference_db, second) == {ids["ned"]: date(2026, 3, 9)}  # other sessions untouched

    with reference_db.engine.begin() as c:  # plain SQL (an import, the CLI, a hand-written fix)
        c.execute(text("UPDATE supervision_sessions SET held_on = :d WHERE id = :id"),
                  {"d": date(2026, 2, 27), "id": first})
        # An attendee added with a wrong date, or none, gets the session's.
        c.execute(text("INSERT INTO session_attendees (session_id, worker_id, held_on) VALUES (:s, :w, :d)"),
                  {"s": first, "w": ids["ned"], "d": date(2001, 1, 1)})
        c.execute(text("INSERT INTO session_attendees (session_id, worker_id) VALUES (:s, :w)"),
                  {"s": second, "w": ids["kim"]})
    assert dates(reference_db, first) == {ids["kim"]: date(2026, 2, 27), ids["lou"]: date(2026, 2, 27),
                                          ids["ned"]: date(2026, 2, 27)}
    assert dates(reference_db, second) == {ids["ned"]: date(2026, 3, 9), ids["kim"]: date(2026, 3, 9)}

    with reference_db.engine.begin() as c:  # an attendance moved to another session, or its date overwritten
        c.execute(text("UPDATE session_attendees SET session_id = :to WHERE session_id = :s AND worker_id = :w"),
                  {"to": second, "s": first, "w": ids["lou"]})
        c.execute(text("UPDATE session_attendees SET held_on = :d WHERE session_id = :s"),
                  {"d": date(2030, 1, 1), "s": first})
        assert c.scalar(MISMATCHED) == 0
    assert dates(reference_db, first) == {ids["kim"]: date(2026, 2, 27), ids["ned"]: date(2026, 2, 27)}
    assert dates(reference_db, second) == {ids["ned"]: date(2026, 3, 9), ids["kim"]: date(2026, 3, 9),
                                           ids["lou"]: date(2026, 3, 9)}


def test_a_moved_attendance_still_makes_the_workers_kept_months_stale(reference_db: Database) -> None:
    """Migration 0009 narrowed SQLite's version trigger on attendances to the columns a judgement reads: moving an
    attendance to another session still bumps the worker's version; completing held_on alone does not."""
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("A")
        kim = a.worker("Kim", team)
        a.individual(kim, date(2026, 3, 2))
        a.individual(kim, date(2026, 3, 9))
        first, second = s.scalars(select(SupervisionSession.id).order_by(SupervisionSession.held_on)).all()
        s.commit()
        kim_id = kim.id
    version = text("SELECT version FROM judgement_versions WHERE worker_id = :w")
    with reference_db.engine.begin() as c:
        before = c.scalar(version, {"w": kim_id})
        c.execute(text("DELETE FROM session_attendees WHERE session_id = :s"), {"s": second})
        c.execute(text("UPDATE session_attendees SET session_id = :to WHERE session_id = :s"),
                  {"to": second, "s": first})
        after_move = c.scalar(version, {"w": kim_id})
        c.execute(text("UPDATE session_attendees SET held_on = NULL"))  # put back by the trigger: nothing changed
        assert c.scalar(MISMATCHED) == 0
    assert before is not None and after_move is not None and after_move > before + 1  # the delete, then the move


@pytest.mark.parametrize(("table", "expected"), [
    ("session_attendees", {("worker_id", "held_on"), ("held_on", "worker_id", "session_id")}),
    ("supervision_sessions", {("held_on", "id", "format", "minutes", "kind")})])
def test_the_new_indexes_exist(empty_db: Database, table: str, expected: set[tuple[str, ...]]) -> None:
    from sqlalchemy import inspect

    indexes = {tuple(i["column_names"]) for i in inspect(empty_db.engine).get_indexes(table)}
    assert expected <= indexes and ("held_on",) not in indexes  # the covering index replaced the date's own
