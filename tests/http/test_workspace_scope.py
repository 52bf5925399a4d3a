"""Crafted /_dash-update-component requests to My team and My record: other teams' workers, forged ids, levels
off the scale, someone else's session. Each is refused and the database is left exactly as it was."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import (AuditEvent, CompetencyRating, CurrentRating, SessionAttendee, SessionCompetency,
                    SupervisionSession, Team)
from tests.http.conftest import login

COUNTED = (SupervisionSession, SessionAttendee, SessionCompetency, CompetencyRating, CurrentRating, AuditEvent)
HELD_ON = "2026-10-30"  # inside the demo agency (it ends 2026-10-31) and before today


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED}


def fire(client: FlaskClient, trigger: str, inputs: dict[str, Any], states: dict[str, Any] | None = None,
         changed: str | None = None, deps: list[dict[str, Any]] | None = None) -> Any:
    """POST the callback whose first input is `trigger`, as the renderer would, with the given values.

    Keys are "id.property" (a pattern-matching id as its JSON); values for an ALL pattern are lists of
    {"id": …, "property": …, "value": …}. The output string is read from /_dash-dependencies like a browser,
    unless `deps` gives what it answered earlier.
    """
    deps = deps or json.loads(client.get("/_dash-dependencies").data)
    dep = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == trigger)
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in dep["output"].strip(".").split("...")]

    def entries(specs: list[dict[str, str]], values: dict[str, Any]) -> list[Any]:
        return [values.get(f"{spec['id']}.{spec['property']}", {"id": spec["id"], "property": spec["property"],
                                                               "value": None}) for spec in specs]

    wrap = {key: (value if isinstance(value, list) and value and isinstance(value[0], dict) and "property" in value[0]
                  else {"id": key.rsplit(".", 1)[0], "property": key.rsplit(".", 1)[1], "value": value})
            for key, value in {**inputs, **(states or {})}.items()}
    body = {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": entries(dep["inputs"], wrap), "state": entries(dep["state"], wrap),
            "changedPropIds": [changed or next(iter(inputs))]}
    return client.post("/_dash-update-component", json=body)


def response_text(response: Any) -> str:
    assert response.status_code in (200, 204), response.data[:500]
    return response.data.decode() if response.status_code == 200 else ""


def session_form(attendees: list[Any], editing: Any = None, **changes: Any) -> dict[str, Any]:
    values = {"session-date.value": HELD_ON, "session-minutes.value": 60, "session-format.value": "individual",
              "session-kind.value": "supportive", "session-modality.value": "video",
              "session-attendees.value": attendees, "session-topics.selectedRows": [],
              "session-note.value": "", "session-editing.data": editing, "workspace-version.data": 0}
    return values | {f"session-{k}.value" if not k.startswith(("session-", "workspace-")) else k: v
                     for k, v in changes.items()}


def save_session(client: FlaskClient, attendees: list[Any], editing: Any = None, **changes: Any) -> str:
    return response_text(fire(client, "session-save", {"session-save.n_clicks": 1},
                              session_form(attendees, editing, **changes)))


RATING_PATTERN = '{"competency":["ALL"],"type":"rating-level"}'


def rating_levels(levels: dict[Any, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The form's selects as the renderer sends an ALL pattern: one entry per select."""
    ids = [{"type": "rating-level", "competency": c} for c in levels]
    return ([{"id": i, "property": "value", "value": v} for i, v in zip(ids, levels.values())],
            [{"id": i, "property": "id", "value": i} for i in ids])


def save_ratings(client: FlaskClient, worker: Any, levels: dict[Any, Any], rated_on: str = HELD_ON) -> str:
    values, ids = rating_levels(levels)
    return response_text(fire(client, "rating-save", {"rating-save.n_clicks": 1}, {
        f"{RATING_PATTERN}.value": values, f"{RATING_PATTERN}.id": ids, "rating-date.value": rated_on,
        "rating-note.value": "", "rating-worker.data": worker,
        "workspace-version.data": 0}))


# ---------------------------------------------------------------------------------------------------------------
# Who may call what


@pytest.mark.parametrize("user", ["leader", "quality", "admin", "peer"])
def test_only_supervisors_reach_the_roster(demo_client: FlaskClient, user: str) -> None:
    login(demo_client, user, "demo")
    response = fire(demo_client, "my-team-team", {"my-team-team.value": "all", "workspace-version.data": 0})
    assert response.status_code == 403


@pytest.mark.parametrize("user", ["leader", "quality", "admin"])
def test_roles_without_a_workspace_cannot_save_anything(demo_client: FlaskClient, demo_db: Database,
                                                        people: dict[str, int], user: str) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    assert fire(demo_client, "session-save", {"session-save.n_clicks": 1},
                session_form([people["omar"]])).status_code == 403
    values, ids = rating_levels({people["competency"]: "1"})
    assert fire(demo_client, "rating-save", {"rating-save.n_clicks": 1}, {
        f"{RATING_PATTERN}.value": values, f"{RATING_PATTERN}.id": ids, "rating-date.value": HELD_ON,
        "rating-worker.data": people["omar"]}).status_code == 403
    assert counts(demo_db) == before


def test_the_roster_shows_only_the_supervisors_teams_and_a_forged_team_shows_nothing(
        demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "supervisor", "demo")

    def roster(team: Any) -> set[str]:
        data = json.loads(response_text(fire(demo_client, "my-team-team",
                                             {"my-team-team.value": team, "workspace-version.data": 0})))
        return {row["team"] for row in data["response"]["my-team-roster"]["rowData"]}

    with demo_db.session() as s:
        riverside = s.scalar(select(Team.id).where(Team.name == "Riverside Health Home"))
    assert roster("all") == {"Eastside Outreach", "Westside Outreach"}
    assert roster(str(riverside)) == set()
    assert roster("1 OR 1=1") == {"Eastside Outreach", "Westside Outreach"}  # junk is no filter, not a leak


def test_a_profile_outside_the_scope_reads_as_not_found(demo_client: FlaskClient, people: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")

    def profile(subject: Any) -> str:
        return response_text(fire(demo_client, "profile-subject",
                                  {"profile-subject.data": subject, "workspace-version.data": 0}))
    assert "Luis Yazzie" in profile(people["luis"])
    for forged in (people["outsider"], people["maria"], 10**9, 2**31, "self", "1; DROP TABLE staff",
                   [people["luis"]]):
        text = profile(forged)
        assert "profile-name" not in text, forged
    login(demo_client, "peer", "demo")
    assert "Omar Davis" in profile("self")
    assert "profile-name" not in profile(people["luis"])  # a peer worker sees only themself


def test_opening_someone_elses_session_for_editing_shows_nothing_of_it(demo_client: FlaskClient,
                                                                      people: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")
    pattern = '{"session":["ALL"],"type":"session-edit"}'
    response = fire(demo_client, "session-open", {
        f"{pattern}.n_clicks": [{"id": {"type": "session-edit", "session": people["foreign_session"]},
                                 "property": "n_clicks", "value": 1}]},
        changed=json.dumps({"session": people["foreign_session"], "type": "session-edit"},
                           separators=(",", ":")) + ".n_clicks")
    text = response_text(response)
    assert "not found among your sessions" in text
    assert "is_open" not in text and "held_on" not in text  # the modal stays shut and shows none of its values


# ---------------------------------------------------------------------------------------------------------------
# Writes: refused and nothing written


def test_a_valid_session_is_saved_with_its_audit_event(demo_client: FlaskClient, demo_db: Database,
                                                       people: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")
    before = counts(demo_db)
    assert "Session saved" in save_session(demo_client, [people["omar"]])
    after = counts(demo_db)
    assert (after["SupervisionSession"] - before["SupervisionSession"], after["SessionAttendee"]
            - before["SessionAttendee"], after["AuditEvent"] - before["AuditEvent"]) == (1, 1, 1)
    with demo_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (event.username, event.action, event.new_values["attendee_ids"]) == (
            "supervisor", "create", [people["omar"]])


@pytest.mark.parametrize(("case", "message"), [
    ("other team's worker", "not a peer worker on your teams"),
    ("unknown worker", "not a peer worker on your teams"),
    ("id beyond INTEGER", "not a valid choice"),
    ("unknown competency", "not in the agency"),
    ("future date", "is in the future"),
    ("before hire", "was hired on"),
    ("too long", "Minutes must be between 5 and 480"),
    ("group of one", "A group session needs at least 2"),
    ("junk ids", "not a valid choice"),
])
def test_bad_sessions_are_refused_and_nothing_is_written(demo_client: FlaskClient, demo_db: Database,
                                                         people: dict[str, int], case: str, message: str) -> None:
    login(demo_client, "supervisor", "demo")
    form: dict[str, Any] = {
        "other team's worker": {"attendees": [people["outsider"]]},
        "unknown worker": {"attendees": [10**9]},
        "id beyond INTEGER": {"attendees": [2**31]},
        "unknown competency": {"attendees": [people["omar"]],
                               "session-topics.selectedRows": [{"id": "999999"}]},
        "future date": {"attendees": [people["omar"]], "date": date.today().replace(year=date.today().year + 1)
                        .isoformat()},
        "before hire": {"attendees": [people["omar"]], "date": "2000-01-01"},
        "too long": {"attendees": [people["omar"]], "minutes": 600},
        "group of one": {"attendees": [people["omar"]], "format": "group"},
        "junk ids": {"attendees": ["1 OR 1=1", {"id": 3}]},
    }[case]
    before = counts(demo_db)
    text = save_session(demo_client, form.pop("attendees"), **form)
    assert message in text and "Nothing was saved" in text
    assert counts(demo_db) == before


def test_editing_or_deleting_someone_elses_session_is_refused(demo_client: FlaskClient, demo_db: Database,
                                                              people: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")
    before = counts(demo_db)
    forged = {"id": people["foreign_session"], "version": 1}
    assert "not found among your sessions" in save_session(demo_client, [people["omar"]], editing=forged)
    text = response_text(fire(demo_client, "session-delete", {"session-delete.n_clicks": 1},
                              {"session-editing.data": forged, "workspace-version.data": 0}))
    assert "not found among your sessions" in text
    assert counts(demo_db) == before


def test_a_stale_edit_is_refused_after_another_save(demo_client: FlaskClient, demo_db: Database,
                                                    people: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")
    with demo_db.session() as s:
        row = s.get(SupervisionSession, people["own_session"])
        attendees = list(s.scalars(select(SessionAttendee.worker_id).where(SessionAttendee.session_id == row.id)))
        opened = {"id": row.id, "version": row.version}
        kind = row.format
    assert "Session updated" in save_session(demo_client, attendees, editing=opened, minutes=55, format=kind)
    before = counts(demo_db)
    text = save_session(demo_client, attendees, editing=opened, minutes=70, format=kind)  # the second tab
    assert "Someone else changed this session" in text
    assert counts(demo_db) == before
    with demo_db.session() as s:
        assert s.get(SupervisionSession, people["own_session"]).minutes == 55


def test_a_probable_duplicate_is_saved_only_when_the_supervisor_confirms_the_sessions_named(
        demo_client: FlaskClient, demo_db: Database, people: dict[str, int]) -> None:
    """The second save of the same session warns and writes nothing; ticking "Save anyway" without the sessions
    the warning named (a crafted request) is not enough; ticked with them, it is saved."""
    login(demo_client, "supervisor", "demo")
    assert "Session saved" in save_session(demo_client, [people["omar"]], minutes=47)
    with demo_db.session() as s:
        first = s.scalar(select(func.max(SupervisionSession.id)))
    before = counts(demo_db)
    answer = json.loads(save_session(demo_client, [people["omar"]], minutes=47, kind="administrative"))["response"]
    assert "A session with the same supervisor, date, attendees and minutes is already recorded (30 Oct 2026). " \
           "Save anyway?" in json.dumps(answer["session-feedback"])
    assert (answer["session-duplicate"], answer["session-duplicate-of"], answer["session-duplicate-confirm"]) == (
        {"hidden": False}, {"data": [first]}, {"value": False})
    assert "session-modal" not in answer  # the form stays open
    for confirmed, named in ((True, None), (True, [first + 1]), (False, [first]), ("true", [first])):
        text = save_session(demo_client, [people["omar"]], minutes=47, **{
            "session-duplicate-confirm.value": confirmed, "session-duplicate-of.data": named})
        assert "already recorded" in text, (confirmed, named)
    assert counts(demo_db) == before
    text = save_session(demo_client, [people["omar"]], minutes=47, **{
        "session-duplicate-confirm.value": True, "session-duplicate-of.data": [first]})
    assert "Session saved" in text
    assert counts(demo_db)["SupervisionSession"] == before["SupervisionSession"] + 1


@pytest.mark.parametrize(("case", "message"), [
    ("other team's worker", "is not a peer worker on your teams"),
    ("level off the scale", "Level 9 is not on the agency's scale"),
    ("unknown competency", "Competency 999999 is not in the agency's framework"),
    ("junk level", "A rating level must be a whole number"),
    ("future date", "is in the future"),
])
def test_bad_ratings_are_refused_and_nothing_is_written(demo_client: FlaskClient, demo_db: Database,
                                                        people: dict[str, int], case: str, message: str) -> None:
    login(demo_client, "supervisor", "demo")
    competency = people["competency"]
    worker, levels, on = {
        "other team's worker": (people["outsider"], {competency: "1"}, HELD_ON),
        "level off the scale": (people["omar"], {competency: "9"}, HELD_ON),
        "unknown competency": (people["omar"], {999999: "2"}, HELD_ON),
        "junk level": (people["omar"], {competency: "<script>"}, HELD_ON),
        "future date": (people["omar"], {competency: "1"}, "2099-01-01"),
    }[case]
    before = counts(demo_db)
    text = save_ratings(demo_client, worker, levels, on)
    assert message in text and "Nothing was saved" in text
    assert counts(demo_db) == before


def test_a_peer_worker_saves_self_ratings_only_for_themself(demo_client: FlaskClient, demo_db: Database,
                                                            people: dict[str, int]) -> None:
    login(demo_client, "peer", "demo")
    before = counts(demo_db)
    assert "You can rate only your own record" in save_ratings(demo_client, people["luis"],
                                                               {people["competency"]: "1"})
    assert counts(demo_db) == before
    with demo_db.session() as s:
        current = s.scalar(select(CurrentRating.level).where(
            CurrentRating.worker_id == people["omar"], CurrentRating.competency_id == people["competency"],
            CurrentRating.rater_role == "self"))
    new = "1" if current != 1 else "2"
    assert "1 rating saved" in save_ratings(demo_client, people["omar"], {people["competency"]: new})
    with demo_db.session() as s:
        latest = s.scalars(select(CompetencyRating).order_by(CompetencyRating.id.desc()).limit(1)).one()
        assert (latest.worker_id, latest.rater_id, latest.rater_role, latest.level) == (
            people["omar"], people["omar"], "self", int(new))
    # Sessions are a supervisor's to record: the peer worker's request is refused at the door.
    assert fire(demo_client, "session-save", {"session-save.n_clicks": 1},
                session_form([people["omar"]])).status_code == 403
