"""HTTP fixtures: the app on a database with one account per role, a Flask test client, login helpers."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import select

from dashboard.accounts import create_user
from dashboard.db import Database
from models import Competency, Program, Staff, SupervisionSession, Team, TeamMembership, TeamSupervisor
from tests.conftest import _reference, make_app
from tests.databases import TemplateFactory

PASSWORD = "correct horse"


def add_people(db: Database) -> None:
    """Two teams, one supervisor of team A, one peer worker on team A, and an account per role."""
    with db.session() as s:
        program = Program(name="Community Recovery")
        s.add(program)
        s.flush()
        team_a, team_b = Team(program_id=program.id, name="Team A"), Team(program_id=program.id, name="Team B")
        supervisor = Staff(full_name="Sam Supervisor", role="supervisor", hire_date=date(2020, 1, 6),
                           peer_credential=True)
        worker = Staff(full_name="Pat Peer", role="peer_worker", hire_date=date(2023, 3, 1))
        s.add_all([team_a, team_b, supervisor, worker])
        s.flush()
        s.add_all([TeamSupervisor(team_id=team_a.id, staff_id=supervisor.id, start_date=date(2020, 1, 6)),
                   TeamMembership(staff_id=worker.id, team_id=team_a.id, start_date=date(2023, 3, 1))])
        for username, role in (("admin", "admin"), ("leader", "leadership"), ("quality", "quality")):
            create_user(s, username, PASSWORD, role, full_name=f"{role.title()} Person")
        create_user(s, "supervisor", PASSWORD, "supervisor", staff_id=supervisor.id)
        create_user(s, "peer", PASSWORD, "peer_worker", staff_id=worker.id)


def _reference_and_people(db: Database) -> None:
    _reference(db)
    add_people(db)


@pytest.fixture
def people_db(templates: TemplateFactory) -> Iterator[Database]:
    """Reference data plus add_people(), copied from a template (hashing passwords per test is slow)."""
    with templates.fresh("people", _reference_and_people) as db:
        yield db


@pytest.fixture
def app(people_db: Database, tmp_path: Path) -> Iterator[Dash]:
    app = make_app(people_db, tmp_path)
    yield app
    app.server.extensions["peerdash.db"].engine.dispose()


@pytest.fixture
def client(app: Dash) -> FlaskClient:
    return app.server.test_client()


def csrf_token(client: FlaskClient, page: str = "/login", address: str = "127.0.0.1") -> str:
    """The CSRF token a browser would find in the page's form (the login page's, or any other plain form's)."""
    html = client.get(page, environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, f"no CSRF token in {page}"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, address: str = "127.0.0.1",
          **extra: str) -> Any:
    """Sign in through the form as a browser at this address does: load the page, post it with its token."""
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client, "/login", address), **extra},
                       environ_base={"REMOTE_ADDR": address})


def age_rows(db: Database, model: Any, columns: tuple[str, ...], seconds: int) -> None:
    """Move these timestamps of every row this far into the past, as if that much time went by."""
    with db.session() as s:
        for row in s.scalars(select(model)):
            for column in columns:
                setattr(row, column, getattr(row, column) - timedelta(seconds=seconds))


def logout(client: FlaskClient) -> Any:
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/account/sessions")})


def dash_update(client: FlaskClient, output: str, inputs: list[dict[str, Any]],
                changed: list[str] | None = None, outputs: list[dict[str, str]] | None = None) -> Any:
    """A crafted /_dash-update-component request, as any logged-in browser (or script) could send."""
    return client.post("/_dash-update-component", json={
        "output": output, "outputs": outputs or [], "inputs": inputs, "state": [],
        "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs]})


@pytest.fixture
def demo_client(demo_db: Database, tmp_path: Path) -> Iterator[FlaskClient]:
    """The app on the demo agency (accounts admin, leader, quality, supervisor, peer; password 'demo')."""
    app = make_app(demo_db, tmp_path)
    yield app.server.test_client()
    app.server.extensions["peerdash.db"].engine.dispose()


# The Overview's KPI cards and heatmap come from one callback (one coverage query); the heatmap's mode is its state.
COVERAGE_PANELS = [("overview-kpis", "children"), ("overview-heatmap", "figure"),
                   ("overview-heatmap-table", "children"), ("overview-heatmap-empty", "children"),
                   ("overview-heatmap-keys", "data")]
# The trend and the store of what it was drawn for (callbacks.overview.refresh_trend).
TREND_PANEL = [("overview-trend", "figure"), ("overview-trend-drawn", "data")]
TREND_STATE = [("overview-trend-drawn", "data", None)]  # as on a page that has not drawn it yet


def coverage_state(mode: Any = "proficiency") -> list[tuple[str, str, Any]]:
    """The KPI cards and heatmap's state: the heatmap's mode, and its table asked for (as once it has been opened)."""
    return [("overview-mode", "value", mode), ("overview-heatmap-table-wanted", "data", True)]


def coverage_panels(client: FlaskClient, inputs: list[tuple[str, str, Any]], mode: str = "proficiency") -> Any:
    """POST the KPI cards and heatmap's callback with the five filter inputs."""
    return callback(client, COVERAGE_PANELS, inputs, coverage_state(mode))


def callback(client: FlaskClient, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]],
             states: list[tuple[str, str, Any]] = ()) -> Any:  # type: ignore[assignment]
    """POST a callback the way the Dash renderer does; outputs/inputs as (id, property[, value])."""
    output_key = (f"{outputs[0][0]}.{outputs[0][1]}" if len(outputs) == 1
                  else ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..")
    body = {"output": output_key,
            "outputs": ({"id": outputs[0][0], "property": outputs[0][1]} if len(outputs) == 1
                        else [{"id": i, "property": p} for i, p in outputs]),
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in states],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs]}
    return client.post("/_dash-update-component", json=body)


@pytest.fixture
def people(demo_db: Database) -> Iterator[dict[str, int]]:
    """Ids from the demo agency: the supervisor's worker Omar (the peer account), Luis on her other team,
    a worker on another team, another supervisor's session, and a competency."""
    with demo_db.session() as s:
        def staff(name: str) -> int:
            return s.scalar(select(Staff.id).where(Staff.full_name == name))
        maria = staff("Maria Johnson")
        riverside = s.scalar(select(Team.id).where(Team.name == "Riverside Health Home"))
        outsider = s.scalar(select(TeamMembership.staff_id).where(TeamMembership.team_id == riverside,
                                                                   TeamMembership.end_date.is_(None)).limit(1))
        foreign_session = s.scalar(select(SupervisionSession.id).where(SupervisionSession.supervisor_id != maria)
                                   .limit(1))
        own_session = s.scalar(select(SupervisionSession.id).where(SupervisionSession.supervisor_id == maria)
                               .order_by(SupervisionSession.held_on.desc()).limit(1))
        yield {"maria": maria, "omar": staff("Omar Davis"), "luis": staff("Luis Yazzie"), "outsider": outsider,
               "foreign_session": foreign_session, "own_session": own_session,
               "competency": s.scalar(select(Competency.id).order_by(Competency.id).limit(1))}


def texts(component: Any) -> list[str]:
    """Every string in a serialised Dash component tree, in document order."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, int | float):
        return [str(component)]
    if isinstance(component, list):
        return [t for child in component for t in texts(child)]
    if isinstance(component, dict):
        return texts(component.get("props", {}).get("children"))
    return []


def components(component: Any, type_: str) -> Iterator[dict[str, Any]]:
    if isinstance(component, list):
        for child in component:
            yield from components(child, type_)
    elif isinstance(component, dict):
        if component.get("type") == type_:
            yield component
        yield from components(component.get("props", {}).get("children"), type_)


def kpi_cards(children: Any) -> dict[str, tuple[str, str]]:
    """The Overview's KPI cards as sent: label -> (value, hint)."""
    cards = {}
    for body in components(children, "CardBody"):
        label, value, hint = texts(body)
        cards[label] = (value, hint)
    assert len(cards) == 6
    return cards
