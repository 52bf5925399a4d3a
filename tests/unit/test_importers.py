"""CSV import: file handling, row-level reports with nothing written, idempotent re-imports,
current ratings kept in step."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.cli import cli
from dashboard.current_ratings import rebuild_current_ratings
from dashboard.db import Database
from dashboard.importers import KINDS, ImportReport, ImportRefused, parse_date, read_csv, run_import
from dashboard.recording import RatingDraft, Writer, check_ratings, check_session, parse_session
from models import (AuditEvent, Competency, CompetencyRating, CurrentRating, Leave, Program, RatingScale,
                    SessionAttendee, SessionCompetency, Staff, SupervisionSession, Team, TeamMembership,
                    TeamSupervisor)

TODAY = date(2026, 10, 31)
ACTOR = Actor(None, "cli:test")
TABLES = (SupervisionSession, SessionAttendee, SessionCompetency, CompetencyRating, CurrentRating, Staff, Team,
          Program, TeamMembership, TeamSupervisor, Leave, AuditEvent)


@pytest.fixture
def org(reference_db: Database) -> Database:
    """Program P: team A supervised by S1 (since 2020), team B by S2; W1, W2 on A; W3 on B; W4 hired 2026-06."""
    with reference_db.session() as s:
        program = Program(name="P")
        s.add(program)
        s.flush()
        a, b = Team(program_id=program.id, name="A"), Team(program_id=program.id, name="B")
        people = {code: Staff(employee_code=code, full_name=name, role=role, hire_date=hired)
                  for code, name, role, hired in (
                      ("S1", "Sue One", "supervisor", date(2020, 1, 6)),
                      ("S2", "Stan Two", "supervisor", date(2020, 1, 6)),
                      ("W1", "Wes One", "peer_worker", date(2023, 3, 1)),
                      ("W2", "Wyn Two", "peer_worker", date(2024, 1, 1)),
                      ("W3", "Wil Three", "peer_worker", date(2023, 3, 1)),
                      ("W4", "Wen Four", "peer_worker", date(2026, 6, 1)))}
        s.add_all([a, b, *people.values()])
        s.flush()
        s.add_all([TeamSupervisor(team_id=a.id, staff_id=people["S1"].id, start_date=date(2020, 1, 6)),
                   TeamSupervisor(team_id=b.id, staff_id=people["S2"].id, start_date=date(2020, 1, 6)),
                   TeamMembership(staff_id=people["W1"].id, team_id=a.id, start_date=date(2023, 3, 1)),
                   TeamMembership(staff_id=people["W2"].id, team_id=a.id, start_date=date(2024, 1, 1)),
                   TeamMembership(staff_id=people["W3"].id, team_id=b.id, start_date=date(2023, 3, 1)),
                   TeamMembership(staff_id=people["W4"].id, team_id=a.id, start_date=date(2026, 6, 1))])
    return reference_db


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in TABLES}


def run(db: Database, kind: str, text: str | bytes, commit: bool = True, **options: str) -> ImportReport:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with db.session() as s:
        return run_import(s, kind, data, file_name=f"{kind}.csv", actor=ACTOR, today=TODAY, commit=commit,
                          **options)


def problems(report: ImportReport) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in report.errors}


def staff_id(s: Session, code: str) -> int:
    return s.scalar(select(Staff.id).where(Staff.employee_code == code))


# --- reading files

SESSIONS_HEADER = "held_on,supervisor_code,format,kind,modality,minutes,attendee_codes,competencies,note"


def test_a_bom_and_windows_line_endings_are_read_and_blank_rows_keep_the_spreadsheet_numbering() -> None:
    data = ("\ufeffProgram,Team\r\nP,A\r\n,\r\nP,\"B, north\"\r\n").encode("utf-8")
    parsed = read_csv(data, KINDS["teams"])
    assert parsed.header == ("program", "team")
    assert parsed.rows == [(2, {"program": "P", "team": "A"}), (4, {"program": "P", "team": "B, north"})]
    assert parsed.errors == []


@pytest.mark.parametrize("data,reason", [
    (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
    ("program,team\r\nP,A\r\n".encode("utf-16"), "UTF-16"),
    (b"program;team\nP;A\n", "semicolons"),
    (b"program,team\nP,A\nCaf\xe9,B\n", "not UTF-8 text (first bad byte on row 3)"),
    (b"", "empty"),
])
def test_files_that_are_not_utf8_comma_csv_are_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ImportRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_csv(data, KINDS["teams"])


def test_a_malformed_csv_names_its_row_once(reference_db: Database) -> None:
    # Row 3 opens a quote that never closes: the reader fails at the end of the file, on row 3.
    report = run(reference_db, "teams", 'program,team\nP,A\nP,"B\n')
    [error] = report.errors
    assert (error.row, error.message) == (3, "The CSV is malformed (unexpected end of data).")


def test_a_wrong_header_is_reported_by_column(reference_db: Database) -> None:
    before = counts(reference_db)
    report = run(reference_db, "teams", "program,teem,program\nP,A,P\n")
    # program twice and team missing are problems; teem is a column teams files do not have: named, not read.
    assert problems(report) == {(1, "program"), (1, "team")}
    assert report.warnings == ("Ignored column not read for programs and teams: teem. The columns read are "
                               "program, team, program_description.",)
    assert not report.committed and counts(reference_db) == before


STAFF_HEADER = "employee_code,full_name,role,hire_date,fte,left_on,peer_credential"


def test_unknown_columns_are_named_in_a_warning_and_the_rows_are_still_checked_and_imported(org: Database) -> None:
    # An export from a payroll system: the staff columns and three of its own (one of them twice).
    text = ("Employee Code,Department,full_name,role,hire_date,fte,left_on,peer_credential,email,department\n"
            "W7,Finance,Wyatt Seven,peer_worker,2025-02-03,1,,,w7@example.org,Finance\n"
            "W8,Finance,Wanda Eight,peer_worker,2025-02-30,1,,,w8@example.org,Finance\n")
    before = counts(org)
    dry = run(org, "staff", text, commit=False)
    assert dry.warnings == ("Ignored 2 columns not read for staff: department, email. The columns read are "
                            f"{STAFF_HEADER.replace(',', ', ')}.",)
    # Row 3's 30 February is found although the header has columns the kind does not know.
    assert problems(dry) == {(3, "hire_date")} and counts(org) == before
    done = run(org, "staff", text.replace("2025-02-30", "2025-02-28"))
    assert done.committed and done.counts == {"create": 2} and len(done.warnings) == 1
    with org.session() as s:
        created = s.scalars(select(AuditEvent.new_values).where(AuditEvent.entity == "staff")).all()
    assert sorted(e["employee_code"] for e in created) == ["W7", "W8"]
    assert not any("department" in e or "email" in e for e in created)  # the ignored columns are not written


def test_a_file_without_foreign_columns_has_no_warning(org: Database) -> None:
    report = run(org, "teams", "program,team\nP,A\n", commit=False)
    assert report.ok and report.warnings == ()


LONG = 5000


def test_long_values_are_cut_to_60_characters_wherever_a_report_echoes_them(org: Database, tmp_path: Path) -> None:
    row = ",".join(["2026-10-05", "S" * LONG, "individual", "supportive", "in_person", "60", "W" * LONG,
                    "X" * LONG, "N" * LONG])
    header = SESSIONS_HEADER + "," + "extra" * 1000
    report = run(org, "sessions", f"{header}\n{row},\n", commit=False)
    cut = {(e.column, e.value) for e in report.errors}
    # Each value: its first 60 characters, an ellipsis and its length.
    assert cut == {("supervisor_code", "S" * 60 + "… (5,000 characters)"),
                   ("attendee_codes", "W" * 60 + "… (5,000 characters)"),
                   ("competencies", "X" * 60 + "… (5,000 characters)"),
                   ("note", "N" * 60 + "… (5,000 characters)")}
    messages = {e.column: e.message for e in report.errors}
    assert messages["supervisor_code"] == "unknown supervisor: " + "S" * 60 + "… (5,000 characters)"
    assert messages["competencies"] == "X" * 60 + "… (5,000 characters) is not a competency in the active framework"
    assert report.warnings == ("Ignored column not read for supervision sessions: " + "extra" * 12 +
                               "… (5,000 characters). The columns read are " + SESSIONS_HEADER.replace(",", ", ")
                               + ".",)
    path = tmp_path / "sessions.csv"
    path.write_text(f"{header}\n{row},\n", encoding="utf-8")
    env = {"PEERDASH_INSTANCE": str(tmp_path), "DATABASE_URL": org.engine.url.render_as_string(hide_password=False)}
    printed = CliRunner().invoke(cli, ["import", "sessions", str(path)], env=env).output
    assert all(letter * 61 not in printed for letter in "SWXN") and "extra" * 13 not in printed
    assert len(printed) < 2000


def test_a_team_echoed_in_a_message_is_cut_too(org: Database) -> None:
    report = run(org, "moves", f"employee_code,program,team,start_date\nW1,P,{'T' * 100},2026-09-01\n", commit=False)
    assert [(e.column, e.message) for e in report.errors] == [
        ("team", f"no team '{'T' * 60}… (100 characters)' in program 'P' (import teams first)")]


@pytest.mark.parametrize("text,order,expected", [
    ("2026-03-04", "iso", date(2026, 3, 4)),
    ("2026-03-04 00:00:00", "iso", date(2026, 3, 4)),
    ("2026/3/4", "iso", date(2026, 3, 4)),
    ("45000", "iso", date(2023, 3, 15)),  # an Excel serial number
    ("03/04/2026", "mdy", date(2026, 3, 4)),
    ("03/04/2026", "dmy", date(2026, 4, 3)),
    ("4.3.2026", "dmy", date(2026, 3, 4)),
])
def test_dates_as_people_and_excel_write_them(text: str, order: str, expected: date) -> None:
    assert parse_date(text, order) == expected


@pytest.mark.parametrize("text,order,message", [
    ("03/04/2026", "iso", "ambiguous"), ("3/4/26", "mdy", "two-digit year"), ("2026-02-30", "iso", "not a real"),
    ("13/13/2026", "mdy", "not a real"), ("yesterday", "iso", "not a date"), ("12", "iso", "not a date"),
])
def test_dates_that_cannot_be_read_safely_are_refused(text: str, order: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(text, order)


# --- sessions

MESSY_SESSIONS = "\n".join([
    SESSIONS_HEADER,
    "2026-10-05,S1,individual,supportive,in_person,60,W1,VIII.3;IX.6,fine",          # 2 ok
    "2026-11-02,S1,individual,supportive,in_person,60,W1,,",                          # 3 future date
    "2026-10-06,S9,individual,supportive,in_person,60,W9,,",                          # 4 unknown supervisor, worker
    "2026-10-06,S1,individual,supportive,in_person,500,W1,XX.1,",                     # 5 minutes, competency
    "2026-10-06,S1,group,supportive,in_person,60,W1,,",                               # 6 group of one
    "2026-10-06,S1,individual,therapy,fax,60,W2,,",                                   # 7 kind, modality
    "2026-10-05,S1,individual,supportive,in_person,60,W1,,",                          # 8 duplicate of row 2
    "2026-10-06,S1,individual,supportive,in_person,60,W3,,",                          # 9 W3 not on S1's team
    "2026-05-04,S1,individual,supportive,in_person,60,W4,,",                          # 10 before W4's hire date
    "2026-10-07,,individual,supportive,in_person,,W2,,",                              # 11 required values
    "2026-10-07,S1,individual,supportive,in_person,60,W1;W2,,",                       # 12 individual of two
    "2026-10-08,W1,individual,supportive,in_person,60,S1,,",                          # 13 roles swapped
]) + "\n"


def test_a_messy_sessions_file_is_refused_row_by_row_and_nothing_is_written(org: Database) -> None:
    before = counts(org)
    report = run(org, "sessions", MESSY_SESSIONS)
    assert problems(report) == {
        (3, "held_on"), (4, "supervisor_code"), (4, "attendee_codes"), (5, "minutes"), (5, "competencies"),
        (6, "attendee_codes"), (7, "kind"), (7, "modality"), (8, "attendee_codes"), (9, "attendee_codes"),
        (10, "attendee_codes"), (11, "supervisor_code"), (11, "minutes"), (12, "attendee_codes"),
        (13, "supervisor_code"), (13, "attendee_codes")}
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(3, "held_on")] == "date is in the future (today is 31 Oct 2026)"
    assert messages[(4, "supervisor_code")] == "unknown supervisor: S9"
    assert messages[(5, "minutes")] == "minutes must be between 5 and 480"
    assert messages[(8, "attendee_codes")] == ("duplicate row: the same supervisor, date and attendees are on "
                                               "row 2")
    assert messages[(10, "attendee_codes")] == "W4 was hired later (01 Jun 2026)"
    assert report.error_count == 16 and report.rows == 12 and not report.committed
    assert [e.row for e in report.errors] == sorted(e.row for e in report.errors)
    assert counts(org) == before


CLEAN_SESSIONS = "\r\n".join([
    SESSIONS_HEADER,
    "2026-10-05,S1,individual,supportive,in_person,60,W1,VIII.3; ix.6,fine",
    "2026-10-06,S1,group,Clinical educational,video,90,W1;W2,,",
    "10/07/2026,S2,individual,administrative,phone,30,W3,,",
]) + "\r\n"


def test_a_clean_sessions_file_is_written_whole_and_a_second_import_changes_nothing(org: Database) -> None:
    before = counts(org)
    dry = run(org, "sessions", CLEAN_SESSIONS, commit=False, date_order="mdy")
    assert dry.ok and dry.counts == {"create": 3} and not dry.committed
    assert counts(org) == before  # a dry run writes nothing
    report = run(org, "sessions", CLEAN_SESSIONS, date_order="mdy")
    assert report.committed and report.counts == {"create": 3}
    after = counts(org)
    assert after["supervision_sessions"] == before["supervision_sessions"] + 3
    assert after["session_attendees"] == before["session_attendees"] + 4
    assert after["session_competencies"] == before["session_competencies"] + 2
    assert after["audit_events"] == before["audit_events"] + 4  # one per session, and the file
    with org.session() as s:
        group = s.scalar(select(SupervisionSession).where(SupervisionSession.format == "group"))
        assert (group.held_on, group.kind, group.modality, group.minutes) == (
            date(2026, 10, 6), "clinical_educational", "video", 90)
        assert group.version == 1 and group.created_at.tzinfo is not None and group.created_at == group.updated_at
        assert set(s.scalars(select(SessionAttendee.worker_id).where(SessionAttendee.session_id == group.id))) \
            == {staff_id(s, "W1"), staff_id(s, "W2")}
        topics = set(s.scalars(select(Competency.code).join(SessionCompetency,
                                                              SessionCompetency.competency_id == Competency.id)))
        assert topics == {"VIII.3", "IX.6"}
        event = s.scalar(select(AuditEvent).where(AuditEvent.entity == "sessions file"))
        assert event.username == "cli:test" and event.new_values["rows"] == 3 and event.new_values["create"] == 3
        # Each session has the event the form would have written, with the file's row.
        created = s.scalar(select(AuditEvent).where(AuditEvent.entity == "supervision_session",
                                                    AuditEvent.entity_id == str(group.id)))
        assert (created.action, created.username, created.occurred_at.tzinfo is not None) == ("create", "cli:test",
                                                                                            True)
        assert {k: v for k, v in created.new_values.items() if k != "competency_ids"} == {
            "held_on": "2026-10-06", "minutes": 90, "format": "group", "kind": "clinical_educational",
            "modality": "video", "supervisor_id": staff_id(s, "S1"), "note": None,
            "attendee_ids": sorted([staff_id(s, "W1"), staff_id(s, "W2")]), "version": 1, "row": 3}
    again = run(org, "sessions", CLEAN_SESSIONS, date_order="mdy")
    assert again.ok and again.counts == {"unchanged": 3} and not again.committed
    assert counts(org) == after


def test_a_session_recorded_with_other_details_is_a_conflict_not_a_silent_change(org: Database) -> None:
    run(org, "sessions", CLEAN_SESSIONS, date_order="mdy")
    before = counts(org)
    changed = CLEAN_SESSIONS.replace("in_person,60,W1", "in_person,45,W1")
    report = run(org, "sessions", changed, date_order="mdy")
    assert problems(report) == {(2, "attendee_codes")} and counts(org) == before


# --- ratings

RATINGS_HEADER = "rated_on,worker_code,competency,level,rater_role,rater_code,note"


def test_messy_ratings_are_refused_row_by_row(org: Database) -> None:
    before = counts(org)
    report = run(org, "ratings", "\n".join([
        RATINGS_HEADER,
        "2026-10-01,W1,VIII.3,3,supervisor,S1,",     # 2 ok
        "2026-10-01,W1,VIII.3,5,supervisor,S1,",     # 3 level off the scale (and the same key as row 2)
        "2026-10-01,W1,XIII.1,3,supervisor,S1,",     # 4 unknown competency
        "2026-10-01,W3,VIII.3,3,supervisor,S1,",     # 5 S1 does not supervise W3's team
        "2026-10-01,W1,VIII.3,2,self,W2,",           # 6 a self-rating by someone else
        "2026-10-01,WX,VIII.3,3,,S1,",               # 7 unknown worker
        "2026-10-01,W1,VIII.3,3,supervisor,S1,",     # 8 duplicate of row 2
        "2027-01-01,W1,VIII.3,three,boss,S1,",       # 9 future, not a number, unknown role
    ]) + "\n")
    assert problems(report) == {(3, "level"), (4, "competency"), (5, "rater_code"), (6, "rater_code"),
                                (7, "worker_code"), (8, "competency"), (9, "rated_on"), (9, "level"),
                                (9, "rater_role")}
    assert {(e.row, e.column): e.message for e in report.errors}[(3, "level")] == \
        "level on the agency's scale must be between 1 and 4"
    assert counts(org) == before


def test_a_rating_naming_two_raters_or_two_workers_is_refused_with_a_message(org: Database) -> None:
    # Two rater codes once reached an assertion (a crash); now, like two workers, they are one clear row error.
    before = counts(org)
    report = run(org, "ratings", "\n".join([
        RATINGS_HEADER,
        "2026-10-01,W1,VIII.3,3,supervisor,S1;S2,",  # 2 two raters
        "2026-10-01,W1;W2,VIII.3,3,supervisor,S1,",  # 3 two workers
    ]) + "\n")
    assert {(e.row, e.column): e.message for e in report.errors} == {
        (2, "rater_code"): "one rater per rating", (3, "worker_code"): "one worker per rating"}
    assert counts(org) == before


def test_imported_ratings_keep_current_ratings_in_step_with_the_history(org: Database) -> None:
    with org.session() as s:
        w1, s1 = staff_id(s, "W1"), staff_id(s, "S1")
        viii3 = s.scalar(select(Competency.id).where(Competency.code == "VIII.3"))
        scale = s.scalar(select(RatingScale.id).where(RatingScale.is_active))
        recorded = CompetencyRating(worker_id=w1, competency_id=viii3, scale_id=scale, level=2, rater_id=s1,
                                    rater_role="supervisor", rated_on=date(2026, 9, 1))
        s.add(recorded)
        s.flush()
        s.add(CurrentRating(worker_id=w1, competency_id=viii3, rater_role="supervisor", rating_id=recorded.id,
                            level=2, rated_on=date(2026, 9, 1)))
    report = run(org, "ratings", "\n".join([
        RATINGS_HEADER,
        "2026-08-01,W1,VIII.3,1,supervisor,S1,older than the recorded one",
        "2026-10-01,W1,VIII.3,4,supervisor,S1,newer",
        "2026-10-02,W1,VIII.3,3,self,,",
        "2026-10-02,W2,IX.6,3,supervisor,S1,",
    ]) + "\n")
    assert report.committed and report.counts == {"create": 4}
    with org.session() as s:
        # One "rate" event per worker, rater role and date, as the rating form writes them: W1 supervisor on
        # 1 Aug and 1 Oct, W1 self on 2 Oct, W2 supervisor on 2 Oct.
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "competency_ratings")).all()
        assert sorted((int(e.entity_id), e.new_values["rater_role"], e.new_values["rated_on"],
                       e.new_values["levels"][str(viii3)] if str(viii3) in e.new_values["levels"] else None)
                      for e in events if int(e.entity_id) == w1) == [
            (w1, "self", "2026-10-02", 3), (w1, "supervisor", "2026-08-01", 1), (w1, "supervisor", "2026-10-01", 4)]
        assert len(events) == 4 and all(e.action == "rate" for e in events)
        current = {(r.worker_id, r.competency_id, r.rater_role): (r.level, r.rated_on)
                   for r in s.scalars(select(CurrentRating))}
        assert current[(w1, viii3, "supervisor")] == (4, date(2026, 10, 1))
        assert current[(w1, viii3, "self")] == (3, date(2026, 10, 2))
        assert len(current) == 3
        snapshot = {(r.worker_id, r.competency_id, r.rater_role, r.rating_id) for r in s.scalars(select(CurrentRating))}
        rebuild_current_ratings(s)
        s.flush()
        assert {(r.worker_id, r.competency_id, r.rater_role, r.rating_id)
                for r in s.scalars(select(CurrentRating))} == snapshot
    before = counts(org)
    again = run(org, "ratings", "\n".join([RATINGS_HEADER, "2026-10-01,W1,VIII.3,4,supervisor,S1,newer"]) + "\n")
    assert again.counts == {"unchanged": 1} and counts(org) == before
    conflict = run(org, "ratings", "\n".join([RATINGS_HEADER, "2026-10-01,W1,VIII.3,2,supervisor,S1,"]) + "\n")
    assert problems(conflict) == {(2, "level")} and counts(org) == before


def test_a_rating_dated_after_the_worker_or_the_rater_left_says_who_had_left(org: Database) -> None:
    add_leaver(org)  # W5, on S1's team A, left on 2026-09-01
    with org.session() as s:
        team_a = s.scalar(select(Team.id).where(Team.name == "A"))
        s3 = Staff(employee_code="S3", full_name="Sal Three", role="supervisor", hire_date=date(2020, 1, 6),
                   left_on=date(2026, 7, 1))
        s.add(s3)
        s.flush()
        s.add(TeamSupervisor(team_id=team_a, staff_id=s3.id, start_date=date(2020, 1, 6)))
    report = run(org, "ratings", "\n".join([
        RATINGS_HEADER,
        "2026-08-31,W5,VIII.3,3,supervisor,S1,",     # 2 W5's last day on staff: fine
        "2026-09-01,W5,VIII.3,3,supervisor,S1,",     # 3 the day W5 left
        "2026-09-15,W5,IX.6,3,supervisor,S1,",       # 4 after
        "2026-09-15,W5,IX.6,3,self,,",               # 5 a self-rating after leaving
        "2026-06-30,W1,VIII.3,3,supervisor,S3,",     # 6 S3's last day: fine
        "2026-07-01,W1,IX.6,3,supervisor,S3,",       # 7 the day S3 left
    ]) + "\n", commit=False)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "rated_on", "W5 had left (01 Sep 2026); a worker is not rated after leaving"),
        (4, "rated_on", "W5 had left (01 Sep 2026); a worker is not rated after leaving"),
        (5, "rated_on", "W5 had left (01 Sep 2026); a worker is not rated after leaving"),
        (7, "rater_code", "S3 had left (01 Jul 2026)")]


# --- templates and the README

TEMPLATE_ORDER = ("teams", "staff", "moves", "stages", "leave", "sessions", "ratings")
# What the examples need that one example row per kind cannot give: the example supervisor, and their team.
SUPPORT = {"staff": "E0007,Sam Supervisor,supervisor,2019-09-02,1,,yes\r\n",
           "moves": "E0007,Community Recovery,Eastside Outreach,2019-09-02\r\n"}


def test_every_template_is_the_exact_header_and_an_example_row_that_imports_cleanly(reference_db: Database) -> None:
    assert tuple(KINDS) == TEMPLATE_ORDER
    for key in TEMPLATE_ORDER:
        kind = KINDS[key]
        template = kind.template_csv()
        header, example, end = template.split("\r\n")
        assert header == ",".join(kind.column_names) and end == ""
        parsed = read_csv(template.encode("utf-8"), kind)
        assert (parsed.errors, parsed.warnings, len(parsed.rows)) == ([], [], 1)
        assert parsed.rows[0] == (2, {c.name: c.example for c in kind.columns})
        # Imported in order, each template's example row passes every check of the dry run and is written.
        report = run(reference_db, key, template + SUPPORT.get(key, ""))
        assert report.errors == () and report.warnings == () and report.committed, (key, report.errors)
        assert report.counts.get("create", 0) + report.counts.get("move", 0) >= 1, key
    with reference_db.session() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionSession)) == 1
        assert s.scalar(select(func.count()).select_from(CompetencyRating)) == 1
        assert s.scalar(select(func.count()).select_from(Leave)) == 1


def readme_import_headers() -> dict[str, tuple[str, str]]:
    """README's table of import files: kind -> (header row, required columns), as written."""
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Import and audit log", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[1].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1].strip("`"), cells[2])
    return rows


def test_the_readme_lists_each_kinds_exact_header_and_its_required_columns() -> None:
    listed = readme_import_headers()
    assert set(listed) == set(KINDS)
    for key, kind in KINDS.items():
        header, required = listed[key]
        assert header == ",".join(kind.column_names), key
        assert tuple(name.strip(" `") for name in required.split(",")) == kind.required_names, key


# --- roster

def test_teams_are_created_once(org: Database) -> None:
    text = "program,team,program_description\nP,A,\nQ,North,Housing support\nQ,South,\n"
    before = counts(org)
    report = run(org, "teams", text)
    assert report.counts == {"unchanged": 1, "create": 3}  # team A is known; program Q, North, South are new
    assert counts(org)["teams"] == before["teams"] + 2 and counts(org)["programs"] == before["programs"] + 1
    after = counts(org)
    assert run(org, "teams", text).counts == {"unchanged": 3} and counts(org) == after


def test_staff_are_created_updated_and_adopted_by_code_with_old_and_new_values_audited(org: Database) -> None:
    with org.session() as s:
        s.add(Staff(full_name="Una Coded", role="peer_worker", hire_date=date(2022, 5, 2)))
    text = ("employee_code,full_name,role,hire_date,fte,left_on,peer_credential\n"
            "W1,Wes One,peer_worker,2023-03-01,0.5,,\n"          # fte 1 → 0.5
            "W9,Nia New,peer_worker,2025-02-03,1,,\n"            # new
            "U1,Una Coded,peer_worker,2022-05-02,,,\n"           # adopts the uncoded record
            "S1,Sue One,supervisor,2020-01-06,,,yes\n")          # credential no → yes
    report = run(org, "staff", text)
    assert report.counts == {"update": 3, "create": 1}
    with org.session() as s:
        assert s.scalar(select(Staff.fte).where(Staff.employee_code == "W1")) == Decimal("0.50")
        assert s.scalar(select(Staff.full_name).where(Staff.employee_code == "U1")) == "Una Coded"
        assert s.scalar(select(func.count()).select_from(Staff).where(Staff.full_name == "Una Coded")) == 1
        event = s.scalar(select(AuditEvent).where(AuditEvent.entity == "staff", AuditEvent.action == "update",
                                                  AuditEvent.entity_id == str(staff_id(s, "W1"))))
        assert (event.old_values, event.new_values) == ({"fte": "1.00"}, {"fte": "0.50"})
    after = counts(org)
    assert run(org, "staff", text).counts == {"unchanged": 4} and counts(org) == after
    refused = run(org, "staff", "employee_code,full_name,role,hire_date\nW1,Wes One,supervisor,2023-03-01\n"
                                "W8,X,peer_worker,2023-03-01\nW8,Y,peer_worker,2023-03-01\n")
    assert problems(refused) == {(2, "role"), (4, "employee_code")} and counts(org) == after


def test_moves_close_the_open_membership_and_history_is_not_rewritten(org: Database) -> None:
    text = "employee_code,program,team,start_date\nW1,P,B,2026-09-01\nS1,P,B,2026-09-01\nW2,P,A,2025-01-01\n"
    report = run(org, "moves", text)
    assert report.counts == {"move": 1, "create": 1, "unchanged": 1}  # W2 is already on A
    with org.session() as s:
        w1 = staff_id(s, "W1")
        spans = s.execute(select(Team.name, TeamMembership.start_date, TeamMembership.end_date)
                          .join(Team, Team.id == TeamMembership.team_id)
                          .where(TeamMembership.staff_id == w1).order_by(TeamMembership.start_date)).all()
        assert [tuple(r) for r in spans] == [("A", date(2023, 3, 1), date(2026, 9, 1)),
                                              ("B", date(2026, 9, 1), None)]
    after = counts(org)
    assert run(org, "moves", text).counts == {"unchanged": 3} and counts(org) == after
    refused = run(org, "moves", "employee_code,program,team,start_date\nW1,P,A,2026-08-01\nW1,P,Z,2026-10-01\n"
                                "W2,P,B,2023-01-01\nWX,P,B,2026-10-01\n")
    assert problems(refused) == {(2, "start_date"), (3, "team"), (4, "start_date"), (5, "employee_code")}
    assert counts(org) == after


def test_leave_is_created_then_given_its_day_back_and_messy_rows_are_refused_one_by_one(org: Database) -> None:
    header = "employee_code,start_date,end_date\n"
    report = run(org, "leave", header + "W1,2026-02-02,2026-03-02\nW3,2026-10-01,\n")
    assert (report.ok, report.counts) == (True, {"create": 2})
    with org.session() as s:
        w3 = staff_id(s, "W3")
        assert s.scalar(select(Leave.end_date).where(Leave.staff_id == w3)) is None
    after = counts(org)
    # The same file again changes nothing; W3's day back, once known, updates the leave from 1 Oct.
    assert run(org, "leave", header + "W1,2026-02-02,2026-03-02\nW3,2026-10-01,\n").counts == {"unchanged": 2}
    assert counts(org) == after
    assert run(org, "leave", header + "W3,10/01/2026,10/20/2026\n", date_order="mdy").counts == {"update": 1}
    with org.session() as s:
        assert s.scalar(select(Leave.end_date).where(Leave.staff_id == w3)) == date(2026, 10, 20)
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "leave").order_by(AuditEvent.id.desc())
                          .limit(1)).one()
        assert (event.action, event.old_values, event.new_values) == ("update", {"end_date": None},
                                                                      {"end_date": "2026-10-20"})
    after = counts(org)
    messy = run(org, "leave", header + "\n".join((
        "WX,2026-05-01,",             # row 2: unknown code
        "S1,2026-05-01,",             # row 3: a supervisor
        "W2,2026-05-01,2026-05-01",   # row 4: back the day it starts
        "W4,2026-05-01,2026-06-10",   # row 5: before W4's hire date (1 Jun)
        "W1,2026-02-20,2026-04-01",   # row 6: overlaps W1's recorded leave (2 Feb - 1 Mar)
        "W2,2026-07-01,2026-08-01",   # row 7: fine alone...
        "W2,2026-07-01,2026-07-15",   # row 8: ...but the same person and day again
        "W2,someday,",                # row 9: not a date
        "W1,2028-01-01,",             # row 10: more than a year ahead
    )) + "\n")
    assert problems(messy) == {(2, "employee_code"), (3, "employee_code"), (4, "end_date"), (5, "start_date"),
                               (6, "start_date"), (8, "start_date"), (9, "start_date"), (10, "start_date")}
    assert not messy.committed and counts(org) == after


# --- the command line

def test_the_cli_is_a_dry_run_unless_asked_and_lists_each_problem(org: Database, tmp_path: Path) -> None:
    env = {"PEERDASH_INSTANCE": str(tmp_path), "DATABASE_URL": org.engine.url.render_as_string(hide_password=False)}
    teams = tmp_path / "teams.csv"
    teams.write_text("program,team\nP,C\nP,\n", encoding="utf-8")
    before = counts(org)
    refused = CliRunner().invoke(cli, ["import", "teams", str(teams), "--commit"], env=env)
    assert refused.exit_code == 1
    assert "teams.csv: row 3, column team: required value is empty" in refused.output
    assert "nothing was written" in refused.output and counts(org) == before
    teams.write_text("program,team\nP,C\n", encoding="utf-8")
    dry = CliRunner().invoke(cli, ["import", "teams", str(teams)], env=env)
    assert dry.exit_code == 0 and "Dry run, nothing written" in dry.output and counts(org) == before
    done = CliRunner().invoke(cli, ["import", "teams", str(teams), "--commit"], env=env)
    assert done.exit_code == 0 and "Imported 1 row: create 1." in done.output
    teams.write_text("program,team,cost_centre\nP,D,4410\n", encoding="utf-8")
    warned = CliRunner().invoke(cli, ["import", "teams", str(teams)], env=env)
    assert warned.exit_code == 0 and "Dry run, nothing written. 1 row would give: create 1." in warned.output
    assert ("teams.csv: warning: Ignored column not read for programs and teams: cost_centre. The columns read "
            "are program, team, program_description.") in warned.output
    assert counts(org)["teams"] == before["teams"] + 1
    with org.session() as s:
        assert s.scalar(select(AuditEvent.username).where(AuditEvent.entity == "team")).startswith("cli:")


# --- the same rules as the supervisor's form

CODES = ("S1", "S2", "W1", "W2", "W3", "W4", "W5")
DAYS = (date(2023, 2, 28), date(2024, 6, 3), date(2026, 5, 31), date(2026, 6, 1), date(2026, 8, 31),
        date(2026, 9, 1), date(2026, 10, 31), date(2026, 11, 1))


def add_leaver(org: Database) -> None:
    """W5 was on team A from 2024 and left on 2026-09-01 (the first day not on staff)."""
    with org.session() as s:
        if staff_id(s, "W5") is None:
            team_a = s.scalar(select(Team.id).where(Team.name == "A"))
            w5 = Staff(employee_code="W5", full_name="Wim Five", role="peer_worker", hire_date=date(2024, 1, 1),
                       left_on=date(2026, 9, 1))
            s.add(w5)
            s.flush()
            s.add(TeamMembership(staff_id=w5.id, team_id=team_a, start_date=date(2024, 1, 1),
                                 end_date=date(2026, 9, 1)))


def verdicts(org: Database, day: date, supervisor: str, format_: str, attendees: list[str], minutes: int,
             topics: list[str]) -> tuple[bool, bool, Any]:
    """(import accepts the row, the form accepts the same session, both sets of problems)."""
    add_leaver(org)
    row = (f"{day.isoformat()},{supervisor},{format_},supportive,in_person,{minutes},"
           f"{';'.join(attendees)},{';'.join(topics)},")
    imported = run(org, "sessions", f"{SESSIONS_HEADER}\n{row}\n", commit=False)
    with org.session() as s:
        ids = {code: staff_id(s, code) for code in CODES}
        competencies = dict(s.execute(select(Competency.code, Competency.id)).all())
        writer = Writer(ACTOR, "quality", None, None)
        draft, problems = parse_session({
            "held_on": day.isoformat(), "minutes": minutes, "format": format_, "kind": "supportive",
            "modality": "in_person", "supervisor_id": ids[supervisor], "attendee_ids": [ids[c] for c in attendees],
            "competency_ids": [competencies.get(c, 999999) for c in topics], "note": None}, writer)
        assert draft is not None, problems
        form_problems = check_session(s, draft, writer, TODAY)
    return imported.ok, not form_problems, (imported.errors, form_problems)


BASE = {"day": date(2026, 8, 31), "supervisor": "S1", "format_": "group", "attendees": ["W1", "W5"],
        "minutes": 60, "topics": ["VIII.3"]}


@pytest.mark.parametrize("change,accepted", [
    ({}, True),
    ({"minutes": 5}, True), ({"minutes": 480}, True), ({"minutes": 4}, False), ({"minutes": 481}, False),
    ({"day": date(2026, 10, 31)}, False),  # W5 has left by then
    ({"day": date(2026, 9, 1), "attendees": ["W1", "W5"]}, False),  # the day W5 left
    ({"day": date(2026, 10, 31), "attendees": ["W1", "W2"]}, True),  # today
    ({"day": date(2026, 11, 1), "attendees": ["W1", "W2"]}, False),  # tomorrow
    ({"day": date(2026, 5, 31), "attendees": ["W1", "W4"]}, False),  # before W4's hire date
    ({"day": date(2026, 6, 1), "attendees": ["W1", "W4"]}, True),  # W4's first day
    ({"attendees": ["W1", "W3"]}, False),  # W3 is on S2's team
    ({"supervisor": "S2", "attendees": ["W3"], "format_": "individual"}, True),
    ({"supervisor": "W1", "attendees": ["W2", "W5"]}, False),
    ({"attendees": ["W1", "S2"]}, False), ({"attendees": ["W1"]}, False), ({"attendees": []}, False),
    ({"format_": "individual"}, False), ({"format_": "individual", "attendees": ["W1"]}, True),
    ({"topics": ["XX.1"]}, False), ({"topics": []}, True), ({"topics": ["VIII.3", "IX.6"]}, True),
])
def test_a_session_row_is_refused_exactly_when_the_supervisors_form_would_refuse_it(
        org: Database, change: dict[str, Any], accepted: bool) -> None:
    imported, form, problems = verdicts(org, **(BASE | change))
    assert (imported, form) == (accepted, accepted), problems


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.sampled_from(DAYS), supervisor=st.sampled_from(["S1", "S1", "S2", "W1"]),
       format_=st.sampled_from(["individual", "group"]),
       attendees=st.lists(st.sampled_from(["W1", "W2", "W4", "W5", "W3", "S2"]), max_size=3, unique=True),
       minutes=st.sampled_from([4, 5, 60, 480, 481]),
       topics=st.lists(st.sampled_from(["VIII.3", "IX.6", "XX.1"]), max_size=2, unique=True))
def test_random_session_rows_get_the_same_verdict_from_the_import_and_the_form(
        org: Database, day: date, supervisor: str, format_: str, attendees: list[str], minutes: int,
        topics: list[str]) -> None:
    imported, form, problems = verdicts(org, day, supervisor, format_, attendees, minutes, topics)
    assert imported == form, problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.sampled_from(DAYS), worker=st.sampled_from(CODES), level=st.sampled_from([0, 1, 4, 5]),
       competency=st.sampled_from(["VIII.3", "XX.1"]))
def test_a_self_rating_row_is_refused_exactly_when_the_rating_form_would_refuse_it(
        org: Database, day: date, worker: str, level: int, competency: str) -> None:
    row = f"{day.isoformat()},{worker},{competency},{level},self,,"
    imported = run(org, "ratings", f"{RATINGS_HEADER}\n{row}\n", commit=False)
    with org.session() as s:
        competencies = dict(s.execute(select(Competency.code, Competency.id)).all())
        drafts = [RatingDraft(staff_id(s, worker), competencies.get(competency, 999999), level, day)]
        form_problems = check_ratings(s, drafts, Writer(ACTOR, "quality", None, None), TODAY)
    assert imported.ok == (not form_problems), (imported.errors, form_problems)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(KINDS)), cells=st.lists(st.lists(
    st.one_of(st.sampled_from(["", "W1", "S1", "P", "A", "NaN", "1e999", "2026-02-29", "03/04/2026", "45000", "group",
                               "VIII.3;;IX.6", "0", "-1", "yes", "\u0663", " ", '"', "\r"]), st.text(max_size=6)),
    min_size=0, max_size=10), max_size=5))
def test_any_file_gets_a_report_never_an_exception_and_a_refused_one_writes_nothing(
        org: Database, kind: str, cells: list[list[str]]) -> None:
    header = ",".join(KINDS[kind].column_names)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(cells)
    before = counts(org)
    report = run(org, kind, f"{header}\n{buffer.getvalue()}")
    if not report.committed:
        assert counts(org) == before
