"""Guides page callbacks: the guides in use and the chosen one in the form; save (add or edit) and retire (admin)."""
from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import request

from callbacks.common import as_int, viewer_for
from dashboard import figures, guides
from dashboard.audit import Actor
from dashboard.db import session_scope
from dashboard.recording import Rejected
from layouts import ids
from models.base import utcnow

SECTION = "guides"
NEW = "new"


def load(_version: Any, choice: Any) -> tuple[Any, ...]:
    """The list, the chooser and the form: the chosen guide's values (empty for a new one) and what was loaded."""
    viewer_for(SECTION)
    with session_scope() as session:
        in_use = guides.guides_in_use(session)
        allowed = guides.choices(session)
    chosen = next((g for g in in_use if g.id == as_int(choice)), None)
    options = [{"label": "New guide", "value": NEW}] + [{"label": g.title, "value": str(g.id)} for g in in_use]
    category_options = [{"label": label, "value": i} for i, label in allowed.categories]
    principle_options = [{"label": label, "value": i} for i, label in allowed.principles]
    category_codes = {i: label.split(".")[0] for i, label in allowed.categories}
    # On a phone the table scrolls inside its own region, not the page (reflow, WCAG 1.4.10).
    table = figures.scroll_region(dbc.Table([
        html.Thead(html.Tr([html.Th("Title"), html.Th("Publisher"), html.Th("Year"), html.Th("Categories")])),
        html.Tbody([html.Tr([html.Td(html.A(g.title, href=g.url, target="_blank", rel="noopener noreferrer")),
                             html.Td(g.publisher), html.Td(g.year or ""),
                             html.Td(", ".join(category_codes.get(i, "?") for i in g.category_ids))])
                    for g in in_use])], striped=True, size="sm", className="guides-table"), "Guides in use")
    if chosen is None:
        return (options, "", "", None, "", "", category_options, [], principle_options, [], None, table, True)
    return (options, chosen.title, chosen.publisher, chosen.year, chosen.url, chosen.summary, category_options,
            list(chosen.category_ids), principle_options, list(chosen.principle_ids), chosen.values(), table, False)


def write(_save: Any, _retire: Any, title: Any, publisher: Any, year: Any, url: Any, summary: Any,
          category_ids: Any, principle_ids: Any, seen: Any, version: Any) -> tuple[Any, Any, Any]:
    """Save (a new guide when nothing was loaded, else the loaded one) or retire; every value re-checked here, the
    role included, since any signed-in account can POST this."""
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update, no_update
    viewer = viewer_for(SECTION)
    actor = Actor(viewer.user_id, viewer.username, (request.remote_addr or "")[:64] or None)
    raw = {"title": title, "publisher": publisher, "year": year, "url": url, "summary": summary,
           "category_ids": category_ids, "principle_ids": principle_ids}
    bumped = (as_int(version) or 0) + 1
    choice: Any = no_update
    retiring = ctx.triggered_id == ids.GUIDES_RETIRE
    if retiring and seen is None:
        return dbc.Alert("Choose a guide to retire.", color="warning", className="mb-0"), no_update, no_update
    try:
        with session_scope() as session:
            if retiring:
                guides.retire(session, actor, seen, utcnow().date())  # the day, as audit times, in UTC
                said, choice = f"Retired “{seen.get('title')}”: it is no longer shown anywhere.", NEW
            elif seen is None:
                guide_id = guides.add(session, actor, raw)
                said, choice = f"Added “{' '.join(str(title).split())}”.", str(guide_id)
            else:
                changed = guides.edit(session, actor, raw, seen)
                said = ("Saved: " + ", ".join(c.replace("_ids", "s").replace("_", " ") for c in changed) + " changed."
                        if changed else "Nothing changed.")
    except Rejected as error:
        stale = any(p.message == guides.STALE for p in error.problems)
        return (dbc.Alert([html.Div(p.message) for p in error.problems], color="warning", className="mb-0"),
                bumped if stale else no_update, no_update)
    return dbc.Alert(said, color="success", className="mb-0"), bumped, choice


def register(app: Dash) -> None:
    app.callback(Output(ids.GUIDES_CHOICE, "options"), Output(ids.GUIDES_TITLE, "value"),
                 Output(ids.GUIDES_PUBLISHER, "value"), Output(ids.GUIDES_YEAR, "value"),
                 Output(ids.GUIDES_URL, "value"), Output(ids.GUIDES_SUMMARY, "value"),
                 Output(ids.GUIDES_CATEGORIES, "options"), Output(ids.GUIDES_CATEGORIES, "value"),
                 Output(ids.GUIDES_PRINCIPLES, "options"), Output(ids.GUIDES_PRINCIPLES, "value"),
                 Output(ids.GUIDES_SEEN, "data"), Output(ids.GUIDES_LIST, "children"),
                 Output(ids.GUIDES_RETIRE, "disabled"),
                 Input(ids.GUIDES_VERSION, "data"), Input(ids.GUIDES_CHOICE, "value"))(load)
    app.callback(Output(ids.GUIDES_MESSAGE, "children"), Output(ids.GUIDES_VERSION, "data"),
                 Output(ids.GUIDES_CHOICE, "value"),
                 Input(ids.GUIDES_SAVE, "n_clicks"), Input(ids.GUIDES_RETIRE, "n_clicks"),
                 State(ids.GUIDES_TITLE, "value"), State(ids.GUIDES_PUBLISHER, "value"),
                 State(ids.GUIDES_YEAR, "value"), State(ids.GUIDES_URL, "value"),
                 State(ids.GUIDES_SUMMARY, "value"), State(ids.GUIDES_CATEGORIES, "value"),
                 State(ids.GUIDES_PRINCIPLES, "value"), State(ids.GUIDES_SEEN, "data"),
                 State(ids.GUIDES_VERSION, "data"), prevent_initial_call=True)(write)
