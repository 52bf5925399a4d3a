"""The database stops answering: every page is a 503 that says so, callbacks get a 503 in JSON, the forms that save say
that nothing was saved, and the app recovers by itself when the database is back.

PostgreSQL: a forwarder of our own sits between the app and the shared server and is closed, so the server itself is
never stopped. SQLite: the file is moved away and a folder put in its place, so opening it fails as for a file on a
mount that went away (the pool is emptied first: an open SQLite connection keeps reading the moved file)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import callbacks.workspace
from dashboard.db import EXTENSION_KEY, Database
from dashboard.outage import FORM_MESSAGE, PAGE_MESSAGE
from models import Staff, SupervisionSession
from tests.conftest import make_app
from tests.forwarder import Forwarder
from tests.http.test_workspace_scope import fire, session_form
from tests.http.conftest import login


class Outage:
    """The app under test, and a switch that takes its database away and brings it back."""

    def __init__(self, db: Database, instance: Path) -> None:
        url = db.engine.url
        self.forwarder: Forwarder | None = None
        if url.get_backend_name() == "postgresql":
            self.forwarder = Forwarder(url.host or "127.0.0.1", url.port or 5432)
            self.forwarder.open()
            url = url.set(host="127.0.0.1", port=self.forwarder.port)
        self.app: Dash = make_app(db, instance, database_url=url.render_as_string(hide_password=False))
        self.file = Path(url.database or "") if url.get_backend_name() == "sqlite" else None
        self.is_down = False
        self.deps: list[dict[str, Any]] = []

    def signed_in(self, user: str) -> FlaskClient:
        """A client signed in as the user, and the callbacks' list that a browser has from loading the page."""
        client = self.app.server.test_client()
        assert login(client, user).status_code == 302
        self.deps = json.loads(client.get("/_dash-dependencies").data)
        return client

    @property
    def postgres(self) -> bool:
        return self.forwarder is not None

    def down(self) -> None:
        self.is_down = True
        if self.forwarder:
            self.forwarder.close()
        else:
            self.app.server.extensions[EXTENSION_KEY].engine.dispose()  # the -wal file goes with the last connection
            self.moved().rename(self.moved().with_suffix(".away"))
            self.moved().mkdir()

    def up(self) -> None:
        self.is_down = False
        if self.forwarder:
            self.forwarder.open()
        else:
            self.moved().rmdir()
            self.moved().with_suffix(".away").rename(self.moved())

    def moved(self) -> Path:
        assert self.file, "PostgreSQL goes away by its forwarder"
        return self.file

    def close(self) -> None:
        if self.is_down:
            self.up()
        self.app.server.extensions[EXTENSION_KEY].engine.dispose()
        if self.forwarder:
            self.forwarder.close()


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
    client = outage.signed_in("supervisor")
    assert client.get("/my-team").status_code == 200

    outage.down()
    page = client.get("/my-team")  # the user loader is the first to need the database
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "60"
    assert page.mimetype == "text/html"
    assert PAGE_MESSAGE in page.data.decode()
    assert "Internal Server Error" not in page.data.decode()

    read = fire(client, "workspace-version", {"workspace-version.data": 0},  # a callback that only reads
                deps=outage.deps)
    assert read.status_code == 503
    assert read.headers["Retry-After"] == "60"
    assert json.loads(read.data) == {"error": "database unavailable", "message": PAGE_MESSAGE}

    anonymous = outage.app.server.test_client()
    refused = anonymous.post("/login", data={"username": "supervisor", "password": "x"})
    assert refused.status_code == 503
    assert PAGE_MESSAGE in refused.data.decode()

    outage.up()
    assert client.get("/my-team").status_code == 200
    saved = save_session(client, worker, outage.deps)
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
    client = outage.signed_in(user)
    outage.down()
    response = fire(client, trigger, {f"{trigger}.n_clicks": 1}, deps=outage.deps)
    # 200, not 503: the Dash renderer applies no other answer, and the form would stay silent.
    assert response.status_code == 200
    assert FORM_MESSAGE in feedback(response, output)


def test_a_save_that_loses_the_database_half_way_says_so_and_writes_nothing(
        outage: Outage, people_db: Database, worker: int, monkeypatch: pytest.MonkeyPatch) -> None:
    if not outage.postgres:
        pytest.skip("an SQLite connection already open keeps its file: the database cannot vanish mid-transaction")
    client = outage.signed_in("supervisor")
    save = callbacks.workspace.save_session

    def lose_the_database_then_save(*args: Any, **kwargs: Any) -> Any:
        outage.down()  # after the login was loaded and the transaction began
        return save(*args, **kwargs)

    monkeypatch.setattr(callbacks.workspace, "save_session", lose_the_database_then_save)
    response = save_session(client, worker, outage.deps)
    assert response.status_code == 200
    assert FORM_MESSAGE in feedback(response, "session-feedback")
    outage.up()
    assert sessions_recorded(people_db) == 0
