"""Guides page (admin): add a resource guide, edit one, or retire it; the list shows the guides in use."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.select import select


def _field(control: object, control_id: str, label: str, md: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control_id), control], md=md)


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Guides", className="page-title"),
        html.P("The resource guides every role sees on the Resources page and in the suggestions for a worker or a "
               "gap. A retired guide is shown nowhere but kept; every change is recorded in the audit log.",
               className="page-lead"),
        dcc.Store(id=ids.GUIDES_VERSION, data=0),
        dcc.Store(id=ids.GUIDES_SEEN, data=None),
        dbc.Card([dbc.CardHeader(html.H2("Add or edit a guide", className="h6 mb-0")), dbc.CardBody([
            dbc.Row(_field(select(id=ids.GUIDES_CHOICE, value="new", options=[]), ids.GUIDES_CHOICE, "Guide"),
                    className="mb-3"),
            dbc.Row([
                _field(dbc.Input(id=ids.GUIDES_TITLE, type="text", maxLength=300), ids.GUIDES_TITLE, "Title", 12),
                _field(dbc.Input(id=ids.GUIDES_PUBLISHER, type="text", maxLength=300), ids.GUIDES_PUBLISHER,
                       "Publisher", 8),
                _field(dbc.Input(id=ids.GUIDES_YEAR, type="number", min=1900, max=2100, step=1), ids.GUIDES_YEAR,
                       "Year (optional)", 4),
                _field(dbc.Input(id=ids.GUIDES_URL, type="url", maxLength=500, placeholder="https://"),
                       ids.GUIDES_URL, "Address (http:// or https://)", 12),
                _field(dbc.Textarea(id=ids.GUIDES_SUMMARY, rows=3, maxLength=4000), ids.GUIDES_SUMMARY,
                       "Summary (optional)", 12),
                dbc.Col(html.Fieldset([html.Legend("Competency categories", className="form-label fs-6"),
                                       dbc.Checklist(id=ids.GUIDES_CATEGORIES, options=[], value=[])]), md=7),
                dbc.Col(html.Fieldset([html.Legend("Principles", className="form-label fs-6"),
                                       dbc.Checklist(id=ids.GUIDES_PRINCIPLES, options=[], value=[])]), md=5),
            ], className="g-3"),
            html.Div([dbc.Button("Save guide", id=ids.GUIDES_SAVE, color="primary", className="me-2"),
                      dbc.Button("Retire guide", id=ids.GUIDES_RETIRE, color="danger", outline=True)],
                     className="mt-3"),
            html.Div(id=ids.GUIDES_MESSAGE, className="mt-3", role="status"),
        ])], className="shadow-sm mb-4"),
        html.H2("Guides in use", className="h4"),
        dcc.Loading(html.Div(id=ids.GUIDES_LIST), type="default"),
    ])
