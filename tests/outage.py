"""The app on a database that can be taken away and brought back. PostgreSQL: a forwarder of our own sits between
the app and the shared server and is closed, so the server itself is never stopped. SQLite: the file is moved away
and a folder put in its place, so opening it fails as for a file on a mount that went away (the pool is emptied
first: an open SQLite connection keeps reading the moved file)."""
from __future__ import annotations

from pathlib import Path

from dash import Dash

from dashboard.db import EXTENSION_KEY, Database
from tests.conftest import make_app
from tests.forwarder import Forwarder


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
