"""People page: certification stages, workers' stage history, programs and teams (admin edits, quality reads)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.fields import date_field
from models.vocabulary import Role
from layouts.select import select


SECTIONS = (("people-stages", "Certification stages"), ("people-org", "Programs and teams"),
            ("people-staff", "Staff"))


def _card(title: str, body: list[object], hint: str | None = None, anchor: str | None = None) -> dbc.Card:
    header = [html.H2(title, className="h6 mb-0")] + ([html.Small(hint, className="text-body-secondary")]
                                                     if hint else [])
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(body)], className="shadow-sm mb-3",
                    **({"id": anchor} if anchor else {}))


def _rename(input_id: str, button_id: str, max_length: int) -> list[object]:
    return [dbc.Label("Rename to", html_for=input_id),
            dbc.InputGroup([dbc.Input(id=input_id, type="text", maxLength=max_length),
                            dbc.Button("Rename", id=button_id, color="secondary")])]


def _small_buttons(*buttons: tuple[str, str, str]) -> html.Div:
    return html.Div([dbc.Button(label, id=button_id, color=color, size="sm", className="me-2")
                     for label, button_id, color in buttons], className="mt-2")


def _stages_form() -> html.Div:
    return html.Div([
        html.H3("Change the list", className="h6 mt-3"),
        dbc.Row([
            dbc.Col([dbc.Label("New stage", html_for=ids.PEOPLE_STAGE_NEW),
                     dbc.InputGroup([dbc.Input(id=ids.PEOPLE_STAGE_NEW, type="text", maxLength=80,
                                               placeholder="e.g. Peer mentor"),
                                     dbc.Button("Add", id=ids.PEOPLE_STAGE_ADD, color="primary")])], md=12),
            dbc.Col([dbc.Label("Stage", html_for=ids.PEOPLE_STAGE_CHOSEN),
                     select(id=ids.PEOPLE_STAGE_CHOSEN, options=[], placeholder="Choose a stage")], md=6),
            dbc.Col(_rename(ids.PEOPLE_STAGE_RENAME_TO, ids.PEOPLE_STAGE_RENAME, 80), md=6),
        ], className="g-3"),
        _small_buttons(("Move up", ids.PEOPLE_STAGE_UP, "outline-secondary"),
                       ("Move down", ids.PEOPLE_STAGE_DOWN, "outline-secondary"),
                       ("Delete", ids.PEOPLE_STAGE_DELETE, "outline-danger")),
        html.P("A new stage has no rule in the supervision standard until a new version is saved on the Standards "
               "page; until then its workers are judged “no standard rule applies”. Only a stage no worker has ever "
               "held, and that no standard rule or credential requirement names, can be deleted.",
               className="small text-body-secondary mt-2 mb-0"),
    ], id=ids.PEOPLE_STAGES_FORM, hidden=True)


def _worker_form() -> html.Div:
    return html.Div([
        html.H3("Record a stage", className="h6 mt-3"),
        dbc.Row([
            dbc.Col([dbc.Label("Stage", html_for=ids.PEOPLE_WORKER_STAGE),
                     select(id=ids.PEOPLE_WORKER_STAGE, options=[], placeholder="Choose a stage")], md=5),
            dbc.Col(date_field(ids.PEOPLE_WORKER_FROM, "From (the day it took effect)"), md=4),
            dbc.Col(dbc.Button("Record stage", id=ids.PEOPLE_WORKER_RECORD, color="primary"),
                    className="d-flex align-items-end", md=3),
        ], className="g-3"),
        html.P("A later date ends the current stage that day and starts the new one; the latest entry's own date "
               "corrects its stage. Earlier history is kept as it is.", className="small text-body-secondary mt-2"),
        dbc.Button("Remove the latest entry", id=ids.PEOPLE_WORKER_REMOVE, color="outline-danger", size="sm"),
    ], id=ids.PEOPLE_WORKER_FORM, hidden=True)


def _org_form() -> html.Div:
    return html.Div([
        html.H3("Add", className="h6 mt-3"),
        dbc.Row([
            dbc.Col([dbc.Label("New program", html_for=ids.PEOPLE_PROGRAM_NEW),
                     dbc.Input(id=ids.PEOPLE_PROGRAM_NEW, type="text", maxLength=120),
                     dbc.Label("Its description (optional)", html_for=ids.PEOPLE_PROGRAM_DESCRIPTION,
                               className="mt-2"),
                     dbc.Input(id=ids.PEOPLE_PROGRAM_DESCRIPTION, type="text", maxLength=500),
                     dbc.Button("Add program", id=ids.PEOPLE_PROGRAM_ADD, color="primary", className="mt-2")],
                    lg=6),
            dbc.Col([dbc.Label("Program of the new team", html_for=ids.PEOPLE_TEAM_PROGRAM),
                     select(id=ids.PEOPLE_TEAM_PROGRAM, options=[], placeholder="Choose a program"),
                     dbc.Label("New team", html_for=ids.PEOPLE_TEAM_NEW, className="mt-2"),
                     dbc.Input(id=ids.PEOPLE_TEAM_NEW, type="text", maxLength=120),
                     dbc.Button("Add team", id=ids.PEOPLE_TEAM_ADD, color="primary", className="mt-2")], lg=6),
        ], className="g-3"),
        html.H3("Rename, archive or restore", className="h6 mt-4"),
        dbc.Row([
            dbc.Col([dbc.Label("Program or team", html_for=ids.PEOPLE_ORG_CHOSEN),
                     select(id=ids.PEOPLE_ORG_CHOSEN, options=[], placeholder="Choose a program or team")],
                    lg=5),
            dbc.Col(_rename(ids.PEOPLE_ORG_RENAME_TO, ids.PEOPLE_ORG_RENAME, 120), lg=7),
        ], className="g-3"),
        _small_buttons(("Archive", ids.PEOPLE_ORG_ARCHIVE, "outline-danger"),
                       ("Restore", ids.PEOPLE_ORG_RESTORE, "outline-secondary")),
        html.P("An archived team keeps its history: past periods still show it and its workers, but it is no longer "
               "offered in the filters, moves or imports. Archive a team once no one is on it or supervises it; a "
               "program once all its teams are archived.", className="small text-body-secondary mt-2 mb-0"),
    ], id=ids.PEOPLE_ORG_FORM, hidden=True)


def _field(label: str, control: object, width: int = 4) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=getattr(control, "id", None)), control], md=width)


def _staff_card() -> dbc.Card:
    record = html.Fieldset([
        html.Legend("Record", className="h6"),
        dbc.Row([
            _field("Full name", dbc.Input(id=ids.PEOPLE_STAFF_NAME, type="text", maxLength=120), 5),
            _field("Employee code", dbc.Input(id=ids.PEOPLE_STAFF_CODE, type="text", maxLength=40), 3),
            _field("Role", select(id=ids.PEOPLE_STAFF_ROLE, value=Role.PEER_WORKER,
                                  options=[{"label": r.label, "value": r.value}
                                           for r in (Role.PEER_WORKER, Role.SUPERVISOR)])),
            dbc.Col(date_field(ids.PEOPLE_STAFF_HIRE, "Hire date"), md=3),
            dbc.Col(date_field(ids.PEOPLE_STAFF_LEFT, "Leaving date (no longer on staff from that day)"), md=4),
            _field("FTE (above 0, at most 1)", dbc.Input(id=ids.PEOPLE_STAFF_FTE, type="number", min=0.01, max=1,
                                                         step=0.01), 2),
            dbc.Col(dbc.Checkbox(id=ids.PEOPLE_STAFF_CREDENTIAL, label="Holds a peer credential (supervisors)",
                                 value=False), md=3, className="pt-md-4"),
        ], className="g-3"),
        dbc.Button("Save", id=ids.PEOPLE_STAFF_SAVE, color="primary", className="d-none"),
    ], id=ids.PEOPLE_STAFF_FIELDSET, disabled=True)
    move = html.Div([
        html.H3("Move to another team", className="h6 mt-3"),
        dbc.Row([
            _field("Team", select(id=ids.PEOPLE_MOVE_TEAM, options=[], placeholder="Choose a team"), 5),
            dbc.Col(date_field(ids.PEOPLE_MOVE_FROM, "From (first day on it)"), md=4),
            dbc.Col(dbc.Button("Move", id=ids.PEOPLE_MOVE, color="primary"), className="d-flex align-items-end",
                    md=3),
        ], className="g-3"),
        html.P("The worker leaves their current team that day. The latest entry's own date corrects its team.",
               className="small text-body-secondary mt-2"),
        dbc.Button("Remove the latest team entry", id=ids.PEOPLE_MOVE_REMOVE, color="outline-danger", size="sm"),
    ], id=ids.PEOPLE_MOVE_FORM, hidden=True)
    supervise = html.Div([
        html.H3("Supervise another team", className="h6 mt-3"),
        dbc.Row([
            _field("Team", select(id=ids.PEOPLE_SUP_TEAM, options=[], placeholder="Choose a team"), 5),
            dbc.Col(date_field(ids.PEOPLE_SUP_FROM, "From"), md=4),
            dbc.Col(dbc.Button("Add team", id=ids.PEOPLE_SUP_ADD, color="primary"),
                    className="d-flex align-items-end", md=3),
        ], className="g-3"),
        html.H3("End their time on a team", className="h6 mt-3"),
        dbc.Row([
            _field("Team", select(id=ids.PEOPLE_SUP_WHICH, options=[], placeholder="Choose one of their teams"),
                   5),
            dbc.Col(date_field(ids.PEOPLE_SUP_END, "Ends on (the first day without it)"), md=4),
            dbc.Col(dbc.Button("End", id=ids.PEOPLE_SUP_END_BUTTON, color="secondary"),
                    className="d-flex align-items-end", md=3),
        ], className="g-3"),
        html.H3("Correct a team's dates", className="h6 mt-3"),
        dcc.Store(id=ids.PEOPLE_SUP_SEEN, data=None),
        dbc.Row([
            _field("Team", select(id=ids.PEOPLE_SUP_EDIT_WHICH, options=[],
                                  placeholder="Choose one of their teams"), 4),
            dbc.Col(date_field(ids.PEOPLE_SUP_EDIT_FROM, "From"), md=3),
            dbc.Col(date_field(ids.PEOPLE_SUP_EDIT_UNTIL, "Ends on (empty: still leads it)"), md=3),
            dbc.Col(dbc.Button("Save dates", id=ids.PEOPLE_SUP_EDIT_BUTTON, color="secondary"),
                    className="d-flex align-items-end", md=2),
        ], className="g-3"),
    ], id=ids.PEOPLE_SUP_FORM, hidden=True)
    return _card("Staff", [
        dbc.Row(dbc.Col([dbc.Label("Person", html_for=ids.PEOPLE_STAFF_PERSON),
                         select(id=ids.PEOPLE_STAFF_PERSON, options=[], placeholder="Choose a person")], md=6),
                className="mb-3"),
        record,
        html.Div(id=ids.PEOPLE_STAFF_MESSAGE, className="mt-3", role="status"),
        html.H3("Teams", className="h6 mt-4"),
        dcc.Loading(html.Div(id=ids.PEOPLE_STAFF_TEAMS), type="dot"),
        move,
        supervise,
        html.Div(id=ids.PEOPLE_TEAMS_MESSAGE, className="mt-3", role="status"),
    ], "A person's record, their team (peer workers) or teams (supervisors), as dated history.",
        anchor="people-staff")


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("People", className="page-title"),
        html.P("Certification stages decide which rule of the supervision standard judges each peer worker. A worker "
               "with no stage recorded cannot be judged by the compliance view. Every change is dated, kept as "
               "history and recorded in the audit log.", className="page-lead"),
        html.Nav(html.Ul([html.Li(html.A(label, href=f"#{anchor}"), className="list-inline-item")
                          for anchor, label in SECTIONS], className="list-inline mb-2"),
                 **{"aria-label": "Sections of this page"}),
        html.P(id=ids.PEOPLE_READ_ONLY, className="small text-body-secondary"),
        dcc.Store(id=ids.PEOPLE_STAGES_VERSION, data=0),
        dcc.Store(id=ids.PEOPLE_STAGES_SEEN, data=[]),
        dcc.Store(id=ids.PEOPLE_WORKERS_VERSION, data=0),
        dcc.Store(id=ids.PEOPLE_WORKER_LATEST, data=None),
        dcc.Store(id=ids.PEOPLE_ORG_VERSION, data=0),
        dcc.Store(id=ids.PEOPLE_ORG_SEEN, data={}),
        dcc.Store(id=ids.PEOPLE_STAFF_VERSION, data=0),
        dcc.Store(id=ids.PEOPLE_STAFF_SEEN, data=None),
        dcc.Store(id=ids.PEOPLE_MOVE_LATEST, data=None),
        dbc.Row([
            dbc.Col(_card("Certification stages", [
                dcc.Loading(html.Div(id=ids.PEOPLE_STAGES_TABLE), type="dot"),
                _stages_form(),
                html.Div(id=ids.PEOPLE_STAGES_MESSAGE, className="mt-3", role="status"),
            ], "In the order shown everywhere.", anchor="people-stages"), lg=6),
            dbc.Col(_card("Peer workers without a stage today", [
                dcc.Loading(html.Div(id=ids.PEOPLE_WITHOUT_STAGE), type="dot"),
            ], "Record their stage below, or import a stages file."), lg=6),
        ], className="g-3"),
        _card("A worker's stage", [
            dbc.Row(dbc.Col([dbc.Label("Peer worker", html_for=ids.PEOPLE_WORKER),
                             select(id=ids.PEOPLE_WORKER, options=[], placeholder="Choose a peer worker")], md=6)),
            dcc.Loading(html.Div(id=ids.PEOPLE_WORKER_HISTORY, className="mt-3"), type="dot"),
            _worker_form(),
            html.Div(id=ids.PEOPLE_WORKER_MESSAGE, className="mt-3", role="status"),
        ]),
        _card("Programs and teams", [
            dcc.Loading(html.Div(id=ids.PEOPLE_ORG_TABLE), type="dot"),
            _org_form(),
            html.Div(id=ids.PEOPLE_ORG_MESSAGE, className="mt-3", role="status"),
        ], "Who is on each team and supervises it today.", anchor="people-org"),
        _staff_card(),
    ])
