"""Certification stages: the agency's list (add, rename, order) and a worker's stage history, through the service the
People page uses and the `stages` import (dry run, row report, all or nothing, re-import changes nothing)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dashboard import people
from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.importers import run_import
from dashboard.recording import Rejected
from models import AuditEvent, CertificationStage, Program, StageAssignment, Staff, Team, TeamMembership

TODAY = date(2026, 10, 31)
ACTOR = Actor(None, "cli:test")
HEADER = "employee_code,stage,from_date"


@pytest.fixture
def org(reference_db: Database) -> Database:
    """W1 (hired 2023-03-01), W2 (hired 2024-01-01, left 2026-06-30), S1 a supervisor; none has a stage."""
    with reference_db.session() as s:
        program = Program(name="P")
        s.add(program)
        s.flush()
        team = Team(program_id=program.id, name="A")
        s.add_all([team,
                   Staff(employee_code="W1", full_name="Wes One", role="peer_worker", hire_date=date(2023, 3, 1)),
                   Staff(employee_code="W2", full_name="Wyn Two", role="peer_worker", hire_date=date(2024, 1, 1),
                         left_on=date(2026, 6, 30)),
                   Staff(employee_code="S1", full_name="Sue One", role="supervisor", hire_date=date(2020, 1, 6))])
        s.flush()
        for code in ("W1", "W2"):
            s.add(TeamMembership(staff_id=sid(s, code), team_id=team.id, start_date=date(2024, 1, 1)))
    return reference_db


def sid(s: object, code: str) -> int:
    return s.scalar(select(Staff.id).where(Staff.employee_code == code))  # type: ignore[attr-defined, no-any-return]


def stage_id(db: Database, code: str) -> int:
    with db.session() as s:
        return s.scalar(select(CertificationStage.id).where(CertificationStage.code == code))


def spans(db: Database, code: str) -> list[tuple[str, date, date | None]]:
    with db.session() as s:
        return [(x.name, x.start, x.end) for x in people.history(s, sid(s, code))]


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def run(db: Database, text: str, commit: bool = True):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return run_import(s, "stages", text.encode(), file_name="stages.csv", actor=ACTOR, today=TODAY,
                          commit=commit)


def test_import_records_each_workers_history_and_a_second_run_changes_nothing(org: Database) -> None:
    text = (f"{HEADER}\nW1,In training,2023-03-01\nW1,initially-certified,2023-09-01\n"
            "W2,Fully certified,2024-01-01\n")
    dry = run(org, text, commit=False)
    assert dry.ok and not dry.committed and dry.counts == {"create": 3}
    assert count(org, StageAssignment) == 0
    report = run(org, text)
    assert report.committed and report.counts == {"create": 3}
    assert spans(org, "W1") == [("In training", date(2023, 3, 1), date(2023, 9, 1)),
                                ("Initially certified", date(2023, 9, 1), None)]
    assert spans(org, "W2") == [("Fully certified", date(2024, 1, 1), None)]
    again = run(org, text)
    assert not again.committed and again.counts == {"unchanged": 3}
    assert count(org, StageAssignment) == 3
    with org.session() as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.entity).order_by(AuditEvent.id)).all()
    # Three entries created, W1's first one ended, and the file.
    assert sorted(events) == sorted([("create", "stage_assignment")] * 3 + [("update", "stage_assignment"),
                                                                            ("import", "stages file")])


def test_a_file_with_any_bad_row_writes_nothing_and_names_each_problem(org: Database) -> None:
    text = (f"{HEADER}\nW1,In training,2023-03-01\n"
            "W1,Initially certified,2023-03-01\n"      # row 3: same person and date as row 2
            "W2,Fully certified,2023-12-31\n"          # row 4: before the hire date
            "S1,In training,2024-01-01\n"              # row 5: a supervisor
            "W9,In training,2024-01-01\n"              # row 6: unknown code
            "W1,Peer mentor,2024-01-01\n"              # row 7: unknown stage
            "W2,In training,2026-11-01\n"              # row 8: in the future (and after leaving)
            "W2,In training,2026-06-30\n")             # row 9: the day the worker left
    report = run(org, text)
    assert not report.committed
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "from_date"), (4, "from_date"), (5, "employee_code"), (6, "employee_code"), (7, "stage"),
        (8, "from_date"), (9, "from_date")}
    assert count(org, StageAssignment) == 0 and count(org, AuditEvent) == 0


def test_import_does_not_rewrite_earlier_history_or_change_a_recorded_entry(org: Database) -> None:
    run(org, f"{HEADER}\nW1,Initially certified,2024-01-01\n")
    report = run(org, f"{HEADER}\nW1,In training,2023-06-01\nW1,Fully certified,2024-01-01\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "from_date"), (3, "stage")]
    assert "earlier history is not rewritten" in report.errors[0].message
    assert spans(org, "W1") == [("Initially certified", date(2024, 1, 1), None)]


def test_the_page_records_corrects_and_removes_a_workers_stage_as_dated_history(org: Database) -> None:
    training, initial = stage_id(org, "in-training"), stage_id(org, "initially-certified")
    with org.session() as s:
        w1 = sid(s, "W1")
        assert people.record_stage(s, ACTOR, w1, training, "2023-03-01", 0, TODAY) == "append"
    with org.session() as s:
        first = people.history(s, w1)[-1].id
        # Same start, another stage: the latest entry is corrected, not duplicated.
        assert people.record_stage(s, ACTOR, w1, initial, "2023-03-01", first, TODAY) == "correct"
    with org.session() as s:
        assert people.record_stage(s, ACTOR, w1, training, "2024-02-01", first, TODAY) == "append"
    assert spans(org, "W1") == [("Initially certified", date(2023, 3, 1), date(2024, 2, 1)),
                                ("In training", date(2024, 2, 1), None)]
    with org.session() as s:
        latest = people.history(s, w1)[-1].id
        people.remove_latest_stage(s, ACTOR, w1, latest)
    assert spans(org, "W1") == [("Initially certified", date(2023, 3, 1), None)]
    with org.session() as s:
        old, new = s.execute(select(AuditEvent.old_values, AuditEvent.new_values).where(
            AuditEvent.action == "update").order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (old, new) == ({"end_date": "2024-02-01"}, {"end_date": None})


@pytest.mark.parametrize(("stage", "start", "expected", "field"), [
    (None, "2024-01-01", 0, "stage"),
    ("training", "", 0, "from_date"),
    ("training", "2024-13-01", 0, "from_date"),
    ("training", "2027-01-01", 0, "from_date"),
    ("training", "2020-01-01", 0, "from_date"),
    ("training", "2024-01-01", 5, "worker"),       # the editor saw another latest entry: stale
    ("training", "2024-01-01", True, "worker"),
])
def test_the_page_refuses_bad_values_and_stale_copies_writing_nothing(
        org: Database, stage: str | None, start: str, expected: object, field: str) -> None:
    training = stage_id(org, "in-training") if stage else 999
    with org.session() as s, pytest.raises(Rejected) as refused:
        people.record_stage(s, ACTOR, sid(s, "W1"), training, start, expected, TODAY)
    assert field in {p.field for p in refused.value.problems}
    assert count(org, StageAssignment) == 0 and count(org, AuditEvent) == 0


def test_the_list_of_stages_adds_renames_and_reorders_with_stale_copies_refused(org: Database) -> None:
    def seen() -> list[tuple[int, str]]:
        with org.session() as s:
            return [(r.id, r.name) for r in people.stage_rows(s, TODAY)]

    with org.session() as s:
        added = people.add_stage(s, ACTOR, "  Peer   mentor ")
    assert seen()[-1] == (added, "Peer mentor")
    with org.session() as s:
        assert s.get(CertificationStage, added).code == "peer-mentor"
    with org.session() as s, pytest.raises(Rejected, match="already on the list"):
        people.add_stage(s, ACTOR, "peer mentor")
    before = seen()
    with org.session() as s:
        people.move_stage(s, ACTOR, added, -1, before)
    assert [n for _i, n in seen()] == ["In training", "Initially certified", "Peer mentor", "Fully certified"]
    # The editor's copy is the old order now: refused, nothing changed.
    with org.session() as s, pytest.raises(Rejected, match="Someone else changed"):
        people.rename_stage(s, ACTOR, added, "Senior peer", before)
    with org.session() as s:
        people.rename_stage(s, ACTOR, added, "Senior peer", seen())
    assert [n for _i, n in seen()] == ["In training", "Initially certified", "Senior peer", "Fully certified"]
    with org.session() as s, pytest.raises(Rejected, match="already first"):
        people.move_stage(s, ACTOR, seen()[0][0], -1, seen())
    with org.session() as s:
        actions = s.execute(select(AuditEvent.action, AuditEvent.entity).order_by(AuditEvent.id)).all()
    assert actions == [("create", "certification_stage"), ("update", "certification_stages"),
                       ("update", "certification_stage")]


def test_workers_without_a_stage_are_listed_until_one_is_recorded(org: Database) -> None:
    with org.session() as s:
        assert [w.code for w in people.without_stage(s, TODAY)] == ["W1"]  # W2 has left, S1 is a supervisor
    run(org, f"{HEADER}\nW1,In training,2023-03-01\n")
    with org.session() as s:
        assert people.without_stage(s, TODAY) == []


ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2, max_value=2**40), st.text(max_size=12),
                      st.sampled_from(["2024-01-01", "2023-02-28", "2099-01-01", "2024-02-30", "2026-06-30"]),
                      st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                           max_size=1))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(worker=ANY_VALUE, stage=ANY_VALUE, start=st.one_of(st.sampled_from(["2024-01-01", "2025-05-05"]), ANY_VALUE),
       latest=st.one_of(st.just(0), ANY_VALUE),
       known_ids=st.booleans())
def test_the_stage_form_never_fails_and_a_refused_save_writes_nothing(
        org: Database, worker: object, stage: object, start: object, latest: object, known_ids: bool) -> None:
    """Whatever a crafted request sends: a recorded stage (one entry and its events) or Rejected, nothing else."""
    with org.session() as s:
        if known_ids:  # real ids half of the time, so that the checks past "which worker" are reached too
            worker, stage = sid(s, "W1"), s.scalar(select(CertificationStage.id).limit(1))
    before = (count(org, StageAssignment), count(org, AuditEvent))
    try:
        with org.session() as s:
            people.record_stage(s, ACTOR, worker, stage, start, latest, TODAY)
    except Rejected as refused:
        assert refused.problems and all(p.message for p in refused.problems)
        assert (count(org, StageAssignment), count(org, AuditEvent)) == before
    else:
        assert (count(org, StageAssignment), count(org, AuditEvent)) == (before[0] + 1, before[1] + 1)
        with org.session() as s:  # back to no stage, for the next example (a random id may name another worker)
            newest = s.scalars(select(StageAssignment).order_by(StageAssignment.id.desc()).limit(1)).one()
            people.remove_latest_stage(s, ACTOR, newest.staff_id, newest.id)


def test_an_import_continues_a_recorded_history_ending_each_entry_on_the_next_ones_date(org: Database) -> None:
    run(org, f"{HEADER}\nW1,In training,2023-03-01\n")
    report = run(org, f"{HEADER}\nW1,Fully certified,2024-09-01\nW1,Initially certified,2023-09-01\n")
    assert report.committed and report.counts == {"create": 2}
    assert spans(org, "W1") == [("In training", date(2023, 3, 1), date(2023, 9, 1)),
                                ("Initially certified", date(2023, 9, 1), date(2024, 9, 1)),
                                ("Fully certified", date(2024, 9, 1), None)]
    with org.session() as s:
        updates = s.execute(select(AuditEvent.old_values, AuditEvent.new_values)
                            .where(AuditEvent.action == "update").order_by(AuditEvent.id)).all()
    assert updates == [({"end_date": None}, {"end_date": "2023-09-01"}),
                       ({"end_date": None}, {"end_date": "2024-09-01"})]


def test_a_stage_a_credential_requirement_applies_to_is_not_deleted(reference_db: Database) -> None:
    from decimal import Decimal

    from models import CredentialRequirement

    with reference_db.session() as s:
        stage_id = people.add_stage(s, ACTOR, "Peer mentor")
        s.add(CredentialRequirement(name="Mentor hours", issuing_body="Board", hours_required=Decimal(10),
                                    stage_codes=["peer-mentor"]))
    with reference_db.session() as s:
        seen = [[i, n] for i, n in s.execute(select(CertificationStage.id, CertificationStage.name)
                                             .order_by(CertificationStage.sort_order))]
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    with reference_db.session() as s, pytest.raises(Rejected) as refused:
        people.delete_stage(s, ACTOR, stage_id, seen)
    assert [p.message for p in refused.value.problems] == [
        "“Peer mentor” cannot be deleted: the credential requirement Mentor hours applies to it."]
    with reference_db.session() as s:
        assert s.get(CertificationStage, stage_id) is not None
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events
