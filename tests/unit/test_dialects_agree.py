"""SQLite and PostgreSQL give the same numbers for the demo agency, metric by metric."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dashboard.db import Database
from dashboard.queries import coverage, supervision
from dashboard.queries.common import MetricSettings, TeamFilter, Window
from dashboard.scope import Scope
from tests.conftest import DEMO_END, _demo
from tests.databases import TemplateFactory, postgres_admin_url

WINDOW = Window(DEMO_END - timedelta(days=89), DEMO_END)
SETTINGS = MetricSettings()
ALL = Scope.agency()
NO_FILTER = TeamFilter()

METRICS: dict[str, Callable[[Session], Any]] = {
    "coverage": lambda s: coverage.coverage(s, ALL, WINDOW, NO_FILTER, SETTINGS),
    "coverage in the past": lambda s: coverage.coverage(
        s, ALL, Window(WINDOW.start - timedelta(days=180), WINDOW.end - timedelta(days=180)), NO_FILTER, SETTINGS),
    "attention": lambda s: coverage.attention(s, ALL, WINDOW, NO_FILTER, SETTINGS),
    "single points": lambda s: coverage.single_points_of_failure(s, ALL, WINDOW, NO_FILTER, SETTINGS),
    "coverage trend": lambda s: coverage.coverage_trend(s, ALL, DEMO_END, 12, NO_FILTER, SETTINGS),
    "standard status": lambda s: supervision.standard_status(s, ALL, WINDOW, NO_FILTER),
    "due dates": lambda s: supervision.due_dates(s, ALL, DEMO_END, NO_FILTER),
    "frequency": lambda s: supervision.frequency(s, ALL, WINDOW, NO_FILTER, SETTINGS),
    "mix": lambda s: supervision.supervision_mix(s, ALL, WINDOW, NO_FILTER, SETTINGS),
    "supervisor signals": lambda s: supervision.supervisor_signals(s, ALL, WINDOW, NO_FILTER, SETTINGS),
    "meeting trend": lambda s: supervision.meeting_trend(s, ALL, DEMO_END, 12, NO_FILTER, SETTINGS),
    "kpis": lambda s: supervision.kpi_supervision(s, ALL, WINDOW, NO_FILTER, SETTINGS),
}


def comparable(value: Any) -> Any:
    """Dataclasses as tuples, floats rounded: the two engines may differ in the last bits of a division."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(comparable(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, list | tuple):
        return tuple(comparable(v) for v in value)
    if isinstance(value, float):
        return round(value, 9)
    return value


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    factory = TemplateFactory(tmp_path_factory.mktemp("sqlite"), pg_url=None)
    with factory.fresh("demo", _demo) as db:
        yield db


@pytest.mark.skipif(postgres_admin_url() is None, reason="needs TEST_DATABASE_URL (the PostgreSQL leg runs it)")
@pytest.mark.parametrize("metric", list(METRICS))
def test_sqlite_and_postgresql_agree_on_the_demo_agency(metric: str, demo_db: Database, sqlite_demo: Database,
                                                        tmp_path: Path) -> None:
    assert demo_db.engine.dialect.name == "postgresql" and sqlite_demo.engine.dialect.name == "sqlite"
    with demo_db.session() as pg, sqlite_demo.session() as lite:
        on_postgres, on_sqlite = METRICS[metric](pg), METRICS[metric](lite)
    assert on_postgres  # the demo gives each metric something to compare
    assert comparable(on_postgres) == comparable(on_sqlite)
