"""Compliance page: period and filters, export links, the team roll-up, and one grid row per worker."""
from __future__ import annotations

from datetime import date, timedelta

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids

ALL = "all"  # dbc.Select keeps "" for its own placeholder
# (field, header, shown by default, extra column options)
GRID_COLUMNS: tuple[tuple[str, str, bool, dict[str, object]], ...] = (
    ("worker", "Worker", True, {"pinned": "left", "minWidth": 150, "cellStyle": {"fontWeight": "600"}}),
    ("worker_id", "Worker ID", False, {"filter": "agNumberColumnFilter", "flex": 0, "width": 88, "minWidth": 80}),
    ("program", "Program", False, {}),
    ("team", "Team", True, {"minWidth": 120}),
    ("supervisors", "Supervisors", True, {"minWidth": 120}),
    ("stage", "Stage", True, {"minWidth": 100}),
    ("period_start", "Period start", False, {"maxWidth": 130}),
    ("period_end", "Period end", False, {"maxWidth": 130}),
    ("required", "Sessions required", True, {"filter": "agNumberColumnFilter", "flex": 0, "width": 88, "minWidth": 80}),
    ("held", "Sessions held", True, {"filter": "agNumberColumnFilter", "flex": 0, "width": 88, "minWidth": 80}),
    ("minutes", "Minutes", True, {"filter": "agNumberColumnFilter", "flex": 0, "width": 88, "minWidth": 80}),
    ("minimum", "Minimum minutes", True, {"filter": "agNumberColumnFilter", "flex": 0, "width": 88, "minWidth": 80}),
    ("longest_gap", "Longest gap (days)", True, {"filter": "agNumberColumnFilter", "flex": 0, "width": 88, "minWidth": 80}),
    ("status", "Status", True, {"flex": 0, "width": 90, "minWidth": 80,
                                "cellClassRules": {"compliance-not-met": "params.value === 'not met'"}}),
    ("reasons", "Reasons", True, {"flex": 3, "minWidth": 200, "wrapText": True, "autoHeight": True,
                                  "cellStyle": {"lineHeight": "1.4", "paddingTop": "6px", "paddingBottom": "6px",
                                                "wordBreak": "normal"}}),
)


def last_full_quarter(today: date) -> tuple[date, date]:
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_quarter - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def column_defs(shown: list[str] | None) -> list[dict[str, object]]:
    chosen = set(shown) if shown is not None else {f for f, _, default, _ in GRID_COLUMNS if default}
    chosen.add("worker")
    return [{"field": field, "headerName": header, "hide": field not in chosen, **extra}
            for field, header, _, extra in GRID_COLUMNS]


def _select(label: str, id_: str, value: str | None, all_label: str) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=id_),
                    dbc.Select(id=id_, value=value or ALL, options=[{"label": all_label, "value": ALL}])], md=2)


def layout(start: str | None = None, end: str | None = None, program: str | None = None, team: str | None = None,
           supervisor: str | None = None, stage: str | None = None, **_: str) -> html.Div:
    """Filters start from the URL (?start=…&end=…&program=…); callbacks validate them."""
    default_start, default_end = last_full_quarter(date.today())
    return html.Div([
        html.H1("Compliance", className="page-title"),
        html.P(id=ids.COMPLIANCE_SCOPE_NOTE, className="page-lead"),
        dbc.Card(dbc.CardBody([dbc.Row([
            dbc.Col([dbc.Label("From", html_for=ids.COMPLIANCE_START),
                     dbc.Input(id=ids.COMPLIANCE_START, type="date", value=start or default_start.isoformat(),
                               debounce=True)], md=2),
            dbc.Col([dbc.Label("To", html_for=ids.COMPLIANCE_END),
                     dbc.Input(id=ids.COMPLIANCE_END, type="date", value=end or default_end.isoformat(),
                               debounce=True)], md=2),
            _select("Program", ids.COMPLIANCE_PROGRAM, program, "All programs"),
            _select("Team", ids.COMPLIANCE_TEAM, team, "All teams"),
            _select("Supervisor", ids.COMPLIANCE_SUPERVISOR, supervisor, "All supervisors"),
            _select("Stage", ids.COMPLIANCE_STAGE, stage, "All stages"),
        ], className="g-3"),
            html.Div([
                html.Span("Download: ", className="me-2 fw-semibold"),
                dbc.Button("CSV", id=ids.COMPLIANCE_CSV, href="#", external_link=True, color="primary",
                           outline=True, size="sm", className="me-2", download=""),
                dbc.Button("Excel", id=ids.COMPLIANCE_XLSX, href="#", external_link=True, color="primary",
                           outline=True, size="sm", className="me-2", download=""),
                dbc.Button("PDF", id=ids.COMPLIANCE_PDF, href="#", external_link=True, color="primary",
                           outline=True, size="sm", className="me-3", download=""),
                html.Small("Each file has a stable address: copy the link to refresh it from Excel or a BI tool. "
                           "Add by=month for one row per worker and month.", className="text-body-secondary"),
            ], className="mt-3 d-flex flex-wrap align-items-center"),
        ]), className="mb-3 shadow-sm"),
        html.Div(id=ids.COMPLIANCE_MESSAGE),
        dcc.Loading([
            html.P(id=ids.COMPLIANCE_SUMMARY, className="fw-semibold mb-2"),
            dbc.Card([dbc.CardHeader(html.H2("Team roll-up", className="h6 mb-0")),
                      dbc.CardBody(html.Div(id=ids.COMPLIANCE_ROLLUP), className="p-0")],
                     className="mb-3 shadow-sm"),
        ], type="dot"),
        dbc.Card([
            dbc.CardHeader([
                html.H2("Workers", className="h6 mb-0 d-inline me-3"),
                html.Details([html.Summary("Columns", className="small"),
                              dbc.Checklist(id=ids.COMPLIANCE_COLUMNS, inline=True, className="small mt-1",
                                            options=[{"label": h, "value": f} for f, h, _, _ in GRID_COLUMNS
                                                     if f != "worker"],
                                            value=[f for f, _, d, _ in GRID_COLUMNS if d and f != "worker"])],
                             className="d-inline-block"),
            ]),
            dbc.CardBody(dag.AgGrid(
                id=ids.COMPLIANCE_GRID, columnDefs=column_defs(None), rowData=[],
                defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True,
                               "flex": 1, "minWidth": 100, "wrapHeaderText": True, "autoHeaderHeight": True},
                dashGridOptions={"pagination": True, "paginationPageSize": 50,
                                 "paginationPageSizeSelector": [25, 50, 100, 500], "animateRows": False,
                                 "enableCellTextSelection": True, "ensureDomOrder": True},
                style={"height": "640px", "width": "100%"},
            ), className="p-2"),
        ], className="shadow-sm"),
        html.Div(id=ids.COMPLIANCE_URL_SYNC, hidden=True),
    ])
