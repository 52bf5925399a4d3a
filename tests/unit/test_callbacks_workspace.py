"""My team's callbacks called directly (the browser tests cover them through Chromium): the team choice and the
roster, the session form's opening, prefill and closing, the leave form's opening, prefill and refusals."""
from __future__ import annotations

from typing import Any

import pytest
from dash import Dash, no_update
from sqlalchemy import select

from callbacks.workspace import (close_leave_form, close_session_form, open_leave_form, open_session_form,
                                 my_team_page, refresh_roster, save_leave_form, team_choices, topic_count)
from dashboard.db import Database
from layouts import ids
from models import Leave, SessionAttendee, SupervisionSession, TeamMembership
from tests.callback_calls import as_sent, fired, pattern, signed_in
from tests.http.conftest import texts

TODAY = "2026-10-31"  # DEMO_END, the callbacks' today in these tests
SHOWN = "31 Oct 2026"  # as the form's date field shows it (the demo agency's format)


def worker_elsewhere(db: Database, demo_ids: dict[str, int]) -> int:
    """A peer worker on Riverside Health Home, one of the teams the supervisor does not lead."""
    with db.session() as s:
        return s.scalars(select(TeamMembership.staff_id).where(
            TeamMembership.team_id == demo_ids["Riverside Health Home"], TeamMembership.end_date.is_(None))
            .order_by(TeamMembership.staff_id).limit(1)).one()


def log_with(worker: int) -> str:
    return pattern({"type": ids.SESSION_LOG_WITH, "worker": worker})


def test_a_supervisor_chooses_between_their_two_teams(demo_app: Dash, demo_db: Database,
                                                      demo_ids: dict[str, int]) -> None:
    with signed_in(demo_app, demo_db, "supervisor"):
        note, options = team_choices(0)
    assert note == "Your teams today: Eastside Outreach, Westside Outreach."
    assert options == [{"label": "All my teams", "value": "all"},
                       {"label": "Eastside Outreach", "value": str(demo_ids["Eastside Outreach"])},
                       {"label": "Westside Outreach", "value": str(demo_ids["Westside Outreach"])}]


def test_the_roster_follows_the_team_chosen(demo_app: Dash, demo_db: Database, demo_ids: dict[str, int]) -> None:
    with signed_in(demo_app, demo_db, "supervisor"):
        everyone = refresh_roster("all", 0)
        east = refresh_roster(str(demo_ids["Eastside Outreach"]), 0)
        forged = refresh_roster(str(demo_ids["Riverside Health Home"]), 0)
    assert len(everyone) == 15 and {r["team"] for r in everyone} == {"Eastside Outreach", "Westside Outreach"}
    assert (everyone[0]["worker"], everyone[0]["status_label"]) == ("Luis Yazzie", "Overdue")  # overdue first
    assert [r["worker"] for r in everyone if r["status"] == "on_leave"] == ["Kevin Rivera"]
    assert len(east) == 7 and {r["team"] for r in east} == {"Eastside Outreach"}
    assert forged == []  # another supervisor's team: nothing, not every team


def test_my_team_arrives_with_its_roster_drawn(demo_app: Dash, demo_db: Database, demo_ids: dict[str, int]) -> None:
    """The page's body carries the note, the team list and the roster (?team= narrows it), so the grid is drawn once
    at its height; their callbacks run only after a save or a change of team (issue 18)."""
    east = demo_ids["Eastside Outreach"]
    with signed_in(demo_app, demo_db, "supervisor"):
        every, narrowed = ({c.id: c for c in body._traverse() if isinstance(getattr(c, "id", None), str)}
                           for body in (my_team_page(), my_team_page(team=str(east))))
    assert every[ids.MY_TEAM_NOTE].children == "Your teams today: Eastside Outreach, Westside Outreach."
    assert len(every[ids.MY_TEAM_TEAM].options) == 3
    assert len(every[ids.MY_TEAM_ROSTER].rowData) == 15 and every[ids.MY_TEAM_ROSTER].rowData[0]["worker"] == \
        "Luis Yazzie"
    assert len(narrowed[ids.MY_TEAM_ROSTER].rowData) == 7 and narrowed[ids.MY_TEAM_TEAM].value == str(east)
    assert len(every[ids.MY_TEAM_CARDS].children) == 15  # the phone's cards too
    fillers = [c for c in demo_app._callback_list if ids.MY_TEAM_NOTE in c["output"]
               or c["output"] == f"{ids.MY_TEAM_ROSTER}.rowData"]
    assert len(fillers) == 2 and all(c["prevent_initial_call"] for c in fillers)


def test_nothing_opens_the_session_form_until_a_button_is_clicked(demo_app: Dash, demo_db: Database,
                                                                   demo_ids: dict[str, int]) -> None:
    with signed_in(demo_app, demo_db, "supervisor"):
        on_load = fired(open_session_form, None, [], [])
        appearing = fired(open_session_form, None, [None], [], by=log_with(demo_ids["Luis Yazzie"]), value=None)
    assert on_load == appearing == (no_update,) * 15


def test_logging_a_session_with_a_worker_opens_the_form_for_them(demo_app: Dash, demo_db: Database,
                                                                 demo_ids: dict[str, int]) -> None:
    luis = demo_ids["Luis Yazzie"]
    with signed_in(demo_app, demo_db, "supervisor"):
        form = fired(open_session_form, None, [1], [], by=log_with(luis))
        empty = fired(open_session_form, 1, [], [], by=f"{ids.SESSION_OPEN}.n_clicks")
        outsider = fired(open_session_form, None, [1], [], by=log_with(worker_elsewhere(demo_db, demo_ids)))
    (is_open, title, held_on, minutes, format_, kind, modality, options, chosen, topics, selected, note, editing,
     delete, feedback) = form
    assert (is_open, title, held_on, minutes, format_, kind, modality) == (
        True, "Log a supervision session", SHOWN, 60, "individual", "supportive", "in_person")
    assert len(options) == 15 and {"label": "Luis Yazzie (Eastside Outreach)", "value": luis} in options
    assert chosen == [luis]
    assert len(topics) == 62 and topics[0] == {"id": topics[0]["id"], "category": topics[0]["category"],
                                               "code": "I.1", "label": "Makes first contact with peers"}
    assert (selected, note, editing, delete, feedback) == ([], "", None, {"display": "none"}, "")
    assert empty[8] == [] and empty[0] is True
    assert outsider[8] == []  # a worker from another team is not chosen, whatever the button's id says


def test_editing_a_session_fills_the_form_with_it(demo_app: Dash, demo_db: Database,
                                                  demo_ids: dict[str, int]) -> None:
    maria = demo_ids["Maria Johnson"]
    with demo_db.session() as s:
        own = s.scalars(select(SupervisionSession).where(SupervisionSession.supervisor_id == maria)
                        .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc()).limit(1)).one()
        attendees = sorted(s.scalars(select(SessionAttendee.worker_id).where(SessionAttendee.session_id == own.id)))
        foreign = s.scalar(select(SupervisionSession.id).where(SupervisionSession.supervisor_id != maria).limit(1))
    with signed_in(demo_app, demo_db, "supervisor"):
        form = fired(open_session_form, None, [], [1], by=pattern({"type": ids.SESSION_EDIT, "session": own.id}))
        refused = fired(open_session_form, None, [], [1], by=pattern({"type": ids.SESSION_EDIT, "session": foreign}))
    assert form[0] is True and form[1] == f"Edit the session of {own.held_on:%d %b %Y}"
    assert form[2:7] == (f"{own.held_on:%d %b %Y}", own.minutes, own.format, own.kind, own.modality)
    assert sorted(form[8]) == attendees
    assert form[11] == (own.note or "")
    assert form[12] == {"id": own.id, "version": own.version} and form[13] == {"display": "inline-block"}
    assert refused[:14] == (no_update,) * 14
    assert texts(as_sent(refused[14])) == ["That session was not found among your sessions."]


def test_cancel_closes_the_forms_and_the_topic_count_reads_well() -> None:
    assert close_session_form(1) is False and close_leave_form(1) is False
    assert [topic_count(x) for x in (None, [], [{"id": "1"}], [{}, {}])] == [
        "None chosen yet (optional).", "None chosen yet (optional).", "1 chosen", "2 chosen"]


def leave_button(kind: str, key: str, value: int) -> str:
    return pattern({"type": kind, key: value})


def test_recording_leave_opens_the_form_for_the_worker_from_today(demo_app: Dash, demo_db: Database,
                                                                  demo_ids: dict[str, int]) -> None:
    omar = demo_ids["Omar Davis"]
    with signed_in(demo_app, demo_db, "supervisor"):
        form = fired(open_leave_form, [1], [], by=leave_button(ids.LEAVE_OPEN, "worker", omar))
        outsider = fired(open_leave_form, [1], [],
                         by=leave_button(ids.LEAVE_OPEN, "worker", worker_elsewhere(demo_db, demo_ids)))
        appearing = fired(open_leave_form, [None], [], by=leave_button(ids.LEAVE_OPEN, "worker", omar), value=None)
    assert form == (True, "Record leave for Omar Davis", SHOWN, None, {"worker": omar}, {"display": "none"}, "")
    assert outsider[:6] == (no_update,) * 6
    assert texts(as_sent(outsider[6])) == ["That worker or leave is not on your teams."]
    assert appearing == (no_update,) * 7


def test_changing_a_leave_fills_the_form_with_it(demo_app: Dash, demo_db: Database,
                                                 demo_ids: dict[str, int]) -> None:
    with demo_db.session() as s:
        leave = s.scalars(select(Leave).where(Leave.staff_id == demo_ids["Kevin Rivera"])
                          .order_by(Leave.start_date.desc()).limit(1)).one()
    with signed_in(demo_app, demo_db, "supervisor"):
        form = fired(open_leave_form, [], [1], by=leave_button(ids.LEAVE_EDIT, "leave", leave.id))
    assert leave.end_date is not None and leave.end_date.isoformat() == "2026-11-25"  # the planted leave
    assert form == (True, f"Change the leave from {leave.start_date:%d %b %Y}", f"{leave.start_date:%d %b %Y}",
                    "25 Nov 2026", {"leave": leave.id}, {"display": "inline-block"}, "")


@pytest.mark.parametrize(("back", "editing", "message"), [
    ("2020-01-01", "worker", "The day back must be after the first day away."),
    (None, {}, "That leave was not found among your workers' records."),
    (None, {"worker": 1, "leave": 1}, "That leave was not found among your workers' records."),
])
def test_a_refused_leave_keeps_the_form_open_with_the_reason(demo_app: Dash, demo_db: Database,
                                                             demo_ids: dict[str, int], back: Any, editing: Any,
                                                             message: str) -> None:
    editing = {"worker": demo_ids["Omar Davis"]} if editing == "worker" else editing
    with signed_in(demo_app, demo_db, "supervisor"):
        feedback, *rest = save_leave_form(1, TODAY, back, editing, 3)
    assert texts(as_sent(feedback)) == ["Nothing was saved:", message]
    assert rest == [no_update, no_update, no_update]
    with demo_db.session() as s:
        assert s.scalar(select(Leave.id).where(Leave.staff_id == demo_ids["Omar Davis"])) is None


def test_a_saved_leave_closes_the_form_and_moves_the_page_on(demo_app: Dash, demo_db: Database,
                                                             demo_ids: dict[str, int]) -> None:
    with signed_in(demo_app, demo_db, "supervisor"):
        feedback, is_open, version, message = save_leave_form(1, TODAY, None, {"worker": demo_ids["Omar Davis"]}, 3)
    assert (feedback, is_open, version) == ("", False, 4)
    assert texts(as_sent(message)) == ["Leave saved. Due dates and the roster take it into account."]
    with demo_db.session() as s:
        assert [(str(r.start_date), r.end_date) for r in s.scalars(
            select(Leave).where(Leave.staff_id == demo_ids["Omar Davis"]))] == [(TODAY, None)]
