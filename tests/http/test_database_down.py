"""The database stops answering: every page is a 503 that says so, callbacks get a 503 in JSON, the forms that save say
that nothing was saved, and the app recovers by itself when the database is back (how it goes away: tests/outage.py)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

import callbacks.workspace
from dashboard.db import Database
from dashboard.outage import FORM_MESSAGE, PAGE_MESSAGE
from models import Staff, SupervisionSession
from tests.outage import Outage
from tests.http.test_workspace_scope import fire, session_form
from tests.http.conftest import csrf_token, login


def signed_in(outage: Outage, user: str) -> tuple[FlaskClient, list[dict[str, Any]]]:
    """A client signed in as the user, and the callbacks' list that a browser has from loading the page."""
    client = outage.app.server.test_client()
    assert login(client, user).status_code == 302
    return client, json.loads(client.get("/_dash-dependencies").data)


@pytest.fixture
def outage(people_db: Database, tmp_path: Path) -> Iterator[Outage]:
    outage = Outage(people_db, tmp_path)
    yield outage
    outage.close()


@pytest.fixture
def worker(people_db: Database) -> int:
    with people_db.session() as s:
        return s.scalar(select(Staff.id).where(Staff.full_name == "Pat Peer"))


def sessions_recorded(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SupervisionSession)) or 0


def save_session(client: FlaskClient, worker: int, deps: list[dict[str, Any]]) -> Any:
    return fire(client, "session-save", {"session-save.n_clicks": 1}, session_form([worker]), deps=deps)


def feedback(response: Any, output: str) -> str:
    """The text a callback response puts into one output."""
    return json.dumps(json.loads(response.data)["response"][output])


def test_pages_and_callbacks_answer_503_while_the_database_is_down_and_recover_by_themselves(
        outage: Outage, people_db: Database, worker: int) -> None:
    client, deps = signed_in(outage, "supervisor")
    assert client.get("/my-team").status_code == 200

    outage.down()
    page = client.get("/my-team")  # the user loader is the first to need the database
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "60"
    assert page.mimetype == "text/html"
    assert PAGE_MESSAGE in page.data.decode()
    assert "Internal Server Error" not in page.data.decode()

    read = fire(client, "workspace-version", {"workspace-version.data": 0},  # a callback that only reads
                deps=deps)
    assert read.status_code == 503
    assert read.headers["Retry-After"] == "60"
    assert json.loads(read.data) == {"error": "database unavailable", "message": PAGE_MESSAGE}

    anonymous = outage.app.server.test_client()
    token = csrf_token(anonymous)  # the sign-in form itself needs no database
    refused = anonymous.post("/login", data={"username": "supervisor", "password": "x", "csrf_token": token})
    assert refused.status_code == 503
    assert PAGE_MESSAGE in refused.data.decode()

    outage.up()
    assert client.get("/my-team").status_code == 200
    saved = save_session(client, worker, deps)
    assert saved.status_code == 200
    assert "Session saved" in saved.data.decode()
    assert sessions_recorded(people_db) == 1


@pytest.mark.parametrize(("user", "trigger", "output"), [
    ("supervisor", "session-save", "session-feedback"),
    ("supervisor", "rating-save", "rating-feedback"),
    ("supervisor", "leave-save", "leave-feedback"),
    ("admin", "standards-save", "standards-message"),
    ("quality", "import-commit", "import-result"),
])
def test_every_form_that_saves_says_the_database_is_unavailable(outage: Outage, user: str, trigger: str,
                                                                output: str) -> None:
    client, deps = signed_in(outage, user)
    outage.down()
    response = fire(client, trigger, {f"{trigger}.n_clicks": 1}, deps=deps)
    # 200, not 503: the Dash renderer applies no other answer, and the form would stay silent.
    assert response.status_code == 200
    assert FORM_MESSAGE in feedback(response, output)


def test_a_save_that_loses_the_database_half_way_says_so_and_writes_nothing(
        outage: Outage, people_db: Database, worker: int, monkeypatch: pytest.MonkeyPatch) -> None:
    if not outage.postgres:
        pytest.skip("an SQLite connection already open keeps its file: the database cannot vanish mid-transaction")
    client, deps = signed_in(outage, "supervisor")
    save = callbacks.workspace.save_session

    def lose_the_database_then_save(*args: Any, **kwargs: Any) -> Any:
        outage.down()  # after the login was loaded and the transaction began
        return save(*args, **kwargs)

    monkeypatch.setattr(callbacks.workspace, "save_session", lose_the_database_then_save)
    response = save_session(client, worker, deps)
    assert response.status_code == 200
    assert FORM_MESSAGE in feedback(response, "session-feedback")
    outage.up()
    assert sessions_recorded(people_db) == 0
