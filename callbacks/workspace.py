"""My team and My record callbacks: every read and write re-checks the viewer's scope on the server."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from flask import abort, has_request_context, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from callbacks.common import as_int, as_int_set, viewer_for
from layouts import profile as view
from dashboard.auth import Viewer, current_viewer
from dashboard.db import session_scope
from dashboard.outage import is_unavailable
from dashboard.queries import ledger, workspace
from dashboard.queries.common import TeamFilter, load_settings, teams_in_view
from dashboard.queries.signoff import flag_days, signoffs, worker_flags
from dashboard.queries.supervision import DueDate, due_dates
from dashboard.recording import (Problem, ProbableDuplicate, Rejected, Writer, delete_leave, delete_session,
                                 parse_ratings, save_leave, save_ratings, save_session)
from dashboard.scope import Scope, scope_for
from dashboard.dates import show
from layouts import ids
from layouts import workspace as workspace_layout
from layouts.ids import ALL as ALL_TEAMS
from layouts.ledger import roster_hours
from layouts.workspace import NOT_DISCUSSED_CHOICES
from models.vocabulary import Modality, Role, SessionFormat, SessionKind

log = logging.getLogger(__name__)
TEAM, RECORD = "my_team", "my_record"
SELF = "self"  # My record's profile subject: whoever is signed in
SESSIONS_SHOWN = 25
DEFAULT_LAST_N = 5
UNEXPECTED = "The change could not be saved just now (the database refused it). Nothing was saved; try again."


def today() -> date:
    return date.today()


def _viewer_of_either() -> Viewer:
    """Callbacks shared by My team and My record: supervisors and peer workers only."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    if not (viewer.may_use(TEAM) or viewer.may_use(RECORD)):
        abort(403)
    return viewer


def _problems(problems: tuple[Problem, ...] | list[Problem]) -> dbc.Alert:
    messages = list(dict.fromkeys(p.message for p in problems))
    return dbc.Alert([html.P("Nothing was saved:", className="mb-1 fw-semibold"),
                      html.Ul([html.Li(m) for m in messages], className="mb-0")], color="danger")


def _saved(text: str) -> dbc.Alert:
    # It stays until dismissed or replaced by the next save's: a message that vanishes on a timer is a time limit
    # (WCAG 2.2.1) for anyone slower to read it or to find it with a magnifier.
    return dbc.Alert(text, color="success", dismissable=True)


def _write(viewer: Viewer, what: str, change: Callable[[Session, Writer], Any], done: Callable[[Any], str],
           version: Any) -> tuple[Any, ...]:
    """Run one change in its own transaction as the viewer: (form feedback, modal open, page version, message).

    Refused: the reasons in the form, which stays open. A database error: logged, a plain message, nothing saved.
    A probable duplicate is raised on to the session form, which asks whether to save it anyway.
    """
    try:
        with session_scope() as session:
            result = change(session, Writer.from_viewer(session, viewer, today(), request.remote_addr))
    except ProbableDuplicate:
        raise
    except Rejected as rejected:
        return _problems(rejected.problems), no_update, no_update, no_update
    except SQLAlchemyError as error:
        if is_unavailable(error):
            raise  # dashboard.outage tells the form that the database is unavailable
        log.exception("%s failed", what)
        return dbc.Alert(UNEXPECTED, color="danger"), no_update, no_update, no_update
    return "", False, (as_int(version) or 0) + 1, _saved(done(result))


# ---------------------------------------------------------------------------------------------------------------
# Roster


def team_choices(_version: Any) -> tuple[str, list[dict[str, Any]]]:
    viewer = viewer_for(TEAM)
    with session_scope() as session:
        teams = teams_in_view(session, scope_for(session, viewer, today()), TeamFilter())
    note = (f"Your teams today: {', '.join(t.name for t in teams)}." if teams
            else "You do not lead a team at present, so there is no roster.")
    return note, [{"label": "All my teams", "value": ALL_TEAMS}] + [{"label": t.name, "value": str(t.id)}
                                                                     for t in teams]


def refresh_roster(team: Any, _version: Any) -> list[dict[str, Any]]:
    viewer = viewer_for(TEAM)
    team_id = as_int(team)
    filters = TeamFilter(team_ids=frozenset({team_id}) if team_id is not None else frozenset())
    with session_scope() as session:
        scope = scope_for(session, viewer, today())
        if team_id is not None and scope.team_ids is not None and team_id not in scope.team_ids:
            return []  # a forged team: nothing, rather than falling back to every team
        rows = workspace.roster(session, scope, today(), filters, load_settings(session))
        flags = worker_flags(session, [r.due.worker_id for r in rows], today(), flag_days(session))
        hours = ledger.progress(session, [r.due.worker_id for r in rows], today())
    return [row | {"signoff": flags[row["worker_id"]].label if row["worker_id"] in flags else "",
                   "hours": roster_hours(hours.get(row["worker_id"], []))}
            for row in view.roster_rows(rows)]


def my_team_page(team: str | None = None, **query: str) -> Any:
    """My team with its note, team list and roster already in the page: the grid is drawn once, at its height,
    instead of empty and then again a round later (Lighthouse: the profile below it jumped down). Nobody signed in
    (Dash's validation layout, the registry's tests): the bare layout."""
    if not has_request_context() or current_viewer() is None:
        return workspace_layout.my_team(team=team, **query)
    note, teams = team_choices(None)
    rows = refresh_roster(team if team and team.isdigit() else ALL_TEAMS, None)
    start = workspace_layout.RosterStart(note, teams, rows, view.roster_cards(rows, ids.ROSTER_CARD))
    return workspace_layout.my_team(team=team, start=start, **query)


def choose_worker(cell: Any, button: Any) -> Any:
    """A click anywhere on a roster row, or the worker's name button (keyboard too), opens that worker; the
    profile callback checks the id."""
    chosen = button if ctx.triggered_id and "cellRendererData" in ctx.triggered[0]["prop_id"] else cell
    if not isinstance(chosen, dict):
        return no_update
    return as_int(chosen.get("rowId")) or as_int(chosen.get("value")) or no_update


def choose_worker_card(_clicks: Any) -> Any:
    """A card's name button (the roster on a phone); the profile callback checks the id like a grid click."""
    viewer_for(TEAM)
    card = ctx.triggered_id
    if not isinstance(card, dict) or not any(t.get("value") for t in ctx.triggered):
        return no_update
    return as_int(card.get("worker")) or no_update


def roster_cards(rows: Any) -> list[Any]:
    """The grid's rows, which the roster callback has just scoped, drawn again as cards (no query)."""
    viewer_for(TEAM)
    return view.roster_cards([r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else [],
                             ids.ROSTER_CARD)


# ---------------------------------------------------------------------------------------------------------------
# Profile


def _due(session: Session, worker: workspace.WorkerRef, now: date) -> DueDate | None:
    if worker.team_id is None:
        return None
    # The worker is already known to be visible; the team filter only narrows the work.
    rows = due_dates(session, Scope.agency(), now, TeamFilter(team_ids=frozenset({worker.team_id})), worker.id)
    return rows[0] if rows else None


def _profile(viewer: Viewer, worker_id: Any, last_n: int = DEFAULT_LAST_N) -> Any:
    now = today()
    with session_scope() as session:
        scope = scope_for(session, viewer, now)
        worker = workspace.visible_worker(session, scope, as_int(worker_id), now)
        if worker is None:
            return dbc.Alert("That worker is not on your teams, or no longer works here.", color="warning")
        categories = workspace.competency_profile(session, worker)
        parts = dict(due=_due(session, worker, now), categories=categories, labels=workspace.scale_labels(session),
                     history=workspace.rating_history(session, worker, now),
                     sessions=workspace.worker_sessions(session, worker, SESSIONS_SHOWN),
                     discussed=workspace.not_discussed(session, worker, last_n),
                     guides=workspace.guides_for_worker(session, categories),
                     leaves=workspace.worker_leaves(session, worker))
        parts["signoff"] = signoffs(session, [s.id for s in parts["sessions"]])  # type: ignore[union-attr]
        parts["hours"] = ledger.progress(session, [worker.id], now).get(worker.id, [])
    if viewer.role == Role.PEER_WORKER:
        actions = [dbc.Button("Rate yourself", id={"type": ids.RATING_OPEN, "worker": worker.id}, color="primary")]
    else:
        actions = [dbc.Button(f"Log a session with {worker.name.split()[0]}",
                              id={"type": ids.SESSION_LOG_WITH, "worker": worker.id}, color="primary"),
                   dbc.Button("Record ratings", id={"type": ids.RATING_OPEN, "worker": worker.id},
                              color="primary", outline=True),
                   dbc.Button("Record leave", id={"type": ids.LEAVE_OPEN, "worker": worker.id},
                              color="secondary", outline=True)]
    return html.Div([view.profile(worker, actions=actions, last_n=last_n, editable_by=viewer.staff_id
                                  if viewer.role == Role.SUPERVISOR else None,
                                  own_record=viewer.staff_id == worker.id,
                                  leave_editable=viewer.role == Role.SUPERVISOR, **parts),
                     html.Div(str(worker.id), id=ids.PROFILE_WORKER, hidden=True)])


def render_profile(subject: Any, _version: Any) -> Any:
    """My team: the worker chosen in the roster; My record ("self"): the viewer's own record."""
    viewer = _viewer_of_either()
    if subject == SELF:
        if viewer.staff_id is None:
            return dbc.Alert("Your account is not linked to a staff record; ask an administrator.", color="warning")
        return _profile(viewer, viewer.staff_id)
    if subject is None:
        return dbc.Alert("Choose a worker in the roster to see their competency profile, sessions and guides.",
                         color="light", className="border")
    return _profile(viewer, subject)


def refresh_not_discussed(last_n: Any, worker_id: Any) -> Any:
    viewer = _viewer_of_either()
    sessions = as_int(last_n) if as_int(last_n) in NOT_DISCUSSED_CHOICES else DEFAULT_LAST_N
    now = today()
    with session_scope() as session:
        worker = workspace.visible_worker(session, scope_for(session, viewer, now), as_int(worker_id), now)
        if worker is None:
            return no_update
        result = workspace.not_discussed(session, worker, sessions)
    return view.not_discussed_panel(result, sessions)


# ---------------------------------------------------------------------------------------------------------------
# Logging, editing and deleting a session


SESSION_FORM_OUTPUTS = (
    Output(ids.SESSION_MODAL, "is_open"), Output(ids.SESSION_TITLE, "children"), Output(ids.SESSION_DATE, "value"),
    Output(ids.SESSION_MINUTES, "value"), Output(ids.SESSION_FORMAT, "value"), Output(ids.SESSION_KIND, "value"),
    Output(ids.SESSION_MODALITY, "value"), Output(ids.SESSION_ATTENDEES, "options"),
    Output(ids.SESSION_ATTENDEES, "value"), Output(ids.SESSION_TOPICS, "rowData"),
    Output(ids.SESSION_TOPICS, "selectedRows"), Output(ids.SESSION_NOTE, "value"), Output(ids.SESSION_EDITING, "data"),
    Output(ids.SESSION_DELETE, "style"), Output(ids.SESSION_FEEDBACK, "children"))


def open_session_form(_open: Any, _log_with: Any, _edit: Any) -> tuple[Any, ...]:
    """Opens the form empty, for one worker, or filled with one of the supervisor's own sessions."""
    trigger = ctx.triggered_id
    if trigger is None or not any(t.get("value") for t in ctx.triggered):
        return tuple(no_update for _ in SESSION_FORM_OUTPUTS)  # a button appearing is not a click
    viewer = viewer_for(TEAM)
    now = today()
    with session_scope() as session:
        scope = scope_for(session, viewer, now)
        members = workspace.team_members(session, scope, now)
        topics = workspace.competency_choices(session)
        editing = (workspace.own_session(session, viewer.staff_id, as_int(trigger.get("session")))
                   if isinstance(trigger, dict) and trigger.get("type") == ids.SESSION_EDIT else None)
    options = [{"label": f"{m.name} ({m.team_name})", "value": m.worker_id} for m in members]
    rows = [{"id": str(t.id), "category": t.category, "code": t.code, "label": t.label} for t in topics]
    if editing is not None:
        # An attendee who has since left the team stays listed, so editing does not silently drop them.
        known = {m.worker_id for m in members}
        options += [{"label": f"Worker {w} (no longer on your teams)", "value": w}
                    for w in editing.attendee_ids if w not in known]
        return (True, f"Edit the session of {show(editing.held_on)}", show(editing.held_on),
                editing.minutes, editing.format, editing.kind, editing.modality, options, list(editing.attendee_ids),
                rows, {"ids": [str(c) for c in editing.competency_ids]}, editing.note or "",
                {"id": editing.id, "version": editing.version}, {"display": "inline-block"}, "")
    if isinstance(trigger, dict) and trigger.get("type") == ids.SESSION_EDIT:
        return (no_update,) * 14 + (dbc.Alert("That session was not found among your sessions.", color="warning"),)
    chosen = [as_int(trigger.get("worker"))] if isinstance(trigger, dict) else []
    chosen = [w for w in chosen if w in {m.worker_id for m in members}]
    return (True, "Log a supervision session", show(now), 60, SessionFormat.INDIVIDUAL, SessionKind.SUPPORTIVE,
            Modality.IN_PERSON, options, chosen, rows, [], "", None, {"display": "none"}, "")


def close_session_form(_cancel: Any) -> bool:
    return False


def save_session_form(_save: Any, held_on: Any, minutes: Any, session_format: Any, kind: Any, modality: Any,
                      attendees: Any, topics: Any, note: Any, editing: Any, version: Any, confirmed: Any,
                      duplicate_of: Any, amendment_reason: Any = None) -> tuple[Any, ...]:
    """Validates and saves in one transaction; on any problem the form stays open with the reasons.

    A probable duplicate is not saved: the form names the session already recorded and offers "Save anyway";
    ticked, the next save allows exactly the sessions that warning named (the server decides again).
    """
    viewer = viewer_for(TEAM)
    raw = {"held_on": held_on, "minutes": minutes, "format": session_format, "kind": kind, "modality": modality,
           "attendee_ids": attendees, "note": note, "amendment_reason": amendment_reason,
           "competency_ids": [r.get("id") for r in topics if isinstance(r, dict)] if isinstance(topics, list) else []}
    editing = editing if isinstance(editing, dict) else {}
    done = "Session updated." if editing else "Session saved. The roster and profile show it now."
    allowed = as_int_set(duplicate_of) if confirmed is True else frozenset()
    try:
        outcome = _write(viewer, "saving a session", lambda session, writer: save_session(
            session, writer, raw, today(), session_id=as_int(editing.get("id")) if editing else None,
            expected_version=as_int(editing.get("version")) if editing else None, allow_duplicate_of=allowed),
            lambda _: done, version)
    except ProbableDuplicate as duplicate:
        warning = dbc.Alert([html.P("Not saved yet:", className="mb-1 fw-semibold"), duplicate.problems[0].message],
                            color="warning")
        return (warning, no_update, no_update, no_update, False, list(duplicate.session_ids), False)
    return outcome + NO_DUPLICATE


def reset_duplicate_question(_is_open: Any) -> tuple[bool, None, bool]:
    """Each opening of the session form starts without a duplicate question."""
    return NO_DUPLICATE


def delete_session_form(_delete: Any, editing: Any, version: Any) -> tuple[Any, ...]:
    viewer = viewer_for(TEAM)
    editing = editing if isinstance(editing, dict) else {}
    return _write(viewer, "deleting a session", lambda session, writer: delete_session(
        session, writer, as_int(editing.get("id")), as_int(editing.get("version"))),
        lambda _: "Session deleted.", version)


# ---------------------------------------------------------------------------------------------------------------
# Ratings (supervisor ratings on My team, self-ratings on My record)


def open_rating_form(_clicks: Any) -> tuple[Any, ...]:
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        return (no_update,) * 7
    viewer = _viewer_of_either()
    now = today()
    with session_scope() as session:
        worker = workspace.visible_worker(session, scope_for(session, viewer, now), as_int(trigger.get("worker")), now)
        if worker is None:
            return (no_update,) * 6 + (dbc.Alert("That worker is not on your teams.", color="warning"),)
        categories = workspace.competency_profile(session, worker)
        labels = workspace.scale_labels(session)
    self_rating = viewer.role == Role.PEER_WORKER
    title = "Rate yourself" if self_rating else f"Record ratings for {worker.name}"
    return (True, title, view.rating_inputs(categories, labels, self_rating), worker.id, show(now), "", "")


def close_rating_form(_cancel: Any) -> bool:
    return False


def save_rating_form(_save: Any, values: Any, select_ids: Any, rated_on: Any, note: Any, worker_id: Any,
                     version: Any) -> tuple[Any, ...]:
    viewer = _viewer_of_either()
    levels: dict[Any, Any] = {}
    if isinstance(values, list) and isinstance(select_ids, list):
        levels = {i.get("competency"): v for i, v in zip(select_ids, values)
                  if isinstance(i, dict) and v not in (None, "none")}
    note = note if isinstance(note, str) and note.strip() else None
    drafts, problems = parse_ratings(worker_id, levels, rated_on, {c: note for c in levels} if note else None)
    if problems:
        return _problems(problems), no_update, no_update, no_update
    return _write(viewer, "saving ratings", lambda session, writer: save_ratings(session, writer, drafts, today()),
                  lambda saved: (f"{saved} rating{'s' if saved != 1 else ''} saved." if saved
                                 else "No rating was changed, so nothing was saved."), version)


# ---------------------------------------------------------------------------------------------------------------
# Leave of absence (supervisors, for the workers on their teams)

LEAVE_FORM_OUTPUTS = (
    Output(ids.LEAVE_MODAL, "is_open"), Output(ids.LEAVE_TITLE, "children"), Output(ids.LEAVE_START, "value"),
    Output(ids.LEAVE_BACK, "value"), Output(ids.LEAVE_EDITING, "data"), Output(ids.LEAVE_DELETE, "style"),
    Output(ids.LEAVE_FEEDBACK, "children"))


def open_leave_form(_open: Any, _edit: Any) -> tuple[Any, ...]:
    """Opens the form for a new leave of the worker, or filled with one of their recorded leaves."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        return tuple(no_update for _ in LEAVE_FORM_OUTPUTS)  # a button appearing is not a click
    viewer = viewer_for(TEAM)
    now = today()
    with session_scope() as session:
        scope = scope_for(session, viewer, now)
        if trigger.get("type") == ids.LEAVE_EDIT:
            leave = workspace.visible_leave(session, scope, as_int(trigger.get("leave")), now)
            worker = None
        else:
            leave, worker = None, workspace.visible_worker(session, scope, as_int(trigger.get("worker")), now)
    if leave is not None:
        return (True, f"Change the leave from {show(leave.start_date)}", show(leave.start_date),
                show(leave.end_date) if leave.end_date else None, {"leave": leave.id},
                {"display": "inline-block"}, "")
    if worker is not None:
        return True, f"Record leave for {worker.name}", show(now), None, {"worker": worker.id}, \
            {"display": "none"}, ""
    return (no_update,) * 6 + (dbc.Alert("That worker or leave is not on your teams.", color="warning"),)


def close_leave_form(_cancel: Any) -> bool:
    return False


def _leave_target(editing: Any) -> tuple[int | None, int | None, bool]:
    """(worker id for a new leave, leave id to change, readable): a store that names neither is refused."""
    editing = editing if isinstance(editing, dict) else {}
    worker_id, leave_id = as_int(editing.get("worker")), as_int(editing.get("leave"))
    return worker_id, leave_id, (worker_id is None) != (leave_id is None)


def save_leave_form(_save: Any, start: Any, back_on: Any, editing: Any, version: Any) -> tuple[Any, ...]:
    viewer = viewer_for(TEAM)
    worker_id, leave_id, readable = _leave_target(editing)
    if not readable:
        return _problems([Problem("leave", "That leave was not found among your workers' records.")]), \
            no_update, no_update, no_update
    raw = {"worker_id": worker_id, "start_date": start, "end_date": back_on}
    return _write(viewer, "saving a leave", lambda session, writer: save_leave(
        session, writer, raw, today(), leave_id=leave_id),
        lambda _: "Leave saved. Due dates and the roster take it into account.", version)


def delete_leave_form(_delete: Any, editing: Any, version: Any) -> tuple[Any, ...]:
    viewer = viewer_for(TEAM)
    _worker_id, leave_id, _readable = _leave_target(editing)
    return _write(viewer, "deleting a leave", lambda session, writer: delete_leave(session, writer, leave_id, today()),
                  lambda _: "Leave deleted.", version)


# ---------------------------------------------------------------------------------------------------------------


DUPLICATE_OUTPUTS = (Output(ids.SESSION_DUPLICATE, "hidden", allow_duplicate=True),
                     Output(ids.SESSION_DUPLICATE_OF, "data", allow_duplicate=True),
                     Output(ids.SESSION_DUPLICATE_CONFIRM, "value", allow_duplicate=True))
NO_DUPLICATE = (True, None, False)  # the box hidden, no session named, not ticked
AFTER_SAVE = (Output(ids.WORKSPACE_VERSION, "data", allow_duplicate=True),
              Output(ids.WORKSPACE_MESSAGE, "children", allow_duplicate=True))

URL_SYNC = """
function(team, worker) {
    const params = new URLSearchParams();
    if (team && team !== 'all') { params.set('team', team); }
    if (worker) { params.set('worker', worker); }
    const query = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
    return '';
}
"""

TOPIC_FILTER = """
function(text, options) {
    return Object.assign({}, options || {}, {quickFilterText: text || ''});
}
"""


def topic_count(selected: Any) -> str:
    count = len(selected) if isinstance(selected, list) else 0
    return f"{count} chosen" if count else "None chosen yet (optional)."


def register(app: Dash) -> None:
    # The first load has both from my_team_page; these run when a save or the team choice changes them.
    app.callback(Output(ids.MY_TEAM_NOTE, "children"), Output(ids.MY_TEAM_TEAM, "options"),
                 Input(ids.WORKSPACE_VERSION, "data"), prevent_initial_call=True)(team_choices)
    app.callback(Output(ids.MY_TEAM_ROSTER, "rowData"),
                 Input(ids.MY_TEAM_TEAM, "value"), Input(ids.WORKSPACE_VERSION, "data"),
                 prevent_initial_call=True)(refresh_roster)
    app.callback(Output(ids.PROFILE_SUBJECT, "data"), Input(ids.MY_TEAM_ROSTER, "cellClicked"),
                 Input(ids.MY_TEAM_ROSTER, "cellRendererData"), prevent_initial_call=True)(choose_worker)
    app.callback(Output(ids.PROFILE_SUBJECT, "data", allow_duplicate=True),
                 Input({"type": ids.ROSTER_CARD, "worker": ALL}, "n_clicks"),
                 prevent_initial_call=True)(choose_worker_card)
    app.callback(Output(ids.MY_TEAM_CARDS, "children"), Input(ids.MY_TEAM_ROSTER, "rowData"),
                 prevent_initial_call=True)(roster_cards)
    app.clientside_callback(URL_SYNC, Output(ids.MY_TEAM_URL_SYNC, "children"),
                            Input(ids.MY_TEAM_TEAM, "value"), Input(ids.PROFILE_SUBJECT, "data"))
    app.callback(Output(ids.PROFILE, "children"), Input(ids.PROFILE_SUBJECT, "data"),
                 Input(ids.WORKSPACE_VERSION, "data"))(render_profile)
    app.callback(Output(ids.PROFILE_NOT_DISCUSSED, "children"), Input(ids.PROFILE_LAST_N, "value"),
                 State(ids.PROFILE_WORKER, "children"), prevent_initial_call=True)(refresh_not_discussed)

    app.callback(*SESSION_FORM_OUTPUTS, Input(ids.SESSION_OPEN, "n_clicks"),
                 Input({"type": ids.SESSION_LOG_WITH, "worker": ALL}, "n_clicks"),
                 Input({"type": ids.SESSION_EDIT, "session": ALL}, "n_clicks"),
                 prevent_initial_call=True)(open_session_form)
    app.callback(Output(ids.SESSION_MODAL, "is_open", allow_duplicate=True), Input(ids.SESSION_CANCEL, "n_clicks"),
                 prevent_initial_call=True)(close_session_form)
    app.clientside_callback(TOPIC_FILTER, Output(ids.SESSION_TOPICS, "dashGridOptions"),
                            Input(ids.SESSION_TOPIC_SEARCH, "value"), State(ids.SESSION_TOPICS, "dashGridOptions"),
                            prevent_initial_call=True)
    app.callback(Output(ids.SESSION_TOPIC_COUNT, "children"), Input(ids.SESSION_TOPICS, "selectedRows"))(topic_count)
    app.callback(Output(ids.SESSION_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.SESSION_MODAL, "is_open", allow_duplicate=True), *AFTER_SAVE, *DUPLICATE_OUTPUTS,
                 Input(ids.SESSION_SAVE, "n_clicks"),
                 State(ids.SESSION_DATE, "value"), State(ids.SESSION_MINUTES, "value"),
                 State(ids.SESSION_FORMAT, "value"), State(ids.SESSION_KIND, "value"),
                 State(ids.SESSION_MODALITY, "value"), State(ids.SESSION_ATTENDEES, "value"),
                 State(ids.SESSION_TOPICS, "selectedRows"), State(ids.SESSION_NOTE, "value"),
                 State(ids.SESSION_EDITING, "data"), State(ids.WORKSPACE_VERSION, "data"),
                 State(ids.SESSION_DUPLICATE_CONFIRM, "value"), State(ids.SESSION_DUPLICATE_OF, "data"),
                 State(ids.SESSION_REASON, "value"), prevent_initial_call=True)(save_session_form)
    app.callback(*DUPLICATE_OUTPUTS, Input(ids.SESSION_MODAL, "is_open"),
                 prevent_initial_call=True)(reset_duplicate_question)
    app.callback(Output(ids.SESSION_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.SESSION_MODAL, "is_open", allow_duplicate=True), *AFTER_SAVE,
                 Input(ids.SESSION_DELETE, "n_clicks"), State(ids.SESSION_EDITING, "data"),
                 State(ids.WORKSPACE_VERSION, "data"), prevent_initial_call=True)(delete_session_form)

    app.callback(Output(ids.RATING_MODAL, "is_open"), Output(ids.RATING_TITLE, "children"),
                 Output(ids.RATING_BODY, "children"), Output(ids.RATING_WORKER, "data"),
                 Output(ids.RATING_DATE, "value"), Output(ids.RATING_NOTE, "value"),
                 Output(ids.RATING_FEEDBACK, "children"),
                 Input({"type": ids.RATING_OPEN, "worker": ALL}, "n_clicks"),
                 prevent_initial_call=True)(open_rating_form)
    app.callback(Output(ids.RATING_MODAL, "is_open", allow_duplicate=True), Input(ids.RATING_CANCEL, "n_clicks"),
                 prevent_initial_call=True)(close_rating_form)
    app.callback(Output(ids.RATING_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.RATING_MODAL, "is_open", allow_duplicate=True), *AFTER_SAVE,
                 Input(ids.RATING_SAVE, "n_clicks"),
                 State({"type": ids.RATING_LEVEL, "competency": ALL}, "value"),
                 State({"type": ids.RATING_LEVEL, "competency": ALL}, "id"),
                 State(ids.RATING_DATE, "value"), State(ids.RATING_NOTE, "value"), State(ids.RATING_WORKER, "data"),
                 State(ids.WORKSPACE_VERSION, "data"), prevent_initial_call=True)(save_rating_form)

    app.callback(*LEAVE_FORM_OUTPUTS, Input({"type": ids.LEAVE_OPEN, "worker": ALL}, "n_clicks"),
                 Input({"type": ids.LEAVE_EDIT, "leave": ALL}, "n_clicks"), prevent_initial_call=True)(open_leave_form)
    app.callback(Output(ids.LEAVE_MODAL, "is_open", allow_duplicate=True), Input(ids.LEAVE_CANCEL, "n_clicks"),
                 prevent_initial_call=True)(close_leave_form)
    app.callback(Output(ids.LEAVE_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.LEAVE_MODAL, "is_open", allow_duplicate=True), *AFTER_SAVE,
                 Input(ids.LEAVE_SAVE, "n_clicks"), State(ids.LEAVE_START, "value"), State(ids.LEAVE_BACK, "value"),
                 State(ids.LEAVE_EDITING, "data"), State(ids.WORKSPACE_VERSION, "data"),
                 prevent_initial_call=True)(save_leave_form)
    app.callback(Output(ids.LEAVE_FEEDBACK, "children", allow_duplicate=True),
                 Output(ids.LEAVE_MODAL, "is_open", allow_duplicate=True), *AFTER_SAVE,
                 Input(ids.LEAVE_DELETE, "n_clicks"), State(ids.LEAVE_EDITING, "data"),
                 State(ids.WORKSPACE_VERSION, "data"), prevent_initial_call=True)(delete_leave_form)
