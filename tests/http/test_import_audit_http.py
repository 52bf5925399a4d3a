"""Import and Audit log over HTTP: roles, crafted payloads and bad parameters get a message (never a 500), and
nothing is written unless a clean file is committed by quality or admin."""
from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import AuditEvent, Program, Team
from tests.http.conftest import callback, login

# a date field's check: its error line and the field's invalid state, and nothing else
DATE_CHECK = re.compile(r"\.\.audit-(from|to)-error\.children\.\.\.audit-\1\.invalid\.\.")

CHECK_OUTPUTS = [("import-summary", "children"), ("import-errors", "rowData"), ("import-changes", "rowData"),
                 ("import-commit", "disabled"), ("import-result", "children")]
COMMIT_OUTPUTS = [("import-result", "children"), ("import-commit", "disabled")]
AUDIT_OUTPUTS = [("audit-grid", "rowData"), ("audit-count", "children")]
NEW_TEAM = "program,team\r\nCommunity Recovery,Team C\r\n"


def data_url(text: str | bytes) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


def check(client: FlaskClient, contents: Any, kind: Any = "teams", order: Any = "iso") -> Any:
    return callback(client, CHECK_OUTPUTS, [("import-upload", "contents", contents), ("import-kind", "value", kind),
                                            ("import-date-order", "value", order)],
                    [("import-upload", "filename", "teams.csv")])


def commit_outputs(client: FlaskClient) -> list[tuple[str, str]]:
    """The commit's outputs as the renderer names them (allow_duplicate adds a suffix to each property)."""
    dependencies = client.get("/_dash-dependencies")
    if dependencies.status_code != 200:
        return COMMIT_OUTPUTS
    for dependency in json.loads(dependencies.data):
        if any(i["id"] == "import-commit" for i in dependency["inputs"]):
            return [tuple(part.rsplit(".", 1)) for part in dependency["output"].strip(".").split("...")]  # type: ignore[misc]
    raise AssertionError("no commit callback")


def commit(client: FlaskClient, contents: Any, kind: Any = "teams", order: Any = "iso", clicks: Any = 1) -> Any:
    return callback(client, commit_outputs(client), [("import-commit", "n_clicks", clicks)],
                    [("import-upload", "contents", contents), ("import-kind", "value", kind),
                     ("import-date-order", "value", order), ("import-upload", "filename", "teams.csv")])


def audit_events(client: FlaskClient, person: Any = "all", entity: Any = "all", action: Any = "all",
                 first: Any = None, last: Any = None) -> Any:
    return callback(client, AUDIT_OUTPUTS, [("audit-person", "value", person), ("audit-entity", "value", entity),
                                            ("audit-action", "value", action), ("audit-from", "value", first),
                                            ("audit-to", "value", last)])


def rows(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Program, Team, AuditEvent))  # type: ignore[return-value]


def program_id(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(Program.id).where(Program.name == "Community Recovery"))


def response_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


@pytest.mark.parametrize("username", ["leader", "supervisor", "peer"])
def test_other_roles_cannot_check_commit_or_read_the_audit_log(client: FlaskClient, people_db: Database,
                                                               username: str) -> None:
    login(client, username)
    before = rows(people_db)
    assert check(client, data_url(NEW_TEAM)).status_code == 403
    assert commit(client, data_url(NEW_TEAM)).status_code == 403
    assert audit_events(client).status_code == 403
    assert client.get("/export/templates/teams.csv").status_code == 403
    assert rows(people_db) == before


def test_signed_out_requests_are_refused(client: FlaskClient, people_db: Database) -> None:
    before = rows(people_db)
    assert commit(client, data_url(NEW_TEAM)).status_code == 401
    assert audit_events(client).status_code == 401
    assert client.get("/export/templates/teams.csv").status_code == 401
    assert rows(people_db) == before


@pytest.mark.parametrize("username", ["quality", "admin"])
def test_quality_and_admin_commit_a_clean_file_once_and_the_audit_log_shows_it(client: FlaskClient,
                                                                            people_db: Database,
                                                                            username: str) -> None:
    login(client, username)
    programs, teams, events = rows(people_db)
    dry = response_of(check(client, data_url(NEW_TEAM)))
    assert dry["import-commit"]["disabled"] is False
    assert [c["summary"] for c in dry["import-changes"]["rowData"]] == ["Team C (Community Recovery)"]
    assert rows(people_db) == (programs, teams, events)
    done = response_of(commit(client, data_url(NEW_TEAM)))
    assert "Imported." in json.dumps(done["import-result"])
    assert rows(people_db) == (programs, teams + 1, events + 2)  # the team, and the file
    again = response_of(commit(client, data_url(NEW_TEAM)))
    assert "already recorded" in json.dumps(again["import-result"])
    assert rows(people_db) == (programs, teams + 1, events + 2)
    log = response_of(audit_events(client, person=username))
    assert [(r["action"], r["entity"]) for r in log["audit-grid"]["rowData"]] == [("import", "teams file"),
                                                                                   ("create", "team")]
    assert log["audit-count"]["children"] == "2 events match."
    assert log["audit-grid"]["rowData"][1]["changes"] == f"name: — → Team C\nprogram_id: — → {program_id(people_db)}"
    assert log["audit-grid"]["rowData"][1]["fields"] == [["name", "—", "Team C"],
                                                         ["program_id", "—", str(program_id(people_db))]]


@pytest.mark.parametrize("contents,kind,order,message", [
    (None, "teams", "iso", "Choose a file"),
    ("not a data url", "teams", "iso", "No file was received"),
    ("data:text/csv;base64,@@@not-base64@@@", "teams", "iso", "damaged"),
    ("data:text/csv,program,team", "teams", "iso", "not sent as a file"),
    (data_url(NEW_TEAM), "payroll", "iso", "Choose a file, what it holds"),
    (data_url(NEW_TEAM), ["teams"], "iso", "Choose a file, what it holds"),
    (data_url(NEW_TEAM), "teams", "ymd; DROP TABLE", "Choose a file, what it holds"),
    (data_url(b"PK\x03\x04xlsx"), "teams", "iso", "Excel workbook"),
    (data_url("program,team\nCommunity Recovery,\n"), "teams", "iso", "1 problem in 1 row"),
    (data_url("x" * 10), {"kind": "teams"}, 3, "Choose a file, what it holds"),
])
def test_bad_parameters_get_a_message_and_write_nothing(client: FlaskClient, people_db: Database, contents: Any,
                                                        kind: Any, order: Any, message: str) -> None:
    login(client, "quality")
    before = rows(people_db)
    result = response_of(commit(client, contents, kind, order))
    assert message in json.dumps(result["import-result"])
    assert True in result["import-commit"].values()
    assert rows(people_db) == before


@pytest.mark.parametrize("contents,kind", [("garbage", "teams"), (data_url(b"\xff\xfe\x00"), "staff"),
                                           (data_url("a;b\n1;2\n"), "moves"), (12, "sessions"),
                                           (data_url(NEW_TEAM), None)])
def test_the_dry_run_of_a_bad_upload_answers_with_a_message(client: FlaskClient, people_db: Database,
                                                            contents: Any, kind: Any) -> None:
    login(client, "admin")
    before = rows(people_db)
    result = response_of(check(client, contents, kind))
    assert result["import-commit"]["disabled"] is True
    assert result["import-summary"]["children"]
    assert rows(people_db) == before


def test_the_template_is_the_header_of_its_kind_and_an_example_row(client: FlaskClient) -> None:
    login(client, "quality")
    response = client.get("/export/templates/sessions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8") == ("\ufeffheld_on,supervisor_code,format,kind,modality,minutes,"
                                              "attendee_codes,competencies,note\r\n"
                                              "2025-10-06,E0007,individual,supportive,in_person,60,E1042,"
                                              "VIII.3; IX.6,\r\n")
    assert client.get("/export/templates/payroll.csv").status_code == 404


def test_the_dry_run_names_ignored_columns_in_a_warning_and_still_checks_the_rows(client: FlaskClient,
                                                                                  people_db: Database) -> None:
    login(client, "quality")
    before = rows(people_db)
    extra = "program,team,cost_centre,region\r\nCommunity Recovery,Team C,4410,North\r\nCommunity Recovery,,1,\r\n"
    result = response_of(check(client, data_url(extra)))
    summary = json.dumps(result["import-summary"]["children"])
    assert "1 problem in 2 rows" in summary
    assert "Ignored 2 columns not read for programs and teams: cost_centre, region." in summary
    assert [(e["row"], e["column"]) for e in result["import-errors"]["rowData"]] == [(3, "team")]
    clean_file = data_url(extra.rsplit("Community Recovery,,", 1)[0])
    assert response_of(check(client, clean_file))["import-commit"]["disabled"] is False
    done = json.dumps(response_of(commit(client, clean_file)))
    assert "Imported." in done and "cost_centre, region" in done
    assert rows(people_db) == (before[0], before[1] + 1, before[2] + 2)


@pytest.mark.parametrize("params,message", [
    ({"first": "2026-13-01"}, "could not be read"), ({"first": "2026-10-02", "last": "2026-10-01"}, "after"),
    ({"person": ["admin"], "entity": {"x": 1}, "action": "' OR 1=1 --"}, "0 events match."),
    ({"person": "x" * 500}, "events match."),
])
def test_the_audit_log_answers_odd_filters_with_a_message(client: FlaskClient, params: dict[str, Any],
                                                          message: str) -> None:
    login(client, "quality")
    result = response_of(audit_events(client, **params))
    assert message in result["audit-count"]["children"]


def test_the_audit_log_offers_no_way_to_change_events(client: FlaskClient) -> None:
    login(client, "admin")
    dependencies = json.loads(client.get("/_dash-dependencies").data)
    audit_outputs = [d["output"] for d in dependencies if "audit-" in d["output"]]
    assert audit_outputs and all("audit-grid.rowData" in o or "audit-count" in o or ".options" in o
                                 or o == "audit-detail.children" or DATE_CHECK.fullmatch(o) for o in audit_outputs)
    # the grid's only inputs: mounting (the filter choices) and choosing a row (its changes shown as a table)
    assert {i["property"] for d in dependencies for i in d["inputs"] if i["id"] == "audit-grid"} == {"id",
                                                                                                   "selectedRows"}


def test_a_chosen_event_reads_as_a_table_of_field_before_and_after(client: FlaskClient) -> None:
    login(client, "quality")
    chosen = {"action": "update", "entity": "staff", "entity_id": "7", "username": "admin",
              "occurred_at": "2026-05-01 09:30:00", "occurred_at_label": "01 May 2026 09:30:00",
              "fields": [["fte", "1.00", "0.50"], ["left_on", "—", "2026-06-30"]]}
    result = json.dumps(response_of(callback(client, [("audit-detail", "children")],
                                             [("audit-grid", "selectedRows", [chosen])])))
    assert "update staff 7 by admin, 01 May 2026 09:30:00 UTC" in result
    assert [h in result for h in ('"Field"', '"Before"', '"After"', '"scope": "col"')] == [True] * 4
    assert '"fte"' in result and '"1.00"' in result and '"0.50"' in result and '"2026-06-30"' in result
    for odd in (None, [], [chosen, chosen], ["x"], [{"fields": "not a list"}]):
        answer = json.dumps(response_of(callback(client, [("audit-detail", "children")],
                                                 [("audit-grid", "selectedRows", odd)])))
        assert "Choose an event in the list" in answer and "Before" not in answer
    login(client, "supervisor")
    refused = callback(client, [("audit-detail", "children")], [("audit-grid", "selectedRows", [chosen])])
    assert refused.status_code == 403
