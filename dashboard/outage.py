"""When the database does not answer: a 503 page, a 503 for callbacks, and saving forms told that nothing was saved."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import dash_bootstrap_components as dbc
from flask import Flask, Response, request
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

PAGE_MESSAGE = "The database is not answering. Nothing was saved. Try again in a minute."
FORM_MESSAGE = "The database is unavailable; nothing was saved."
RETRY_AFTER_SECONDS = 60
CALLBACK_PATH = "/_dash-update-component"

# PostgreSQL's connection exceptions (class 08) and the server shutting down or not yet accepting connections. A
# client-side failure (refused, reset, timed out) has no SQLSTATE at all. Serialization failures, deadlocks and
# statement timeouts are OperationalErrors too, but the database answered them: they are not an outage.
POSTGRES_STATES = ("08", "57P01", "57P02", "57P03")
# SQLite: the file cannot be opened, read or written (moved, unmounted, disk full, made read-only), or stays locked
# past the busy timeout. SQLITE_BUSY_SNAPSHOT (a stale snapshot) is a conflict, not an outage.
SQLITE_NAMES = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_NOTADB")


def is_unavailable(error: BaseException) -> bool:
    """True when the error says the database could not be reached or used, rather than that it refused a statement."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:  # SQLAlchemy's dialect recognised a lost connection
        return True
    original = error.orig
    if hasattr(original, "sqlstate"):  # psycopg
        state = original.sqlstate
        if state is None:  # raised by the client: a lost or refused connection, or a misuse of the driver
            return isinstance(error, OperationalError | InterfaceError)
        return state.startswith(POSTGRES_STATES)
    name = getattr(original, "sqlite_errorname", "")
    return name.startswith(SQLITE_NAMES) or name == "SQLITE_BUSY"


def form_update(payload: Any, feedback_ids: frozenset[str]) -> str | None:
    """A callback response that puts FORM_MESSAGE into the request's form feedback output, if it has one: the Dash
    renderer applies only a 200 response, so a form learns nothing from a 503."""
    if not isinstance(payload, dict):
        return None
    outputs = payload.get("outputs")
    outputs = outputs if isinstance(outputs, list) else [outputs]
    targets = [o["id"] for o in outputs if isinstance(o, dict) and o.get("id") in feedback_ids
               and str(o.get("property", "")).split("@")[0] == "children"]
    if not targets:
        return None
    alert = dbc.Alert(FORM_MESSAGE, color="danger", className="mb-0")
    return json.dumps({"multi": True, "response": {target: {"children": alert} for target in targets}},
                      cls=PlotlyJSONEncoder)


def init_app(server: Flask, form_feedback: Iterable[str]) -> None:
    """Answer an unreachable database with 503 on every route (the login's user loader included). The engine's
    pre-ping and SQLAlchemy's invalidation of lost connections make the app recover by itself when it returns."""
    feedback_ids = frozenset(form_feedback)

    @server.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError) -> Response:
        if not is_unavailable(error):
            raise error  # any other database error: handled as before (a 500)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        log.warning("database unavailable (%s %s): %s", request.method, request.path, reason)
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        if request.path.startswith(CALLBACK_PATH):
            form = form_update(request.get_json(silent=True), feedback_ids)
            if form is not None:
                return Response(form, 200, {"Cache-Control": "no-store"}, mimetype="application/json")
            return Response(json.dumps({"error": "database unavailable", "message": PAGE_MESSAGE}), 503, retry,
                            mimetype="application/json")
        # Not render_template: its context processors would ask flask-login for the user, i.e. the database again.
        page = server.jinja_env.get_template("unavailable.html").render(message=PAGE_MESSAGE)
        return Response(page, 503, retry, mimetype="text/html")
