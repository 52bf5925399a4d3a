"""Sign-off callbacks: signing (My team), acknowledging (My record), the amendment reason, the Sign-off page."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from flask import abort

from callbacks.common import as_date, as_int, viewer_for
from callbacks.workspace import AFTER_SAVE, RECORD, TEAM, _write
from dashboard.auth import current_viewer
from dashboard.db import session_scope
from dashboard.queries import signoff as signoff_query
from dashboard.queries import workspace
from dashboard.queries.common import Window, load_settings
from dashboard.queries.voice import voice_by_supervisor, voice_by_team
from dashboard.voice import QUESTIONS
from models.vocabulary import Role
from dashboard.recording import KIND_LABELS, FORMAT_LABELS
from dashboard.scope import scope_for
from dashboard.signoff import acknowledge_session, sign_session
from dashboard.dates import grid_dates, show
from layouts import ids
from layouts.signoff import session_summary, voice_questions, voice_table

PAGE = "signoff"
DEFAULT_DAYS = 90  # the Sign-off page opens on sessions held in the last 90 days


def today() -> date:
    return date.today()


def _target(trigger: Any) -> dict[str, int | None] | None:
    """The session and version a Sign or Acknowledge button names (a forged one is checked when saved)."""
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        return None  # a button appearing is not a click
    return {"session": as_int(trigger.get("session")), "version": as_int(trigger.get("version"))}


def open_sign_dialog(_clicks: Any) -> tuple[Any, ...]:
    """Asks the supervisor to confirm signing one of their own sessions."""
    target = _target(ctx.triggered_id)
    if target is None:
        return no_update, no_update, no_update, no_update
    viewer = viewer_for(TEAM)
    with session_scope() as session:
        own = workspace.own_session(session, viewer.staff_id, target["session"])
    if own is None:
        return True, "", None, dbc.Alert("That session was not found among your sessions.", color="warning")
    return True, session_summary(own.held_on, own.minutes, own.format, own.kind, own.modality, own.competency_codes,
                                 own.supervisor_name), target, ""


def confirm_sign(_confirm: Any, target: Any, version: Any) -> tuple[Any, ...]:
    viewer = viewer_for(TEAM)
    target = target if isinstance(target, dict) else {}
    return _write(viewer, "signing a session", lambda session, writer: sign_session(
        session, writer, as_int(target.get("session")), as_int(target.get("version"))),
        lambda _: "Session signed. It is locked now; the attendees are asked to acknowledge it.", version)


def open_acknowledge_dialog(_clicks: Any) -> tuple[Any, ...]:
    """Shows the peer worker the signed session they are acknowledging."""
    target = _target(ctx.triggered_id)
    if target is None:
        return no_update, no_update, no_update, no_update, no_update
    viewer = viewer_for(RECORD)
    now = today()
    with session_scope() as session:
        worker = workspace.visible_worker(session, scope_for(session, viewer, now), viewer.staff_id, now)
        shown = [s for s in workspace.worker_sessions(session, worker) if s.id == target["session"]] if worker else []
    if not shown:
        return True, "", None, "", dbc.Alert("That session was not found among the sessions you attended.",
                                             color="warning")
    s = shown[0]
    return True, [session_summary(s.held_on, s.minutes, s.format, s.kind, s.modality, s.competency_codes,
                                  s.supervisor_name), voice_questions()], target, "", ""


def confirm_acknowledge(_confirm: Any, target: Any, comment: Any, version: Any, answers: Any = None,
                        questions: Any = None) -> tuple[Any, ...]:
    """Saves the acknowledgement and any answers given ({question key: 1-4}; the server checks each)."""
    viewer = viewer_for(RECORD)
    target = target if isinstance(target, dict) else {}
    given: Any = None
    if isinstance(answers, list) and isinstance(questions, list):
        given = {q.get("question") if isinstance(q, dict) else None: a for q, a in zip(questions, answers)}
    elif answers is not None:
        given = answers  # a crafted payload: parse_answers refuses what it cannot read
    return _write(viewer, "acknowledging a session", lambda session, writer: acknowledge_session(
        session, writer, as_int(target.get("session")), as_int(target.get("version")), comment, given),
        lambda _: "Thank you: the session is acknowledged.", version)


def close_dialog(_cancel: Any) -> bool:
    return False


def reason_field(editing: Any) -> tuple[bool, str]:
    """The amendment reason shows when the session being edited is signed (the save asks for it regardless)."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    if not viewer.may_use(TEAM):
        abort(403)
    session_id = as_int(editing.get("id")) if isinstance(editing, dict) else None
    if session_id is None:
        return True, ""
    with session_scope() as session:
        own = workspace.own_session(session, viewer.staff_id, session_id)
        found = signoff_query.signoffs(session, [own.id]).get(own.id) if own is not None else None
    return (found is None or found.signed_at is None), ""


def _period(first: Any, last: Any) -> tuple[date, date]:
    end = as_date(last) or today()
    start = as_date(first) or end - timedelta(days=DEFAULT_DAYS - 1)
    return (start, end) if start <= end else (end, start)


def refresh_sessions(state: Any, first: Any, last: Any, flagged_only: Any) -> tuple[list[dict[str, Any]], str]:
    """The Sign-off page: sessions in the viewer's scope held in the period, in the chosen state."""
    viewer = viewer_for(PAGE)
    start, end = _period(first, last)
    chosen = state if state in signoff_query.STATES else None
    now = today()
    with session_scope() as session:
        days = signoff_query.flag_days(session)
        rows, total = signoff_query.session_rows(session, scope_for(session, viewer, now), viewer.role,
                                                 viewer.staff_id, start, end, chosen)
    data = [{**grid_dates(held_on=r.held_on, signed_on=r.signed_at.date() if r.signed_at else None),
             "supervisor": r.supervisor_name,
             "kind": KIND_LABELS.get(r.kind, r.kind), "format": FORMAT_LABELS.get(r.format, r.format),
             "minutes": r.minutes, "state": signoff_query.STATES[r.state],
             "acknowledged": f"{min(r.acknowledged, r.attendees)} of {r.attendees}" if r.signed_at else "",
             "amendments": r.amendments, "flag": r.flag(now, days)} for r in rows]
    if flagged_only is True:
        data = [d for d in data if d["flag"]]
    whose = "of your sessions" if viewer.role == Role.SUPERVISOR else "sessions"
    shown = f"{len(data)} {whose}" + (f" (the newest {signoff_query.PAGE_LIMIT} of {total})"
                                      if total > len(rows) else "")
    return data, (f"{shown} held {show(start)} – {show(end)}. Flagged: unsigned more than {days.unsigned} "
                  f"days after the session, or not acknowledged by every attendee more than {days.unacknowledged} "
                  "days after signing.")


def refresh_voice(first: Any, last: Any) -> Any:
    """Leadership, quality and admins: the share of favourable answers per team (beside its administrative share of
    minutes) and per supervisor, over the page's period; small cells suppressed. Supervisors see a note only."""
    viewer = viewer_for(PAGE)
    start, end = _period(first, last)
    if viewer.role == Role.SUPERVISOR:
        return html.P("Peer workers' answers about supervision are shown to leadership only as shares over several "
                      "people, never one by one.", className="small mb-0")
    with session_scope() as session:
        settings = load_settings(session)
        scope = scope_for(session, viewer, today())
        teams = voice_by_team(session, scope, Window(start, end), settings)
        supervisors = voice_by_supervisor(session, scope, Window(start, end), settings)
    threshold = settings.min_cell_workers
    return [html.P(f"Answers peer workers gave when acknowledging sessions held {show(start)} – {show(end)}: "
                   f"the share that agree or strongly agree (3 or 4 of 4). Fewer than {threshold} respondents show "
                   f"n<{threshold}. A low share beside a high administrative share is a first-hand sign of peer "
                   "drift.", className="small"),
            voice_table(teams, "Team", threshold, with_mix=True),
            voice_table(supervisors, "Supervisor", threshold, with_mix=False),
            html.P("Questions: " + " · ".join(QUESTIONS.values()), className="small text-body-secondary mb-0")]


DIALOG_OUTPUTS = (Output(ids.SIGN_MODAL, "is_open"), Output(ids.SIGN_BODY, "children"),
                  Output(ids.SIGN_TARGET, "data"), Output(ids.SIGN_FEEDBACK, "children"))


def register(app: Dash) -> None:
    app.callback(Output(ids.SIGNOFF_GRID, "rowData"), Output(ids.SIGNOFF_COUNT, "children"),
                 Input(ids.SIGNOFF_STATE, "value"), Input(ids.SIGNOFF_FROM, "value"), Input(ids.SIGNOFF_TO, "value"),
                 Input(ids.SIGNOFF_FLAGGED, "value"))(refresh_sessions)
    app.callback(*DIALOG_OUTPUTS, Input({"type": ids.SIGN_OPEN, "session": ALL, "version": ALL}, "n_clicks"),
                 prevent_initial_call=True)(open_sign_dialog)
    app.callback(Output(ids.SIGN_MODAL, "is_open", allow_duplicate=True), Input(ids.SIGN_CANCEL, "n_clicks"),
                 prevent_initial_call=True)(close_dialog)
    app.callback(Output(ids.SIGN_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.SIGN_MODAL, "is_open", allow_duplicate=True), *AFTER_SAVE,
                 Input(ids.SIGN_CONFIRM, "n_clicks"), State(ids.SIGN_TARGET, "data"),
                 State(ids.WORKSPACE_VERSION, "data"), prevent_initial_call=True)(confirm_sign)
    app.callback(Output(ids.ACK_MODAL, "is_open"), Output(ids.ACK_BODY, "children"), Output(ids.ACK_TARGET, "data"),
                 Output(ids.ACK_COMMENT, "value"), Output(ids.ACK_FEEDBACK, "children"),
                 Input({"type": ids.ACK_OPEN, "session": ALL, "version": ALL}, "n_clicks"),
                 prevent_initial_call=True)(open_acknowledge_dialog)
    app.callback(Output(ids.ACK_MODAL, "is_open", allow_duplicate=True), Input(ids.ACK_CANCEL, "n_clicks"),
                 prevent_initial_call=True)(close_dialog)
    app.callback(Output(ids.ACK_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.ACK_MODAL, "is_open", allow_duplicate=True), *AFTER_SAVE,
                 Input(ids.ACK_CONFIRM, "n_clicks"), State(ids.ACK_TARGET, "data"), State(ids.ACK_COMMENT, "value"),
                 State(ids.WORKSPACE_VERSION, "data"), State({"type": ids.VOICE_ANSWER, "question": ALL}, "value"),
                 State({"type": ids.VOICE_ANSWER, "question": ALL}, "id"),
                 prevent_initial_call=True)(confirm_acknowledge)
    app.callback(Output(ids.VOICE_PANEL, "children"), Input(ids.SIGNOFF_FROM, "value"),
                 Input(ids.SIGNOFF_TO, "value"))(refresh_voice)
    app.callback(Output(ids.SESSION_REASON_WRAP, "hidden"), Output(ids.SESSION_REASON, "value"),
                 Input(ids.SESSION_EDITING, "data"), prevent_initial_call=True)(reason_field)
