"""My team's and My record's callbacks that only the browser tests exercised, called directly: choosing a worker in
the roster, the profile, a session refused then saved then deleted, the rating form, and deleting a leave."""
from __future__ import annotations

from datetime import date

from dash import Dash, no_update
from sqlalchemy import func, select

from callbacks.workspace import (SELF, choose_worker, delete_leave_form, delete_session_form, open_rating_form,
                                 open_session_form, refresh_roster, render_profile, reset_duplicate_question,
                                 save_leave_form, save_rating_form, save_session_form)
from dashboard.db import Database
from layouts import ids
from models import CompetencyRating, Leave, SessionAttendee, SupervisionSession
from tests.callback_calls import as_sent, fired, pattern, signed_in
from tests.http.conftest import texts
from tests.unit.test_callbacks_workspace import worker_elsewhere

TODAY = "2026-10-31"  # DEMO_END, the callbacks' today in these tests
SHOWN = "31 Oct 2026"  # as the form's date field shows it (the demo agency's format)


def status_of(roster: list[dict[str, object]], worker: str) -> object:
    return next(row["status_label"] for row in roster if row["worker"] == worker)


def sessions_of(db: Database, worker: int) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SessionAttendee).where(SessionAttendee.worker_id == worker))


def test_a_roster_row_or_the_workers_name_button_opens_that_worker() -> None:
    clicked = f"{ids.MY_TEAM_ROSTER}.cellClicked"
    button = f"{ids.MY_TEAM_ROSTER}.cellRendererData"
    assert fired(choose_worker, {"rowId": "233", "colId": "team"}, None, by=clicked) == 233
    # The name button (Enter on the keyboard) reports its row through cellRendererData, with a stale cellClicked.
    assert fired(choose_worker, {"rowId": "7"}, {"rowId": "41", "value": 1}, by=button) == 41
    assert fired(choose_worker, "not a cell", None, by=clicked) is no_update
    assert fired(choose_worker, {"rowId": "x"}, None, by=clicked) is no_update


def test_the_profile_asks_for_a_worker_then_shows_the_one_chosen_within_the_scope(
        demo_app: Dash, demo_db: Database, demo_ids: dict[str, int]) -> None:
    luis = demo_ids["Luis Yazzie"]
    with signed_in(demo_app, demo_db, "supervisor"):
        prompt = texts(as_sent(render_profile(None, 0)))
        profile = texts(as_sent(render_profile(luis, 0)))
        outside = texts(as_sent(render_profile(worker_elsewhere(demo_db, demo_ids), 0)))
    assert prompt == ["Choose a worker in the roster to see their competency profile, sessions and guides."]
    assert "Luis Yazzie" in profile and "Overdue" in profile
    assert {"Log a session with Luis", "Record ratings", "Record leave"} <= set(profile)
    assert outside == ["That worker is not on your teams, or no longer works here."]
    with signed_in(demo_app, demo_db, "peer"):
        own = texts(as_sent(render_profile(SELF, 0)))
    assert "Omar Davis" in own and "Rate yourself" in own and "Record leave" not in own


def test_a_refused_session_keeps_the_form_open_a_saved_one_puts_the_worker_on_track_and_deleting_it_undoes_that(
        demo_app: Dash, demo_db: Database, demo_ids: dict[str, int]) -> None:
    luis = demo_ids["Luis Yazzie"]
    before = sessions_of(demo_db, luis)
    form = (SHOWN, "individual", "supportive", "in_person", [luis], [], "")
    with signed_in(demo_app, demo_db, "supervisor"):
        assert status_of(refresh_roster("all", 0), "Luis Yazzie") == "Overdue"
        refused = save_session_form(1, form[0], 3, *form[1:], None, 2, False, None)
        saved = save_session_form(1, form[0], 50, *form[1:], None, 2, False, None)
        on_track = status_of(refresh_roster("all", 3), "Luis Yazzie")
    assert texts(as_sent(refused[0])) == ["Nothing was saved:",
                                          "Minutes must be between 5 and 480 (8 hours); 3 was entered."]
    assert refused[1:] == (no_update, no_update, no_update, True, None, False)  # open, no duplicate question
    assert saved[:3] == ("", False, 3) and saved[4:] == reset_duplicate_question(True) == (True, None, False)
    assert texts(as_sent(saved[3])) == ["Session saved. The roster and profile show it now."]
    assert on_track == "On track" and sessions_of(demo_db, luis) == before + 1

    with demo_db.session() as s:
        new = s.scalars(select(SupervisionSession).where(SupervisionSession.minutes == 50,
                                                         SupervisionSession.held_on == date.fromisoformat(TODAY))).one()
    with signed_in(demo_app, demo_db, "supervisor"):
        editing = fired(open_session_form, None, [], [1], by=pattern({"type": ids.SESSION_EDIT, "session": new.id}))
        deleted = delete_session_form(1, editing[12], 3)
        again = status_of(refresh_roster("all", 4), "Luis Yazzie")
    assert deleted[:3] == ("", False, 4) and texts(as_sent(deleted[3])) == ["Session deleted."]
    assert again == "Overdue" and sessions_of(demo_db, luis) == before


def test_the_rating_form_opens_for_the_worker_and_says_how_many_ratings_changed(
        demo_app: Dash, demo_db: Database, demo_ids: dict[str, int]) -> None:
    luis = demo_ids["Luis Yazzie"]
    with demo_db.session() as s:
        ratings = s.scalar(select(func.count()).select_from(CompetencyRating))
        competency = s.scalar(select(CompetencyRating.competency_id).where(CompetencyRating.worker_id == luis)
                              .order_by(CompetencyRating.competency_id).limit(1))
    with signed_in(demo_app, demo_db, "supervisor"):
        form = fired(open_rating_form, [1], by=pattern({"type": ids.RATING_OPEN, "worker": luis}))
        elsewhere = worker_elsewhere(demo_db, demo_ids)
        outsider = fired(open_rating_form, [1], by=pattern({"type": ids.RATING_OPEN, "worker": elsewhere}))
        one = save_rating_form(1, ["1"], [{"competency": competency}], SHOWN, "", luis, 5)
        none = save_rating_form(1, ["1"], [{"competency": competency}], SHOWN, "", luis, 6)
    assert (form[0], form[1], form[3], form[4], form[5], form[6]) == (
        True, "Record ratings for Luis Yazzie", luis, SHOWN, "", "")
    assert outsider[:6] == (no_update,) * 6 and texts(as_sent(outsider[6])) == ["That worker is not on your teams."]
    assert one[:3] == ("", False, 6) and texts(as_sent(one[3])) == ["1 rating saved."]
    # The same level again on the same day changes nothing: nothing is written, and the message says so.
    assert texts(as_sent(none[3])) == ["No rating was changed, so nothing was saved."]
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(CompetencyRating)) == ratings + 1
    with signed_in(demo_app, demo_db, "peer"):
        own = fired(open_rating_form, [1], by=pattern({"type": ids.RATING_OPEN, "worker": demo_ids["Omar Davis"]}))
    assert own[1] == "Rate yourself"


def test_a_leave_recorded_by_mistake_is_deleted(demo_app: Dash, demo_db: Database,
                                               demo_ids: dict[str, int]) -> None:
    omar = demo_ids["Omar Davis"]
    with signed_in(demo_app, demo_db, "supervisor"):
        save_leave_form(1, TODAY, None, {"worker": omar}, 3)
        with demo_db.session() as s:
            leave_id = s.scalars(select(Leave.id).where(Leave.staff_id == omar)).one()
        deleted = delete_leave_form(1, {"leave": leave_id}, 4)
    assert deleted[:3] == ("", False, 5) and texts(as_sent(deleted[3])) == ["Leave deleted."]
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Leave).where(Leave.staff_id == omar)) == 0
