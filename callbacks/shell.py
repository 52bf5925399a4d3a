"""The shell's callbacks: the phone menu button (in the browser), and the navbar's search for a worker or team."""
from __future__ import annotations

from datetime import date
from typing import Any

from dash import Dash, Input, Output, State, html
from flask import abort

from dashboard.auth import Viewer, current_viewer
from dashboard.db import session_scope
from dashboard.queries.search import MIN_LENGTH, Hit, find
from dashboard.scope import scope_for
from layouts import ids
from models.vocabulary import Role

TOGGLE_MENU_JS = "function(clicks, is_open) { return clicks ? !is_open : false; }"


def today() -> date:
    return date.today()


def _target(viewer: Viewer, hit: Hit) -> tuple[str, str]:
    """Where a hit opens, and the words saying so: a supervisor's own workspace; for the agency's roles the
    Overview for a team, and Compliance for a worker's team (the view that lists them one by one)."""
    if viewer.role == Role.SUPERVISOR:
        return ((f"/my-team?worker={hit.id}", "profile") if hit.kind == "worker"
                else (f"/my-team?team={hit.id}", "roster"))
    return ((f"/compliance?team={hit.team_id}", f"compliance, {hit.team_name}") if hit.kind == "worker"
            else (f"/overview?teams={hit.id}", "overview"))


def search(text: Any) -> Any:
    """Hits within the viewer's scope (the query layer decides it from the account, whatever the payload)."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    if viewer.role == Role.PEER_WORKER:
        abort(403)
    words = text if isinstance(text, str) else ""
    if len(" ".join(words.split())) < MIN_LENGTH:
        return None
    with session_scope() as session:
        hits = find(session, scope_for(session, viewer, today()), words, today())
    if not hits:
        return html.P(f"No worker or team you may see matches “{words.strip()[:80]}”.", className="mb-0 p-2 small")
    workers = sum(hit.kind == "worker" for hit in hits)
    teams = len(hits) - workers
    count = " and ".join(part for part in (f"{workers} worker{'s' * (workers != 1)}" if workers else "",
                                           f"{teams} team{'s' * (teams != 1)}" if teams else "") if part)
    items = []
    for hit in hits:
        href, opens = _target(viewer, hit)
        where = f"{hit.team_name} ({hit.program_name})" if hit.kind == "worker" else hit.program_name
        items.append(html.Li(html.A([html.Span(hit.name, className="fw-semibold"),
                                     html.Span(f" — {where} · {opens}", className="small")],
                                    href=href, className="d-block px-2 py-1")))
    return [html.P(count, className="visually-hidden"), html.Ul(items, className="list-unstyled mb-0")]


def register(app: Dash) -> None:
    app.clientside_callback(TOGGLE_MENU_JS, Output(ids.SHELL_COLLAPSE, "is_open"),
                            Input(ids.SHELL_TOGGLER, "n_clicks"), State(ids.SHELL_COLLAPSE, "is_open"),
                            prevent_initial_call=True)
    app.callback(Output(ids.SHELL_SEARCH_RESULTS, "children"), Input(ids.SHELL_SEARCH, "value"),
                 prevent_initial_call=True)(search)
