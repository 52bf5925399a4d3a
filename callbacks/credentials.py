"""Credentials page callbacks: the list, the form, and saving (admins and quality staff; leadership reads)."""
from __future__ import annotations

import logging
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from flask import request
from sqlalchemy.exc import SQLAlchemyError

from callbacks.common import as_int, viewer_for
from dashboard.audit import Actor
from dashboard.credentials import EDITORS, save_requirement
from dashboard.db import session_scope
from dashboard.outage import is_unavailable
from dashboard.queries import ledger
from dashboard.recording import Rejected
from dashboard.rule_packs import PACKS_BY_KEY
from layouts import ids
from layouts.credentials import requirements_table

PAGE = "credentials"
log = logging.getLogger(__name__)


def refresh_list(_version: Any) -> tuple[Any, list[dict[str, str]]]:
    viewer = viewer_for(PAGE)
    with session_scope() as session:
        rows = ledger.requirements(session, active_only=False)
        stages = ledger.stage_names(session)
    return (requirements_table(rows, dict(stages), viewer.role in EDITORS),
            [{"label": name, "value": code} for code, name in stages])


FORM = (Output(ids.CREDENTIAL_EDITING, "data"), Output(ids.CREDENTIAL_FORM_TITLE, "children"),
        Output(ids.CREDENTIAL_NAME, "value"), Output(ids.CREDENTIAL_BODY, "value"),
        Output(ids.CREDENTIAL_HOURS, "value"), Output(ids.CREDENTIAL_PERIOD, "value"),
        Output(ids.CREDENTIAL_KINDS, "value"), Output(ids.CREDENTIAL_FORMATS, "value"),
        Output(ids.CREDENTIAL_MODALITIES, "value"), Output(ids.CREDENTIAL_STAGES, "value"),
        Output(ids.CREDENTIAL_CONFIRMATION, "value"), Output(ids.CREDENTIAL_ACTIVE, "value"),
        Output(ids.CREDENTIAL_SOURCE, "value"), Output(ids.CREDENTIAL_FEEDBACK, "children"))
EMPTY = (None, "Add a requirement", "", "", "", "", [], [], [], [], ["signed"], True, "", "")


def fill_form(_new: Any, _edit: Any, _pack: Any = None, pack_key: Any = None) -> tuple[Any, ...]:
    """New: an empty form. Edit: the requirement's values (any viewer of the page may read them). Pack: a new
    requirement filled from a shipped rule pack, with its citation as the source (saved only when the person saves)."""
    viewer_for(PAGE)
    trigger = ctx.triggered_id
    if trigger is None or not any(t.get("value") for t in ctx.triggered):
        return (no_update,) * len(FORM)
    if trigger == ids.CREDENTIAL_PACK_APPLY:
        pack = PACKS_BY_KEY.get(pack_key) if isinstance(pack_key, str) else None
        if pack is None:
            return (no_update,) * (len(FORM) - 1) + (dbc.Alert("Choose a rule pack first.", color="warning"),)
        return (None, f"Add a requirement from the pack: {pack.label}", pack.name, pack.issuing_body,
                f"{pack.hours_required:g}", str(pack.period_months or ""), [], [], [], list(pack.stage_codes),
                (["signed"] if pack.require_signed else []) + (["acknowledged"] if pack.require_acknowledged else []),
                True, pack.source, dbc.Alert("Filled from the rule pack. Check it against the current rule, then "
                                             "save.", color="info"))
    if trigger == ids.CREDENTIAL_NEW or not isinstance(trigger, dict):
        return EMPTY
    wanted = as_int(trigger.get("requirement"))
    with session_scope() as session:
        found = [r for r in ledger.requirements(session, active_only=False) if r.id == wanted]
        active = {r.id for r in ledger.requirements(session)}
    if not found:
        return (no_update,) * (len(FORM) - 1) + (dbc.Alert("That requirement was not found.", color="warning"),)
    r = found[0]
    return ({"id": r.id}, f"Change {r.name}", r.name, r.issuing_body, f"{r.hours_required:g}",
            str(r.period_months or ""), list(r.kinds), list(r.formats), list(r.modalities), list(r.stage_codes),
            (["signed"] if r.require_signed else []) + (["acknowledged"] if r.require_acknowledged else []),
            r.id in active, r.source or "", "")


def save_form(_save: Any, editing: Any, name: Any, body: Any, hours: Any, period: Any, kinds: Any, formats: Any,
              modalities: Any, stages: Any, confirmation: Any, active: Any, source: Any,
              version: Any) -> tuple[Any, Any, Any]:
    viewer = viewer_for(PAGE)
    confirmation = confirmation if isinstance(confirmation, list) else []
    raw = {"name": name, "issuing_body": body, "hours_required": hours, "period_months": period, "kinds": kinds,
           "formats": formats, "modalities": modalities, "stage_codes": stages,
           "require_signed": "signed" in confirmation, "require_acknowledged": "acknowledged" in confirmation,
           "is_active": active is not False, "source": source}
    requirement_id = as_int(editing.get("id")) if isinstance(editing, dict) else None
    if isinstance(editing, dict) and requirement_id is None:
        requirement_id = -1  # a forged store: refused as not found, never read as "new"
    try:
        with session_scope() as session:
            saved = save_requirement(session, Actor(viewer.user_id, viewer.username, request.remote_addr),
                                     viewer.role, raw, requirement_id)
    except Rejected as rejected:
        return (dbc.Alert([html.P("Nothing was saved:", className="mb-1 fw-semibold"),
                           html.Ul([html.Li(p.message) for p in rejected.problems], className="mb-0")],
                          color="danger"), no_update, no_update)
    except SQLAlchemyError as error:
        if is_unavailable(error):
            raise
        log.exception("saving a credential requirement failed")
        return dbc.Alert("The requirement could not be saved just now. Nothing was saved; try again.",
                         color="danger"), no_update, no_update
    return (dbc.Alert("Requirement saved. Workers' progress uses it now.", color="success", dismissable=True),
            (as_int(version) or 0) + 1, {"id": saved})


def register(app: Dash) -> None:
    app.callback(Output(ids.CREDENTIALS_LIST, "children"), Output(ids.CREDENTIAL_STAGES, "options"),
                 Input(ids.CREDENTIALS_VERSION, "data"))(refresh_list)
    app.callback(*FORM, Input(ids.CREDENTIAL_NEW, "n_clicks"),
                 Input({"type": ids.CREDENTIAL_EDIT, "requirement": ALL}, "n_clicks"),
                 Input(ids.CREDENTIAL_PACK_APPLY, "n_clicks"), State(ids.CREDENTIAL_PACK, "value"),
                 prevent_initial_call=True)(fill_form)
    app.callback(Output(ids.CREDENTIAL_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.CREDENTIALS_VERSION, "data"), Output(ids.CREDENTIAL_EDITING, "data", allow_duplicate=True),
                 Input(ids.CREDENTIAL_SAVE, "n_clicks"), State(ids.CREDENTIAL_EDITING, "data"),
                 State(ids.CREDENTIAL_NAME, "value"), State(ids.CREDENTIAL_BODY, "value"),
                 State(ids.CREDENTIAL_HOURS, "value"), State(ids.CREDENTIAL_PERIOD, "value"),
                 State(ids.CREDENTIAL_KINDS, "value"), State(ids.CREDENTIAL_FORMATS, "value"),
                 State(ids.CREDENTIAL_MODALITIES, "value"), State(ids.CREDENTIAL_STAGES, "value"),
                 State(ids.CREDENTIAL_CONFIRMATION, "value"), State(ids.CREDENTIAL_ACTIVE, "value"),
                 State(ids.CREDENTIAL_SOURCE, "value"), State(ids.CREDENTIALS_VERSION, "data"),
                 prevent_initial_call=True)(save_form)
