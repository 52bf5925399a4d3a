"""Leave of absence over HTTP: a supervisor records, changes and deletes leave for the workers on their teams;
crafted requests for other teams' workers, forged ids, bad dates and overlaps are refused with nothing
written."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import AuditEvent, Leave, Staff
from tests.http.conftest import login
from tests.http.test_workspace_scope import fire, response_text

TODAY = date.today()


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Leave)) or 0,
                s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def save(client: FlaskClient, editing: Any, start: Any, back_on: Any = None) -> str:
    return response_text(fire(client, "leave-save", {"leave-save.n_clicks": 1}, {
        "leave-start.value": start, "leave-back.value": back_on, "leave-editing.data": editing,
        "workspace-version.data": 0}))


def delete(client: FlaskClient, editing: Any) -> str:
    return response_text(fire(client, "leave-delete", {"leave-delete.n_clicks": 1},
                              {"leave-editing.data": editing, "workspace-version.data": 0}))


OPEN = '{"type":"leave-open","worker":["ALL"]}'
EDIT = '{"leave":["ALL"],"type":"leave-edit"}'


def open_form(client: FlaskClient, leave_id: Any) -> str:
    """A click on a profile's Edit beside a leave (the id as a forged request would name it)."""
    changed = json.dumps({"leave": leave_id, "type": "leave-edit"}, separators=(",", ":")) + ".n_clicks"
    return response_text(fire(client, OPEN, {
        f"{OPEN}.n_clicks": [{"id": {"type": "leave-open", "worker": 1}, "property": "n_clicks", "value": None}],
        f"{EDIT}.n_clicks": [{"id": {"type": "leave-edit", "leave": leave_id}, "property": "n_clicks", "value": 1}]},
        changed=changed))


@pytest.fixture
def away(demo_db: Database, people: dict[str, int]) -> Iterator[dict[str, int]]:
    """A leave of Luis (the supervisor's team) and one of a worker on another team."""
    with demo_db.session() as s:
        mine = Leave(staff_id=people["luis"], start_date=date(2026, 1, 5), end_date=date(2026, 2, 2))
        theirs = Leave(staff_id=people["outsider"], start_date=date(2026, 3, 2), end_date=date(2026, 3, 30))
        s.add_all([mine, theirs])
        s.commit()
        yield {"mine": mine.id, "theirs": theirs.id}


@pytest.mark.parametrize("user", ["leader", "quality", "admin", "peer"])
def test_only_supervisors_record_leave_on_my_team(demo_client: FlaskClient, demo_db: Database,
                                                  people: dict[str, int], user: str) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    response = fire(demo_client, "leave-save", {"leave-save.n_clicks": 1}, {
        "leave-start.value": "2026-11-01", "leave-editing.data": {"worker": people["omar"]}})
    assert response.status_code == 403
    assert counts(demo_db) == before


def test_a_supervisor_records_changes_and_deletes_leave_with_audit_events(
        demo_client: FlaskClient, demo_db: Database, people: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")
    leaves, events = counts(demo_db)
    first_day = TODAY - timedelta(days=3)
    assert "Leave saved" in save(demo_client, {"worker": people["omar"]}, first_day.isoformat())
    assert counts(demo_db) == (leaves + 1, events + 1)
    with demo_db.session() as s:
        leave = s.scalars(select(Leave).where(Leave.staff_id == people["omar"])).one()
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (leave.start_date, leave.end_date) == (first_day, None)
        assert (event.action, event.entity, event.username) == ("create", "leave", "supervisor")
    # The roster shows Omar on leave, with no due date while his return is not known.
    roster = json.loads(response_text(fire(demo_client, "my-team-team",
                                           {"my-team-team.value": "all", "workspace-version.data": 0})))
    omar = next(r for r in roster["response"]["my-team-roster"]["rowData"] if r["worker_id"] == people["omar"])
    assert (omar["status"], omar["status_label"], omar["next_due"]) == ("on_leave", "On leave", None)

    back = TODAY + timedelta(days=10)
    assert "Leave saved" in save(demo_client, {"leave": leave.id}, first_day.isoformat(), back.isoformat())
    with demo_db.session() as s:
        assert s.get(Leave, leave.id).end_date == back
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (event.action, event.old_values["end_date"], event.new_values["end_date"]) == (
            "update", None, back.isoformat())
    assert "Leave deleted" in delete(demo_client, {"leave": leave.id})
    assert counts(demo_db) == (leaves, events + 3)


@pytest.mark.parametrize(("case", "message"), [
    ("another team's worker", "not a peer worker on your teams"),
    ("unknown worker", "not a peer worker on your teams"),
    ("worker id beyond INTEGER", "not found"),
    ("a store naming nothing", "not found"),
    ("a store naming both", "not found"),
    ("no first day", "The first day away is required."),
    ("a first day that is not a date", "The first day away: enter the date as 05 Dec 2026."),
    ("back before away", "The day back must be after the first day away."),
    ("before the hire date", "is before the hire date"),
    ("more than a year ahead", "up to a year ahead"),
    ("overlapping a recorded leave", "overlaps another leave"),
])
def test_bad_leave_is_refused_and_nothing_is_written(demo_client: FlaskClient, demo_db: Database,
                                                     people: dict[str, int], away: dict[str, int],
                                                     case: str, message: str) -> None:
    login(demo_client, "supervisor", "demo")
    with demo_db.session() as s:
        hired = s.scalar(select(Staff.hire_date).where(Staff.id == people["omar"]))
    omar = {"worker": people["omar"]}
    requests = {
        "another team's worker": ({"worker": people["outsider"]}, "2026-11-01", None),
        "unknown worker": ({"worker": 10**9}, "2026-11-01", None),
        "worker id beyond INTEGER": ({"worker": 2**31}, "2026-11-01", None),
        "a store naming nothing": ({}, "2026-11-01", None),
        "a store naming both": ({"worker": people["omar"], "leave": away["mine"]}, "2026-11-01", None),
        "no first day": (omar, "", None),
        "a first day that is not a date": (omar, "next Tuesday", None),
        "back before away": (omar, "2026-11-10", "2026-11-10"),
        "before the hire date": (omar, (hired - timedelta(days=1)).isoformat(), None),
        "more than a year ahead": (omar, (TODAY + timedelta(days=400)).isoformat(), None),
        "overlapping a recorded leave": ({"worker": people["luis"]}, "2026-01-20", "2026-03-01"),
    }
    before = counts(demo_db)
    text = save(demo_client, *requests[case])
    assert message in text and "Nothing was saved" in text
    assert counts(demo_db) == before


def test_another_teams_leave_can_be_neither_opened_changed_nor_deleted(
        demo_client: FlaskClient, demo_db: Database, away: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")
    before = counts(demo_db)
    for forged in (away["theirs"], 10**9, 2**31, "1 OR 1=1"):
        assert "not found" in save(demo_client, {"leave": forged}, "2026-03-02", "2026-04-30")
        assert "not found" in delete(demo_client, {"leave": forged})
    with demo_db.session() as s:
        assert s.get(Leave, away["theirs"]).end_date == date(2026, 3, 30)
    assert counts(demo_db) == before
    text = open_form(demo_client, away["theirs"])
    assert "not on your teams" in text and "2026-03-02" not in text
    assert "05 Jan 2026" in open_form(demo_client, away["mine"])
