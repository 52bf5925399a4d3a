"""Framework callbacks: show the active version and the loaded ones; activate a version and load a file (admins)."""
from __future__ import annotations

import base64
import binascii
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from callbacks.common import actor_for, admin_for, as_int, viewer_for
from dashboard import framework_admin
from dashboard.auth import Viewer
from dashboard.db import session_scope
from dashboard.errors import ConfigError
from dashboard.figures import scroll_region
from dashboard.queries.resources import framework_summary
from dashboard.recording import Rejected
from layouts import ids
from models.vocabulary import Role
from layouts.select import select

SECTION = "framework"


def _editor() -> Viewer:
    """Only an administrator changes the framework; quality reads the page (a crafted write gets 403)."""
    return admin_for(SECTION)


def _next(version: Any) -> int:
    return (as_int(version) or 0) + 1


def load(_version: Any) -> tuple[Any, ...]:
    viewer = viewer_for(SECTION)
    with session_scope() as session:
        summary = framework_summary(session)
        loaded = framework_admin.versions(session)
    active = next((row for row in loaded if row.is_active), None)
    if summary is None or active is None:
        header: Any = dbc.Alert("No framework is active: load one below, then activate it.", color="warning")
        principles: Any = None
        categories: Any = None
    else:
        header = html.Div([
            html.P([html.Strong(summary.name), f" — version {summary.version}"], className="mb-1",
                   id="framework-active-name"),
            html.P(f"Loaded {active.loaded_at:%Y-%m-%d %H:%M} UTC · {len(summary.principles)} principles · "
                   f"{len(summary.categories)} categories · {summary.competency_count} competencies",
                   className="small text-body-secondary mb-1"),
            html.P(summary.note, className="small mb-0") if summary.note else None,
        ])
        principles = html.Ul([html.Li([html.Strong(p.name), f" ({p.code})", f": {p.summary}" if p.summary else ""])
                              for p in summary.principles], className="small")
        categories = scroll_region(dbc.Table([
            html.Thead(html.Tr([html.Th("Code", scope="col"), html.Th("Category", scope="col"),
                                html.Th("Primary principle", scope="col"),
                                html.Th("Secondary principles", scope="col"),
                                html.Th("Competencies", scope="col")])),
            html.Tbody([html.Tr([html.Td(c.code), html.Td(c.title), html.Td(c.primary_principle),
                                 html.Td(", ".join(c.secondary_principles) or "—"),
                                 html.Td(len(c.competencies))], className="framework-category")
                        for c in summary.categories]),
        ], size="sm", striped=True, className="mb-0"), "Categories and their principles")
    versions = scroll_region(dbc.Table([
        html.Thead(html.Tr([html.Th(h, scope="col") for h in (
            "Framework", "Version", "Loaded (UTC)", "Principles", "Categories", "Competencies", "Ratings recorded",
            "Status")])),
        html.Tbody([html.Tr([html.Td(r.name), html.Td(r.version), html.Td(f"{r.loaded_at:%Y-%m-%d %H:%M}"),
                             html.Td(r.principles), html.Td(r.categories), html.Td(r.competencies),
                             html.Td(r.ratings),
                             html.Td(dbc.Badge("Active", color="success") if r.is_active else "Loaded")],
                            className="framework-version-row") for r in loaded]),
    ], size="sm", className="mb-0"), "Loaded versions")
    options = [{"label": r.label, "value": str(r.id)} for r in loaded if not r.is_active]
    is_admin = viewer.role == Role.ADMIN
    if is_admin and not options:
        versions = html.Div([versions, html.P("Only the active version is loaded: load a file below to have another "
                                              "to activate.", className="small text-body-secondary mt-2 mb-0")])
    return (header, principles, categories, versions, options, options[0]["value"] if options else None,
            not is_admin or not options, not is_admin, *_mapping_form(is_admin, active))


def _mapping_form(is_admin: bool, active: Any) -> tuple[Any, Any, bool]:
    """The mapping editor's rows (admins only): each category's primary principle and its secondary ones."""
    if not is_admin or active is None:
        return None, None, True
    with session_scope() as session:
        mapping = framework_admin.current_mapping(session, active.id)
        summary = framework_summary(session)
    if summary is None:
        return None, None, True
    choices = [{"label": p.name, "value": p.code} for p in summary.principles]
    rows = [html.Fieldset([
        html.Legend(f"{c.code}. {c.title}", className="fs-6 fw-semibold mb-1"),
        dbc.Row([
            dbc.Col(html.Label([html.Span("Primary", className="me-2"),
                                select(id={"type": ids.FRAMEWORK_PRIMARY, "category": c.code}, options=choices,
                                       value=mapping[c.code][0])],
                               className="d-flex align-items-center w-100"), md=5),
            dbc.Col(dbc.Checklist(id={"type": ids.FRAMEWORK_SECONDARY, "category": c.code}, options=choices,
                                  value=list(mapping[c.code][1]), inline=True,
                                  className="small"), md=7),
        ], className="g-2 align-items-center"),
    ], className="border-bottom py-2 framework-mapping-row") for c in summary.categories]
    return rows, active.id, False


def confirm(_open: Any, _cancel: Any, choice: Any) -> tuple[Any, Any]:
    """Open the confirmation naming the chosen and the active version and what activation changes (reads only)."""
    if ctx.triggered_id != ids.FRAMEWORK_ACTIVATE or not ctx.triggered or not ctx.triggered[0].get("value"):
        return False, no_update
    viewer_for(SECTION)
    with session_scope() as session:
        loaded = framework_admin.versions(session)
    chosen = next((r for r in loaded if str(r.id) == str(choice)), None)
    active = next((r for r in loaded if r.is_active), None)
    if chosen is None:
        return False, no_update
    return True, [
        html.P(["Activate ", html.Strong(chosen.label), " in place of ",
                html.Strong(active.label if active else "no active version"), "?"]),
        html.P(f"It has {chosen.categories} categories and {chosen.competencies} competencies; {chosen.ratings} "
               f"ratings were recorded against them" + (f" ({active.ratings} against the active version)."
                                                        if active else ".")),
        html.P("What changes on screen:", className="mb-1"),
        html.Ul([html.Li(effect) for effect in framework_admin.ACTIVATION_EFFECTS], className="small mb-0"),
    ]


def activate(_clicks: Any, choice: Any, version: Any) -> tuple[Any, Any, Any]:
    """Activate the chosen version (admins; checked again here, whatever the payload)."""
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update, no_update
    viewer = _editor()
    try:
        with session_scope() as session:
            said = framework_admin.activate(session, actor_for(viewer), as_int(choice))
    except Rejected as error:
        return dbc.Alert([html.Div(p.message) for p in error.problems], color="warning", className="mb-0"), \
            no_update, False
    return (dbc.Alert([html.P(said, className="mb-1"), html.P("What changes on screen:", className="mb-1"),
                       html.Ul([html.Li(e) for e in framework_admin.ACTIVATION_EFFECTS], className="mb-0")],
                      color="success", className="mb-0"), _next(version), False)


def _file_bytes(contents: Any) -> bytes:
    if not isinstance(contents, str) or not contents.startswith("data:") or ";base64," not in contents:
        raise ConfigError("No file was received; choose the framework file again.")
    payload = contents.split(",", 1)[1]
    if len(payload) > framework_admin.MAX_FILE_BYTES * 4 // 3 + 4:
        raise ConfigError(f"The file is larger than {framework_admin.MAX_FILE_BYTES // 1024} KB.")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("The upload is damaged (not valid base64); choose the file again.") from None


def upload(contents: Any, filename: Any, version: Any) -> tuple[Any, Any, Any]:
    """Load the uploaded file as a new, inactive version; a refused file writes nothing and says why. The upload is
    emptied afterwards, so that choosing the same (corrected) file again loads it again."""
    if contents is None:
        return no_update, no_update, no_update
    viewer = _editor()
    name = filename[:200] if isinstance(filename, str) and filename.strip() else "framework.json"
    try:
        data = _file_bytes(contents)
        with session_scope() as session:
            _loaded, said = framework_admin.load_file(session, actor_for(viewer), name, data)
    except ConfigError as error:
        return dbc.Alert([html.P("The file was refused; nothing was written.", className="mb-1"),
                          html.Div(str(error), className="font-monospace small")], color="danger",
                         className="mb-0"), no_update, None
    return dbc.Alert(said, color="success", className="mb-0"), _next(version), None


def _by_category(values: Any, keys: Any) -> dict[str, Any]:
    if not isinstance(values, list) or not isinstance(keys, list) or len(values) != len(keys):
        return {}
    return {str(key.get("category")) if isinstance(key, dict) else "?": value for key, value in zip(keys, values)}


def save_mapping(_clicks: Any, primaries: Any, primary_ids: Any, secondaries: Any, secondary_ids: Any,
                 version_name: Any, seen: Any, version: Any) -> tuple[Any, Any]:
    """Save the edited mapping as a new version (admins; every value checked again on the server)."""
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update
    viewer = _editor()
    primary = _by_category(primaries, primary_ids)
    secondary = _by_category(secondaries, secondary_ids)
    wanted = {code: (primary[code], secondary.get(code) or []) for code in primary}
    try:
        with session_scope() as session:
            said = framework_admin.save_mapping(session, actor_for(viewer), version_name, wanted, as_int(seen))
    except Rejected as error:
        stale = any(p.message == framework_admin.STALE for p in error.problems)
        return (dbc.Alert([html.Div(p.message) for p in error.problems], color="warning", className="mb-0"),
                _next(version) if stale else no_update)
    return dbc.Alert(said, color="success", className="mb-0"), _next(version)


def register(app: Dash) -> None:
    app.callback(Output(ids.FRAMEWORK_ACTIVE, "children"), Output(ids.FRAMEWORK_PRINCIPLES, "children"),
                 Output(ids.FRAMEWORK_CATEGORIES, "children"), Output(ids.FRAMEWORK_VERSIONS, "children"),
                 Output(ids.FRAMEWORK_CHOICE, "options"), Output(ids.FRAMEWORK_CHOICE, "value"),
                 Output(ids.FRAMEWORK_ADMIN_TOOLS, "hidden"), Output(ids.FRAMEWORK_UPLOAD_CARD, "hidden"),
                 Output(ids.FRAMEWORK_MAPPING_FORM, "children"), Output(ids.FRAMEWORK_MAPPING_SEEN, "data"),
                 Output(ids.FRAMEWORK_MAPPING_CARD, "hidden"),
                 Input(ids.FRAMEWORK_VERSION, "data"))(load)
    app.callback(Output(ids.FRAMEWORK_MAPPING_MESSAGE, "children"),
                 Output(ids.FRAMEWORK_VERSION, "data", allow_duplicate=True),
                 Input(ids.FRAMEWORK_MAPPING_SAVE, "n_clicks"),
                 State({"type": ids.FRAMEWORK_PRIMARY, "category": ALL}, "value"),
                 State({"type": ids.FRAMEWORK_PRIMARY, "category": ALL}, "id"),
                 State({"type": ids.FRAMEWORK_SECONDARY, "category": ALL}, "value"),
                 State({"type": ids.FRAMEWORK_SECONDARY, "category": ALL}, "id"),
                 State(ids.FRAMEWORK_MAPPING_VERSION, "value"), State(ids.FRAMEWORK_MAPPING_SEEN, "data"),
                 State(ids.FRAMEWORK_VERSION, "data"), prevent_initial_call=True)(save_mapping)
    app.callback(Output(ids.FRAMEWORK_CONFIRM_MODAL, "is_open"), Output(ids.FRAMEWORK_CONFIRM_TEXT, "children"),
                 Input(ids.FRAMEWORK_ACTIVATE, "n_clicks"), Input(ids.FRAMEWORK_CANCEL, "n_clicks"),
                 State(ids.FRAMEWORK_CHOICE, "value"), prevent_initial_call=True)(confirm)
    app.callback(Output(ids.FRAMEWORK_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.FRAMEWORK_VERSION, "data", allow_duplicate=True),
                 Output(ids.FRAMEWORK_CONFIRM_MODAL, "is_open", allow_duplicate=True),
                 Input(ids.FRAMEWORK_CONFIRM, "n_clicks"), State(ids.FRAMEWORK_CHOICE, "value"),
                 State(ids.FRAMEWORK_VERSION, "data"), prevent_initial_call=True)(activate)
    app.callback(Output(ids.FRAMEWORK_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.FRAMEWORK_VERSION, "data", allow_duplicate=True),
                 Output(ids.FRAMEWORK_UPLOAD, "contents"),
                 Input(ids.FRAMEWORK_UPLOAD, "contents"), State(ids.FRAMEWORK_UPLOAD, "filename"),
                 State(ids.FRAMEWORK_VERSION, "data"), prevent_initial_call=True)(upload)
