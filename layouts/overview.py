"""Overview page: filters, KPI cards, the team × principle heatmap, frequency, trend, signals, drill-down."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.numbers import is_digits
from layouts import ids
from layouts.fields import date_field
from layouts.ids import ALL
from layouts.workspace import ONE_TAB_STOP
from layouts.select import select

WINDOW_PRESETS = (("30", "Last 30 days"), ("90", "Last 90 days"), ("180", "Last 180 days"),
                  ("365", "Last 365 days"), ("custom", "Custom range"))
DEFAULT_WINDOW = "90"
MODES = (("proficiency", "Proficiency"), ("discussed", "Discussed in supervision"))


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer the viewer (from the query layer, by callbacks.overview.choices), and which of the
    teams the URL chose stand."""

    note: str
    programs: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    kept: list[int]
    summary: str


SIGNAL_FLAG = "text-danger fw-semibold"
GRID_ROWS_AT_FULL_HEIGHT = 12  # more rows than this scroll inside the grid, which then draws only those in view


def signals_grid(rows: list[dict[str, Any]], fte_limit: float, note: str = "") -> html.Div:
    """One row per team: supervision mix, peer-credentialed supervision, FTE per supervisor, single points.

    A grid, one component, rather than an HTML table of Dash components: at agency scale (250 teams, a hundred or
    more flagged) the table's ~600 components cost the browser ~2.8 s of main-thread work as the page filled
    (Lighthouse's total blocking time 5.7 s -> 2.9 s without it); the grid also sorts and draws only the rows in
    view."""
    if not rows:
        return dbc.Alert(note or "No team in view.", color="secondary", className="mb-0")
    columns = [
        {"field": "team", "headerName": "Team", "pinned": "left", "width": 150, "flex": 0, "wrapText": True,
         "autoHeight": True},  # pinned: on a phone the team stays in view as the row scrolls sideways
        {"field": "admin_share", "headerName": "Administrative share of supervision", "minWidth": 120,
         "cellClassRules": {SIGNAL_FLAG: "params.data.admin_flag"}},
        {"field": "credential_share", "headerName": "Workers with a peer-credentialed supervisor", "minWidth": 120},
        {"field": "fte", "headerName": f"Peer FTE per supervisor (limit {fte_limit:g})", "minWidth": 110,
         "cellClassRules": {SIGNAL_FLAG: "params.data.fte_flag"}},
        {"field": "single_points", "headerName": "Principles held by at most one worker", "minWidth": 160,
         "wrapText": True, "autoHeight": True},
    ]
    full = len(rows) <= GRID_ROWS_AT_FULL_HEIGHT
    return html.Div([
        html.P(note, className="small mb-1") if note else None,
        dag.AgGrid(id=ids.OVERVIEW_SIGNALS_GRID, columnDefs=columns,
                   rowData=[r | {"single_points": r["single_points"] or "none"} for r in rows],
                   defaultColDef={"sortable": True, "resizable": True, "flex": 1, "wrapHeaderText": True,
                                  "autoHeaderHeight": True},
                   dashGridOptions={"domLayout": "autoHeight" if full else "normal"} | ONE_TAB_STOP,
                   style={} if full else {"height": "420px"}, className="ag-theme-quartz small mb-1"),
        html.P("Red: administrative supervision above half of the minutes (a sign of peer drift), or a supervisor "
               "over the FTE limit.", className="small text-body-secondary mb-0"),
    ])


def _chart(graph_id: str, height: int, className: str = "") -> html.Div:
    """A chart in a box of its height from the start: Plotly's code arrives after the page, and a box that grew
    only then pushed the panels below it down as people began to read (Lighthouse: layout shift 0.07)."""
    return html.Div(dcc.Graph(id=graph_id, config={"displayModeBar": False}, style={"height": f"{height}px"}),
                    style={"minHeight": f"{height}px"}, className=className)


def _panel(title: str, body: object, help_text: str = "", entry: str = "") -> dbc.Card:
    """A panel; `entry` links its title to the Help page's definition of what it shows."""
    header: list[object] = [html.H2(title, className="h6 mb-0 d-inline")]
    if entry:
        header.append(html.A("What this means", href=f"/help#{entry}", className="small ms-2 help-link",
                             # The name starts with the visible words (WCAG 2.5.3, label in name) and says which panel.
                             **{"aria-label": f"What this means: {title}"}))
    if help_text:
        header.append(html.Small(help_text, className="text-body-secondary d-block"))
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(dcc.Loading(body, type="dot"))],
                    className="shadow-sm h-100")


def layout(window: str | None = None, start: str | None = None, end: str | None = None,
           program: str | None = None, teams: str | None = None, mode: str | None = None,
           choices: FilterChoices | None = None, **_: str) -> html.Div:
    """Filters start from the URL (?window=…&program=…&teams=1,2&mode=…); callbacks validate them. `choices` fills
    the program and team lists (without it they stay empty)."""
    preset = window if window in dict(WINDOW_PRESETS) else DEFAULT_WINDOW
    team_values = choices.kept if choices else [int(t) for t in (teams or "").split(",") if is_digits(t)]
    return html.Div([
        html.H1("Overview", className="page-title"),
        html.P(choices.note if choices else "", id=ids.OVERVIEW_SCOPE_NOTE, className="page-lead"),
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label("Window", html_for=ids.OVERVIEW_WINDOW),
                     select(id=ids.OVERVIEW_WINDOW, value=preset,
                            options=[{"label": label, "value": v} for v, label in WINDOW_PRESETS])],
                    md=4, lg=3, xl=2),  # "Last 365 days" whole from 390 to 1440 px (md=2 cut it at 780)
            # Text fields in the agency's format (layouts.fields): Dash 4's range picker carries ARIA attributes
            # its element may not have (axe: aria-allowed-attr, critical) and a calendar a keyboard cannot use.
            dbc.Col(html.Div(dbc.Row([
                dbc.Col(date_field(ids.OVERVIEW_CUSTOM_START, "From", start)),
                dbc.Col(date_field(ids.OVERVIEW_CUSTOM_END, "To", end)),
            ], className="g-2"), id=ids.OVERVIEW_CUSTOM_WRAP, hidden=preset != "custom"), md=8, lg=3),
            dbc.Col([dbc.Label("Program", html_for=ids.OVERVIEW_PROGRAM),
                     select(id=ids.OVERVIEW_PROGRAM, value=program if is_digits(program or "") else ALL,
                            options=choices.programs if choices else [{"label": "All programs", "value": ALL}])],
                    md=4, lg=3),
            dbc.Col(html.Details([
                html.Summary(choices.summary if choices else "Teams", id=ids.OVERVIEW_TEAMS_SUMMARY,
                             className="form-label"),
                # Native checkboxes: Dash 4's dropdown is not reachable by keyboard or screen reader.
                dbc.Checklist(id=ids.OVERVIEW_TEAMS, value=team_values, options=choices.teams if choices else [],
                              className="overview-team-list small"),
            ], open=bool(team_values)), md=8, lg=3, xl=4),
        ], className="g-3")), className="mb-3 shadow-sm filters-card"),
        dcc.Loading(html.Div(id=ids.OVERVIEW_KPIS), type="dot"),
        dbc.Row([
            dbc.Col(_panel("Principle coverage by team", html.Div([
                dbc.RadioItems(id=ids.OVERVIEW_MODE, inline=True, className="mb-2",
                               value=mode if mode in dict(MODES) else "proficiency",
                               options=[{"label": label, "value": v} for v, label in MODES]),
                html.Div(id=ids.OVERVIEW_HEATMAP_EMPTY),
                dcc.Store(id=ids.OVERVIEW_HEATMAP_KEYS), dcc.Store(id=ids.OVERVIEW_HEATMAP_CHOSEN),
                # On a phone the chart's labels cannot be read: the table opens first and the chart is not drawn.
                _chart(ids.OVERVIEW_HEATMAP, 460, className="heatmap-chart"),
                # The table is drawn once asked for (opened, or on a phone): drawn closed, its ~220 components were
                # more than half the page's, and the browser worked through them again at every window change.
                html.Details([html.Summary("Show as a table", id=ids.OVERVIEW_HEATMAP_SUMMARY),
                              html.Div(id=ids.OVERVIEW_HEATMAP_TABLE)],
                             className="mt-2", id=ids.OVERVIEW_HEATMAP_DETAILS),
                dcc.Store(id=ids.OVERVIEW_HEATMAP_TABLE_WANTED, data=False),
            ]), "Click a cell, or open the table and press a cell's button, for the principle's competencies and the "
                "guides that help.", "principle-coverage"), lg=7),
            dbc.Col(_panel("Supervision frequency against the standard",
                           _chart(ids.OVERVIEW_FREQUENCY, 520), entry="supervision-frequency"), lg=5),
        ], className="g-3 my-1"),
        dbc.Row([
            dbc.Col(_panel("Monthly trend", html.Div([_chart(ids.OVERVIEW_TREND, 320),
                                                      dcc.Store(id=ids.OVERVIEW_TREND_DRAWN)]),
                           "Coverage (proficient share) on each month's last day and the share of workers meeting "
                           "the standard in each month: the 12 whole calendar months up to the window's end. The "
                           "month to date is left out.", "monthly-trend"), lg=5),
            dbc.Col(_panel("Early-warning signals", html.Div(id=ids.OVERVIEW_SIGNALS), entry="early-warning-signals"),
                    lg=7),
        ], className="g-3 my-1"),
        # A dialog named by its title; Escape closes it and focus goes back to the cell that opened it.
        dbc.Offcanvas(dcc.Loading(html.Div(id=ids.OVERVIEW_DRILLDOWN_BODY), type="dot"),
                      id=ids.OVERVIEW_DRILLDOWN, title=html.Span("Details", id=ids.OVERVIEW_DRILLDOWN_TITLE),
                      labelledby=ids.OVERVIEW_DRILLDOWN_TITLE, keyboard=True, placement="end", is_open=False,
                      style={"width": "min(720px, 100vw)"}),
        html.Div(id=ids.OVERVIEW_URL_SYNC, hidden=True),
    ])
