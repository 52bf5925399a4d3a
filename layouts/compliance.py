"""Compliance page: period and filters, export links, the team roll-up, and one grid row per worker."""
from __future__ import annotations

from datetime import date, timedelta

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.dates import grid_display
from dashboard.exports import FORMATS
from layouts import ids
from layouts.fields import date_field
from layouts.ids import ALL
from layouts.select import select

# (field, header, shown by default, extra column options); GROUPS puts a header over some of them.
NUMBER = {"filter": "agNumberColumnFilter", "flex": 0, "width": 92, "minWidth": 84}
# Names wrap onto a second line rather than end in "…" where the reasons column takes the room (1,440 px).
WRAP_STYLE = {"lineHeight": "1.4", "paddingTop": "6px", "paddingBottom": "6px", "wordBreak": "normal"}
WRAP = {"wrapText": True, "autoHeight": True, "cellStyle": WRAP_STYLE}
GRID_COLUMNS: tuple[tuple[str, str, bool, dict[str, object]], ...] = (
    ("worker", "Worker", True, {**WRAP, "minWidth": 150, "cellStyle": {**WRAP_STYLE, "fontWeight": "600"}}),
    ("worker_id", "Worker ID", False, NUMBER),
    ("program", "Program", False, {}),
    ("team", "Team", True, {**WRAP, "minWidth": 120}),
    ("supervisors", "Supervisors", True, {**WRAP, "minWidth": 120}),
    ("stage", "Stage", True, {**WRAP, "minWidth": 100}),
    ("period_start", "Period start", False, {"maxWidth": 130, **grid_display("period_start")}),
    ("period_end", "Period end", False, {"maxWidth": 130, **grid_display("period_end")}),
    ("required", "Required", True, {**NUMBER, "headerTooltip": "Individual sessions required: one per whole "
                                                               "max-days interval of the period"}),
    ("held", "Held", True, {**NUMBER, "headerTooltip": "Individual sessions held in the period"}),
    ("minutes", "Counted", True, {**NUMBER, "headerTooltip": "Minutes counted toward the minimum"}),
    ("minimum", "Minimum", True, {**NUMBER, "headerTooltip": "Minimum minutes of the full months judged"}),
    ("longest_gap", "Longest gap", True, {**NUMBER, "headerTooltip": "Longest gap between individual sessions, "
                                                                     "in days"}),
    ("leave", "On leave", False, {**NUMBER, "headerTooltip": "Days of the period on leave: left out of the gaps, "
                                                             "the minimum and the sessions required"}),
    ("status", "Status", True, {"flex": 0, "width": 90, "minWidth": 80,
                                "cellClassRules": {"compliance-not-met": "params.value === 'not met'"}}),
    ("reasons", "Reasons", True, {**WRAP, "flex": 3, "minWidth": 200}),
)
GROUPS = {"required": "Individual sessions", "held": "Individual sessions", "minutes": "Minutes",
          "minimum": "Minutes"}
# The column choice names each column in full.
COLUMN_LABELS = {"required": "Sessions required", "held": "Sessions held", "minutes": "Minutes counted",
                 "minimum": "Minimum minutes", "longest_gap": "Longest gap (days)", "leave": "Days on leave"}


NO_WORKERS = "No workers in this period and these filters."
ROLLUP_COLUMNS: list[dict[str, object]] = [
    {"field": "team", "headerName": "Team", "flex": 2, "minWidth": 180},
    {"field": "program", "headerName": "Program", "flex": 2, "minWidth": 180},
    *({"field": field, "headerName": name, "type": "numericColumn", "filter": "agNumberColumnFilter"}
      for field, name in (("workers", "Workers"), ("met", "Met"), ("not_met", "Not met"))),
    {"field": "share_met", "headerName": "Share met", "type": "numericColumn", "filter": "agNumberColumnFilter",
     "valueFormatter": {"function": "params.data.share_label"}},
]


def last_full_quarter(today: date) -> tuple[date, date]:
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_quarter - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def column_defs(shown: list[str] | None) -> list[dict[str, object]]:
    chosen = set(shown) if shown is not None else {f for f, _, default, _ in GRID_COLUMNS if default}
    chosen.add("worker")
    result: list[dict[str, object]] = []
    for field, header, _, extra in GRID_COLUMNS:
        column = {"field": field, "headerName": header, "hide": field not in chosen, **extra}
        group = GROUPS.get(field)
        if group is None:
            result.append(column)
        elif result and result[-1].get("headerName") == group and "children" in result[-1]:
            result[-1]["children"].append(column)  # type: ignore[attr-defined]
        else:
            result.append({"headerName": group, "children": [column]})
    return result


def export_buttons() -> list[dbc.Button]:
    """One download button per export format; a callback sets their addresses."""
    return [dbc.Button(export_format.label, id=ids.compliance_export(export_format.extension), href="#",
                       external_link=True, color="primary", outline=True, size="sm",
                       className="me-3" if export_format is FORMATS[-1] else "me-2", download="")
            for export_format in FORMATS]


def _select(label: str, id_: str, value: str | None, all_label: str) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=id_),
                    select(id=id_, value=value or ALL, options=[{"label": all_label, "value": ALL}])], md=2)


def layout(start: str | None = None, end: str | None = None, program: str | None = None, team: str | None = None,
           supervisor: str | None = None, stage: str | None = None, **_: str) -> html.Div:
    """Filters start from the URL (?start=…&end=…&program=…); callbacks validate them."""
    default_start, default_end = last_full_quarter(date.today())
    return html.Div([
        html.H1("Compliance", className="page-title"),
        html.P(id=ids.COMPLIANCE_SCOPE_NOTE, className="page-lead mb-1"),
        html.P(html.A("What meeting the standard means", href="/help#meeting-the-standard", className="small"),
               className="mb-3"),
        dbc.Card(dbc.CardBody([dbc.Row([
            dbc.Col(date_field(ids.COMPLIANCE_START, "From", start or default_start), md=2),
            dbc.Col(date_field(ids.COMPLIANCE_END, "To", end or default_end), md=2),
            _select("Program", ids.COMPLIANCE_PROGRAM, program, "All programs"),
            _select("Team", ids.COMPLIANCE_TEAM, team, "All teams"),
            _select("Supervisor", ids.COMPLIANCE_SUPERVISOR, supervisor, "All supervisors"),
            _select("Stage", ids.COMPLIANCE_STAGE, stage, "All stages"),
        ], className="g-3"),
            html.Div([
                html.Span("Download: ", className="me-2 fw-semibold"),
                *export_buttons(),
                html.Small("Each file has a stable address: copy the link to refresh it from Excel or a BI tool. "
                           "Add by=month for one row per worker and month.", className="text-body-secondary"),
            ], className="mt-3 d-flex flex-wrap align-items-center"),
        ]), className="mb-3 shadow-sm"),
        html.Div(id=ids.COMPLIANCE_MESSAGE),
        dcc.Loading([
            html.P(id=ids.COMPLIANCE_SUMMARY, className="fw-semibold mb-2"),
            dbc.Card([dbc.CardHeader(html.H2("Team roll-up", className="h6 mb-0")),
                      # A grid, not a table: an agency has hundreds of teams, to sort by share met or filter.
                      dbc.CardBody(dag.AgGrid(
                          id=ids.COMPLIANCE_ROLLUP, columnDefs=ROLLUP_COLUMNS, rowData=[],
                          defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1,
                                         "minWidth": 100},
                          # As tall as its rows, 20 a page: no team is cut off at the grid's edge.
                          dashGridOptions={"animateRows": False, "enableCellTextSelection": True,
                                           "ensureDomOrder": True, "rowHeight": 32, "domLayout": "autoHeight",
                                           "pagination": True, "paginationPageSize": 20,
                                           "paginationPageSizeSelector": [20, 50, 100],
                                           "localeText": {"noRowsToShow": NO_WORKERS}},
                          style={"width": "100%", "height": None}), className="p-2")],
                     className="mb-3 shadow-sm"),
        ], type="dot"),
        dbc.Card([
            dbc.CardHeader([
                html.H2("Workers", className="h6 mb-0 d-inline me-3"),
                html.Details([html.Summary("Columns", className="small"),
                              dbc.Checklist(id=ids.COMPLIANCE_COLUMNS, inline=True, className="small mt-1",
                                            options=[{"label": COLUMN_LABELS.get(f, h), "value": f}
                                                     for f, h, _, _ in GRID_COLUMNS if f != "worker"],
                                            value=[f for f, _, d, _ in GRID_COLUMNS if d and f != "worker"])],
                             className="d-inline-block"),
            ]),
            dbc.CardBody(dag.AgGrid(
                id=ids.COMPLIANCE_GRID, columnDefs=column_defs(None), rowData=[],
                defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True,
                               "flex": 1, "minWidth": 100, "wrapHeaderText": True, "autoHeaderHeight": True},
                dashGridOptions={"pagination": True, "paginationPageSize": 50,
                                 "paginationPageSizeSelector": [25, 50, 100, 500], "animateRows": False,
                                 "enableCellTextSelection": True, "ensureDomOrder": True,
                                 "localeText": {"noRowsToShow": NO_WORKERS}},
                style={"height": "640px", "width": "100%"},
            ), className="p-2"),
        ], className="shadow-sm"),
        html.Div(id=ids.COMPLIANCE_URL_SYNC, hidden=True),
    ])
