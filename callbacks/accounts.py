"""Accounts callbacks (admin only): list and filter, create, and the edit panel's save, reset and (de)activate."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from flask import request

from callbacks.common import as_int, viewer_for
from dashboard import accounts
from dashboard.audit import Actor
from dashboard.db import session_scope
from dashboard.figures import scroll_region
from dashboard.dates import show, show_time
from layouts import ids
from models import STAFF_LINKED_ROLES

SECTION = "accounts"
FIELD_LABELS = {"username": "Username", "full_name": "Name", "role": "Role", "staff": "Staff record",
                "method": "First password", "password": "Password", "form": "Account"}


def today() -> date:
    return date.today()


def _text(value: Any, limit: int = 200) -> str:
    """A text field's value from the form or a crafted payload: a string, cut to a sane length, or empty."""
    return value[:limit] if isinstance(value, str) else ""


def _problems(error: accounts.AccountError) -> Any:
    return dbc.Alert([html.P("Nothing was saved:", className="mb-1"),
                      html.Ul([html.Li([html.Strong(f"{FIELD_LABELS.get(field, field.title())}: "), message])
                               for field, message in error.by_field().items()], className="mb-0")],
                     color="warning")


def _secret(secret: accounts.Secret, person: str) -> Any:
    """The setup link or temporary password, shown once: only its hash (or nothing) is kept."""
    if secret.method == accounts.SETUP_LINK:
        link = f"{request.host_url}setup/{secret.value}"
        what = [f"Give {person} this one-time setup link (valid until "
                f"{show_time(secret.expires_at)} UTC):" if secret.expires_at else "", html.Br(),
                html.Code(link, id=ids.ACCOUNTS_SECRET, className="user-select-all text-break text-dark bg-white px-1")]
    else:
        what = [f"Give {person} this temporary password; they must change it when they first sign in:", html.Br(),
                html.Code(secret.value, id=ids.ACCOUNTS_SECRET,
                          className="user-select-all fs-5 text-dark bg-white px-1")]
    return dbc.Alert([*what, html.P("It is shown only now: copy it before you leave this page. Hand it over "
                                    "in person or by a channel only they can read.", className="small mb-0 mt-2")],
                     color="success")


def _status_badge(row: accounts.AccountRow) -> Any:
    colour = {"active": "success", "pending": "warning", "inactive": "secondary"}[row.status]
    return dbc.Badge(accounts.STATUSES[row.status], color=colour, text_color="dark" if colour == "warning" else None,
                     className="text-wrap text-start")


def refresh_table(search: Any, role: Any, status: Any, _refresh: Any) -> tuple[Any, str]:
    viewer_for(SECTION)
    with session_scope() as session:
        rows = accounts.list_accounts(session, _text(search, 80), role if isinstance(role, str) else None,
                                      status if isinstance(status, str) else None)
    # On a phone the name, staff record and last sign-in give way.
    wide = "d-none d-lg-table-cell"
    head = html.Thead(html.Tr([html.Th("Username", scope="col"), html.Th("Name", scope="col", className=wide),
                               html.Th("Role", scope="col"), html.Th("Staff record", scope="col", className=wide),
                               html.Th("Status", scope="col"),
                               html.Th("Last sign-in (UTC)", scope="col", className=wide)]))
    body = html.Tbody([html.Tr([
        # The username opens the account (one column fewer than an Edit button: the table fits a phone).
        html.Th(dbc.Button([html.Span("Edit ", className="visually-hidden"), r.username],
                           id={"type": ids.ACCOUNTS_EDIT, "user": r.id}, color="link",
                           className="p-0 fw-semibold text-start"), scope="row"),
        html.Td(r.full_name, className=wide), html.Td(r.role_label),
        html.Td(r.staff_name or "—", className=wide), html.Td(_status_badge(r)),
        html.Td(show_time(r.last_sign_in) if r.last_sign_in else "never", className=wide),
    ]) for r in rows])
    count = f"{len(rows):,} account{'s' * (len(rows) != 1)}"
    if not rows:
        return html.P("No account matches these filters.", className="mb-0"), count
    return scroll_region(dbc.Table([head, body], size="sm", hover=True, className="mb-0 align-middle"),
                         "Accounts"), count


def staff_options(role: Any, chosen: Any, editing: Any = None) -> tuple[list[dict[str, Any]], bool, Any]:
    """The staff records a new (or edited) account of this role may act for, whether to hide the choice, and the
    choice itself: kept while it is still offered, else cleared. A select whose value is not among its options
    shows another option while sending the old value (a peer worker shown, a supervisor sent)."""
    viewer_for(SECTION)
    if role not in STAFF_LINKED_ROLES:
        return [], True, None
    keep = as_int(editing.get("staff")) if isinstance(editing, dict) else None
    with session_scope() as session:
        choices = accounts.staff_choices(session, role, today(), keep)
    options = [{"label": label, "value": str(sid)} for sid, label in choices]
    return options, False, chosen if any(o["value"] == chosen for o in options) else None


def new_staff_options(role: Any, _refresh: Any, chosen: Any) -> tuple[list[dict[str, Any]], bool, Any]:
    return staff_options(role, chosen)


def create(clicks: Any, username: Any, full_name: Any, role: Any, staff: Any, method: Any) -> tuple[Any, Any]:
    """Every value re-checked in dashboard.accounts (a crafted payload is as likely as the form)."""
    if not clicks:
        return no_update, no_update
    viewer = viewer_for(SECTION)
    linked = role in STAFF_LINKED_ROLES
    try:
        with session_scope() as session:
            user, secret = accounts.create_account(
                session, Actor(viewer.user_id, viewer.username, request.remote_addr), _text(username, 100),
                _text(role, 40), _text(full_name, 200), as_int(staff) if linked else None,
                method=_text(method, 20))
            person = user.full_name
    except accounts.AccountError as error:
        return _problems(error), no_update
    assert secret is not None
    return [html.P(f"Created {secret.username}.", className="mb-2"), _secret(secret, person)], clicks


def _summary(row: accounts.AccountRow) -> Any:
    return html.P([html.Strong(row.username), f" · {row.role_label} · ", _status_badge(row),
                   f" · created {show(row.created_at)}"], className="mb-0")


def _toggle_label(row: accounts.AccountRow) -> str:
    return "Deactivate" if row.is_active else "Reactivate"


def open_edit(_clicks: Any) -> tuple[Any, ...]:
    """An Edit button: the account as it is now, and the version the panel's changes must still find."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        return (no_update,) * 9  # the table was redrawn: its new buttons fired with no click
    viewer_for(SECTION)
    user_id = as_int(trigger.get("user"))
    with session_scope() as session:
        row = accounts.account(session, user_id) if user_id is not None else None
    if row is None:
        return (no_update,) * 8 + (dbc.Alert("That account does not exist.", color="warning"),)
    return (True, {"id": row.id, "version": row.version, "staff": row.staff_id}, f"Account {row.username}",
            _summary(row), row.full_name, row.role, str(row.staff_id) if row.staff_id else "", _toggle_label(row),
            "")


def _act(editing: Any, change: Callable[[Any, Actor, int, int], str]) -> tuple[Any, ...]:
    """Run one change of the opened account as the viewer: (message, refresh, editing, summary, toggle label)."""
    viewer = viewer_for(SECTION)
    user_id = as_int(editing.get("id")) if isinstance(editing, dict) else None
    version = as_int(editing.get("version")) if isinstance(editing, dict) else None
    if user_id is None:
        return dbc.Alert("Open an account first.", color="warning"), no_update, no_update, no_update, no_update
    try:
        with session_scope() as session:
            done = change(session, Actor(viewer.user_id, viewer.username, request.remote_addr), user_id,
                          version if version is not None else -1)
            session.flush()
            row = accounts.account(session, user_id)
    except accounts.AccountError as error:
        return _problems(error), no_update, no_update, no_update, no_update
    assert row is not None
    # The refresh store changes with every saved change (the account's version moves), so the list redraws.
    return (done, f"{row.id}:{row.version}", {"id": row.id, "version": row.version, "staff": row.staff_id},
            _summary(row), _toggle_label(row))


def save_changes(_clicks: Any, editing: Any, full_name: Any, role: Any, staff: Any) -> tuple[Any, ...]:
    def change(session: Any, actor: Actor, user_id: int, version: int) -> Any:
        user = accounts.update_account(session, actor, user_id, version, _text(full_name, 200), _text(role, 40),
                                       as_int(staff) if role in STAFF_LINKED_ROLES else None)
        return dbc.Alert(f"Saved {user.username}.", color="success")
    return _act(editing, change)


def reset(_clicks: Any, editing: Any, method: Any) -> tuple[Any, ...]:
    def change(session: Any, actor: Actor, user_id: int, version: int) -> Any:
        secret = accounts.reset_password(session, actor, user_id, version, _text(method, 20))
        person = accounts.account(session, user_id)
        return [html.P(f"{secret.username}'s password is reset; their sessions have ended.", className="mb-2"),
                _secret(secret, person.full_name if person else secret.username)]
    return _act(editing, change)


def toggle_active(_clicks: Any, editing: Any) -> tuple[Any, ...]:
    def change(session: Any, actor: Actor, user_id: int, version: int) -> Any:
        current = accounts.account(session, user_id)
        user = accounts.set_active(session, actor, user_id, version, not (current and current.is_active))
        return dbc.Alert(f"{user.username} is {'reactivated' if user.is_active else 'deactivated'}"
                         f"{'' if user.is_active else ': their sessions have ended'}.", color="success")
    return _act(editing, change)


def end_sessions(_clicks: Any, editing: Any) -> tuple[Any, ...]:
    def change(session: Any, actor: Actor, user_id: int, version: int) -> Any:
        user, ended = accounts.end_sessions(session, actor, user_id, version)
        return dbc.Alert(f"{user.username} is signed out everywhere: {ended} open session{'s' * (ended != 1)} "
                         "ended.", color="success")
    return _act(editing, change)


def register(app: Dash) -> None:
    app.callback(Output(ids.ACCOUNTS_TABLE, "children"), Output(ids.ACCOUNTS_COUNT, "children"),
                 Input(ids.ACCOUNTS_SEARCH, "value"), Input(ids.ACCOUNTS_ROLE, "value"),
                 Input(ids.ACCOUNTS_STATUS, "value"), Input(ids.ACCOUNTS_REFRESH, "data"))(refresh_table)
    # The list also changes after a create (the person just linked leaves it).
    app.callback(Output(ids.ACCOUNTS_NEW_STAFF, "options"), Output(ids.ACCOUNTS_NEW_STAFF_GROUP, "hidden"),
                 Output(ids.ACCOUNTS_NEW_STAFF, "value"), Input(ids.ACCOUNTS_NEW_ROLE, "value"),
                 Input(ids.ACCOUNTS_REFRESH, "data"), State(ids.ACCOUNTS_NEW_STAFF, "value"))(new_staff_options)
    app.callback(Output(ids.ACCOUNTS_EDIT_STAFF, "options"), Output(ids.ACCOUNTS_EDIT_STAFF_GROUP, "hidden"),
                 Output(ids.ACCOUNTS_EDIT_STAFF, "value", allow_duplicate=True),
                 Input(ids.ACCOUNTS_EDIT_ROLE, "value"), State(ids.ACCOUNTS_EDIT_STAFF, "value"),
                 Input(ids.ACCOUNTS_EDITING, "data"), prevent_initial_call="initial_duplicate")(staff_options)
    app.callback(Output(ids.ACCOUNTS_NEW_MESSAGE, "children"), Output(ids.ACCOUNTS_REFRESH, "data"),
                 Input(ids.ACCOUNTS_CREATE, "n_clicks"),
                 State(ids.ACCOUNTS_NEW_USERNAME, "value"), State(ids.ACCOUNTS_NEW_NAME, "value"),
                 State(ids.ACCOUNTS_NEW_ROLE, "value"), State(ids.ACCOUNTS_NEW_STAFF, "value"),
                 State(ids.ACCOUNTS_NEW_METHOD, "value"), prevent_initial_call=True)(create)
    app.callback(Output(ids.ACCOUNTS_MODAL, "is_open"), Output(ids.ACCOUNTS_EDITING, "data"),
                 Output(ids.ACCOUNTS_EDIT_TITLE, "children"), Output(ids.ACCOUNTS_EDIT_SUMMARY, "children"),
                 Output(ids.ACCOUNTS_EDIT_NAME, "value"), Output(ids.ACCOUNTS_EDIT_ROLE, "value"),
                 Output(ids.ACCOUNTS_EDIT_STAFF, "value"), Output(ids.ACCOUNTS_TOGGLE_ACTIVE, "children"),
                 Output(ids.ACCOUNTS_EDIT_MESSAGE, "children"),
                 Input({"type": ids.ACCOUNTS_EDIT, "user": ALL}, "n_clicks"), prevent_initial_call=True)(open_edit)
    after = (Output(ids.ACCOUNTS_EDIT_MESSAGE, "children", allow_duplicate=True),
             Output(ids.ACCOUNTS_REFRESH, "data", allow_duplicate=True),
             Output(ids.ACCOUNTS_EDITING, "data", allow_duplicate=True),
             Output(ids.ACCOUNTS_EDIT_SUMMARY, "children", allow_duplicate=True),
             Output(ids.ACCOUNTS_TOGGLE_ACTIVE, "children", allow_duplicate=True))
    app.callback(*after, Input(ids.ACCOUNTS_SAVE, "n_clicks"), State(ids.ACCOUNTS_EDITING, "data"),
                 State(ids.ACCOUNTS_EDIT_NAME, "value"), State(ids.ACCOUNTS_EDIT_ROLE, "value"),
                 State(ids.ACCOUNTS_EDIT_STAFF, "value"), prevent_initial_call=True)(save_changes)
    app.callback(*after, Input(ids.ACCOUNTS_RESET, "n_clicks"), State(ids.ACCOUNTS_EDITING, "data"),
                 State(ids.ACCOUNTS_RESET_METHOD, "value"), prevent_initial_call=True)(reset)
    app.callback(*after, Input(ids.ACCOUNTS_TOGGLE_ACTIVE, "n_clicks"), State(ids.ACCOUNTS_EDITING, "data"),
                 prevent_initial_call=True)(toggle_active)
    app.callback(*after, Input(ids.ACCOUNTS_END_SESSIONS, "n_clicks"), State(ids.ACCOUNTS_EDITING, "data"),
                 prevent_initial_call=True)(end_sessions)
