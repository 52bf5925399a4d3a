"""The one bulk writer, for the CSV importer and the demo and benchmark generator: ids taken up front, rows written by
COPY on PostgreSQL or the driver's executemany on SQLite, and sequences moved past ids written explicitly."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from psycopg import sql
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session


def bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write rows (tuples in `columns` order, already checked) in the caller's transaction, the fastest way each
    database offers: COPY on PostgreSQL, the driver's executemany on SQLite (SQLAlchemy's per-row parameter
    processing cost as much as the insert itself). Values are stored as SQLAlchemy's column types store them, except
    that timestamps must be in UTC (naive, or aware UTC): COPY on PostgreSQL drops any other offset, unconverted."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None  # the session's live psycopg connection
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})",
                               [tuple(_sqlite_value(v) for v in row) for row in rows])


def first_free_id(session: Session, table: Table) -> int:
    """One past the highest id the table holds (1 when empty)."""
    return (session.connection().scalar(select(func.max(table.c.id))) or 0) + 1


def allocate_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for `count` new rows, taken up front so that executemany needs no RETURNING (row-at-a-time on SQLite).

    PostgreSQL hands them out from the table's sequence (safe alongside other writers). SQLite has one
    writer at a time; a writer that slipped in between makes the insert fail on the key, and the whole
    import rolls back.
    """
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sequence = connection.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
        return list(connection.scalars(select(func.nextval(sequence)).select_from(
            func.generate_series(1, count))))
    start = first_free_id(session, table)
    return list(range(start, start + count))


def advance_sequence(session: Session, table: Table) -> None:
    """Move a PostgreSQL table's id sequence past its highest id: sequences know nothing of ids written explicitly
    (SQLite needs nothing: its next id is always one past the highest)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"),
                                       select(func.max(table.c.id)).scalar_subquery())))


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types store: dates and timestamps (naive UTC) as text in the format it reads back,
    decimals as floats."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
