"""Which database errors are an outage (the database could not be reached or used) and which are the database
answering: only the first become "the database is unavailable"."""
from __future__ import annotations

from pathlib import Path

import psycopg.errors
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from dashboard.outage import is_unavailable


def raised(url: str, *statements: str) -> DBAPIError:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements or ("SELECT 1",):
                conn.execute(text(sql))
    except DBAPIError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("no error")


def test_a_refused_postgresql_connection_is_an_outage() -> None:
    assert is_unavailable(raised("postgresql+psycopg://postgres@127.0.0.1:1/nowhere"))


def test_an_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    (tmp_path / "gone.sqlite3").mkdir()  # where the file was, something that is not one
    assert is_unavailable(raised(f"sqlite:///{tmp_path / 'gone.sqlite3'}"))


def test_statements_the_database_refused_are_not_an_outage(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert not is_unavailable(raised(url, "SELECT * FROM no_such_table"))
    assert not is_unavailable(raised(url, "CREATE TABLE t (x INTEGER UNIQUE)", "INSERT INTO t VALUES (1), (1)"))


@pytest.mark.parametrize(("error", "outage"), [
    (psycopg.errors.SerializationFailure("could not serialize access"), False),
    (psycopg.errors.DeadlockDetected("deadlock detected"), False),
    (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
    (psycopg.errors.CannotConnectNow("the database system is starting up"), True),
    (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
])
def test_postgresql_errors_that_are_answers_are_told_from_those_that_are_outages(error: Exception,
                                                                                 outage: bool) -> None:
    assert is_unavailable(OperationalError("SELECT 1", {}, error)) is outage
