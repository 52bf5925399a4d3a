"""Unit-test fixtures: the app on the demo agency, for calling its callback functions directly."""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from dash import Dash
from sqlalchemy import select

from dashboard.db import Database
from dashboard.pages import PAGES
from models import Staff, Team
from tests.conftest import DEMO_END, make_app


@pytest.fixture
def demo_app(demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dash]:
    """The app on the demo agency, every page's callbacks seeing DEMO_END as today (so their numbers never drift)."""
    for name in dict.fromkeys(page.callbacks.split(":")[0] for page in PAGES if page.callbacks):  # new pages too
        module = importlib.import_module(name)
        if hasattr(module, "today"):
            monkeypatch.setattr(module, "today", lambda: DEMO_END)
    app = make_app(demo_db, tmp_path)
    yield app
    app.server.extensions["peerdash.db"].engine.dispose()


@pytest.fixture
def demo_ids(demo_db: Database) -> dict[str, int]:
    """Ids of the demo agency's named staff and teams (full name or team name → id)."""
    with demo_db.session() as s:
        named = [*s.execute(select(Staff.full_name, Staff.id)), *s.execute(select(Team.name, Team.id))]
    return {name: id_ for name, id_ in named}
