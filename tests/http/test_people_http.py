"""The People page over HTTP, with crafted callback requests as every role: an admin records stages and changes the
list (audited); quality reads; leadership, supervisors and peer workers reach nothing; bad values and stale copies
get a message per field and write nothing (rows counted before and after)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import AuditEvent, CertificationStage, StageAssignment, Staff
from tests.http.conftest import login
from tests.http.test_workspace_scope import fire

WORKER_INPUTS = ("people-worker-record", "people-worker-remove")
STAGE_INPUTS = ("people-stage-add", "people-stage-rename", "people-stage-up", "people-stage-down",
                "people-stage-delete")


def post(client: FlaskClient, outputs: list[tuple[str, str]], inputs: dict[str, Any], pressed: str | None,
         states: list[tuple[str, str, Any]]) -> Any:
    """A callback request as the renderer sends it: every input of the callback, only `pressed` changed."""
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": i, "property": "data" if i.endswith("-version") else "n_clicks", "value": v}
                       for i, v in inputs.items()],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in states],
            "changedPropIds": [f"{pressed}.n_clicks"] if pressed else []}
    return client.post("/_dash-update-component", json=body)


def worker_action(client: FlaskClient, button: str, worker: Any, stage: Any, from_date: Any, latest: Any) -> Any:
    return post(client, [("people-worker-message", "children"), ("people-workers-version", "data")],
                {i: (1 if i == button else None) for i in WORKER_INPUTS}, button,
                [("people-worker", "value", worker), ("people-worker-stage", "value", stage),
                 ("people-worker-from", "value", from_date), ("people-worker-latest", "data", latest),
                 ("people-workers-version", "data", 0)])


def stage_action(client: FlaskClient, button: str, new: Any = None, chosen: Any = None, rename_to: Any = None,
                 seen: Any = None) -> Any:
    return post(client, [("people-stages-message", "children"), ("people-stages-version", "data"),
                         ("people-stage-new", "value"), ("people-stage-rename-to", "value")],
                {i: (1 if i == button else None) for i in STAGE_INPUTS}, button,
                [("people-stage-new", "value", new), ("people-stage-chosen", "value", chosen),
                 ("people-stage-rename-to", "value", rename_to), ("people-stages-seen", "data", seen),
                 ("people-stages-version", "data", 0)])


def refresh(client: FlaskClient) -> Any:
    outputs = [("people-stages-table", "children"), ("people-stages-seen", "data"),
               ("people-stage-chosen", "options"), ("people-worker-stage", "options"),
               ("people-without-stage", "children"), ("people-worker", "options"), ("people-stages-form", "hidden"),
               ("people-worker-form", "hidden"), ("people-read-only", "children")]
    return post(client, outputs, {"people-stages-version": 0, "people-workers-version": 0,
                                  "people-staff-version": 0}, None, [])


def message(response: Any, output: str = "people-worker-message") -> str:
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"][output], ensure_ascii=False)


def rows(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                     for m in (StageAssignment, CertificationStage, AuditEvent))


def ids(db: Database) -> dict[str, Any]:
    with db.session() as s:
        stages = s.execute(select(CertificationStage.id, CertificationStage.name)
                           .order_by(CertificationStage.sort_order)).all()
        return {"pat": s.scalar(select(Staff.id).where(Staff.full_name == "Pat Peer")),
                "sam": s.scalar(select(Staff.id).where(Staff.full_name == "Sam Supervisor")),
                "stages": [[i, n] for i, n in stages], "training": stages[0][0], "full": stages[2][0]}


def test_admin_records_a_workers_stage_audited_and_a_stale_copy_is_refused(client: FlaskClient,
                                                                           people_db: Database) -> None:
    known = ids(people_db)
    login(client, "admin")
    before = rows(people_db)
    assert "Recorded." in message(worker_action(client, "people-worker-record", str(known["pat"]),
                                                str(known["training"]), "2023-03-01", 0))
    assert rows(people_db) == (before[0] + 1, before[1], before[2] + 1)
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        entry = s.scalars(select(StageAssignment)).one()
    assert (event.username, event.action, event.entity, event.entity_id) == (
        "admin", "create", "stage_assignment", str(entry.id))
    assert event.new_values == {"staff_id": known["pat"], "stage_id": known["training"], "start_date": "2023-03-01"}
    # A second editor who opened the worker before that save still names "no entry" (0): refused, nothing written.
    after = rows(people_db)
    assert "Someone else changed" in message(worker_action(client, "people-worker-record", str(known["pat"]),
                                                           str(known["full"]), "2024-01-01", 0))
    assert rows(people_db) == after
    assert "Recorded." in message(worker_action(client, "people-worker-record", str(known["pat"]),
                                                str(known["full"]), "2024-01-01", entry.id))
    assert rows(people_db) == (after[0] + 1, after[1], after[2] + 2)  # the first entry ended, a new one


@pytest.mark.parametrize(("worker", "stage", "from_date", "latest", "expected"), [
    ("pat", "x; DROP TABLE staff", "2024-01-01", 0, "Choose a stage on the list."),
    ("pat", 999999, "2024-01-01", 0, "Choose a stage on the list."),
    ("pat", "training", "2099-01-01", 0, "in the future"),
    ("pat", "training", "2023-02-28", 0, "before the hire date"),
    ("pat", "training", "2024-12-32", 0, "Give the date the stage took effect"),
    ("pat", "training", {"$gt": ""}, 0, "Give the date the stage took effect"),
    ("sam", "training", "2024-01-01", 0, "Choose a peer worker on the list."),  # a supervisor
    ("99999999999", "training", "2024-01-01", 0, "Choose a peer worker on the list."),
    ("pat", "training", "2024-01-01", [1], "Someone else changed"),
])
def test_bad_values_get_a_message_and_write_nothing(client: FlaskClient, people_db: Database, worker: str,
                                                    stage: Any, from_date: Any, latest: Any, expected: str) -> None:
    known = ids(people_db)
    login(client, "admin")
    before = rows(people_db)
    response = worker_action(client, "people-worker-record", str(known.get(worker, worker)),
                             str(known.get(stage, stage)) if isinstance(stage, str) else stage, from_date, latest)
    assert expected in message(response)
    assert rows(people_db) == before


def test_admin_adds_renames_and_moves_a_stage_and_a_stale_list_is_refused(client: FlaskClient,
                                                                          people_db: Database) -> None:
    known = ids(people_db)
    login(client, "admin")
    before = rows(people_db)
    assert "Added “Peer mentor”" in message(stage_action(client, "people-stage-add", new="Peer mentor"),
                                            "people-stages-message")
    stages = ids(people_db)["stages"]
    added = stages[-1][0]
    # The list the editor saw (before the add) no longer matches: refused.
    assert "Someone else changed" in message(stage_action(client, "people-stage-up", chosen=str(added),
                                                          seen=known["stages"]), "people-stages-message")
    assert "Moved." in message(stage_action(client, "people-stage-up", chosen=str(added), seen=stages),
                               "people-stages-message")
    assert "already on the list" in message(stage_action(client, "people-stage-rename", chosen=str(added),
                                                         rename_to="fully certified", seen=ids(people_db)["stages"]),
                                            "people-stages-message")
    assert "is already first" in message(stage_action(client, "people-stage-up", chosen=str(known["training"]),
                                                      seen=ids(people_db)["stages"]), "people-stages-message")
    assert "Give the stage a name" in message(stage_action(client, "people-stage-add", new="   "),
                                              "people-stages-message")
    assert "Someone else changed" in message(stage_action(client, "people-stage-rename", chosen=str(added),
                                                          rename_to="X", seen="garbage"), "people-stages-message")
    assert [n for _i, n in ids(people_db)["stages"]] == ["In training", "Initially certified", "Peer mentor",
                                                        "Fully certified"]
    assert rows(people_db) == (before[0], before[1] + 1, before[2] + 2)  # one add, one move


@pytest.mark.parametrize("username", ["quality", "leader", "supervisor", "peer"])
def test_no_role_but_admin_writes_and_only_quality_reads(client: FlaskClient, people_db: Database,
                                                         username: str) -> None:
    known = ids(people_db)
    login(client, username)
    before = rows(people_db)
    assert worker_action(client, "people-worker-record", str(known["pat"]), str(known["training"]), "2023-03-01",
                         0).status_code == 403
    assert stage_action(client, "people-stage-add", new="Peer mentor").status_code == 403
    assert stage_action(client, "people-stage-rename", chosen=str(known["training"]), rename_to="X",
                        seen=known["stages"]).status_code == 403
    assert stage_action(client, "people-stage-delete", chosen=str(known["training"]),
                        seen=known["stages"]).status_code == 403
    assert rows(people_db) == before
    page = refresh(client)
    if username == "quality":
        response = json.loads(page.data)["response"]
        assert response["people-stages-form"]["hidden"] is True and response["people-worker-form"]["hidden"] is True
        assert "Read-only" in response["people-read-only"]["children"]
        assert "1 peer worker on staff today has no stage" in json.dumps(response["people-without-stage"])
    else:
        assert page.status_code == 403


ORG_INPUTS = ("people-program-add", "people-team-add", "people-org-rename", "people-org-archive", "people-org-restore")


def org_action(client: FlaskClient, button: str, program_name: Any = None, team_program: Any = None,
               team_name: Any = None, chosen: Any = None, rename_to: Any = None, seen: Any = None) -> Any:
    return post(client, [("people-org-message", "children"), ("people-org-version", "data"),
                         ("people-program-new", "value"), ("people-program-description", "value"),
                         ("people-team-new", "value"), ("people-org-rename-to", "value")],
                {i: (1 if i == button else None) for i in ORG_INPUTS}, button,
                [("people-program-new", "value", program_name), ("people-program-description", "value", None),
                 ("people-team-program", "value", team_program), ("people-team-new", "value", team_name),
                 ("people-org-chosen", "value", chosen), ("people-org-rename-to", "value", rename_to),
                 ("people-org-seen", "data", seen), ("people-org-version", "data", 3)])


def org_rows(db: Database) -> tuple[int, int, int]:
    from models import Program, Team

    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                     for m in (Program, Team, AuditEvent))


def test_admin_adds_renames_and_archives_teams_and_a_stale_copy_is_refused(client: FlaskClient,
                                                                           people_db: Database) -> None:
    from models import Program, Team

    with people_db.session() as s:
        program = s.scalar(select(Program.id))
        team_b = s.scalar(select(Team.id).where(Team.name == "Team B"))
    login(client, "admin")
    before = org_rows(people_db)
    assert "Program added." in message(org_action(client, "people-program-add", program_name="Housing"),
                                       "people-org-message")
    assert "Team added." in message(org_action(client, "people-team-add", team_program=str(program),
                                               team_name="Team C"), "people-org-message")
    assert org_rows(people_db) == (before[0] + 1, before[1] + 1, before[2] + 2)
    chosen = f"team:{team_b}"
    assert "Renamed." in message(org_action(client, "people-org-rename", chosen=chosen, rename_to="Team Bee",
                                            seen={chosen: ["Team B", False]}), "people-org-message")
    # The same editor's old copy still says "Team B": refused, nothing written.
    middle = org_rows(people_db)
    assert "Someone else changed" in message(org_action(client, "people-org-archive", chosen=chosen,
                                                        seen={chosen: ["Team B", False]}), "people-org-message")
    assert "Archived" in message(org_action(client, "people-org-archive", chosen=chosen,
                                            seen={chosen: ["Team Bee", False]}), "people-org-message")
    assert org_rows(people_db) == (middle[0], middle[1], middle[2] + 1)
    for crafted, expected in (({"chosen": "team:abc"}, "Choose a program or a team"),
                              ({"chosen": ["team", team_b]}, "Choose a program or a team"),
                              ({"chosen": chosen, "seen": "x"}, "Someone else changed")):
        assert expected in message(org_action(client, "people-org-rename", rename_to="Z", **crafted),
                                   "people-org-message")
    assert org_rows(people_db) == (middle[0], middle[1], middle[2] + 1)


@pytest.mark.parametrize("username", ["quality", "leader", "supervisor", "peer"])
def test_no_role_but_admin_changes_programs_or_teams(client: FlaskClient, people_db: Database, username: str) -> None:
    from models import Program

    with people_db.session() as s:
        program = s.scalar(select(Program.id))
    login(client, username)
    before = org_rows(people_db)
    assert org_action(client, "people-program-add", program_name="Housing").status_code == 403
    assert org_action(client, "people-team-add", team_program=str(program), team_name="Z").status_code == 403
    assert org_action(client, "people-org-archive", chosen=f"program:{program}",
                      seen={f"program:{program}": ["Community Recovery", False]}).status_code == 403
    assert org_rows(people_db) == before


def staff_rows(db: Database) -> tuple[int, int, int, int]:
    from models import TeamMembership, TeamSupervisor

    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                     for m in (Staff, TeamMembership, TeamSupervisor, AuditEvent))


def save_person(client: FlaskClient, person: Any, seen: Any, **values: Any) -> Any:
    form = {"people-staff-name.value": "Nia New", "people-staff-code.value": "E7001",
            "people-staff-role.value": "peer_worker", "people-staff-hire.value": "2024-05-01",
            "people-staff-left.value": None, "people-staff-fte.value": 0.8, "people-staff-credential.value": False}
    form.update({f"people-staff-{k}.value": v for k, v in values.items()})
    return fire(client, "people-staff-save", {"people-staff-save.n_clicks": 1},
                {"people-staff-person.value": person, "people-staff-seen.data": seen,
                 "people-staff-version.data": 0, **form})


def team_action(client: FlaskClient, button: str, **states: Any) -> Any:
    return fire(client, "people-move", {f"{button}.n_clicks": 1},
                {f"{k.replace('_', '-')}": v for k, v in states.items()}, changed=f"{button}.n_clicks")


def test_admin_creates_and_edits_a_person_moves_and_supervises_audited(client: FlaskClient,
                                                                       people_db: Database) -> None:
    from dashboard.staff_records import staff_view
    from models import Team

    login(client, "admin")
    before = staff_rows(people_db)
    created = json.loads(save_person(client, "new", None).data)["response"]
    assert "Added." in json.dumps(created["people-staff-message"])
    nia = int(created["people-staff-person"]["value"])
    assert staff_rows(people_db) == (before[0] + 1, before[1], before[2], before[3] + 1)
    with people_db.session() as s:
        seen = staff_view(s, nia).values()
        team_b = s.scalar(select(Team.id).where(Team.name == "Team B"))
        sam = s.scalar(select(Staff.id).where(Staff.full_name == "Sam Supervisor"))
    assert "Saved." in message(save_person(client, str(nia), seen, name="Nia Newton"), "people-staff-message")
    # The same copy again: stale, refused, nothing written.
    middle = staff_rows(people_db)
    assert "Someone else changed" in message(save_person(client, str(nia), seen, name="Nia N"),
                                             "people-staff-message")
    assert staff_rows(people_db) == middle
    moved = team_action(client, "people-move", **{"people-staff-person.value": str(nia),
                                                  "people-move-team.value": str(team_b),
                                                  "people-move-from.value": "2024-05-01",
                                                  "people-move-latest.data": 0})
    assert "Moved." in moved.data.decode()
    supervised = team_action(client, "people-sup-add", **{"people-staff-person.value": str(sam),
                                                          "people-sup-team.value": str(team_b),
                                                          "people-sup-from.value": "2024-01-01"})
    assert "Team added." in supervised.data.decode()
    assert staff_rows(people_db) == (middle[0], middle[1] + 1, middle[2] + 1, middle[3] + 2)
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "staff", AuditEvent.action == "update")).one()
    assert (event.username, event.old_values, event.new_values) == ("admin", {"full_name": "Nia New"},
                                                                    {"full_name": "Nia Newton"})


@pytest.mark.parametrize("username", ["quality", "leader", "supervisor", "peer"])
def test_no_role_but_admin_edits_staff_or_their_teams(client: FlaskClient, people_db: Database,
                                                      username: str) -> None:
    """A supervisor cannot edit another team's staff (nor their own team's: staff records are an admin's)."""
    from dashboard.staff_records import staff_view
    from models import Team

    known = ids(people_db)
    with people_db.session() as s:
        team_b = s.scalar(select(Team.id).where(Team.name == "Team B"))
        seen = staff_view(s, known["pat"]).values()
    login(client, username)
    before = staff_rows(people_db)
    assert save_person(client, "new", None).status_code == 403
    assert save_person(client, str(known["pat"]), seen, name="Changed").status_code == 403
    assert team_action(client, "people-move", **{"people-staff-person.value": str(known["pat"]),
                                                 "people-move-team.value": str(team_b),
                                                 "people-move-from.value": "2024-05-01",
                                                 "people-move-latest.data": 0}).status_code == 403
    assert team_action(client, "people-sup-add", **{"people-staff-person.value": str(known["sam"]),
                                                    "people-sup-team.value": str(team_b),
                                                    "people-sup-from.value": "2024-01-01"}).status_code == 403
    entries = supervision_dates(people_db)
    entry = next(iter(entries))
    assert team_action(client, "people-sup-edit-button", **{
        "people-staff-person.value": str(known["sam"]), "people-sup-edit-which.value": str(entry),
        "people-sup-edit-from.value": "2021-01-01", "people-sup-edit-until.value": None,
        "people-sup-seen.data": {str(entry): ["2020-01-06", None]}}).status_code == 403
    assert staff_rows(people_db) == before and supervision_dates(people_db) == entries


def test_admin_deletes_only_a_stage_nothing_names_audited(client: FlaskClient, people_db: Database) -> None:
    known = ids(people_db)
    login(client, "admin")
    before = rows(people_db)
    # A stage the standard has a rule for: refused, nothing written.
    refused = message(stage_action(client, "people-stage-delete", chosen=str(known["training"]),
                                   seen=known["stages"]), "people-stages-message")
    assert "cannot be deleted" in refused and "of the supervision standard has a rule for it" in refused
    assert rows(people_db) == before
    assert "Added" in message(stage_action(client, "people-stage-add", new="Peer mentor"), "people-stages-message")
    added = ids(people_db)
    mentor = added["stages"][-1][0]
    # Held by a worker (one entry): refused with the count, nothing written.
    assert "Recorded." in message(worker_action(client, "people-worker-record", str(known["pat"]), str(mentor),
                                                "2023-03-01", 0))
    held = rows(people_db)
    assert held == (before[0] + 1, before[1] + 1, before[2] + 2)
    refused = message(stage_action(client, "people-stage-delete", chosen=str(mentor), seen=added["stages"]),
                      "people-stages-message")
    assert "“Peer mentor” cannot be deleted: 1 stage entry names it" in refused
    assert rows(people_db) == held
    with people_db.session() as s:
        entry = s.scalar(select(StageAssignment.id))
    assert "Removed" in message(worker_action(client, "people-worker-remove", str(known["pat"]), None, None, entry))
    # A stale list (the editor's copy lacks the new stage): refused.
    assert "Someone else changed" in message(stage_action(client, "people-stage-delete", chosen=str(mentor),
                                                          seen=known["stages"]), "people-stages-message")
    assert rows(people_db) == (before[0], before[1] + 1, before[2] + 3)
    assert "Deleted “Peer mentor”." in message(stage_action(client, "people-stage-delete", chosen=str(mentor),
                                                            seen=added["stages"]), "people-stages-message")
    assert rows(people_db) == (before[0], before[1], before[2] + 4)
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.entity, event.entity_id, event.new_values) == (
        "delete", "certification_stage", str(mentor), None)
    assert event.old_values == {"code": "peer-mentor", "name": "Peer mentor", "sort_order": 4}
    assert ids(people_db)["stages"] == known["stages"]


def supervision_dates(db: Database) -> dict[int, tuple[str, str | None]]:
    from models import TeamSupervisor

    with db.session() as s:
        return {i: (start.isoformat(), end.isoformat() if end else None) for i, start, end in s.execute(
            select(TeamSupervisor.id, TeamSupervisor.start_date, TeamSupervisor.end_date).order_by(TeamSupervisor.id))}


def redate(client: FlaskClient, sam: int, entry: int, start: Any, until: Any, seen: Any) -> Any:
    return team_action(client, "people-sup-edit-button", **{
        "people-staff-person.value": str(sam), "people-sup-edit-which.value": str(entry),
        "people-sup-edit-from.value": start, "people-sup-edit-until.value": until,
        "people-sup-seen.data": {str(entry): seen}})


def test_admin_corrects_a_supervisors_team_dates_refusing_overlaps_and_end_before_start(
        client: FlaskClient, people_db: Database) -> None:
    from models import Team

    known = ids(people_db)
    sam = known["sam"]
    with people_db.session() as s:
        team_a = s.scalar(select(Team.id).where(Team.name == "Team A"))
    login(client, "admin")
    first = next(iter(supervision_dates(people_db)))
    before, dates = staff_rows(people_db), supervision_dates(people_db)
    assert dates[first] == ("2020-01-06", None)
    for start, until, expected in [
            ("2021-01-01", "2020-06-01", "The end date must be after the first day (01 Jan 2021)."),
            ("2021-01-01", "2021-01-01", "The end date must be after the first day (01 Jan 2021)."),
            ("2019-12-01", None, "The first day is before the hire date (06 Jan 2020)."),
            ("2099-01-01", None, "The first day is in the future"),
            ("13/13/2021", None, "The first day: enter the date as 05 Dec 2026."),
            ("01/02/2021", "2021-01-15", "The end date must be after the first day (01 Feb 2021)."),  # day first
            (None, None, "The first day is required."),
            ("2020-01-06", None, "Nothing to save"),
    ]:
        assert expected in message(redate(client, sam, first, start, until, ["2020-01-06", None]),
                                   "people-teams-message")
        assert staff_rows(people_db) == before and supervision_dates(people_db) == dates
    # Ended on 1 Jan 2022 and started later: saved, audited with the old and new dates.
    assert "Dates saved." in message(redate(client, sam, first, "2020-02-03", "2022-01-01", ["2020-01-06", None]),
                                     "people-teams-message")
    assert staff_rows(people_db) == (before[0], before[1], before[2], before[3] + 1)
    assert supervision_dates(people_db)[first] == ("2020-02-03", "2022-01-01")
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.entity, event.entity_id, event.old_values, event.new_values) == (
        "update", "team_supervisor", str(first), {"start_date": "2020-01-06", "end_date": None},
        {"start_date": "2020-02-03", "end_date": "2022-01-01"})
    # The editor's copy of the entry is stale now: refused, nothing written.
    assert "Someone else changed" in message(redate(client, sam, first, "2020-03-02", "2022-01-01",
                                                    ["2020-01-06", None]), "people-teams-message")
    # Team A again from 2023: a correction that would overlap the first time on Team A is refused.
    assert "Team added." in team_action(client, "people-sup-add", **{"people-staff-person.value": str(sam),
                                                                      "people-sup-team.value": str(team_a),
                                                                      "people-sup-from.value": "2023-01-02"}
                                        ).data.decode()
    second = max(supervision_dates(people_db))
    after, dates = staff_rows(people_db), supervision_dates(people_db)
    assert "overlap their other time on Team A (Community Recovery) (from 03 Feb 2020 to 01 Jan 2022)" in message(
        redate(client, sam, second, "2021-06-01", None, ["2023-01-02", None]), "people-teams-message")
    assert "overlap" in message(redate(client, sam, first, "2020-02-03", None, ["2020-02-03", "2022-01-01"]),
                                "people-teams-message")
    assert staff_rows(people_db) == after and supervision_dates(people_db) == dates
    # Back to back is not an overlap (the end is the first day without it).
    assert "Dates saved." in message(redate(client, sam, second, "2022-01-01", None, ["2023-01-02", None]),
                                     "people-teams-message")
    assert supervision_dates(people_db)[second] == ("2022-01-01", None)
    assert staff_rows(people_db) == (after[0], after[1], after[2], after[3] + 1)


def emptied(response: Any) -> set[str]:
    """The text boxes a write's response empties ('' sent back); the others are left as typed (not in it)."""
    assert response.status_code == 200, response.data[:300]
    changed = json.loads(response.data)["response"]
    return {i for i, props in changed.items() if props.get("value") == ""}


def test_a_name_box_empties_after_its_write_is_made_and_keeps_a_refused_name(client: FlaskClient,
                                                                              people_db: Database) -> None:
    from models import Program

    with people_db.session() as s:
        program = s.scalar(select(Program.id))
    login(client, "admin")
    assert emptied(stage_action(client, "people-stage-add", new="Peer mentor")) == {"people-stage-new"}
    stages = ids(people_db)["stages"]
    # Refused (the name is taken): what was typed stays to be corrected.
    assert emptied(stage_action(client, "people-stage-add", new="Peer mentor")) == set()
    assert emptied(stage_action(client, "people-stage-rename", chosen=str(stages[-1][0]), rename_to="Mentor",
                                seen=stages)) == {"people-stage-rename-to"}
    assert emptied(stage_action(client, "people-stage-up", chosen=str(stages[-1][0]),
                                seen=ids(people_db)["stages"])) == set()  # no box of its own
    assert emptied(org_action(client, "people-program-add", program_name="Housing")) == {
        "people-program-new", "people-program-description"}
    assert emptied(org_action(client, "people-team-add", team_program=str(program), team_name="Team C")) == {
        "people-team-new"}
    assert emptied(org_action(client, "people-team-add", team_program=None, team_name="Team D")) == set()
