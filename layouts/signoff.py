"""Sign-off components: the sign and acknowledge dialogs, a session's sign-off cell, and the Sign-off page."""
from __future__ import annotations

from datetime import date, datetime
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures import scroll_region
from dashboard.queries.signoff import STATES, Amendment, SessionSignoff
from dashboard.queries.voice import VoiceCell
from dashboard.recording import FORMAT_LABELS, KIND_LABELS, MODALITY_LABELS, REASON_LIMIT
from layouts import ids
from layouts.fields import date_field
from layouts.ids import ALL
from dashboard.voice import QUESTIONS, SCALE
from dashboard.dates import grid_column, show
from models.signoff import ACK_COMMENT_LIMIT
from layouts.select import select

LOW_SHARE = 0.6  # a share favourable below this is shown in red
STATE_BADGES = {"unsigned": "secondary", "signed": "warning", "acknowledged": "success"}


def _when(value: datetime | date | None) -> str:
    return show(value)


def sign_dialog() -> dbc.Modal:
    """My team: confirming a signature (a deliberate act: it locks the session)."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Sign this session", id=ids.SIGN_TITLE)),
        dbc.ModalBody([
            dcc.Store(id=ids.SIGN_TARGET),
            html.Div(id=ids.SIGN_BODY),
            html.P("Once signed, the session is locked: a later change is an amendment with a reason, the earlier "
                   "version stays readable, and the attendees are asked to acknowledge it again.",
                   className="small text-body-secondary mb-0"),
            html.Div(id=ids.SIGN_FEEDBACK, className="mt-3", role="alert", **{"aria-live": "assertive"}),
        ]),
        dbc.ModalFooter([dbc.Button("Cancel", id=ids.SIGN_CANCEL, color="secondary", outline=True),
                         dbc.Button("Sign session", id=ids.SIGN_CONFIRM, color="primary")]),
    ], id=ids.SIGN_MODAL, is_open=False, labelledby=ids.SIGN_TITLE)


def acknowledge_dialog() -> dbc.Modal:
    """My record: acknowledging a signed session, with an optional short comment."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Acknowledge this session", id=ids.ACK_TITLE)),
        dbc.ModalBody([
            dcc.Store(id=ids.ACK_TARGET),
            html.Div(id=ids.ACK_BODY),
            dbc.Label(f"Comment (optional, up to {ACK_COMMENT_LIMIT} characters, no client details)",
                      html_for=ids.ACK_COMMENT),
            dbc.Textarea(id=ids.ACK_COMMENT, maxLength=ACK_COMMENT_LIMIT, rows=2),
            html.P("Acknowledging says you have read the session as your supervisor signed it; your comment is kept "
                   "with it.", className="small text-body-secondary mt-2 mb-0"),
            html.Div(id=ids.ACK_FEEDBACK, className="mt-3", role="alert", **{"aria-live": "assertive"}),
        ]),
        dbc.ModalFooter([dbc.Button("Cancel", id=ids.ACK_CANCEL, color="secondary", outline=True),
                         dbc.Button("Acknowledge", id=ids.ACK_CONFIRM, color="primary")]),
    ], id=ids.ACK_MODAL, is_open=False, labelledby=ids.ACK_TITLE)


def amendment_reason_field() -> html.Div:
    """In the session form, shown when the session being edited is signed."""
    return html.Div([
        dbc.Label("Reason for the amendment (required: this session is signed)", html_for=ids.SESSION_REASON),
        dbc.Textarea(id=ids.SESSION_REASON, maxLength=REASON_LIMIT, rows=2),
    ], id=ids.SESSION_REASON_WRAP, hidden=True, className="mt-3")


def session_summary(held_on: date, minutes: int, format_: str, kind: str, modality: str, codes: tuple[str, ...],
                    supervisor: str) -> html.P:
    return html.P(f"{show(held_on)}: {minutes} minutes, {FORMAT_LABELS.get(format_, format_).lower()}, "
                  f"{KIND_LABELS.get(kind, kind).lower()}, {MODALITY_LABELS.get(modality, modality).lower()}, with "
                  f"{supervisor}. Discussed: {', '.join(codes) or 'nothing recorded'}.")


def voice_questions() -> html.Fieldset:
    """The supervisee's-voice questions, each optional, rendered afresh each time the dialog opens."""
    # Each question is its own fieldset, so a screen reader names the four choices by it.
    rows = [html.Fieldset([html.Legend(text, className="small fw-semibold mb-0"),
                           dbc.RadioItems(id={"type": ids.VOICE_ANSWER, "question": key}, inline=True, value=None,
                                          options=[{"label": label, "value": level} for level, label in SCALE.items()],
                                          className="small", inputClassName="me-1")], className="mb-2")
            for key, text in QUESTIONS.items()]
    return html.Div([html.H3("How was this supervision for you? (optional)", className="fs-6 mb-1"),
                          html.P("Your answers are never shown to your supervisor or anyone else one by one: "
                                 "leadership sees only the share of favourable answers over several people.",
                                 className="small text-body-secondary mb-2"), *rows], className="mt-3")


def voice_table(cells: Sequence[VoiceCell], heading: str, threshold: int, with_mix: bool) -> Any:
    if not cells:
        return html.P(f"No answers about sessions in this period ({heading.lower()}).", className="small")
    head = [heading, "Respondents", "Share favourable"] + (["Administrative share of minutes"] if with_mix else [])
    body = []
    for c in cells:
        share = f"n<{threshold}" if c.suppressed else ("—" if c.share is None else f"{c.share:.0%}")
        mix = [] if not with_mix else [html.Td("—" if c.administrative_share is None
                                               else f"{c.administrative_share:.0%}")]
        body.append(html.Tr([html.Td(c.name), html.Td(f"n<{threshold}" if c.suppressed else c.respondents),
                             html.Td(share, className="text-danger fw-semibold"
                                     if c.share is not None and c.share < LOW_SHARE else None), *mix]))
    return scroll_region(dbc.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(body)],
                                   size="sm", className="small mb-3"), f"Supervisees' answers by {heading.lower()}")


def _previous(amendment: Amendment) -> html.Li:
    before = amendment.previous
    what = (f"{before.get('held_on', '?')}, {before.get('minutes', '?')} minutes, "
            f"{KIND_LABELS.get(str(before.get('kind')), before.get('kind'))}, "
            f"{MODALITY_LABELS.get(str(before.get('modality')), before.get('modality'))}, "
            f"{len(before.get('competency_ids') or [])} competencies discussed")
    signed = str(before.get("signed_at") or "")[:10]
    return html.Li([html.Span(f"Amended {_when(amendment.amended_at)} by {amendment.amended_by}: "),
                    html.Q(amendment.reason), html.Br(),
                    html.Span(f"Before (version {before.get('version')}, signed {signed or '—'}): {what}",
                              className="text-body-secondary")])


def signoff_cell(signoff: SessionSignoff | None, sign_button: bool, acknowledge_as: int | None) -> list[Any]:
    """The sign-off column of a worker's session: state, signature, each attendee's acknowledgement, earlier
    versions, and the Sign / Acknowledge button when the viewer may (the server checks again)."""
    if signoff is None:
        return []
    state = signoff.state
    parts: list[Any] = [dbc.Badge(STATES[state] if state != "signed" else "Signed", color=STATE_BADGES[state],
                                  text_color="dark" if state == "signed" else None, className="me-1")]
    if signoff.signed_at is None:
        if sign_button:
            parts.append(dbc.Button("Sign", id={"type": ids.SIGN_OPEN, "session": signoff.session_id,
                                                "version": signoff.version}, size="sm", color="link",
                                    className="p-0 ms-1", title="Sign this session"))
        return parts
    parts.append(html.Span(f"{_when(signoff.signed_at)}", className="text-nowrap"))
    lines = []
    # A peer worker reads their own acknowledgement only; the others' comments are for the supervisor.
    shown = [(w, n) for w, n in signoff.attendees if acknowledge_as is None or w == acknowledge_as]
    if acknowledge_as is not None and len(signoff.attendees) > 1:
        done = sum(1 for w, _ in signoff.attendees if signoff.current(w))
        lines.append(html.Li(f"{done} of {len(signoff.attendees)} attendees acknowledged",
                             className="text-body-secondary"))
    for worker_id, name in shown:
        ack = signoff.current(worker_id)
        first = name.split()[0]
        if ack is not None:
            lines.append(html.Li([f"✓ {first} {_when(ack.acknowledged_at)}"] +
                                 ([": ", html.Q(ack.comment)] if ack.comment else [])))
        else:
            waiting = "awaiting your acknowledgement" if worker_id == acknowledge_as else f"awaiting {first}"
            lines.append(html.Li(waiting, className="text-body-secondary"))
    parts.append(html.Ul(lines, className="list-unstyled mb-0"))
    if acknowledge_as is not None and any(w == acknowledge_as for w, _ in signoff.attendees) \
            and signoff.current(acknowledge_as) is None:
        parts.append(dbc.Button("Acknowledge", id={"type": ids.ACK_OPEN, "session": signoff.session_id,
                                                   "version": signoff.version}, size="sm", color="primary",
                                outline=True, className="mt-1"))
    if signoff.amendments:
        parts.append(html.Details([html.Summary(f"Amended {len(signoff.amendments)}× (earlier versions)"),
                                   html.Ul([_previous(a) for a in reversed(signoff.amendments)],
                                           className="ps-3 mb-0")], className="mt-1"))
    return parts


COLUMNS = [
    grid_column("held_on", "Held on", minWidth=125),  # "03 Nov 2025" uncut
    {"field": "state", "headerName": "State", "minWidth": 150, "tooltipField": "state",
     "cellClassRules": {"status-overdue": "params.data.flag !== ''",
                        "status-on-track": "params.data.state === 'Acknowledged'"}},
    {"field": "flag", "headerName": "Flag", "minWidth": 230, "tooltipField": "flag"},
    {"field": "supervisor", "headerName": "Supervisor", "minWidth": 150},
    {"field": "kind", "headerName": "Kind", "minWidth": 120},
    {"field": "format", "headerName": "Format", "minWidth": 100},
    {"field": "minutes", "headerName": "Minutes", "type": "numericColumn", "minWidth": 90},
    grid_column("signed_on", "Signed", minWidth=125),
    {"field": "acknowledged", "headerName": "Acknowledged", "minWidth": 120,
     "headerTooltip": "Attendees who acknowledged the current version, of all attendees"},
    {"field": "amendments", "headerName": "Amendments", "type": "numericColumn", "minWidth": 110},
]


def layout(state: str | None = None, **_: str) -> html.Div:
    """Sessions by sign-off state: quality, leadership and admins see the agency's, a supervisor their own."""
    return html.Div([
        html.H1("Sign-off", className="page-title"),
        html.P(id=ids.SIGNOFF_COUNT, className="page-lead", **{"aria-live": "polite"}),
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label("State", html_for=ids.SIGNOFF_STATE),
                     select(id=ids.SIGNOFF_STATE, value=state if state in STATES else ALL,
                            options=[{"label": "All states", "value": ALL}] +
                                    [{"label": label, "value": key} for key, label in STATES.items()])],
                    md=6, lg=3),
            dbc.Col(date_field(ids.SIGNOFF_FROM, "Held from"), md=6, lg=3),
            dbc.Col(date_field(ids.SIGNOFF_TO, "Held to"), md=6, lg=3),
            dbc.Col(dbc.Checkbox(id=ids.SIGNOFF_FLAGGED, value=False, label="Flagged only"),
                    className="d-flex align-items-end", md=6, lg=3),
        ], className="g-3")), className="mb-3 shadow-sm"),
        dag.AgGrid(id=ids.SIGNOFF_GRID, columnDefs=COLUMNS, rowData=[],
                   defaultColDef={"sortable": True, "resizable": True, "filter": True, "flex": 1},
                   columnSize="responsiveSizeToFit",
                   dashGridOptions={"pagination": True, "paginationPageSize": 50, "tooltipShowDelay": 300,
                                    "localeText": {"noRowsToShow": "No sessions match these filters."}},
                   className="ag-theme-quartz", style={"height": "620px"}),
        dbc.Card([dbc.CardHeader(html.H2("Supervisee voice", className="h6 mb-0")),
                  dbc.CardBody(html.Div(id=ids.VOICE_PANEL))], className="mt-3 shadow-sm"),
    ])
