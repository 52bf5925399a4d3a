"""Test databases: a migrated template built once per run, copied fresh for every test (SQLite or PostgreSQL)."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.db import Database, connect, upgrade


def postgres_admin_url() -> str | None:
    """TEST_DATABASE_URL names the server; tests create and drop databases of their own on it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set", pytrace=False)
        return None
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


class TemplateFactory:
    """Builds a template database once (by a build function) and hands out fresh copies of it."""

    def __init__(self, workdir: Path, pg_url: str | None) -> None:
        self.workdir = workdir
        self.pg_url = pg_url
        self.templates: dict[str, str] = {}
        self.created: list[str] = []
        self.prefix = f"peerdash_test_{uuid.uuid4().hex[:8]}"

    def _pg_execute(self, sql: str) -> None:
        assert self.pg_url
        engine = create_engine(make_url(self.pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()

    def _new_url(self, name: str, template: str | None = None) -> str:
        if self.pg_url:
            self._pg_execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
            self.created.append(name)
            return make_url(self.pg_url).set(database=name).render_as_string(hide_password=False)
        path = self.workdir / f"{name}.sqlite3"
        if template:
            shutil.copyfile(self.workdir / f"{template}.sqlite3", path)
        return f"sqlite:///{path}"

    def template(self, key: str, build: Callable[[Database], None]) -> str:
        if key not in self.templates:
            name = f"{self.prefix}_tpl_{key}"
            db = connect(self._new_url(name))
            upgrade(db)
            build(db)
            db.engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
            self.templates[key] = name
            if self.pg_url:
                self.created.remove(name)  # dropped with the templates at the end of the run
        return self.templates[key]

    @contextmanager
    def fresh(self, key: str, build: Callable[[Database], None]) -> Iterator[Database]:
        template = self.template(key, build)
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        db = connect(self._new_url(name, template))
        try:
            yield db
        finally:
            db.engine.dispose()
            if self.pg_url:
                self._pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                self.created.remove(name)
            else:
                (self.workdir / f"{name}.sqlite3").unlink(missing_ok=True)

    def drop_all(self) -> None:
        if self.pg_url:
            for name in [*self.created, *self.templates.values()]:
                self._pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
