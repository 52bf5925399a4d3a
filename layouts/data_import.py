"""Import page: choose a kind, get its template, upload a CSV, read the dry run, then import all or nothing."""
from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.importers import KINDS
from layouts import ids
from layouts.select import select

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DATE_ORDERS = (("iso", "YYYY-MM-DD only"), ("mdy", "Month/day/year (US Excel)"), ("dmy", "Day/month/year"))
ERROR_COLUMNS = [
    {"field": "row", "headerName": "Row", "width": 90, "sort": "asc"},
    {"field": "column", "headerName": "Column", "width": 170},
    {"field": "value", "headerName": "Value", "width": 220, "wrapText": True, "autoHeight": True},
    {"field": "message", "headerName": "What is wrong", "flex": 1, "wrapText": True, "autoHeight": True},
]
CHANGE_COLUMNS = [
    {"field": "row", "headerName": "Row", "width": 90},
    {"field": "action", "headerName": "Change", "width": 120},
    {"field": "entity", "headerName": "What", "width": 170},
    {"field": "summary", "headerName": "Details", "flex": 1, "wrapText": True, "autoHeight": True},
]


def grid(grid_id: str, columns: list[dict[str, object]]) -> dag.AgGrid:
    """A read-only grid (nothing is editable), sized for a few hundred rows."""
    return dag.AgGrid(id=grid_id, columnDefs=columns, rowData=[],
                      defaultColDef={"sortable": True, "resizable": True, "editable": False},
                      dashGridOptions={"domLayout": "normal", "pagination": True, "paginationPageSize": 50,
                                       "localeText": {"noRowsToShow": "Nothing to show."}},
                      style={"height": "420px"})


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Import", className="page-title"),
        html.P("Add programs and teams, staff, team moves, certification stages, leave of absence, supervision "
               "sessions or ratings from a CSV file. "
               "Every file is checked first and nothing is written until you import it; a file with any "
               "problem is refused as a whole.", className="page-lead"),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col([dbc.Label("What the file holds", html_for=ids.IMPORT_KIND),
                         select(id=ids.IMPORT_KIND, value="teams",
                                options=[{"label": k.label, "value": k.key} for k in KINDS.values()])], md=4),
                dbc.Col([dbc.Label("Dates like 03/04/2026 mean", html_for=ids.IMPORT_DATE_ORDER),
                         select(id=ids.IMPORT_DATE_ORDER, value="iso",
                                options=[{"label": label, "value": v} for v, label in DATE_ORDERS])], md=4),
                dbc.Col(html.Div(html.A("Download the template", id=ids.IMPORT_TEMPLATE,
                                        href="/export/templates/teams.csv", className="btn btn-outline-primary"),
                                 className="mt-md-4 pt-md-2"), md=4),
            ], className="g-3"),
            html.Details([html.Summary("Columns of this file"), html.Div(id=ids.IMPORT_COLUMNS, className="mt-2")],
                         className="mt-3", open=True),
        ]), className="mb-3 shadow-sm"),
        # The label names the upload's file input for screen readers and opens the file dialog on click;
        # the drop zone's own click handler is off so that one click opens one dialog.
        html.Label(dcc.Upload(
            id=ids.IMPORT_UPLOAD, max_size=MAX_UPLOAD_BYTES, accept=".csv,text/csv", multiple=False,
            disable_click=True, className="import-drop",
            children=html.Div(["Drop a CSV file here, or ",
                               html.Span("choose a file", className="link-primary text-decoration-underline"),
                               html.Small(" (UTF-8 CSV, at most 20 MB)", className="text-body-secondary")])),
            className="d-block mb-3"),
        dcc.Loading(html.Div(id=ids.IMPORT_SUMMARY, **{"aria-live": "polite"}), type="dot"),
        dbc.Button("Import", id=ids.IMPORT_COMMIT, color="primary", disabled=True, className="mb-3"),
        dcc.Loading(html.Div(id=ids.IMPORT_RESULT, **{"aria-live": "polite"}), type="dot"),
        html.H2("Problems", className="h5 mt-2"),
        grid(ids.IMPORT_ERRORS, ERROR_COLUMNS),
        html.H2("What would change", className="h5 mt-4"),
        html.P("Rows that are already recorded are counted above but not listed.",
               className="small text-body-secondary"),
        grid(ids.IMPORT_CHANGES, CHANGE_COLUMNS),
    ])
