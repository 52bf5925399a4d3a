"""Programs and teams through the service the People page uses: create, rename, archive and restore, audited;
stale copies and bad values refused with nothing written; an archived team keeps its history and leaves the
filters' choices (overview and compliance) and the moves import."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from dashboard import org
from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.importers import run_import
from dashboard.queries import compliance
from dashboard.queries.common import TeamFilter, Window, teams_in_view
from dashboard.recording import Rejected
from dashboard.scope import Scope
from models import AuditEvent, Program, Staff, Team, TeamMembership, TeamSupervisor

TODAY = date(2026, 10, 31)
ACTOR = Actor(None, "cli:test")


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def agency(reference_db: Database) -> dict[str, int]:
    """Program P with team A (W1 on it until 2026-06-01, then on B; S1 supervised A until then) and team B."""
    with reference_db.session() as s:
        program = Program(name="P")
        s.add(program)
        s.flush()
        a, b = Team(program_id=program.id, name="A"), Team(program_id=program.id, name="B")
        w1 = Staff(employee_code="W1", full_name="Wes One", role="peer_worker", hire_date=date(2024, 1, 1))
        s1 = Staff(employee_code="S1", full_name="Sue One", role="supervisor", hire_date=date(2020, 1, 1))
        s.add_all([a, b, w1, s1])
        s.flush()
        s.add_all([TeamMembership(staff_id=w1.id, team_id=a.id, start_date=date(2024, 1, 1),
                                  end_date=date(2026, 6, 1)),
                   TeamMembership(staff_id=w1.id, team_id=b.id, start_date=date(2026, 6, 1)),
                   TeamSupervisor(team_id=a.id, staff_id=s1.id, start_date=date(2020, 1, 1), end_date=date(2026, 6, 1)),
                   TeamSupervisor(team_id=b.id, staff_id=s1.id, start_date=date(2020, 1, 1))])
        return {"program": program.id, "a": a.id, "b": b.id}


def test_create_and_rename_programs_and_teams_audited(reference_db: Database, agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        program = org.create_program(s, ACTOR, "  Housing   Support ", "Peer support in housing")
        team = org.create_team(s, ACTOR, program, "North")
    with reference_db.session() as s:
        org.rename(s, ACTOR, "team", team, "North Side", "North", False)
        rows = org.programs_and_teams(s, TODAY)
        events = s.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.old_values,
                                  AuditEvent.new_values).order_by(AuditEvent.id)).all()
    assert [(p.name, [t.name for t in p.teams]) for p in rows] == [("Housing Support", ["North Side"]),
                                                                  ("P", ["A", "B"])]
    assert [(p.name, [(t.workers_now, t.supervisors_now) for t in p.teams]) for p in rows][1] == (
        "P", [(0, 0), (1, 1)])
    assert events == [("create", "program", None, {"name": "Housing Support",
                                                   "description": "Peer support in housing"}),
                      ("create", "team", None, {"program_id": program, "name": "North"}),
                      ("update", "team", {"name": "North"}, {"name": "North Side"})]


@pytest.mark.parametrize(("call", "expected"), [
    (lambda s, ids: org.create_program(s, ACTOR, "p"), "already exists"),
    (lambda s, ids: org.create_program(s, ACTOR, "  "), "Give the program a name"),
    (lambda s, ids: org.create_program(s, ACTOR, "x" * 121), "keep it to 120"),
    (lambda s, ids: org.create_program(s, ACTOR, "Q", ["not text"]), "must be text"),
    (lambda s, ids: org.create_team(s, ACTOR, ids["program"], "a"), "already has a team called"),
    (lambda s, ids: org.create_team(s, ACTOR, 999999, "Z"), "Choose the team's program"),
    (lambda s, ids: org.create_team(s, ACTOR, True, "Z"), "Choose the team's program"),
    (lambda s, ids: org.rename(s, ACTOR, "team", ids["a"], "B", "A", False), "already taken in this program"),
    (lambda s, ids: org.rename(s, ACTOR, "team", ids["a"], "C", "Old name", False), "Someone else changed"),
    (lambda s, ids: org.rename(s, ACTOR, "staff", ids["a"], "C", "A", False), "Choose a program or a team"),
    (lambda s, ids: org.set_archived(s, ACTOR, "team", ids["b"], True, "B", False, TODAY), "still has 1 peer"),
    (lambda s, ids: org.set_archived(s, ACTOR, "program", ids["program"], True, "P", False, TODAY),
     "still has teams in use (A, B)"),
    (lambda s, ids: org.set_archived(s, ACTOR, "team", ids["a"], False, "A", False, TODAY), "already in use"),
    (lambda s, ids: org.set_archived(s, ACTOR, "team", ids["a"], True, "A", True, TODAY), "Someone else changed"),
])
def test_bad_values_and_stale_copies_are_refused_writing_nothing(reference_db: Database, agency: dict[str, int],
                                                                 call: object, expected: str) -> None:
    before = (count(reference_db, Program), count(reference_db, Team), count(reference_db, AuditEvent))
    with reference_db.session() as s, pytest.raises(Rejected) as refused:
        call(s, agency)  # type: ignore[operator]
    assert expected in str(refused.value)
    assert (count(reference_db, Program), count(reference_db, Team), count(reference_db, AuditEvent)) == before
    with reference_db.session() as s:
        assert s.get(Team, agency["a"]).archived_on is None and s.get(Team, agency["a"]).name == "A"


def test_an_archived_team_keeps_its_history_and_leaves_the_choices(reference_db: Database,
                                                                   agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        org.set_archived(s, ACTOR, "team", agency["a"], True, "A", False, TODAY)
    with reference_db.session() as s:
        assert s.get(Team, agency["a"]).archived_on == TODAY
        everything = [t.id for t in teams_in_view(s, Scope.agency(), TeamFilter())]
        offered = [t.id for t in teams_in_view(s, Scope.agency(), TeamFilter(), in_use_only=True)]
        choices = compliance.choices(s, Scope.agency(), Window(date(2026, 1, 1), date(2026, 3, 31)))
        # The past quarter still counts W1 on team A: the history stays.
        rows = compliance.rows(s, Scope.agency(), Window(date(2026, 1, 1), date(2026, 3, 31)),
                               compliance.ComplianceFilter())
    assert everything == [agency["a"], agency["b"]] and offered == [agency["b"]]
    assert [c.value for c in choices.teams] == [agency["b"]]
    assert [(r.worker_name, r.team_name) for r in rows] == [("Wes One", "A")]
    # A move onto it is refused by the import; restoring it brings it back.
    report = _moves(reference_db, "W1,P,A,2026-10-01")
    assert [(e.column, e.message) for e in report.errors] == [
        ("team", "the team is archived; restore it on the People page first")]
    with reference_db.session() as s:
        org.set_archived(s, ACTOR, "team", agency["a"], False, "A", True, TODAY)
        assert [t.id for t in teams_in_view(s, Scope.agency(), TeamFilter(), in_use_only=True)] == [agency["a"],
                                                                                                    agency["b"]]
        actions = s.execute(select(AuditEvent.action, AuditEvent.old_values, AuditEvent.new_values)
                            .order_by(AuditEvent.id)).all()
    assert actions == [("archive", {"archived_on": None}, {"archived_on": "2026-10-31"}),
                       ("restore", {"archived_on": "2026-10-31"}, {"archived_on": None})]


def _moves(db: Database, row: str):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return run_import(s, "moves", f"employee_code,program,team,start_date\n{row}\n".encode(),
                          file_name="moves.csv", actor=ACTOR, today=TODAY, commit=True)
