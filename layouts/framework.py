"""Framework page: the active framework version, its principles and categories, the loaded versions; admins
activate a version (after confirming what changes) and load a file."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.select import select

MAX_FILE_BYTES = 512 * 1024  # as dashboard.framework_admin.MAX_FILE_BYTES (layouts do not import the core's logic)


def confirm_modal() -> dbc.Modal:
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Activate this version?", id=ids.FRAMEWORK_CONFIRM_TITLE)),
        dbc.ModalBody(html.Div(id=ids.FRAMEWORK_CONFIRM_TEXT)),
        dbc.ModalFooter([dbc.Button("Cancel", id=ids.FRAMEWORK_CANCEL, color="secondary", outline=True),
                         dbc.Button("Activate", id=ids.FRAMEWORK_CONFIRM, color="danger")]),
    ], id=ids.FRAMEWORK_CONFIRM_MODAL, is_open=False, size="lg", labelledby=ids.FRAMEWORK_CONFIRM_TITLE)


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Framework", className="page-title"),
        html.P("The competency framework every coverage number is counted against: its principles, its categories "
               "and which principles each category serves. Loading a file adds a new version; activating a version "
               "changes what every page counts. Every change is recorded in the audit log.", className="page-lead"),
        dcc.Store(id=ids.FRAMEWORK_VERSION, data=0),
        html.Div(id=ids.FRAMEWORK_MESSAGE, className="mb-3", role="status"),
        dbc.Card([dbc.CardHeader(html.H2("Active version", className="h6 mb-0")), dbc.CardBody([
            dcc.Loading(html.Div(id=ids.FRAMEWORK_ACTIVE), type="dot"),
            html.H3("Principles", className="h6 mt-3"),
            html.Div(id=ids.FRAMEWORK_PRINCIPLES),
            html.H3("Categories and their principles", className="h6 mt-3"),
            html.Div(id=ids.FRAMEWORK_CATEGORIES),
        ])], className="shadow-sm mb-3"),
        dbc.Card([dbc.CardHeader(html.H2("Loaded versions", className="h6 mb-0")), dbc.CardBody([
            html.Div(id=ids.FRAMEWORK_VERSIONS),
            html.Div([
                dbc.Row([
                    dbc.Col([dbc.Label("Version to activate", html_for=ids.FRAMEWORK_CHOICE),
                             select(id=ids.FRAMEWORK_CHOICE, options=[])], md=8),
                    dbc.Col(dbc.Button("Activate…", id=ids.FRAMEWORK_ACTIVATE, color="primary"), md=4,
                            className="d-flex align-items-end mt-2 mt-md-0"),
                ], className="g-2 mt-2"),
            ], id=ids.FRAMEWORK_ADMIN_TOOLS, hidden=True),
        ])], className="shadow-sm mb-3"),
        html.Div(dbc.Card([dbc.CardHeader(html.H2("Load a framework file", className="h6 mb-0")), dbc.CardBody([
            html.P(["A JSON file like seed_data/frameworks/samhsa-2015.json, with a name and version not loaded yet. "
                    "It is checked exactly as the command line's load-framework checks it; a file with a problem is "
                    "refused with its line and column (or what is missing) and nothing is written. A loaded file is "
                    "added as a new version that is not active until you activate it."],
                   className="small text-body-secondary"),
            html.Label(dcc.Upload(
                id=ids.FRAMEWORK_UPLOAD, max_size=MAX_FILE_BYTES, accept=".json,application/json", multiple=False,
                disable_click=True, className="import-drop",
                children=html.Div(["Drop a framework file here, or ",
                                   html.Span("choose a file", className="link-primary text-decoration-underline"),
                                   html.Small(" (UTF-8 JSON, at most 512 KB)", className="text-body-secondary")])),
                className="d-block mb-0"),
        ])], className="shadow-sm mb-3"), id=ids.FRAMEWORK_UPLOAD_CARD, hidden=True),
        html.Div(dbc.Card([dbc.CardHeader(html.H2("Edit the category → principle mapping", className="h6 mb-0")),
                           dbc.CardBody([
            html.P("SAMHSA publishes no mapping: this is the agency's. Saving keeps the active version as it is and "
                   "adds a copy with this mapping as a new version (same principles, categories and competencies), "
                   "not active until you activate it above. A competency counts towards its category's primary "
                   "principle. Ratings and session topics stay with the version they were recorded under: once the "
                   "new version is active, those recorded before no longer count in coverage.",
                   className="small text-body-secondary"),
            dcc.Store(id=ids.FRAMEWORK_MAPPING_SEEN, data=None),
            html.Div(id=ids.FRAMEWORK_MAPPING_FORM),
            dbc.Row(dbc.Col([dbc.Label("Name of the new version", html_for=ids.FRAMEWORK_MAPPING_VERSION),
                             dbc.Input(id=ids.FRAMEWORK_MAPPING_VERSION, type="text", maxLength=40)], md=6),
                    className="mt-2"),
            dbc.Button("Save as a new version", id=ids.FRAMEWORK_MAPPING_SAVE, color="primary", className="mt-3"),
            html.Div(id=ids.FRAMEWORK_MAPPING_MESSAGE, className="mt-3", role="status"),
        ])], className="shadow-sm mb-3"), id=ids.FRAMEWORK_MAPPING_CARD, hidden=True),
        confirm_modal(),
    ])
