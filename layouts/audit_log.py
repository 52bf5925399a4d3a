"""Audit log page: who changed or exported what, when, with each changed field before and after; read-only."""
from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from dashboard.dates import grid_column
from layouts import ids
from layouts.fields import date_field
from layouts.ids import ALL
from layouts.select import select

COLUMNS = [
    grid_column("occurred_at", "When (UTC)", width=180, sort="desc"),
    {"field": "username", "headerName": "Who", "width": 130},
    {"field": "action", "headerName": "Action", "width": 110},
    {"field": "entity", "headerName": "Entity", "width": 170},
    {"field": "entity_id", "headerName": "Id", "width": 80},
    {"field": "changes", "headerName": "Changes (field: before → after)", "flex": 2, "minWidth": 260, "wrapText": True,
     "autoHeight": True, "cellStyle": {"whiteSpace": "pre-line", "lineHeight": "1.4"}},
    {"field": "address", "headerName": "Address", "width": 120},
]


def _select(label: str, component_id: str, everything: str) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component_id),
                    select(id=component_id, value=ALL, options=[{"label": everything, "value": ALL}])], md=6, lg=2)


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Audit log", className="page-title"),
        html.P("Every change and export, with who made it and the values before and after. Events cannot be "
               "edited or deleted, here or in the database.", className="page-lead"),
        dbc.Card(dbc.CardBody(dbc.Row([
            _select("Person", ids.AUDIT_PERSON, "Everyone"),
            _select("Entity", ids.AUDIT_ENTITY, "All entities"),
            _select("Action", ids.AUDIT_ACTION, "All actions"),
            dbc.Col(date_field(ids.AUDIT_FROM, "From (UTC day)"), md=6, lg=2),
            dbc.Col(date_field(ids.AUDIT_TO, "To (UTC day)"), md=6, lg=2),
        ], className="g-3")), className="mb-3 shadow-sm"),
        html.P(id=ids.AUDIT_COUNT, className="small text-body-secondary", **{"aria-live": "polite"}),
        html.Section(id=ids.AUDIT_DETAIL, className="mb-3", **{"aria-live": "polite", "aria-label": "Chosen event"}),
        dag.AgGrid(id=ids.AUDIT_GRID, columnDefs=COLUMNS, rowData=[],
                   defaultColDef={"sortable": True, "resizable": True, "editable": False},
                   dashGridOptions={"pagination": True, "paginationPageSize": 100,
                                    "rowSelection": {"mode": "singleRow", "checkboxes": False,
                                                     "enableClickSelection": True},
                                    "localeText": {"noRowsToShow": "No events match these filters."}},
                   style={"height": "640px"}),
    ])
