"""Shared fixtures: fresh databases per test (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from dash import Dash

from dashboard.db import Database
from tests.databases import TemplateFactory, postgres_admin_url

# The demo agency used by http and browser tests ends on a fixed day, so their numbers never drift.
DEMO_END = date(2026, 10, 31)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemplateFactory]:
    factory = TemplateFactory(tmp_path_factory.mktemp("db"), postgres_admin_url())
    yield factory
    factory.drop_all()


def _nothing(db: Database) -> None:
    pass


def _reference(db: Database) -> None:
    from dashboard.reference import load_reference_data

    with db.session() as session:
        load_reference_data(session)


def _demo_ending(end: date) -> Callable[[Database], None]:
    def build(db: Database) -> None:
        from seed_data.demo import seed_demo_agency

        with db.session() as session:
            seed_demo_agency(session, end_date=end)
    return build


_demo = _demo_ending(DEMO_END)


@pytest.fixture
def demo_today_db(templates: TemplateFactory) -> Iterator[Database]:
    """The demo agency ending today, as `python app.py` seeds it: what a person sees in the browser."""
    with templates.fresh("demo_today", _demo_ending(date.today())) as db:
        yield db


@pytest.fixture
def empty_db(templates: TemplateFactory) -> Iterator[Database]:
    """Migrated schema, no rows."""
    with templates.fresh("empty", _nothing) as db:
        yield db


@pytest.fixture
def reference_db(templates: TemplateFactory) -> Iterator[Database]:
    """Framework, guides, default scale and standard loaded; no people."""
    with templates.fresh("reference", _reference) as db:
        yield db


@pytest.fixture
def demo_db(templates: TemplateFactory) -> Iterator[Database]:
    """The demo agency (with its five demo accounts), ending on DEMO_END."""
    with templates.fresh("demo", _demo) as db:
        yield db


def make_app(db: Database, instance: Path, **overrides: object) -> Dash:
    """The real app on a test database; its own engine, like a fresh process."""
    from dashboard.config import Config
    from dashboard.factory import create_app

    config = Config(database_url=db.engine.url.render_as_string(hide_password=False), secret_key="test-secret",
                    instance_path=instance, seed_demo=False, testing=True,
                    first_admin_link=False)
    return create_app(config.with_(**overrides))
