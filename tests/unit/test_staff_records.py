"""Staff records through the function the People page's staff form uses: create and edit (audited), a message per
field and nothing written when refused, stale copies refused; a supervisor's teams with start and end dates; a
worker's team move as dated history. Hypothesis: whatever the form sends, never an exception other than Rejected,
never a partial write."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dashboard import people, staff_records
from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.recording import Rejected
from models import (AuditEvent, Program, SessionAttendee, Staff, SupervisionSession, Team, TeamMembership,
                    TeamSupervisor)

TODAY = date(2026, 10, 31)
ACTOR = Actor(None, "cli:test")
NEW = {"full_name": "Nia New", "employee_code": "E7001", "role": "peer_worker", "hire_date": "2026-09-01",
       "left_on": "", "fte": "0.8", "peer_credential": False}


@pytest.fixture
def agency(reference_db: Database) -> dict[str, int]:
    """Team A (supervised by S1 since 2020) and B; W1 on A since 2024; B archived is not used here."""
    with reference_db.session() as s:
        program = Program(name="P")
        s.add(program)
        s.flush()
        a, b = Team(program_id=program.id, name="A"), Team(program_id=program.id, name="B")
        w1 = Staff(employee_code="W1", full_name="Wes One", role="peer_worker", hire_date=date(2024, 1, 1))
        s1 = Staff(employee_code="S1", full_name="Sue One", role="supervisor", hire_date=date(2020, 1, 1))
        s.add_all([a, b, w1, s1])
        s.flush()
        s.add_all([TeamMembership(staff_id=w1.id, team_id=a.id, start_date=date(2024, 1, 1)),
                   TeamSupervisor(team_id=a.id, staff_id=s1.id, start_date=date(2020, 1, 1))])
        return {"a": a.id, "b": b.id, "w1": w1.id, "s1": s1.id}


def counts(db: Database) -> tuple[int, ...]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))
                     for m in (Staff, TeamMembership, TeamSupervisor, AuditEvent))


def seen(db: Database, staff_id: int) -> dict[str, Any]:
    with db.session() as s:
        view = staff_records.staff_view(s, staff_id)
        assert view is not None
        return view.values()


def test_create_then_edit_a_person_audited_with_old_and_new_values(reference_db: Database,
                                                                   agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        created = staff_records.save_staff(s, ACTOR, NEW)
    opened = seen(reference_db, created)
    assert opened == {"full_name": "Nia New", "employee_code": "E7001", "role": "peer_worker",
                      "hire_date": "2026-09-01", "left_on": None, "fte": "0.80", "peer_credential": False}
    with reference_db.session() as s:
        staff_records.save_staff(s, ACTOR, {**NEW, "full_name": "Nia  Newton", "fte": 1, "left_on": "2026-12-31"},
                                 created, opened)
    with reference_db.session() as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.old_values, AuditEvent.new_values)
                           .order_by(AuditEvent.id)).all()
    assert events[0][0] == "create" and events[0][2]["employee_code"] == "E7001"
    assert events[1] == ("update", {"full_name": "Nia New", "fte": "0.80", "left_on": None},
                         {"full_name": "Nia Newton", "fte": "1.00", "left_on": "2026-12-31"})
    # The first editor's copy is stale now: refused, nothing written.
    before = counts(reference_db)
    with reference_db.session() as s, pytest.raises(Rejected, match="Someone else changed"):
        staff_records.save_staff(s, ACTOR, {**NEW, "full_name": "Other"}, created, opened)
    assert counts(reference_db) == before


@pytest.mark.parametrize(("change", "field"), [
    ({"full_name": "   "}, "full_name"),
    ({"employee_code": "W1"}, "employee_code"),
    ({"employee_code": "E 1"}, "employee_code"),
    ({"role": "clinician"}, "role"),
    ({"hire_date": "2026-02-30"}, "hire_date"),
    ({"hire_date": None}, "hire_date"),
    ({"left_on": "2026-08-31"}, "left_on"),
    ({"fte": "1.5"}, "fte"),
    ({"fte": "0"}, "fte"),
    ({"fte": "0.333"}, "fte"),
    ({"fte": "NaN"}, "fte"),
    ({"fte": [1]}, "fte"),
    ({"peer_credential": "yes"}, "peer_credential"),
    ({"peer_credential": True}, "peer_credential"),  # a peer worker
])
def test_each_bad_field_gets_its_message_and_nothing_is_written(reference_db: Database, agency: dict[str, int],
                                                                change: dict[str, Any], field: str) -> None:
    before = counts(reference_db)
    with reference_db.session() as s, pytest.raises(Rejected) as refused:
        staff_records.save_staff(s, ACTOR, {**NEW, **change})
    assert field in {p.field for p in refused.value.problems}
    assert counts(reference_db) == before


def test_an_edit_keeps_the_record_consistent_with_its_history(reference_db: Database,
                                                              agency: dict[str, int]) -> None:
    opened = seen(reference_db, agency["w1"])
    for change, expected in (({"role": "supervisor"}, "The role is not changed"),
                             ({"hire_date": "2024-02-01"}, "after the first day their records name (01 Jan 2024)"),
                             ({"left_on": "2024-01-01"}, "after the last day their records name (01 Jan 2024)")):
        with reference_db.session() as s, pytest.raises(Rejected, match=expected.replace("(", r"\(")
                                                         .replace(")", r"\)")):
            staff_records.save_staff(s, ACTOR, {**opened, **change}, agency["w1"], opened)
    with reference_db.session() as s, pytest.raises(Rejected, match="Nothing to save"):
        staff_records.save_staff(s, ACTOR, opened, agency["w1"], opened)


def test_a_supervisors_teams_and_a_workers_move_are_dated_history(reference_db: Database,
                                                                  agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        added = staff_records.add_supervision(s, ACTOR, agency["s1"], agency["b"], "2026-01-05", TODAY)
    with reference_db.session() as s, pytest.raises(Rejected, match="already supervises B"):
        staff_records.add_supervision(s, ACTOR, agency["s1"], agency["b"], "2026-03-01", TODAY)
    with reference_db.session() as s, pytest.raises(Rejected, match="Choose a supervisor"):
        staff_records.add_supervision(s, ACTOR, agency["w1"], agency["b"], "2026-03-01", TODAY)
    with reference_db.session() as s, pytest.raises(Rejected, match="must be after the first day"):
        staff_records.end_supervision(s, ACTOR, agency["s1"], added, "2026-01-05")
    with reference_db.session() as s:
        staff_records.end_supervision(s, ACTOR, agency["s1"], added, "2026-07-01")
    with reference_db.session() as s:
        assert [(x.team_name, x.start, x.end) for x in staff_records.supervisions(s, agency["s1"])] == [
            ("A (P)", date(2020, 1, 1), None), ("B (P)", date(2026, 1, 5), date(2026, 7, 1))]
    # The worker moves from A to B on 1 Sep 2026: A ends that day.
    with reference_db.session() as s:
        latest = people.history(s, agency["w1"], people.TEAMS)[-1].id
        assert people.record_change(s, ACTOR, agency["w1"], agency["b"], "2026-09-01", latest, TODAY,
                                    people.TEAMS) == "append"
    with reference_db.session() as s:
        assert [(x.name, x.start, x.end) for x in people.history(s, agency["w1"], people.TEAMS)] == [
            ("A", date(2024, 1, 1), date(2026, 9, 1)), ("B", date(2026, 9, 1), None)]
        actions = s.execute(select(AuditEvent.action, AuditEvent.entity).order_by(AuditEvent.id)).all()
    assert actions == [("create", "team_supervisor"), ("update", "team_supervisor"),
                       ("update", "team_membership"), ("create", "team_membership")]


TEXT = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["E7001", "W1", "  Ann  Lee ", "x" * 130]))
DAYS = st.one_of(st.none(), st.sampled_from(["2026-09-01", "2023-12-31", "2026-02-30", "", "2027-01-01", "soon"]),
                 st.integers(), st.booleans())
ANY = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**12), st.floats(allow_nan=True), st.text(max_size=6),
                st.lists(st.integers(), max_size=2))


FIELD_VALUES = {"full_name": TEXT, "employee_code": TEXT,
                "role": st.one_of(st.sampled_from(["peer_worker", "supervisor", "admin", ""]), ANY),
                "hire_date": DAYS, "left_on": DAYS,
                "fte": st.one_of(st.sampled_from(["0.5", "1", "1.01", "0.005", "", "-1"]), ANY),
                "peer_credential": st.one_of(st.booleans(), ANY)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.sampled_from(sorted(FIELD_VALUES)), max_size=3, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: FIELD_VALUES[name] for name in names})),
    edit=st.sampled_from(["new", "w1", "w1-stale", "crafted"]))
def test_the_staff_form_never_fails_and_a_refused_save_writes_nothing(
        reference_db: Database, agency: dict[str, int], changes: dict[str, Any], edit: str) -> None:
    """A valid form with up to three fields replaced by anything a crafted request could send."""
    base = NEW if edit == "new" else {**seen(reference_db, agency["w1"]), "full_name": "Wes Two"}
    form = {**base, **changes}
    staff_id: object = {"new": None, "w1": agency["w1"], "w1-stale": agency["w1"], "crafted": "1; DROP"}[edit]
    opened: object = seen(reference_db, agency["w1"]) if edit == "w1" else {"full_name": "old"}
    before = counts(reference_db)
    try:
        with reference_db.session() as s:
            staff_records.save_staff(s, ACTOR, form, staff_id, opened)
    except Rejected as refused:
        assert refused.problems and all(p.message for p in refused.problems)
        assert counts(reference_db) == before
    else:
        event(f"saved ({edit})")
        created = 1 if staff_id is None else 0
        assert counts(reference_db) == (before[0] + created, before[1], before[2], before[3] + 1)
        with reference_db.session() as s:  # back as it was, for the next example
            if staff_id is None:
                s.execute(Staff.__table__.delete().where(Staff.employee_code.is_distinct_from("W1"),
                                                         Staff.employee_code.is_distinct_from("S1")))
            else:
                s.execute(Staff.__table__.update().where(Staff.id == agency["w1"]).values(
                    full_name="Wes One", employee_code="W1", role="peer_worker", hire_date=date(2024, 1, 1),
                    left_on=None, fte=1, peer_credential=False))


def test_new_team_dates_may_not_leave_out_sessions_the_supervisor_recorded_with_that_team(
        reference_db: Database, agency: dict[str, int]) -> None:
    """Sue has led A since 2020 and met Wes (on A since 2024) on 10 Mar and 20 Apr 2025; a group session on 15 May
    2025 had Wes and Bo, who was on B (not A) that day."""
    with reference_db.session() as s:
        bo = Staff(employee_code="W2", full_name="Bo Two", role="peer_worker", hire_date=date(2024, 1, 1))
        s.add(bo)
        s.flush()
        s.add(TeamMembership(staff_id=bo.id, team_id=agency["b"], start_date=date(2024, 1, 1)))
        for day, attendees in ((date(2025, 3, 10), [agency["w1"]]), (date(2025, 4, 20), [agency["w1"]]),
                               (date(2025, 5, 15), [agency["w1"], bo.id])):
            held = SupervisionSession(held_on=day, minutes=60, format="individual" if len(attendees) == 1 else
                                      "group", kind="administrative", modality="in_person",
                                      supervisor_id=agency["s1"])
            s.add(held)
            s.flush()
            s.add_all([SessionAttendee(session_id=held.id, worker_id=w) for w in attendees])
        entry = staff_records.supervisions(s, agency["s1"])[0].id
    before = counts(reference_db)
    opened = ["2020-01-01", None]
    # Starting on 1 Apr 2025 leaves out 10 Mar; ending on 1 May 2025 leaves out the group session of 15 May.
    with reference_db.session() as s, pytest.raises(Rejected, match="They recorded 1 session with this team's "
                                                    "workers on 10 Mar 2025, outside the new dates"):
        staff_records.edit_supervision_dates(s, ACTOR, agency["s1"], entry, "2025-04-01", None, opened, TODAY)
    with reference_db.session() as s, pytest.raises(Rejected, match="2 sessions with this team's workers from 20 Apr "
                                                    "2025 to 15 May 2025"):
        staff_records.edit_supervision_dates(s, ACTOR, agency["s1"], entry, "2020-01-01", "2025-04-01", opened,
                                             TODAY)
    with reference_db.session() as s, pytest.raises(Rejected, match="1 session with this team's workers on 15 May"):
        staff_records.end_supervision(s, ACTOR, agency["s1"], entry, "2025-05-01")
    assert counts(reference_db) == before
    # Dates that still hold every session are accepted: from 10 Mar 2025, until 16 May 2025.
    with reference_db.session() as s:
        staff_records.edit_supervision_dates(s, ACTOR, agency["s1"], entry, "2025-03-10", "2025-05-16", opened,
                                             TODAY)
    with reference_db.session() as s:
        assert [(x.start, x.end) for x in staff_records.supervisions(s, agency["s1"])] == [
            (date(2025, 3, 10), date(2025, 5, 16))]
