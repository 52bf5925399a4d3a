"""The one bulk writer (dashboard.bulk) stores what the ORM stores, takes ids after what a table holds, and leaves
PostgreSQL's sequences ready for the next ORM insert."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select, text

from dashboard.bulk import advance_sequence, allocate_ids, bulk_insert, first_free_id
from dashboard.db import Database
from models import Staff, SupervisionSession

STAFF_COLUMNS = ("id", "employee_code", "full_name", "role", "hire_date", "fte", "left_on", "peer_credential")
SESSION_COLUMNS = ("id", "held_on", "minutes", "format", "kind", "modality", "supervisor_id", "note",
                   "created_by_id", "created_at", "updated_by_id", "updated_at", "version")


def _stored(db: Database, table: str, columns: str, row_id: int) -> tuple[object, ...]:
    """The row as the database holds it, read without SQLAlchemy's types."""
    with db.engine.connect() as connection:
        row = connection.exec_driver_sql(f"SELECT {columns} FROM {table} WHERE id = {row_id}").one()
    return tuple(row)


def test_bulk_rows_are_stored_exactly_as_the_orm_stores_them(empty_db: Database) -> None:
    # The generator hands the writer aware UTC timestamps, the importer naive UTC ones: both store 08:30:15.123456.
    created = datetime(2026, 3, 4, 8, 30, 15, 123456, tzinfo=UTC)
    with empty_db.session() as s:
        s.add(Staff(id=1, employee_code="E1", full_name="Ann Orm", role="supervisor", hire_date=date(2020, 1, 6),
                    fte=Decimal("0.75"), left_on=date(2026, 2, 27), peer_credential=True))
        s.flush()
        bulk_insert(s, Staff.__table__, STAFF_COLUMNS,
                    [(2, "E2", "Bo Bulk", "supervisor", date(2020, 1, 6), Decimal("0.75"), date(2026, 2, 27), True)])
        s.add(SupervisionSession(id=1, held_on=date(2026, 3, 2), minutes=45, format="individual", kind="supportive",
                                 modality="video", supervisor_id=1, note=None, created_at=created,
                                 updated_at=created))
        s.flush()
        bulk_insert(s, SupervisionSession.__table__, SESSION_COLUMNS,
                    [(2, date(2026, 3, 2), 45, "individual", "supportive", "video", 1, None, None, created, None,
                      created.replace(tzinfo=None), 1)])
        s.flush()
    staff_columns = "employee_code, full_name, hire_date, fte, left_on, peer_credential"
    orm_staff, bulk_staff = (_stored(empty_db, "staff", staff_columns, i) for i in (1, 2))
    assert bulk_staff[2:] == orm_staff[2:]
    session_columns = "held_on, minutes, format, kind, modality, supervisor_id, created_at, updated_at, version"
    assert _stored(empty_db, "supervision_sessions", session_columns, 2) == \
        _stored(empty_db, "supervision_sessions", session_columns, 1)
    with empty_db.session() as s:
        read = s.get(SupervisionSession, 2)
        assert read is not None and read.created_at == datetime(2026, 3, 4, 8, 30, 15, 123456, tzinfo=UTC)
        assert s.get(Staff, 2).fte == Decimal("0.75")  # type: ignore[union-attr]


def test_ids_follow_what_the_table_holds_and_the_orm_continues_after_them(empty_db: Database) -> None:
    with empty_db.session() as s:
        assert first_free_id(s, Staff.__table__) == 1
        assert allocate_ids(s, Staff.__table__, 0) == []
        bulk_insert(s, Staff.__table__, STAFF_COLUMNS,
                    [(i, f"E{i}", f"Worker {i}", "peer_worker", date(2024, 1, 1), Decimal("1.00"), None, False)
                     for i in (1, 2, 3)])
        advance_sequence(s, Staff.__table__)
        assert first_free_id(s, Staff.__table__) == 4
        taken = allocate_ids(s, Staff.__table__, 2)
        assert taken == [4, 5]
        bulk_insert(s, Staff.__table__, STAFF_COLUMNS,
                    [(i, f"E{i}", f"Worker {i}", "peer_worker", date(2024, 1, 1), Decimal("1.00"), None, False)
                     for i in taken])
        bulk_insert(s, Staff.__table__, STAFF_COLUMNS, [])  # nothing to write is not an error
        s.flush()
    with empty_db.session() as s:
        # The ORM's own insert takes the next id (on PostgreSQL, from a sequence moved past the explicit ones).
        added = Staff(full_name="Next", role="peer_worker", hire_date=date(2024, 1, 1))
        s.add(added)
        s.flush()
        assert added.id == 6
        assert s.scalar(select(text("count(*)")).select_from(Staff)) == 6
