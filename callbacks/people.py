"""People callbacks: show the stages and a worker's history; admins change them (quality reads), each change one
transaction with its audit event, refused whole on any problem."""
from __future__ import annotations

from datetime import date
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, html, no_update
from sqlalchemy.orm import Session

from callbacks.common import actor_for, admin_for, as_int, viewer_for
from dashboard import org, people, staff_records
from dashboard.audit import Actor
from dashboard.auth import Viewer
from dashboard.db import session_scope
from dashboard.figures import scroll_region
from dashboard.recording import Rejected
from dashboard.dates import show, show_input
from layouts import ids
from models.vocabulary import Role

SECTION = "people"
WITHOUT_STAGE_SHOWN = 25  # names listed; the count covers all


def today() -> date:
    return date.today()


def _editor() -> Viewer:
    """Only an administrator changes people's records; quality reads the page (a crafted write gets 403)."""
    return admin_for(SECTION)


Work = Callable[[Session, Actor], str]  # one button's write; returns what to tell the editor


def _perform(actions: dict[str, Work], version: Any) -> tuple[Any, Any]:
    """The pressed button's write, as an admin, in one transaction with its audit events: a success message and
    the page's next version, or the refusal's messages, nothing written (a stale copy also re-reads the page)."""
    return _attempt(actions, version)[:2]


def _attempt(actions: dict[str, Work], version: Any) -> tuple[Any, Any, bool]:
    """_perform's message and version, and whether the write was made."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, str) or trigger not in actions or not any(t.get("value") for t in ctx.triggered):
        return no_update, no_update, False
    viewer = _editor()
    try:
        with session_scope() as session:
            done = actions[trigger](session, actor_for(viewer))
    except Rejected as error:
        stale = any(p.message.startswith("Someone else changed") for p in error.problems)
        return _refused(error), (_next(version) if stale else no_update), False
    return dbc.Alert(done, color="success", className="mb-0"), _next(version), True


def _boxes(typed: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every text box a form's buttons use (typed: button -> its boxes), each once, in order: the callback's outputs."""
    return tuple(dict.fromkeys(box for boxes in typed.values() for box in boxes))


def _perform_and_empty(actions: dict[str, Work], version: Any, typed: dict[str, tuple[str, ...]]) -> tuple[Any, ...]:
    """_perform, then the text boxes the pressed button's write used (typed) emptied once it was made, so the next
    name starts from a blank box instead of the last one; after a refusal what was typed stays, to be corrected."""
    shown, next_version, made = _attempt(actions, version)
    used = typed.get(str(ctx.triggered_id), ()) if made else ()
    return (shown, next_version, *("" if box in used else no_update for box in _boxes(typed)))


def _refused(error: Rejected) -> dbc.Alert:
    return dbc.Alert([html.Div(p.message) for p in error.problems], color="warning", className="mb-0")


def _next(version: Any) -> int:
    """The page's next version: a new number makes the tables re-read."""
    return (as_int(version) or 0) + 1


def _worker_label(worker: people.WorkerRef) -> str:
    return f"{worker.full_name} ({worker.code})" if worker.code else worker.full_name


def refresh(_stages_version: Any, _workers_version: Any, _staff_version: Any = None) -> tuple[Any, ...]:
    """The list of stages, the workers without one, and the choices of both forms."""
    viewer = viewer_for(SECTION)
    now = today()
    with session_scope() as session:
        rows = people.stage_rows(session, now)
        missing = people.without_stage(session, now)
        workers = people.peer_workers(session)
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in ("#", "Stage", "Code", "Peer workers today")]))
    body = html.Tbody([html.Tr([html.Td(n), html.Th(r.name, scope="row"), html.Td(html.Code(r.code)),
                                html.Td(r.workers_now)]) for n, r in enumerate(rows, start=1)])
    table = (scroll_region(dbc.Table([head, body], size="sm", className="mb-0"), "Certification stages") if rows
             else html.P("No stages yet: add the agency's first stage below.", className="mb-0"))
    if missing:
        names = [_worker_label(w) for w in missing[:WITHOUT_STAGE_SHOWN]]
        more = len(missing) - len(names)
        without = html.Div([
            dbc.Alert(f"{len(missing)} peer worker{'s' if len(missing) != 1 else ''} on staff today "
                      f"{'have' if len(missing) != 1 else 'has'} no stage: the compliance view judges "
                      f"“not met: no standard rule applies”.",
                      color="warning"),
            html.Ul([html.Li(name) for name in names] + ([html.Li(f"… and {more} more")] if more else []),
                    className="mb-0 small")])
    else:
        without = html.P("Every peer worker on staff today has a stage.", className="mb-0")
    stage_options = [{"label": r.name, "value": str(r.id)} for r in rows]
    worker_options = [{"label": _worker_label(w) + (" — left" if w.left_on and w.left_on <= now else ""),
                       "value": str(w.id)} for w in workers]
    editing = viewer.role == Role.ADMIN
    note = "" if editing else "Read-only: an administrator changes these records."
    return (table, [[r.id, r.name] for r in rows], stage_options, stage_options, without, worker_options,
            not editing, not editing, note)


def _dated_table(headers: tuple[str, str, str], rows: list[tuple[str, Any, Any]]) -> Any:
    if not rows:
        return html.P("None recorded.", className="mb-0")
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    body = html.Tbody([html.Tr([html.Th(name, scope="row"), html.Td(show(start)),
                                html.Td(show(end) if end else "now")]) for name, start, end in rows])
    return scroll_region(dbc.Table([head, body], size="sm", className="mb-0"), f"{headers[0]} history")


def show_worker(worker: Any, _workers_version: Any, _stages_version: Any) -> tuple[Any, Any]:
    """The chosen worker's stage history, and the latest entry the form will name when it saves."""
    viewer_for(SECTION)
    worker_id = as_int(worker)
    if worker_id is None:
        return html.P("Choose a peer worker to see their stages.", className="mb-0"), None
    with session_scope() as session:
        spans = people.history(session, worker_id)
    if not spans:
        return html.P("No stage recorded.", className="mb-0"), 0
    return _dated_table(("Stage", "From", "Until"), [(x.name, x.start, x.end) for x in reversed(spans)]), spans[-1].id


STAGE_TYPED = {ids.PEOPLE_STAGE_ADD: (ids.PEOPLE_STAGE_NEW,), ids.PEOPLE_STAGE_RENAME: (ids.PEOPLE_STAGE_RENAME_TO,)}


def stage_action(_add: Any, _rename: Any, _up: Any, _down: Any, _delete: Any, new_name: Any, chosen: Any,
                 rename_to: Any, seen: Any, version: Any) -> tuple[Any, ...]:
    """Add, rename, move or delete a stage, whichever button was pressed; the list the editor saw travels with it."""
    def add(session: Session, actor: Actor) -> str:
        people.add_stage(session, actor, new_name)
        return f"Added “{' '.join(str(new_name).split())}”."

    def rename(session: Session, actor: Actor) -> str:
        people.rename_stage(session, actor, as_int(chosen), rename_to, seen)
        return f"Renamed to “{' '.join(str(rename_to).split())}”."

    def move(step: int) -> Work:
        def work(session: Session, actor: Actor) -> str:
            people.move_stage(session, actor, as_int(chosen), step, seen)
            return "Moved."
        return work

    def delete(session: Session, actor: Actor) -> str:
        return f"Deleted “{people.delete_stage(session, actor, as_int(chosen), seen)}”."
    return _perform_and_empty({ids.PEOPLE_STAGE_ADD: add, ids.PEOPLE_STAGE_RENAME: rename,
                               ids.PEOPLE_STAGE_UP: move(-1), ids.PEOPLE_STAGE_DOWN: move(1),
                               ids.PEOPLE_STAGE_DELETE: delete}, version, STAGE_TYPED)


def worker_action(_record: Any, _remove: Any, worker: Any, stage: Any, from_date: Any, latest: Any,
                  version: Any) -> tuple[Any, Any]:
    """Record the chosen worker's stage from a date, or remove their latest entry."""
    def record(session: Session, actor: Actor) -> str:
        action = people.record_stage(session, actor, as_int(worker), as_int(stage), from_date, latest, today())
        return "Corrected the latest entry's stage." if action == "correct" else "Recorded."

    def remove(session: Session, actor: Actor) -> str:
        people.remove_latest_stage(session, actor, as_int(worker), latest)
        return "Removed the latest entry."
    return _perform({ids.PEOPLE_WORKER_RECORD: record, ids.PEOPLE_WORKER_REMOVE: remove}, version)


def _org_key(kind: str, entity_id: int) -> str:
    return f"{kind}:{entity_id}"


def refresh_org(_org_version: Any, _staff_version: Any = None) -> tuple[Any, Any, Any, Any, Any]:
    """Programs with their teams (archived ones marked), what the editor sees of each, and the forms' choices."""
    viewer = viewer_for(SECTION)
    with session_scope() as session:
        programs = org.programs_and_teams(session, today())
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Team", "Peer workers today", "Supervisors today",
                                                                  "Status")]))
    body: list[Any] = []
    seen: dict[str, list[Any]] = {}
    chosen: list[dict[str, str]] = []
    for program in programs:
        archived = f"archived since {show(program.archived_on)}" if program.archived_on else ""
        body.append(html.Tr(html.Th([program.name, html.Span(f" — {archived}" if archived else "",
                                                             className="fw-normal text-body-secondary")],
                                    colSpan=4, scope="colgroup", className="table-light")))
        seen[_org_key("program", program.id)] = [program.name, program.archived_on is not None]
        chosen.append({"label": f"Program: {program.name}" + (" (archived)" if archived else ""),
                       "value": _org_key("program", program.id)})
        for team in program.teams:
            body.append(html.Tr([html.Th(team.name, scope="row", className="fw-normal ps-4"),
                                 html.Td(team.workers_now), html.Td(team.supervisors_now),
                                 html.Td(f"archived since {show(team.archived_on)}" if team.archived_on
                                         else "in use")]))
            seen[_org_key("team", team.id)] = [team.name, team.archived_on is not None]
            chosen.append({"label": f"Team: {team.name} ({program.name})" + (" (archived)" if team.archived_on
                                                                              else ""),
                           "value": _org_key("team", team.id)})
        if not program.teams:
            body.append(html.Tr(html.Td("No teams yet.", colSpan=4, className="ps-4 text-body-secondary")))
    table = (scroll_region(dbc.Table([head, html.Tbody(body)], size="sm", className="mb-0"), "Programs and teams")
             if programs
             else html.P("No programs yet: add the agency's first program below.", className="mb-0"))
    in_use = [{"label": p.name, "value": str(p.id)} for p in programs if p.archived_on is None]
    return table, seen, in_use, chosen, viewer.role != Role.ADMIN


def _chosen_key(value: Any) -> tuple[str | None, int | None]:
    if not isinstance(value, str) or ":" not in value:
        return None, None
    kind, _, number = value.partition(":")
    return kind, as_int(number)


ORG_TYPED = {ids.PEOPLE_PROGRAM_ADD: (ids.PEOPLE_PROGRAM_NEW, ids.PEOPLE_PROGRAM_DESCRIPTION),
             ids.PEOPLE_TEAM_ADD: (ids.PEOPLE_TEAM_NEW,), ids.PEOPLE_ORG_RENAME: (ids.PEOPLE_ORG_RENAME_TO,)}


def org_action(_add_program: Any, _add_team: Any, _rename: Any, _archive: Any, _restore: Any, program_name: Any,
               description: Any, team_program: Any, team_name: Any, chosen: Any, rename_to: Any, seen: Any,
               version: Any) -> tuple[Any, ...]:
    """Add a program or team, or rename, archive or restore the chosen one (as the editor saw it)."""
    kind, entity_id = _chosen_key(chosen)
    shown = seen.get(chosen) if isinstance(seen, dict) and isinstance(chosen, str) else None
    seen_name, seen_archived = shown if isinstance(shown, list) and len(shown) == 2 else (None, None)

    def add_program(session: Session, actor: Actor) -> str:
        org.create_program(session, actor, program_name, description)
        return "Program added."

    def add_team(session: Session, actor: Actor) -> str:
        org.create_team(session, actor, as_int(team_program), team_name)
        return "Team added."

    def rename(session: Session, actor: Actor) -> str:
        org.rename(session, actor, kind, entity_id, rename_to, seen_name, seen_archived)
        return "Renamed."

    def archived(archive: bool) -> Work:
        def work(session: Session, actor: Actor) -> str:
            org.set_archived(session, actor, kind, entity_id, archive, seen_name, seen_archived, today())
            return "Archived: it keeps its history and leaves the filters." if archive else "Restored."
        return work
    return _perform_and_empty({ids.PEOPLE_PROGRAM_ADD: add_program, ids.PEOPLE_TEAM_ADD: add_team,
                               ids.PEOPLE_ORG_RENAME: rename, ids.PEOPLE_ORG_ARCHIVE: archived(True),
                               ids.PEOPLE_ORG_RESTORE: archived(False)}, version, ORG_TYPED)


NEW_PERSON = "new"
BLANK_RECORD = {"full_name": "", "employee_code": "", "role": Role.PEER_WORKER.value, "hire_date": None,
                "left_on": None, "fte": "1", "peer_credential": False}


def staff_options(_staff_version: Any, _org_version: Any) -> tuple[Any, Any, Any]:
    """Everyone on the staff list (the new-person choice first for an admin), and the teams in use."""
    viewer = viewer_for(SECTION)
    with session_scope() as session:
        everyone = staff_records.staff_list(session)
        teams = org.open_teams(session)
    now = today()
    people_options = ([{"label": "New person…", "value": NEW_PERSON}] if viewer.role == Role.ADMIN else []) + [
        {"label": f"{p.full_name}{f' ({p.employee_code})' if p.employee_code else ''} — "
                  f"{Role(p.role).label}{' — left' if p.left_on and p.left_on <= now else ''}", "value": str(p.id)}
        for p in everyone]
    team_options = [{"label": label, "value": str(tid)} for tid, label in teams]
    return people_options, team_options, team_options


def load_person(person: Any, _staff_version: Any) -> tuple[Any, ...]:
    """The chosen person's record into the form (what the editor saw is kept to send back), and their teams."""
    viewer = viewer_for(SECTION)
    admin = viewer.role == Role.ADMIN
    staff_id = as_int(person)
    view = None
    if staff_id is not None:
        with session_scope() as session:
            view = staff_records.staff_view(session, staff_id)
            teams = people.history(session, staff_id, people.TEAMS) if view else []
            led = staff_records.supervisions(session, staff_id) if view else []
    values = view.values() if view else BLANK_RECORD
    record_editable = admin and (view is not None or person == NEW_PERSON)
    teams_table: Any = html.P("Choose a person to see their teams.", className="mb-0")
    move_hidden = sup_hidden = True
    latest: Any = None
    which: list[dict[str, str]] = []
    every: list[dict[str, str]] = []
    dates: dict[str, list[Any]] | None = None
    if view is not None and view.role == Role.PEER_WORKER:
        teams_table = _dated_table(("Team", "From", "Until"), [(t.name, t.start, t.end) for t in reversed(teams)])
        move_hidden, latest = not admin, (teams[-1].id if teams else 0)
    elif view is not None:
        teams_table = _dated_table(("Team supervised", "From", "Until"),
                                   [(t.team_name, t.start, t.end) for t in reversed(led)])
        sup_hidden = not admin
        which = [{"label": f"{t.team_name}, since {show(t.start)}", "value": str(t.id)} for t in led
                 if t.end is None]
        every = [{"label": f"{t.team_name}, {show(t.start)} – {f'{show(t.end)}' if t.end else 'now'}",
                  "value": str(t.id)} for t in led]
        dates = {str(t.id): [t.start.isoformat(), t.end.isoformat() if t.end else None] for t in led}
    return (values["full_name"], values["employee_code"] or "", values["role"], show_input(values["hire_date"]),
            show_input(values["left_on"]), float(values["fte"]), values["peer_credential"],
            view.values() if view else None,
            not record_editable, "mt-3" if record_editable else "d-none", teams_table, move_hidden, sup_hidden,
            latest, which, every, dates)


def fill_supervision_dates(which: Any, seen: Any) -> tuple[Any, Any]:
    """The chosen team entry's dates into the correction form, as loaded."""
    viewer_for(SECTION)
    dates = seen.get(which) if isinstance(seen, dict) and isinstance(which, str) else None
    if not isinstance(dates, list) or len(dates) != 2:
        return None, None
    return show_input(dates[0]), show_input(dates[1])


def save_person(_save: Any, person: Any, name: Any, code: Any, role: Any, hire: Any, left: Any, fte: Any,
                credential: Any, seen: Any, version: Any) -> tuple[Any, Any, Any]:
    """Create the new person, or save the opened one's record as the editor changed it."""
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update, no_update
    viewer = _editor()
    raw = {"full_name": name, "employee_code": code, "role": role, "hire_date": hire, "left_on": left, "fte": fte,
           "peer_credential": credential}
    staff_id = None if person == NEW_PERSON else (as_int(person) if as_int(person) else -1)
    try:
        with session_scope() as session:
            saved = staff_records.save_staff(session, actor_for(viewer), raw, staff_id, seen)
    except Rejected as error:
        stale = any(p.message == staff_records.STALE for p in error.problems)
        return _refused(error), (_next(version) if stale else no_update), no_update
    done = "Added." if staff_id is None else "Saved."
    return dbc.Alert(done, color="success", className="mb-0"), _next(version), str(saved)


def team_action(_move: Any, _remove: Any, _add: Any, _end: Any, _edit: Any, person: Any, move_team: Any,
                move_from: Any, latest: Any, sup_team: Any, sup_from: Any, sup_which: Any, sup_end: Any,
                edit_which: Any, edit_from: Any, edit_until: Any, sup_seen: Any, version: Any) -> tuple[Any, Any]:
    """A worker's move (or taking back their latest team entry); a supervisor's new team, a team's end, or a
    correction of one team entry's dates."""
    staff_id = as_int(person)

    def move(session: Session, actor: Actor) -> str:
        action = people.record_change(session, actor, staff_id, as_int(move_team), move_from, latest, today(),
                                      people.TEAMS)
        return "Corrected the latest entry's team." if action == "correct" else "Moved."

    def remove(session: Session, actor: Actor) -> str:
        people.remove_latest(session, actor, staff_id, latest, people.TEAMS)
        return "Removed the latest team entry."

    def supervise(session: Session, actor: Actor) -> str:
        staff_records.add_supervision(session, actor, staff_id, as_int(sup_team), sup_from, today())
        return "Team added."

    def end(session: Session, actor: Actor) -> str:
        staff_records.end_supervision(session, actor, staff_id, as_int(sup_which), sup_end)
        return "Ended."

    def redate(session: Session, actor: Actor) -> str:
        seen = sup_seen.get(edit_which) if isinstance(sup_seen, dict) and isinstance(edit_which, str) else None
        staff_records.edit_supervision_dates(session, actor, staff_id, as_int(edit_which), edit_from, edit_until,
                                             seen, today())
        return "Dates saved."
    return _perform({ids.PEOPLE_MOVE: move, ids.PEOPLE_MOVE_REMOVE: remove, ids.PEOPLE_SUP_ADD: supervise,
                     ids.PEOPLE_SUP_END_BUTTON: end, ids.PEOPLE_SUP_EDIT_BUTTON: redate}, version)


def register(app: Dash) -> None:
    app.callback(Output(ids.PEOPLE_STAGES_TABLE, "children"), Output(ids.PEOPLE_STAGES_SEEN, "data"),
                 Output(ids.PEOPLE_STAGE_CHOSEN, "options"), Output(ids.PEOPLE_WORKER_STAGE, "options"),
                 Output(ids.PEOPLE_WITHOUT_STAGE, "children"), Output(ids.PEOPLE_WORKER, "options"),
                 Output(ids.PEOPLE_STAGES_FORM, "hidden"), Output(ids.PEOPLE_WORKER_FORM, "hidden"),
                 Output(ids.PEOPLE_READ_ONLY, "children"),
                 Input(ids.PEOPLE_STAGES_VERSION, "data"), Input(ids.PEOPLE_WORKERS_VERSION, "data"),
                 Input(ids.PEOPLE_STAFF_VERSION, "data"))(refresh)
    app.callback(Output(ids.PEOPLE_WORKER_HISTORY, "children"), Output(ids.PEOPLE_WORKER_LATEST, "data"),
                 Input(ids.PEOPLE_WORKER, "value"), Input(ids.PEOPLE_WORKERS_VERSION, "data"),
                 Input(ids.PEOPLE_STAGES_VERSION, "data"))(show_worker)
    app.callback(Output(ids.PEOPLE_STAGES_MESSAGE, "children"), Output(ids.PEOPLE_STAGES_VERSION, "data"),
                 *(Output(box, "value") for box in _boxes(STAGE_TYPED)),
                 Input(ids.PEOPLE_STAGE_ADD, "n_clicks"), Input(ids.PEOPLE_STAGE_RENAME, "n_clicks"),
                 Input(ids.PEOPLE_STAGE_UP, "n_clicks"), Input(ids.PEOPLE_STAGE_DOWN, "n_clicks"),
                 Input(ids.PEOPLE_STAGE_DELETE, "n_clicks"),
                 State(ids.PEOPLE_STAGE_NEW, "value"), State(ids.PEOPLE_STAGE_CHOSEN, "value"),
                 State(ids.PEOPLE_STAGE_RENAME_TO, "value"), State(ids.PEOPLE_STAGES_SEEN, "data"),
                 State(ids.PEOPLE_STAGES_VERSION, "data"),
                 prevent_initial_call=True)(stage_action)
    app.callback(Output(ids.PEOPLE_WORKER_MESSAGE, "children"), Output(ids.PEOPLE_WORKERS_VERSION, "data"),
                 Input(ids.PEOPLE_WORKER_RECORD, "n_clicks"), Input(ids.PEOPLE_WORKER_REMOVE, "n_clicks"),
                 State(ids.PEOPLE_WORKER, "value"), State(ids.PEOPLE_WORKER_STAGE, "value"),
                 State(ids.PEOPLE_WORKER_FROM, "value"), State(ids.PEOPLE_WORKER_LATEST, "data"),
                 State(ids.PEOPLE_WORKERS_VERSION, "data"),
                 prevent_initial_call=True)(worker_action)
    app.callback(Output(ids.PEOPLE_ORG_TABLE, "children"), Output(ids.PEOPLE_ORG_SEEN, "data"),
                 Output(ids.PEOPLE_TEAM_PROGRAM, "options"), Output(ids.PEOPLE_ORG_CHOSEN, "options"),
                 Output(ids.PEOPLE_ORG_FORM, "hidden"), Input(ids.PEOPLE_ORG_VERSION, "data"),
                 Input(ids.PEOPLE_STAFF_VERSION, "data"))(refresh_org)
    app.callback(Output(ids.PEOPLE_STAFF_PERSON, "options"), Output(ids.PEOPLE_MOVE_TEAM, "options"),
                 Output(ids.PEOPLE_SUP_TEAM, "options"), Input(ids.PEOPLE_STAFF_VERSION, "data"),
                 Input(ids.PEOPLE_ORG_VERSION, "data"))(staff_options)
    app.callback(Output(ids.PEOPLE_STAFF_NAME, "value"), Output(ids.PEOPLE_STAFF_CODE, "value"),
                 Output(ids.PEOPLE_STAFF_ROLE, "value"), Output(ids.PEOPLE_STAFF_HIRE, "value"),
                 Output(ids.PEOPLE_STAFF_LEFT, "value"), Output(ids.PEOPLE_STAFF_FTE, "value"),
                 Output(ids.PEOPLE_STAFF_CREDENTIAL, "value"), Output(ids.PEOPLE_STAFF_SEEN, "data"),
                 Output(ids.PEOPLE_STAFF_FIELDSET, "disabled"), Output(ids.PEOPLE_STAFF_SAVE, "className"),
                 Output(ids.PEOPLE_STAFF_TEAMS, "children"),
                 Output(ids.PEOPLE_MOVE_FORM, "hidden"), Output(ids.PEOPLE_SUP_FORM, "hidden"),
                 Output(ids.PEOPLE_MOVE_LATEST, "data"), Output(ids.PEOPLE_SUP_WHICH, "options"),
                 Output(ids.PEOPLE_SUP_EDIT_WHICH, "options"), Output(ids.PEOPLE_SUP_SEEN, "data"),
                 Input(ids.PEOPLE_STAFF_PERSON, "value"), Input(ids.PEOPLE_STAFF_VERSION, "data"))(load_person)
    app.callback(Output(ids.PEOPLE_SUP_EDIT_FROM, "value"), Output(ids.PEOPLE_SUP_EDIT_UNTIL, "value"),
                 Input(ids.PEOPLE_SUP_EDIT_WHICH, "value"), State(ids.PEOPLE_SUP_SEEN, "data"),
                 prevent_initial_call=True)(fill_supervision_dates)
    app.callback(Output(ids.PEOPLE_STAFF_MESSAGE, "children"), Output(ids.PEOPLE_STAFF_VERSION, "data"),
                 Output(ids.PEOPLE_STAFF_PERSON, "value"), Input(ids.PEOPLE_STAFF_SAVE, "n_clicks"),
                 State(ids.PEOPLE_STAFF_PERSON, "value"), State(ids.PEOPLE_STAFF_NAME, "value"),
                 State(ids.PEOPLE_STAFF_CODE, "value"), State(ids.PEOPLE_STAFF_ROLE, "value"),
                 State(ids.PEOPLE_STAFF_HIRE, "value"), State(ids.PEOPLE_STAFF_LEFT, "value"),
                 State(ids.PEOPLE_STAFF_FTE, "value"), State(ids.PEOPLE_STAFF_CREDENTIAL, "value"),
                 State(ids.PEOPLE_STAFF_SEEN, "data"), State(ids.PEOPLE_STAFF_VERSION, "data"),
                 prevent_initial_call=True)(save_person)
    app.callback(Output(ids.PEOPLE_TEAMS_MESSAGE, "children"), Output(ids.PEOPLE_STAFF_VERSION, "data",
                                                                       allow_duplicate=True),
                 Input(ids.PEOPLE_MOVE, "n_clicks"), Input(ids.PEOPLE_MOVE_REMOVE, "n_clicks"),
                 Input(ids.PEOPLE_SUP_ADD, "n_clicks"), Input(ids.PEOPLE_SUP_END_BUTTON, "n_clicks"),
                 Input(ids.PEOPLE_SUP_EDIT_BUTTON, "n_clicks"), State(ids.PEOPLE_STAFF_PERSON, "value"),
                 State(ids.PEOPLE_MOVE_TEAM, "value"),
                 State(ids.PEOPLE_MOVE_FROM, "value"), State(ids.PEOPLE_MOVE_LATEST, "data"),
                 State(ids.PEOPLE_SUP_TEAM, "value"), State(ids.PEOPLE_SUP_FROM, "value"),
                 State(ids.PEOPLE_SUP_WHICH, "value"), State(ids.PEOPLE_SUP_END, "value"),
                 State(ids.PEOPLE_SUP_EDIT_WHICH, "value"), State(ids.PEOPLE_SUP_EDIT_FROM, "value"),
                 State(ids.PEOPLE_SUP_EDIT_UNTIL, "value"), State(ids.PEOPLE_SUP_SEEN, "data"),
                 State(ids.PEOPLE_STAFF_VERSION, "data"), prevent_initial_call=True)(team_action)
    app.callback(Output(ids.PEOPLE_ORG_MESSAGE, "children"), Output(ids.PEOPLE_ORG_VERSION, "data"),
                 *(Output(box, "value") for box in _boxes(ORG_TYPED)),
                 Input(ids.PEOPLE_PROGRAM_ADD, "n_clicks"), Input(ids.PEOPLE_TEAM_ADD, "n_clicks"),
                 Input(ids.PEOPLE_ORG_RENAME, "n_clicks"), Input(ids.PEOPLE_ORG_ARCHIVE, "n_clicks"),
                 Input(ids.PEOPLE_ORG_RESTORE, "n_clicks"),
                 State(ids.PEOPLE_PROGRAM_NEW, "value"), State(ids.PEOPLE_PROGRAM_DESCRIPTION, "value"),
                 State(ids.PEOPLE_TEAM_PROGRAM, "value"), State(ids.PEOPLE_TEAM_NEW, "value"),
                 State(ids.PEOPLE_ORG_CHOSEN, "value"), State(ids.PEOPLE_ORG_RENAME_TO, "value"),
                 State(ids.PEOPLE_ORG_SEEN, "data"), State(ids.PEOPLE_ORG_VERSION, "data"),
                 prevent_initial_call=True)(org_action)
