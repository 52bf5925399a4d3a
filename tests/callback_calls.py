"""Calling a page's callback functions directly, as Dash's docs unit-test callbacks: inside the app's request
context with a signed-in account, and with dash's callback context naming the input that fired."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import copy_context
from typing import Any

import flask_login
from dash import Dash
from dash._callback_context import context_value
from dash._utils import AttributeDict
from sqlalchemy import select

from dashboard.auth import LoginUser
from dashboard.db import Database
from models import User


@contextmanager
def signed_in(app: Dash, db: Database, username: str) -> Iterator[None]:
    """A callback request from this demo account (the account's own row, so anything it saves names it)."""
    with db.session() as s:
        user = LoginUser(s.scalars(select(User).where(User.username == username)).one())
    with app.server.test_request_context("/_dash-update-component", method="POST",
                                         environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        flask_login.login_user(user)
        yield


def fired(function: Callable[..., Any], *args: Any, by: str = "", value: Any = 1) -> Any:
    """Call `function(*args)` as Dash does when the prop `by` ("id.property", the id JSON for a pattern) changed to
    `value`; with no `by`, as on the page's first load (nothing triggered)."""
    triggered = [{"prop_id": by, "value": value}] if by else []

    def call() -> Any:
        context_value.set(AttributeDict(triggered_inputs=triggered))
        return function(*args)
    return copy_context().run(call)


def pattern(id_: dict[str, Any], prop: str = "n_clicks") -> str:
    """A pattern-matching id's prop as Dash names it in triggered: the id as sorted, compact JSON."""
    import json

    return json.dumps(id_, sort_keys=True, separators=(",", ":")) + "." + prop


def as_sent(value: Any) -> Any:
    """A callback's return value as the browser receives it (components as nested JSON dicts)."""
    import json

    import plotly

    return json.loads(json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder))
