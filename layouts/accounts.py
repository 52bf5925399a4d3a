"""Accounts page (admin): find accounts, create one with its role and first password, edit, deactivate, reset."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from models.vocabulary import Role, labels
from layouts.select import select

EVERY = "all"
ROLE_OPTIONS = [{"label": label, "value": value} for value, label in labels(Role).items()]
STATUS_OPTIONS = [{"label": "Any status", "value": EVERY}, {"label": "Active", "value": "active"},
                  {"label": "Waiting for a password", "value": "pending"},
                  {"label": "Deactivated", "value": "inactive"}]
# The same words as dashboard.accounts.SETUP_METHODS (layouts never import the core; a unit test compares them).
METHOD_OPTIONS = [{"label": "One-time setup link (valid 72 hours)", "value": "link"},
                  {"label": "Temporary password (to be changed at first sign-in)", "value": "password"}]


def _field(label: str, control: object, control_id: str, hint: str | None = None, **col: object) -> html.Div:
    return html.Div([dbc.Label(label, html_for=control_id), control,
                     dbc.FormText(hint) if hint else None], className="mb-3", **col)  # type: ignore[arg-type]


def _staff_group(group_id: str, select_id: str) -> html.Div:
    return html.Div(_field("Staff record", select(id=select_id, options=[], placeholder="Choose…"), select_id,
                           "The person this account acts for: only supervisors and peer workers have one."),
                    id=group_id, hidden=True)


def edit_modal() -> dbc.Modal:
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Account", id=ids.ACCOUNTS_EDIT_TITLE)),
        dbc.ModalBody([
            html.Div(id=ids.ACCOUNTS_EDIT_SUMMARY, className="mb-3"),
            html.H2("Name and role", className="h6"),
            _field("Name", dbc.Input(id=ids.ACCOUNTS_EDIT_NAME, maxLength=120), ids.ACCOUNTS_EDIT_NAME),
            _field("Role", select(id=ids.ACCOUNTS_EDIT_ROLE, options=ROLE_OPTIONS), ids.ACCOUNTS_EDIT_ROLE),
            _staff_group(ids.ACCOUNTS_EDIT_STAFF_GROUP, ids.ACCOUNTS_EDIT_STAFF),
            dbc.Button("Save name and role", id=ids.ACCOUNTS_SAVE, color="primary", className="mb-4"),
            html.H2("Password", className="h6 border-top pt-3"),
            html.Fieldset([html.Legend("Give the person", className="form-label fs-6"),
                           dbc.RadioItems(id=ids.ACCOUNTS_RESET_METHOD, options=METHOD_OPTIONS, value="link")],
                          className="mb-2"),
            dbc.Button("Reset password", id=ids.ACCOUNTS_RESET, color="warning", className="mb-4"),
            html.H2("Access", className="h6 border-top pt-3"),
            html.P("Signing out everywhere ends the account's open sessions (a lost phone, a shared computer); "
                   "the person can sign in again. A deactivated account cannot sign in; its open sessions end at "
                   "once.", className="small"),
            dbc.Button("Sign out everywhere", id=ids.ACCOUNTS_END_SESSIONS, color="secondary", outline=True,
                       className="me-2"),
            dbc.Button("Deactivate", id=ids.ACCOUNTS_TOGGLE_ACTIVE, color="danger", outline=True),
            html.Div(id=ids.ACCOUNTS_EDIT_MESSAGE, className="mt-3", role="status"),
        ]),
    ], id=ids.ACCOUNTS_MODAL, is_open=False, size="lg", scrollable=True, labelledby=ids.ACCOUNTS_EDIT_TITLE)


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Accounts", className="page-title"),
        html.P("Who may sign in, with which role. A new account gets a one-time setup link or a temporary password: "
               "either way the person chooses their own password before they see anything else. Every change is "
               "recorded in the audit log, never with a password. Choose a username to change its name or role, "
               "reset its password, sign it out everywhere, or deactivate it.", className="page-lead"),
        dcc.Store(id=ids.ACCOUNTS_REFRESH, data=0),
        dcc.Store(id=ids.ACCOUNTS_EDITING, data=None),
        dbc.Row([
            dbc.Col(dbc.Card([
                dbc.CardHeader(html.H2("Accounts", className="h6 mb-0")),
                dbc.CardBody([
                    dbc.Row([
                        dbc.Col(_field("Search", dbc.Input(id=ids.ACCOUNTS_SEARCH, type="search", debounce=True,
                                                           placeholder="username or name"), ids.ACCOUNTS_SEARCH),
                                md=6),
                        dbc.Col(_field("Role", select(id=ids.ACCOUNTS_ROLE, value=EVERY,
                                                      options=[{"label": "Any role", "value": EVERY},
                                                               *ROLE_OPTIONS]), ids.ACCOUNTS_ROLE), md=3),
                        dbc.Col(_field("Status", select(id=ids.ACCOUNTS_STATUS, value=EVERY,
                                                        options=STATUS_OPTIONS), ids.ACCOUNTS_STATUS), md=3),
                    ], className="g-2"),
                    html.P(id=ids.ACCOUNTS_COUNT, className="small text-body-secondary", **{"aria-live": "polite"}),
                    dcc.Loading(html.Div(id=ids.ACCOUNTS_TABLE), type="dot"),
                ]),
            ], className="shadow-sm"), lg=8, className="mb-3"),
            dbc.Col(dbc.Card([
                dbc.CardHeader(html.H2("New account", className="h6 mb-0")),
                dbc.CardBody([
                    _field("Username", dbc.Input(id=ids.ACCOUNTS_NEW_USERNAME, maxLength=80, autocomplete="off"),
                           ids.ACCOUNTS_NEW_USERNAME, "Letters, digits and . _ - @; how the person signs in."),
                    _field("Role", select(id=ids.ACCOUNTS_NEW_ROLE, options=ROLE_OPTIONS), ids.ACCOUNTS_NEW_ROLE),
                    _staff_group(ids.ACCOUNTS_NEW_STAFF_GROUP, ids.ACCOUNTS_NEW_STAFF),
                    _field("Name", dbc.Input(id=ids.ACCOUNTS_NEW_NAME, maxLength=120), ids.ACCOUNTS_NEW_NAME,
                           "Shown in the app; left empty, the staff record's name (or the username)."),
                    html.Fieldset([html.Legend("First password", className="form-label fs-6"),
                                   dbc.RadioItems(id=ids.ACCOUNTS_NEW_METHOD, options=METHOD_OPTIONS, value="link")],
                                  className="mb-3"),
                    dbc.Button("Create account", id=ids.ACCOUNTS_CREATE, color="primary"),
                    html.Div(id=ids.ACCOUNTS_NEW_MESSAGE, className="mt-3", role="status"),
                ]),
            ], className="shadow-sm"), lg=4, className="mb-3"),
        ], className="g-3"),
        edit_modal(),
    ])
