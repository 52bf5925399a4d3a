"""My team (a supervisor's roster, worker profiles, session and rating forms) and My record (a peer worker's own)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.dates import grid_column
from dashboard.numbers import is_digits
from dashboard.recording import FORMAT_LABELS, KIND_LABELS, MAX_MINUTES, MIN_MINUTES, MODALITY_LABELS
from layouts import ids
from layouts.fields import date_field
from layouts.ids import ALL
from layouts.signoff import acknowledge_dialog, amendment_reason_field, sign_dialog
from models.vocabulary import DueStatus, Modality, SessionFormat, SessionKind, labels
from layouts.select import select

STATUS_LABELS = labels(DueStatus)
NOT_DISCUSSED_CHOICES = (3, 5, 10)


def _options(labels: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in labels.items()]


ROSTER_COLUMNS = [
    # A fixed width: fitted with the others, the pinned column was drawn at 200 px and then narrowed, moving the
    # whole grid sideways as the page settled (Lighthouse's layout shift 0.11).
    {"field": "worker", "headerName": "Worker", "pinned": "left", "width": 180, "flex": 0, "suppressSizeToFit": True,
     "cellRenderer": "WorkerLink"},
    # Wrapped, not cut to "Initially cer…" (the row grows to fit).
    {"field": "team", "headerName": "Team", "minWidth": 140, "wrapText": True, "autoHeight": True},
    {"field": "stage", "headerName": "Stage", "minWidth": 115, "wrapText": True, "autoHeight": True},
    {"field": "status_label", "headerName": "Status", "minWidth": 215, "tooltipField": "status_label",
     "cellClassRules": {"status-overdue": "params.data.status === 'overdue'",
                        "status-due-soon": "params.data.status === 'due_soon'",
                        "status-on-track": "params.data.status === 'on_track'",
                        "status-on-leave": "params.data.status === 'on_leave'"}},
    grid_column("last_individual", "Last individual", minWidth=125,
                headerTooltip="Last individual supervision session"),
    {"field": "days_since", "headerName": "Days since", "type": "numericColumn", "minWidth": 90,
     "filter": "agNumberColumnFilter",
     "headerTooltip": "Days since the last individual session, not counting days on leave"},
    grid_column("next_due", "Next due", minWidth=125),  # "03 Nov 2025" uncut
    {"field": "days_until_due", "headerName": "Days to due", "type": "numericColumn", "minWidth": 90,
     "filter": "agNumberColumnFilter"},
    # Overdue first by default; workers with no due date (no stage recorded, on leave with no return date) last,
    # not first as nulls sort.
    {"field": "due_order", "hide": True, "sort": "asc"},
    {"field": "minutes_label", "headerName": "Minutes / month", "minWidth": 110,
     "headerTooltip": "Supervision minutes this month of the month's minimum"},
    {"field": "signoff", "headerName": "Sign-off", "minWidth": 150, "tooltipField": "signoff",
     "headerTooltip": "This worker's sessions still unsigned some days after they were held (7 by default), and "
                      "signed ones they have not acknowledged some days after signing (14 by default)",
     "cellClassRules": {"status-overdue": "params.value"}},
    {"field": "hours", "headerName": "Cert. hours", "minWidth": 100, "sortable": False,
     "headerTooltip": "Supervision hours counted toward the least advanced credential requirement that applies, "
                      "of the hours it requires (see the profile for each requirement)"},
    {"field": "principles", "headerName": "Principle coverage", "minWidth": 150, "sortable": False,
     "headerTooltip": "Per principle (R, P, V, Rf, T): the share of its competencies the supervisor's current "
                      "rating puts at proficient or above; ratings past the staleness limit do not count",
     "filter": False, "cellRenderer": "PrincipleBars", "cellDataType": False},
]


# Tab leaves a grid instead of walking its cells (the session form's 60 competencies cost ~4 stops each, the
# roster ~10 a worker); inside, the arrow keys move and Space ticks a row, as ARIA's grid pattern expects.
ONE_TAB_STOP = {"tabToNextCell": {"function": "false"}, "tabToNextHeader": {"function": "false"}}


def roster_grid(rows: list[dict[str, Any]] | None = None) -> dag.AgGrid:
    return dag.AgGrid(
        id=ids.MY_TEAM_ROSTER, columnDefs=ROSTER_COLUMNS, rowData=rows or [],
        # Headers wrap rather than truncate, so the grid fits 1,400 px without scrolling sideways.
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1, "wrapHeaderText": True,
                       "autoHeaderHeight": True},
        # No columnSize: the columns' flex already fills the width as the window changes, and fitting them again
        # after the first draw moved them (a layout shift of 0.10 in Lighthouse).
        getRowId="params.data.row_id",
        dashGridOptions={"domLayout": "autoHeight", "rowHeight": 44, "tooltipShowDelay": 300,
                         "localeText": {"noRowsToShow": "No peer workers on your teams today."}} | ONE_TAB_STOP,
        className="ag-theme-quartz roster-grid")


def session_form() -> dbc.Modal:
    """One form for a new session and for editing one (the editing store holds its id and version)."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Log a supervision session", id=ids.SESSION_TITLE)),
        dbc.ModalBody([
            dcc.Store(id=ids.SESSION_EDITING),
            dbc.Row([
                dbc.Col(date_field(ids.SESSION_DATE, "Date"), md=4),
                dbc.Col([dbc.Label(f"Minutes ({MIN_MINUTES}–{MAX_MINUTES})", html_for=ids.SESSION_MINUTES),
                         # No min/max/step: the browser would send an out-of-range number as empty,
                         # and the person would read "required" instead of the real reason.
                         dbc.Input(id=ids.SESSION_MINUTES, type="number", value=60)], md=4),
                dbc.Col([dbc.Label("Modality", html_for=ids.SESSION_MODALITY),
                         select(id=ids.SESSION_MODALITY, options=_options(MODALITY_LABELS),
                                value=Modality.IN_PERSON)], md=4),
            ], className="g-3 mb-3"),
            dbc.Row([
                dbc.Col([dbc.Label("Format", html_for=ids.SESSION_FORMAT),
                         dbc.RadioItems(id=ids.SESSION_FORMAT, options=_options(FORMAT_LABELS),
                                        value=SessionFormat.INDIVIDUAL, inline=True)], md=4),
                dbc.Col([dbc.Label("Kind", html_for=ids.SESSION_KIND),
                         select(id=ids.SESSION_KIND, options=_options(KIND_LABELS),
                                value=SessionKind.SUPPORTIVE)], md=8),
            ], className="g-3 mb-3"),
            html.Fieldset([
                html.Legend("Attended (peer workers on your teams)", className="form-label fs-6"),
                dbc.Checklist(id=ids.SESSION_ATTENDEES, options=[], value=[], className="attendee-list small"),
            ], className="mb-3"),
            html.Div([
                dbc.Label("Competencies discussed", html_for=ids.SESSION_TOPIC_SEARCH),
                dbc.Input(id=ids.SESSION_TOPIC_SEARCH, type="search", placeholder="Search by code or words",
                          className="mb-2", debounce=False),
                dag.AgGrid(id=ids.SESSION_TOPICS, rowData=[],
                           columnDefs=[{"field": "category", "headerName": "Category", "minWidth": 200},
                                       {"field": "code", "headerName": "Code", "maxWidth": 100},
                                       {"field": "label", "headerName": "Competency", "flex": 2}],
                           defaultColDef={"resizable": True, "flex": 1},
                           getRowId="params.data.id",
                           # The tick column's header is named: an empty column header says nothing to a screen
                           # reader (axe: empty-table-header).
                           dashGridOptions={"rowSelection": {"mode": "multiRow", "headerCheckbox": False},
                                            "selectionColumnDef": {"headerName": "Discussed", "minWidth": 110},
                                            "rowHeight": 34} | ONE_TAB_STOP,
                           style={"height": "260px"}, className="ag-theme-quartz"),
                html.Small(id=ids.SESSION_TOPIC_COUNT, className="text-body-secondary"),
                html.Small(" In the list: arrow keys move, Space ticks or unticks a competency, Tab leaves the list.",
                           className="text-body-secondary"),
            ], className="mb-3"),
            dbc.Label("Note (optional, no client details)", html_for=ids.SESSION_NOTE),
            dbc.Textarea(id=ids.SESSION_NOTE, maxLength=2000, rows=2),
            amendment_reason_field(),
            html.Div(id=ids.SESSION_FEEDBACK, className="mt-3", role="alert", **{"aria-live": "assertive"}),
            # Shown with a probable-duplicate warning; the server saves a duplicate only when this is ticked and
            # names the sessions the warning was about.
            dcc.Store(id=ids.SESSION_DUPLICATE_OF),
            html.Div(dbc.Checkbox(id=ids.SESSION_DUPLICATE_CONFIRM, value=False,
                                  label="Save anyway: this is another session, not the one already recorded"),
                     id=ids.SESSION_DUPLICATE, hidden=True, className="mt-2"),
        ]),
        dbc.ModalFooter([
            dbc.Button("Delete session", id=ids.SESSION_DELETE, color="danger", outline=True,
                       className="me-auto", style={"display": "none"}),
            dbc.Button("Cancel", id=ids.SESSION_CANCEL, color="secondary", outline=True),
            dbc.Button("Save session", id=ids.SESSION_SAVE, color="primary"),
        ]),
    ], id=ids.SESSION_MODAL, size="lg", is_open=False, scrollable=True, labelledby=ids.SESSION_TITLE)


def rating_form(title: str) -> dbc.Modal:
    """The competencies grouped by category; the body is filled when it opens (the worker's current levels)."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(title, id=ids.RATING_TITLE)),
        dbc.ModalBody([
            dcc.Store(id=ids.RATING_WORKER),
            dbc.Row([
                dbc.Col(date_field(ids.RATING_DATE, "Rating date"), md=4),
                dbc.Col([dbc.Label("Note for the changed ratings (optional)", html_for=ids.RATING_NOTE),
                         dbc.Input(id=ids.RATING_NOTE, maxLength=2000)], md=8),
            ], className="g-3 mb-3"),
            html.P("Only the ratings you change are saved; earlier ratings stay in the history.",
                   className="small text-body-secondary"),
            html.Div(id=ids.RATING_BODY),
            html.Div(id=ids.RATING_FEEDBACK, className="mt-3", role="alert", **{"aria-live": "assertive"}),
        ]),
        dbc.ModalFooter([
            dbc.Button("Cancel", id=ids.RATING_CANCEL, color="secondary", outline=True),
            dbc.Button("Save ratings", id=ids.RATING_SAVE, color="primary"),
        ]),
    ], id=ids.RATING_MODAL, size="xl", is_open=False, scrollable=True, labelledby=ids.RATING_TITLE)


def leave_form() -> dbc.Modal:
    """First day away and the day back (optional); filled when it opens."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Record leave", id=ids.LEAVE_TITLE)),
        dbc.ModalBody([
            dcc.Store(id=ids.LEAVE_EDITING),
            dbc.Row([
                dbc.Col(date_field(ids.LEAVE_START, "First day away"), md=6),
                dbc.Col(date_field(ids.LEAVE_BACK, "Back on (leave empty if not known yet)"), md=6),
            ], className="g-3 mb-2"),
            html.P("Days away are left out of the supervision gaps and the monthly minimum; the due date "
                   "waits until the day back. No reason is recorded.", className="small text-body-secondary"),
            html.Div(id=ids.LEAVE_FEEDBACK, className="mt-3", role="alert", **{"aria-live": "assertive"}),
        ]),
        dbc.ModalFooter([
            dbc.Button("Delete leave", id=ids.LEAVE_DELETE, color="danger", outline=True, className="me-auto",
                       style={"display": "none"}),
            dbc.Button("Cancel", id=ids.LEAVE_CANCEL, color="secondary", outline=True),
            dbc.Button("Save leave", id=ids.LEAVE_SAVE, color="primary"),
        ]),
    ], id=ids.LEAVE_MODAL, is_open=False, labelledby=ids.LEAVE_TITLE)


def _message_area() -> html.Div:
    return html.Div(id=ids.WORKSPACE_MESSAGE, role="status", **{"aria-live": "polite"})


@dataclass(frozen=True)
class RosterStart:
    """What My team shows on arrival (callbacks.workspace.my_team_page fills it from the query layer)."""

    note: str
    teams: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    cards: list[Any]  # the rows as a phone's cards (layouts.profile.roster_cards)


def my_team(team: str | None = None, worker: str | None = None, start: RosterStart | None = None,
            **_: str) -> html.Div:
    """The roster for the supervisor's current teams; ?worker=ID opens that worker's profile below it. Without
    `start` the note, team list and roster are empty until their callbacks fill them."""
    return html.Div([
        html.H1("My team", className="page-title"),
        html.P(start.note if start else "", id=ids.MY_TEAM_NOTE, className="page-lead"),
        dcc.Store(id=ids.WORKSPACE_VERSION, data=0),
        dcc.Store(id=ids.PROFILE_SUBJECT, data=int(worker) if is_digits(worker or "") else None),
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label("Team", html_for=ids.MY_TEAM_TEAM),
                     select(id=ids.MY_TEAM_TEAM, value=team if is_digits(team or "") else ALL,
                            options=start.teams if start else [{"label": "All my teams", "value": ALL}])],
                    md=4),
            dbc.Col(dbc.Button("Log a session", id=ids.SESSION_OPEN, color="primary"),
                    className="d-flex align-items-end justify-content-md-end", md=8),
        ], className="g-3")), className="mb-3 shadow-sm filters-card"),
        _message_area(),
        dbc.Card([dbc.CardHeader([html.H2("Roster", className="h6 mb-0"),
                                  html.Small("Overdue first. Click a worker, or move to their name with the arrow keys "
                                             "and press Enter, for their profile.",
                                             className="text-body-secondary")]),
                  # The grid from md up; on a phone, where its columns cannot fit, one card per worker instead.
                  # With the rows in the page, the grid's box has their height before AG Grid's code draws them
                  # (a header and 44 px a row), so the profile below does not jump down when it does.
                  dbc.CardBody([html.Div(roster_grid(start.rows if start else None), className="d-none d-md-block",
                                         style={"minHeight": f"{50 + 44 * len(start.rows)}px"} if start else {}),
                                html.Ul(start.cards if start else [],
                                        id=ids.MY_TEAM_CARDS, className="list-unstyled mb-0 d-md-none roster-cards")])],
                 className="mb-3 shadow-sm"),
        dcc.Loading(html.Div(id=ids.PROFILE), type="dot"),
        session_form(),
        rating_form("Record ratings"),
        leave_form(),
        sign_dialog(),
        html.Div(id=ids.MY_TEAM_URL_SYNC, hidden=True),
    ])


def my_record(**_: str) -> html.Div:
    """A peer worker's own profile, sessions and self-rating."""
    return html.Div([
        html.H1("My record", className="page-title"),
        html.P("Your supervision sessions, your supervisor's ratings and your own self-ratings.",
               className="page-lead"),
        dcc.Store(id=ids.WORKSPACE_VERSION, data=0),
        dcc.Store(id=ids.PROFILE_SUBJECT, data="self"),
        _message_area(),
        dcc.Loading(html.Div(id=ids.PROFILE), type="dot"),
        rating_form("Rate yourself"),
        acknowledge_dialog(),
    ])
