"""Database tuning for the judgement: temporary tables with their statistics (ANALYZE), one snapshot."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, Select, Table, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable, DropTable


def _analyze(session: Session, table: str) -> None:
    """Statistics for a table just written, from a sample of 3,000 rows on PostgreSQL (statistics target 10, for the
    rest of the transaction): enough to see every month and worker, and ~20 ms where the default 30,000 took
    ~110 ms for five years of periods and ~160 ms for month_judgements."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL default_statistics_target = 10"))
    session.execute(text(f"ANALYZE {table}"))


# The temporary tables' definitions by layout (name, columns and their types, key). SQLAlchemy caches a statement's
# compiled SQL by its structure, and a Table object is part of that structure: a new one each call made every
# statement reading it compile again (~35 ms a call at agency scale, most of the SQLite page's own time).
_TEMPORARY_TABLES: dict[tuple[Any, ...], Table] = {}


def _temporary(session: Session, query: Select[*tuple[Any, ...]], name: str, key: tuple[str, ...]) -> Table:
    """query's rows written once to a temporary table with key as its primary key, and its statistics (a
    temporary table has none until ANALYZE, and PostgreSQL's autovacuum never visits it).

    PostgreSQL drops it when the transaction ends; the caller drops it when done, for SQLite and for a second use
    in the same transaction, and one left behind by an abandoned stream is replaced here.
    """
    layout = (name, tuple((c.name, repr(c.type)) for c in query.selected_columns), key)
    table = _TEMPORARY_TABLES.get(layout)
    if table is None:  # one Table per layout, reused: see _TEMPORARY_TABLES
        table = _TEMPORARY_TABLES[layout] = Table(
            name, MetaData(), *(Column(c.name, c.type) for c in query.selected_columns), PrimaryKeyConstraint(*key),
            prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
    session.execute(DropTable(table, if_exists=True))
    session.execute(CreateTable(table))
    session.execute(table.insert().from_select(list(table.c.keys()), query))
    _analyze(session, name)
    return table


def _one_snapshot(session: Session) -> bool:
    """Whether every statement of the transaction reads the same snapshot: SQLite's transactions do; on
    PostgreSQL, repeatable read (dashboard.db.one_snapshot) does and read committed does not."""
    if session.get_bind().dialect.name == "sqlite":
        return True
    return session.connection().get_isolation_level() in ("REPEATABLE READ", "SERIALIZABLE")
