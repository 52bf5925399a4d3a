"""Settings callbacks: load the agency's settings into the form (admins and quality), and save them (admins only),
saying what changes."""
from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from flask import abort, request

from callbacks.common import as_int, viewer_for
from dashboard import agency_settings
from dashboard.audit import Actor
from dashboard.auth import Viewer
from dashboard.db import session_scope
from dashboard.recording import Rejected
from layouts import ids
from models.vocabulary import Role

SECTION = "settings"


def _editor() -> Viewer:
    """Only an administrator changes the settings; quality reads the page (a crafted save gets 403)."""
    viewer = viewer_for(SECTION)
    if viewer.role != Role.ADMIN:
        abort(403)
    return viewer


def load(_version: Any) -> tuple[Any, ...]:
    """The settings into the form; for a reader, the form disabled and the Save button hidden."""
    editing = viewer_for(SECTION).role == Role.ADMIN
    with session_scope() as session:
        now = agency_settings.current(session)
    # A label wrapping its input names it (a label's for= cannot point at a pattern-matching id).
    levels = [html.Label([html.Span(f"Level {lv.level}", className="me-3 text-nowrap"),
                          dbc.Input(id={"type": ids.SETTINGS_LEVEL, "level": lv.level}, value=lv.label, type="text",
                                    maxLength=agency_settings.LABEL_LIMIT)],
                         className="d-flex align-items-center mb-2 w-100") for lv in now.levels]
    options = [{"label": f"{lv.level} — {lv.label}", "value": str(lv.level)} for lv in now.levels]
    return (now.staleness_days, now.min_cell_workers, float(now.fte_per_supervisor_limit),
            now.principle_holding_percent, now.unsigned_flag_days, now.unacknowledged_flag_days, levels, options,
            str(now.proficient_level) if now.proficient_level else None, now.date_format, now.values(), not editing,
            "" if editing else "d-none", "" if editing else "Read-only: an administrator changes these settings.")


def save(_clicks: Any, staleness: Any, min_cell: Any, fte_limit: Any, holding: Any, unsigned_days: Any,
         unacknowledged_days: Any, labels: Any, label_ids: Any, proficient: Any, date_format: Any, seen: Any,
         version: Any) -> tuple[Any, Any]:
    """Every value re-checked on the server (a crafted payload is as likely as the form); nothing saved on any
    problem."""
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    viewer = _editor()
    by_level: Any = None
    if isinstance(labels, list) and isinstance(label_ids, list) and len(labels) == len(label_ids):
        by_level = {str(key.get("level")) if isinstance(key, dict) else "?": value
                    for key, value in zip(label_ids, labels)}
    raw = {"staleness_days": staleness, "min_cell_workers": min_cell, "fte_per_supervisor_limit": fte_limit,
           "principle_holding_percent": holding, "unsigned_flag_days": unsigned_days,
           "unacknowledged_flag_days": unacknowledged_days, "labels": by_level, "proficient_level": as_int(proficient),
           "date_format": date_format}
    try:
        with session_scope() as session:
            said = agency_settings.save(session, Actor(viewer.user_id, viewer.username,
                                                       (request.remote_addr or "")[:64] or None), raw, seen)
    except Rejected as error:
        stale = any(p.message == agency_settings.STALE for p in error.problems)
        return (dbc.Alert([html.Div(p.message) for p in error.problems], color="warning", className="mb-0"),
                (as_int(version) or 0) + 1 if stale else no_update)
    return (dbc.Alert([html.P("Saved. What changes on screen:", className="mb-1"),
                       html.Ul([html.Li(s) for s in said], className="mb-0")], color="success", className="mb-0"),
            (as_int(version) or 0) + 1)


def register(app: Dash) -> None:
    app.callback(Output(ids.SETTINGS_STALENESS, "value"), Output(ids.SETTINGS_MIN_CELL, "value"),
                 Output(ids.SETTINGS_FTE_LIMIT, "value"), Output(ids.SETTINGS_HOLDING, "value"),
                 Output(ids.SETTINGS_UNSIGNED_DAYS, "value"), Output(ids.SETTINGS_UNACKNOWLEDGED_DAYS, "value"),
                 Output(ids.SETTINGS_LEVELS, "children"), Output(ids.SETTINGS_PROFICIENT, "options"),
                 Output(ids.SETTINGS_PROFICIENT, "value"), Output(ids.SETTINGS_DATE_FORMAT, "value"),
                 Output(ids.SETTINGS_SEEN, "data"),
                 Output(ids.SETTINGS_FIELDSET, "disabled"), Output(ids.SETTINGS_SAVE, "className"),
                 Output(ids.SETTINGS_READ_ONLY, "children"),
                 Input(ids.SETTINGS_VERSION, "data"))(load)
    app.callback(Output(ids.SETTINGS_MESSAGE, "children"), Output(ids.SETTINGS_VERSION, "data"),
                 Input(ids.SETTINGS_SAVE, "n_clicks"),
                 State(ids.SETTINGS_STALENESS, "value"), State(ids.SETTINGS_MIN_CELL, "value"),
                 State(ids.SETTINGS_FTE_LIMIT, "value"), State(ids.SETTINGS_HOLDING, "value"),
                 State(ids.SETTINGS_UNSIGNED_DAYS, "value"), State(ids.SETTINGS_UNACKNOWLEDGED_DAYS, "value"),
                 State({"type": ids.SETTINGS_LEVEL, "level": ALL}, "value"),
                 State({"type": ids.SETTINGS_LEVEL, "level": ALL}, "id"),
                 State(ids.SETTINGS_PROFICIENT, "value"), State(ids.SETTINGS_DATE_FORMAT, "value"),
                 State(ids.SETTINGS_SEEN, "data"),
                 State(ids.SETTINGS_VERSION, "data"), prevent_initial_call=True)(save)
