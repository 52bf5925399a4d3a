"""Compliance exports and callbacks over HTTP: scope, bad parameters, audit events, and every file read back and
matched to the view's rows."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from callbacks.compliance import rollup_rows
from dashboard.db import Database
from dashboard.queries.compliance import TeamRollup
from models import AuditEvent, Program, Staff, Team
from tests.http.conftest import callback, login

Q3 = "start=2026-07-01&end=2026-09-30"
SUPERVISOR_TEAMS = {"Eastside Outreach", "Westside Outreach"}
VIEW_OUTPUTS = [("compliance-message", "children"), ("compliance-summary", "children"),
                ("compliance-rollup", "rowData"), ("compliance-grid", "rowData"), ("compliance-csv", "href"),
                ("compliance-xlsx", "href"), ("compliance-pdf", "href"), ("compliance-csv", "disabled"),
                ("compliance-xlsx", "disabled"), ("compliance-pdf", "disabled")]


def view(client: FlaskClient, start: Any = "2026-07-01", end: Any = "2026-09-30", program: Any = "all",
         team: Any = "all", supervisor: Any = "all", stage: Any = "all") -> Any:
    return callback(client, VIEW_OUTPUTS, [
        ("compliance-start", "value", start), ("compliance-end", "value", end),
        ("compliance-program", "value", program), ("compliance-team", "value", team),
        ("compliance-supervisor", "value", supervisor), ("compliance-stage", "value", stage)])


def view_rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)["response"]["compliance-grid"]["rowData"]


def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.data[:300]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def program_id(db: Database, name: str) -> int:
    with db.session() as s:
        return s.scalar(select(Program.id).where(Program.name == name))


def as_view(row: dict[str, str]) -> tuple[Any, ...]:
    """A CSV or Excel row in the grid's terms."""
    number = lambda v: None if v in ("", None) else int(v)  # noqa: E731
    return (row["Worker"], int(row["Worker ID"]), row["Team"], row["Supervisors"], row["Stage"],
            number(row["Individual sessions required"]), int(row["Individual sessions held"]), int(row["Minutes"]),
            int(row["Minimum minutes"]), number(row["Longest gap (days)"]), int(row["Days on leave"]), row["Status"],
            row["Reasons"])


def grid_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["worker"], row["worker_id"], row["team"], row["supervisors"], row["stage"], row["required"],
            row["held"], row["minutes"], row["minimum"], row["longest_gap"], row["leave"], row["status"],
            row["reasons"])


def test_not_logged_in_gets_401_and_a_peer_worker_403(demo_client: FlaskClient) -> None:
    assert demo_client.get(f"/export/compliance.csv?{Q3}").status_code == 401
    login(demo_client, "peer", "demo")
    assert demo_client.get(f"/export/compliance.csv?{Q3}").status_code == 403
    assert view(demo_client).status_code == 403


def test_the_csv_matches_the_view_row_for_row(demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "quality", "demo")
    program = program_id(demo_db, "Community Recovery Services")
    grid = view_rows(view(demo_client, program=str(program)))
    exported = read_csv(demo_client.get(f"/export/compliance.csv?{Q3}&program={program}"))
    assert grid and [as_view(r) for r in exported] == [grid_key(r) for r in grid]
    assert {r["Program"] for r in exported} == {"Community Recovery Services"}
    assert {r["Period start"] for r in exported} == {"2026-07-01"}


def test_the_roll_up_counts_the_grid_rows_team_by_team(demo_client: FlaskClient) -> None:
    login(demo_client, "quality", "demo")
    response = view(demo_client)
    grid = view_rows(response)
    rollup = json.loads(response.data)["response"]["compliance-rollup"]["rowData"]
    by_team: dict[str, list[int]] = {}
    for row in grid:
        count = by_team.setdefault(row["team"], [0, 0])
        count[0] += 1
        count[1] += row["status"] == "met"
    assert {r["team"]: [r["workers"], r["met"]] for r in rollup} == by_team
    assert all(r["not_met"] == r["workers"] - r["met"] and r["share_met"] == pytest.approx(r["met"] / r["workers"])
               for r in rollup)
    assert all(r["share_label"] == f"{r['met'] / r['workers']:.0%}" for r in rollup)
    # Shown rounded as the PDF rounds them, a half to even: 1 of 8 is 12%, 3 of 8 is 38%; no workers, a dash.
    teams = [TeamRollup(1, "A", "P", 8, 1), TeamRollup(2, "B", "P", 8, 3), TeamRollup(3, "C", "P", 0, 0)]
    assert [r["share_label"] for r in rollup_rows(teams)] == ["12%", "38%", "–"]
    summary = json.loads(response.data)["response"]["compliance-summary"]["children"]
    met = sum(r["met"] for r in rollup)
    assert f"{len(grid)} workers in {len(rollup)} teams" in summary and f"{met} met the standard (" in summary


def test_the_workbook_has_the_rows_a_frozen_formatted_header_and_the_parameters(demo_client: FlaskClient,
                                                                               demo_db: Database) -> None:
    login(demo_client, "quality", "demo")
    program = program_id(demo_db, "Integrated Health Homes")
    grid = view_rows(view(demo_client, program=str(program)))
    response = demo_client.get(f"/export/compliance.xlsx?{Q3}&program={program}")
    assert response.status_code == 200 and "spreadsheetml" in response.content_type
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Compliance", "Team roll-up", "Parameters"]
    sheet = book["Compliance"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb.endswith("1D3557")
    rows = [dict(zip(header, ["" if v is None else v for v in row])) for row in sheet.iter_rows(min_row=2,
                                                                                                  values_only=True)]
    assert [as_view(r) for r in rows] == [grid_key(r) for r in grid]
    parameters = {row[0]: row[1] for row in book["Parameters"].iter_rows(min_row=2, values_only=True)}
    assert parameters["Program"] == "Integrated Health Homes"
    assert parameters["Period"] == "01 Jul 2026 to 30 Sep 2026"  # for people: the agency's format
    assert parameters["Generated by"].startswith("Marcus Bell (quality")
    assert parameters["Generated at"].endswith("UTC") and parameters["Rows"] == str(len(grid))
    *teams, total = list(book["Team roll-up"].iter_rows(min_row=2, values_only=True))
    met = sum(r["status"] == "met" for r in grid)
    assert sum(t[2] for t in teams) == len(grid) and sum(t[3] for t in teams) == met
    assert total == ("Total", None, len(grid), met, len(grid) - met, round(met / len(grid), 4))
    share = book["Team roll-up"].cell(2, 6)
    assert share.number_format == "0.0%" and 0 <= share.value <= 1  # a percent in Excel, a fraction inside
    assert book["Team roll-up"].cell(len(teams) + 2, 1).font.bold
    assert response.headers["Content-Disposition"] == ('attachment; filename="compliance_integrated-health-homes_'
                                                       '2026-07-01_2026-09-30.xlsx"')


def test_staff_and_team_names_that_start_like_formulas_arrive_as_text_in_both_files(
        demo_client: FlaskClient, demo_db: Database) -> None:
    """Six workers named with each formula start (= + - @ tab CR) and a team named like one, exported through the
    addresses: the CSV cells read back with the single quote before them, the workbook's as text cells, and the
    CSV's Content-Type names its charset once."""
    formulas = ['=HYPERLINK("http://x.example","y")', "+SUM(1,1)", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"]
    login(demo_client, "quality", "demo")
    response = demo_client.get(f"/export/compliance.csv?{Q3}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    worker_ids = [int(r["Worker ID"]) for r in read_csv(response)][:len(formulas)]
    named = dict(zip(worker_ids, formulas))
    with demo_db.session() as s:
        for worker_id, formula in named.items():
            s.get(Staff, worker_id).full_name = formula
        team = s.scalars(select(Team).where(Team.name == "Eastside Outreach")).one()
        team.name = "=1+2"

    exported = {int(r["Worker ID"]): r for r in read_csv(demo_client.get(f"/export/compliance.csv?{Q3}"))}
    assert {i: exported[i]["Worker"] for i in named} == {i: "'" + f for i, f in named.items()}
    assert "'=1+2" in {r["Team"] for r in exported.values()} and "=1+2" not in {r["Team"] for r in exported.values()}

    book = load_workbook(io.BytesIO(demo_client.get(f"/export/compliance.xlsx?{Q3}").data))
    sheet = book["Compliance"]
    header = [c.value for c in sheet[1]]
    cells = {row[header.index("Worker ID")].value: row[header.index("Worker")] for row in sheet.iter_rows(min_row=2)}
    for worker_id, formula in named.items():
        cell = cells[worker_id]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (formula, "s", True)
    rollup = [row[1] for row in book["Team roll-up"].iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in rollup if c.value == "=1+2"] == [("=1+2", "s")]
    numbers = {row[header.index("Minutes")].data_type for row in sheet.iter_rows(min_row=2)}
    assert numbers == {"n"}


def test_the_pdf_names_the_period_filters_author_rollup_and_every_worker(demo_client: FlaskClient,
                                                                        demo_db: Database) -> None:
    login(demo_client, "leader", "demo")
    grid = view_rows(view(demo_client))
    response = demo_client.get(f"/export/compliance.pdf?{Q3}")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    flat = " ".join(text.split())
    assert "Supervision compliance" in flat and "Period 01 Jul 2026 to 30 Sep 2026" in flat  # the agency's format
    assert "All programs" in flat and "Generated by" in flat and "Team roll-up" in flat
    pages = len(PdfReader(io.BytesIO(response.data)).pages)
    assert pages > 1 and f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    met = sum(r["status"] == "met" for r in grid)
    assert f"{len(grid)} {met} {len(grid) - met}" in flat  # the roll-up's total row
    for row in grid:
        assert row["worker"] in flat


def test_a_supervisor_exports_only_their_own_teams(demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "supervisor", "demo")
    exported = read_csv(demo_client.get(f"/export/compliance.csv?{Q3}"))
    assert exported and {r["Team"] for r in exported} == SUPERVISOR_TEAMS
    assert {r["team"] for r in view_rows(view(demo_client))} == SUPERVISOR_TEAMS
    with demo_db.session() as s:
        other_team = s.scalar(select(Team.id).where(Team.name == "Riverside Health Home"))
        other_program = s.scalar(select(Team.program_id).where(Team.name == "Riverside Health Home"))
    # Another team or program is "unknown" to them, exactly like one that does not exist.
    response = demo_client.get(f"/export/compliance.csv?{Q3}&team={other_team}")
    assert response.status_code == 400 and b"Unknown team" in response.data
    response = demo_client.get(f"/export/compliance.csv?{Q3}&program={other_program}")
    assert response.status_code == 400 and b"Unknown program" in response.data
    refused = json.loads(view(demo_client, team=str(other_team)).data)["response"]
    assert "Unknown team" in json.dumps(refused["compliance-message"])
    assert refused["compliance-grid"]["rowData"] == [] and refused["compliance-csv"]["disabled"] is True


def test_bad_parameters_get_a_400_with_a_message(demo_client: FlaskClient) -> None:
    login(demo_client, "quality", "demo")
    cases = {
        "start=2026-13-01&end=2026-09-30": "'start' must be a date",
        "start=2026-07-01&end=soon": "'end' must be a date",
        "end=2026-09-30": "'start' is missing",
        "start=2026-09-30&end=2026-07-01": "is before 'start'",
        f"{Q3}&program=999999": "Unknown program 999999",
        f"{Q3}&program=1%20OR%201=1": "'program' must be a number",
        f"{Q3}&team=999999": "Unknown team 999999",
        f"{Q3}&supervisor=999999": "Unknown supervisor 999999",
        f"{Q3}&stage=astronaut": "Unknown stage 'astronaut'",
        f"{Q3}&by=year": "'by' must be 'worker' or 'month'",
        f"{Q3}&colour=red": "Unknown parameter 'colour'",
        "start=2016-01-01&end=2026-09-30": "longer than",
        "start=2099-01-01&end=2099-02-01": "after today",
    }
    for query, message in cases.items():
        for extension in ("csv", "xlsx", "pdf"):
            response = demo_client.get(f"/export/compliance.{extension}?{query}")
            assert response.status_code == 400, (query, response.status_code)
            assert message in response.data.decode(), (query, response.data)
    assert demo_client.get(f"/export/compliance.docx?{Q3}").status_code == 404


def test_each_export_writes_an_audit_event_with_its_parameters(demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "quality", "demo")
    program = program_id(demo_db, "Community Recovery Services")
    for extension in ("csv", "xlsx", "pdf"):
        assert demo_client.get(f"/export/compliance.{extension}?{Q3}&program={program}&by=month").status_code == 200
    assert demo_client.get(f"/export/compliance.csv?{Q3}&program=999999").status_code == 400  # nothing exported
    with demo_db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)).all()
        assert [(e.username, e.entity, e.entity_id) for e in events] == [
            ("quality", "compliance", "csv"), ("quality", "compliance", "xlsx"), ("quality", "compliance", "pdf")]
        assert events[0].new_values["program_id"] == program
        assert events[0].new_values["start"] == "2026-07-01" and events[0].new_values["end"] == "2026-09-30"
        assert events[0].new_values["by"] == "month"
        assert events[0].new_values["address"].startswith("/export/compliance.csv?start=2026-07-01")


def test_by_month_gives_one_row_per_worker_and_month(demo_client: FlaskClient) -> None:
    login(demo_client, "quality", "demo")
    months = read_csv(demo_client.get(f"/export/compliance.csv?{Q3}&by=month"))
    quarter = read_csv(demo_client.get(f"/export/compliance.csv?{Q3}"))
    assert {r["Period start"] for r in months} == {"2026-07-01", "2026-08-01", "2026-09-01"}
    # A worker appears once per month they were on a team; never in more months than three.
    per_worker: dict[str, int] = {}
    for row in months:
        per_worker[row["Worker ID"]] = per_worker.get(row["Worker ID"], 0) + 1
    assert set(per_worker) == {r["Worker ID"] for r in quarter} and max(per_worker.values()) == 3


def test_excel_or_a_bi_tool_refreshes_an_export_with_the_persons_login(demo_client: FlaskClient,
                                                                      demo_db: Database) -> None:
    """HTTP Basic on /export/ only: the right password gets the file, a wrong one a 401 with the challenge that
    makes Excel ask; failures are recorded like the form's and the throttle applies; a success is not recorded,
    so a tool refreshing every few minutes neither resets the failure count nor fills the table."""
    import base64

    from models import LoginAttempt

    def basic(username: str, password: str) -> dict[str, str]:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    refused = demo_client.get(f"/export/compliance.csv?{Q3}")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic ")
    assert demo_client.get(f"/export/compliance.csv?{Q3}", headers=basic("quality", "wrong")).status_code == 401
    good = demo_client.get(f"/export/compliance.csv?{Q3}", headers=basic("quality", "demo"))
    assert good.status_code == 200 and len(read_csv(good)) > 10
    assert demo_client.get(f"/export/compliance.csv?{Q3}", headers=basic("peer", "demo")).status_code == 403
    # Basic credentials open nothing but exports.
    assert demo_client.get("/_dash-layout", headers=basic("quality", "demo")).status_code == 401
    with demo_db.session() as s:
        attempts = s.execute(select(LoginAttempt.username, LoginAttempt.succeeded).order_by(LoginAttempt.id)).all()
    assert [tuple(a) for a in attempts] == [("quality", False)]
    for _ in range(10):
        demo_client.get(f"/export/compliance.csv?{Q3}", headers=basic("leader", "wrong"))
    assert demo_client.get(f"/export/compliance.csv?{Q3}", headers=basic("leader", "demo")).status_code == 401


def test_a_pdf_of_more_rows_than_its_limit_is_refused_with_the_other_formats_named(
        demo_client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from dashboard import exports

    monkeypatch.setitem(exports.BY_EXTENSION, "pdf", dataclasses.replace(exports.BY_EXTENSION["pdf"], max_rows=2))
    login(demo_client, "quality", "demo")
    response = demo_client.get(f"/export/compliance.pdf?{Q3}")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == ("More than 2 rows: too many to read as a PDF. Narrow the filters, "
                                               "or use the CSV or Excel export.\n")
    assert demo_client.get(f"/export/compliance.docx?{Q3}").status_code == 404


def test_a_by_month_export_kept_ahead_is_the_same_file_as_one_read_in_its_own_statement(
        demo_client: FlaskClient, demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a change to the standard every kept month is stale; a by-month export then keeps them ahead on two
    connections (PostgreSQL) before reading: the file is byte for byte the one the read alone gives."""
    from dashboard.queries import compliance
    from dashboard.queries.supervision import ahead
    from models import EVERYONE, JudgementVersion

    def everyone_changed() -> None:
        with demo_db.session() as s:
            version = s.get(JudgementVersion, EVERYONE)
            if version is None:
                s.add(JudgementVersion(worker_id=EVERYONE, version=1))
            else:
                version.version += 1

    parts: list[int] = []
    keep = compliance.keep_months_ahead
    monkeypatch.setattr(compliance, "keep_months_ahead", lambda *args: parts.append(keep(*args)) or parts[-1])
    login(demo_client, "quality", "demo")
    address = f"/export/compliance.csv?{Q3}&by=month"
    monkeypatch.setattr(ahead, "MIN_STALE_WORKERS", 10**6)  # never ahead: the read judges and keeps
    everyone_changed()
    alone = demo_client.get(address)
    assert len(read_csv(alone)) > 100  # the streamed body read before the next request
    monkeypatch.setattr(ahead, "MIN_STALE_WORKERS", 1)
    everyone_changed()
    kept_ahead = demo_client.get(address)
    assert kept_ahead.data == alone.data
    assert parts == [0, 2 if demo_db.engine.dialect.name == "postgresql" else 0]
