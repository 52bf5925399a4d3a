"""Recording sessions and ratings: the rules, one transaction, audit events, no lost update; rows counted."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.recording import (STALE_VERSION, ProbableDuplicate, RatingDraft, Rejected, Writer, delete_leave,
                                 delete_session, leave_problems, save_leave, save_ratings, save_session)
from models import (AuditEvent, Competency, CompetencyRating, CurrentRating, Leave, SessionAttendee,
                    SessionCompetency, SupervisionSession)
from tests.builders import Agency

TODAY = date(2026, 5, 31)
COUNTED = (SupervisionSession, SessionAttendee, SessionCompetency, CompetencyRating, CurrentRating, AuditEvent)


@dataclass(frozen=True)
class Place:
    ana: Writer      # supervises Team A (Kim, Lou, Ned hired May 20)
    ben: Writer      # supervises Team B (Zed)
    kim: int
    lou: int
    ned: int
    zed: int
    competencies: tuple[int, ...]


@pytest.fixture
def place(reference_db: Database) -> Iterator[tuple[Database, Place]]:
    with reference_db.session() as s:
        a = Agency(s)
        team_a, team_b = a.team("A"), a.team("B")
        ana = a.staff("Ana", "supervisor", date(2020, 1, 1))
        ben = a.staff("Ben", "supervisor", date(2020, 1, 1))
        a.supervise(ana, team_a)
        a.supervise(ben, team_b)
        kim, lou = a.worker("Kim", team_a), a.worker("Lou", team_a)
        ned = a.worker("Ned", team_a, hired=date(2026, 5, 20), stage="in-training")
        zed = a.worker("Zed", team_b)
        competencies = tuple(s.scalars(select(Competency.id).order_by(Competency.sort_order, Competency.id).limit(3)))
        place = Place(Writer(Actor(None, "ana"), "supervisor", ana.id, frozenset({team_a.id})),
                      Writer(Actor(None, "ben"), "supervisor", ben.id, frozenset({team_b.id})),
                      kim.id, lou.id, ned.id, zed.id, competencies)
        s.commit()
    yield reference_db, place


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED}


def form(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"held_on": "2026-05-28", "minutes": "60", "format": "individual", "kind": "supportive",
                            "modality": "in_person", "attendee_ids": [], "competency_ids": [], "note": ""}
    return base | values


def saved(db: Database, writer: Writer, raw: dict[str, Any], **kw: Any) -> int:
    with db.session() as s:
        session_id = save_session(s, writer, raw, TODAY, **kw)
        s.commit()
        return session_id


def refused(db: Database, writer: Writer, raw: dict[str, Any], **kw: Any) -> list[str]:
    before = counts(db)
    with db.session() as s, pytest.raises(Rejected) as caught:
        save_session(s, writer, raw, TODAY, **kw)
        s.commit()
    assert counts(db) == before
    return [p.message for p in caught.value.problems]


def test_a_session_is_saved_with_its_attendees_topics_and_an_audit_event(place: tuple[Database, Place]) -> None:
    db, p = place
    before = counts(db)
    session_id = saved(db, p.ana, form(format="group", attendee_ids=[str(p.kim), p.lou], minutes=90,
                                       competency_ids=list(p.competencies[:2]), note="  Boundaries  "))
    after = counts(db)
    assert {k: after[k] - before[k] for k in after} == {
        "SupervisionSession": 1, "SessionAttendee": 2, "SessionCompetency": 2, "CompetencyRating": 0,
        "CurrentRating": 0, "AuditEvent": 1}
    with db.session() as s:
        row = s.get(SupervisionSession, session_id)
        assert row is not None
        assert (row.held_on, row.minutes, row.format, row.note, row.version) == (date(2026, 5, 28), 90, "group",
                                                                                  "Boundaries", 1)
        event = s.scalars(select(AuditEvent)).one()
        assert (event.action, event.entity, event.entity_id, event.username, event.old_values) == (
            "create", "supervision_session", str(session_id), "ana", None)
        assert event.new_values["attendee_ids"] == sorted([p.kim, p.lou])
        assert event.new_values["held_on"] == "2026-05-28"


@pytest.mark.parametrize(("changes", "message"), [
    ({"held_on": "2026-06-01"}, "is in the future"),
    ({"held_on": "31/13/2026"}, "The session date: enter the date as 05 Dec 2026."),
    ({"held_on": "05/31/2026"}, "The session date: enter the date as 05 Dec 2026."),  # month first: not here
    ({"held_on": ""}, "The session date is required."),
    ({"minutes": "4"}, "Minutes must be between 5 and 480"),
    ({"minutes": 481}, "Minutes must be between 5 and 480"),
    ({"minutes": "an hour"}, "Minutes must be a whole number."),
    ({"kind": "coffee"}, "Kind must be one of"),
    ({"format": None}, "Format is required."),
    ({"attendee_ids": []}, "Choose who attended."),
    ({"note": "x" * 2001}, "keep it under 2000"),
])
def test_bad_session_values_are_refused_with_a_message_and_nothing_is_written(
        place: tuple[Database, Place], changes: dict[str, Any], message: str) -> None:
    db, p = place
    raw = form(attendee_ids=[p.kim]) | changes
    assert any(message in m for m in refused(db, p.ana, raw)), message


def test_group_needs_two_attendees_and_individual_exactly_one(place: tuple[Database, Place]) -> None:
    db, p = place
    assert refused(db, p.ana, form(format="group", attendee_ids=[p.kim])) == [
        "A group session needs at least 2 peer workers."]
    assert "Record it as a group session instead" in refused(db, p.ana, form(attendee_ids=[p.kim, p.lou]))[0]


def test_a_session_before_the_workers_hire_date_names_the_worker(place: tuple[Database, Place]) -> None:
    db, p = place
    # Ned was hired on 20 May 2026.
    assert refused(db, p.ana, form(held_on="2026-05-19", attendee_ids=[p.ned])) == [
        "Ned was hired on 20 May 2026; the session date 19 May 2026 is before that."]
    assert saved(db, p.ana, form(held_on="2026-05-20", attendee_ids=[p.ned])) > 0


def test_attendees_and_competencies_must_be_in_scope_and_in_the_framework(place: tuple[Database, Place]) -> None:
    db, p = place
    assert refused(db, p.ana, form(attendee_ids=[p.zed])) == ["1 of the attendees is not a peer worker on your teams."]
    assert refused(db, p.ana, form(attendee_ids=[999_999])) == [
        "1 of the attendees is not a peer worker on your teams."]
    assert refused(db, p.ana, form(attendee_ids=[p.kim], competency_ids=[999_999])) == [
        "1 of the competencies chosen is not in the agency's framework."]
    # A supervisor cannot record as someone else: the form's supervisor is always the writer.
    assert saved(db, p.ana, form(attendee_ids=[p.kim], supervisor_id=p.ben.staff_id)) > 0
    with db.session() as s:
        assert set(s.scalars(select(SupervisionSession.supervisor_id))) == {p.ana.staff_id}


def test_edit_replaces_values_and_audits_old_and_new(place: tuple[Database, Place]) -> None:
    db, p = place
    session_id = saved(db, p.ana, form(attendee_ids=[p.kim], competency_ids=[p.competencies[0]]))
    saved(db, p.ana, form(attendee_ids=[p.lou], minutes=45, competency_ids=[p.competencies[1]]),
          session_id=session_id, expected_version=1)
    with db.session() as s:
        row = s.get(SupervisionSession, session_id)
        assert row is not None and (row.minutes, row.version) == (45, 2)
        assert list(s.scalars(select(SessionAttendee.worker_id))) == [p.lou]
        assert list(s.scalars(select(SessionCompetency.competency_id))) == [p.competencies[1]]
        update = s.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
        assert (update.old_values["minutes"], update.new_values["minutes"]) == (60, 45)
        assert (update.old_values["attendee_ids"], update.new_values["attendee_ids"]) == ([p.kim], [p.lou])


def test_the_second_of_two_concurrent_edits_is_refused(place: tuple[Database, Place]) -> None:
    db, p = place
    session_id = saved(db, p.ana, form(attendee_ids=[p.kim]))
    # Two browser tabs opened version 1; the first saves, the second still holds version 1.
    saved(db, p.ana, form(attendee_ids=[p.kim], minutes=50), session_id=session_id, expected_version=1)
    assert refused(db, p.ana, form(attendee_ids=[p.kim], minutes=70), session_id=session_id,
                   expected_version=1) == [STALE_VERSION]
    with db.session() as s:
        row = s.get(SupervisionSession, session_id)
        assert row is not None and (row.minutes, row.version) == (50, 2)


def test_a_stale_copy_in_the_same_moment_is_caught_by_the_version_column(place: tuple[Database, Place]) -> None:
    db, p = place
    session_id = saved(db, p.ana, form(attendee_ids=[p.kim]))
    with db.session() as first:
        row = first.get(SupervisionSession, session_id)
        assert row is not None
        row.minutes = 55  # loaded at version 1 ...
        saved(db, p.ana, form(attendee_ids=[p.kim], minutes=50), session_id=session_id, expected_version=1)
        with pytest.raises(Exception) as caught:  # ... while another save made it version 2
            first.flush()
        first.rollback()
    assert "StaleDataError" in type(caught.value).__name__ or "locked" in str(caught.value)


def links(db: Database, session_id: int) -> tuple[list[int], list[int], int]:
    """(attendees, topics, version) of a session as committed."""
    with db.session() as s:
        row = s.get(SupervisionSession, session_id)
        assert row is not None
        return (sorted(s.scalars(select(SessionAttendee.worker_id).where(SessionAttendee.session_id == session_id))),
                sorted(s.scalars(select(SessionCompetency.competency_id)
                                 .where(SessionCompetency.session_id == session_id))), row.version)


@pytest.mark.parametrize("change", ["topics", "attendees"])
def test_changing_only_the_topics_or_attendees_makes_a_new_version_so_the_older_form_is_refused(
        place: tuple[Database, Place], change: str) -> None:
    """Two editors open version 1 of a group session. A changes only its competencies (or only who attended) and
    saves in her own transaction; B's form, still at version 1, is refused and A's change stands."""
    db, p = place
    opened = form(format="group", attendee_ids=[p.kim, p.lou], competency_ids=[p.competencies[0]])
    session_id = saved(db, p.ana, opened)
    first = opened | ({"competency_ids": list(p.competencies[1:])} if change == "topics"
                      else {"attendee_ids": [p.kim, p.lou, p.ned]})
    saved(db, p.ana, first, session_id=session_id, expected_version=1)
    after_first = links(db, session_id)
    assert after_first[2] == 2
    assert refused(db, p.ana, opened | {"note": "B's edit"}, session_id=session_id, expected_version=1) == [
        STALE_VERSION]
    assert links(db, session_id) == after_first
    # Saving the form unchanged is no change: the version stays.
    saved(db, p.ana, first, session_id=session_id, expected_version=2)
    assert links(db, session_id)[2] == 2


@pytest.mark.parametrize("change", [{"minutes": 50}, {"competency_ids": [3]}], ids=["minutes", "topics"])
def test_a_save_committed_while_another_is_under_way_refuses_the_other_with_the_stale_message(
        place: tuple[Database, Place], change: dict[str, Any]) -> None:
    """Two real transactions: B's request has read the session at version 1 (its check passed) when A's save
    commits version 2; B's UPDATE then matches no row. B is told someone else changed it (not that the database
    refused it: the refusal came from a flush outside the handled block), nothing of B's is written, and A's
    change stands. ("competency_ids": [3] is the third competency.)"""
    db, p = place
    opened = form(attendee_ids=[p.kim], competency_ids=[p.competencies[0]])
    session_id = saved(db, p.ana, opened)
    first = opened | {k: [p.competencies[2]] if k == "competency_ids" else v for k, v in change.items()}
    b = db.sessions()
    try:
        read_by_b = b.get(SupervisionSession, session_id)  # B's read, at version 1 (held, as its request holds it)
        assert read_by_b is not None and read_by_b.version == 1
        saved(db, p.ana, first, session_id=session_id, expected_version=1)  # A commits version 2
        with pytest.raises(Rejected) as caught:
            save_session(b, p.ana, opened | {"attendee_ids": [p.lou], "note": "B"}, TODAY, session_id=session_id,
                         expected_version=1)
        b.rollback()
    finally:
        b.close()
    assert [problem.message for problem in caught.value.problems] == [STALE_VERSION]
    assert links(db, session_id) == ([p.kim], first["competency_ids"], 2)
    with db.session() as s:
        row = s.get(SupervisionSession, session_id)
        assert row is not None and (row.minutes, row.note) == (int(first["minutes"]), None)


def test_a_probable_duplicate_is_refused_until_the_writer_confirms_it(place: tuple[Database, Place]) -> None:
    db, p = place
    first = saved(db, p.ana, form(format="group", attendee_ids=[p.kim, p.lou], minutes=90))
    again = form(format="group", attendee_ids=[p.lou, p.kim], minutes=90, kind="administrative", note="again")
    before = counts(db)
    with db.session() as s, pytest.raises(ProbableDuplicate) as caught:
        save_session(s, p.ana, again, TODAY)
    assert counts(db) == before
    assert caught.value.session_ids == (first,)
    assert [problem.message for problem in caught.value.problems] == [
        "A session with the same supervisor, date, attendees and minutes is already recorded (28 May 2026). "
        "Save anyway?"]
    # Not alike: other minutes, other attendees, another day, another supervisor's session.
    assert saved(db, p.ana, again | {"minutes": 60}) > 0
    assert saved(db, p.ana, again | {"attendee_ids": [p.kim, p.lou, p.ned]}) > 0
    assert saved(db, p.ana, again | {"held_on": "2026-05-27"}) > 0
    assert saved(db, p.ben, form(attendee_ids=[p.zed])) > 0
    # Confirmed for the session shown, it is saved; confirming some other session does not do.
    with db.session() as s, pytest.raises(ProbableDuplicate):
        save_session(s, p.ana, again, TODAY, allow_duplicate_of=[first + 1000])
    second = saved(db, p.ana, again, allow_duplicate_of=[first])
    assert second != first
    # Both are now on record: a third names both.
    with db.session() as s, pytest.raises(ProbableDuplicate) as caught:
        save_session(s, p.ana, again, TODAY, allow_duplicate_of=[first])
    assert caught.value.session_ids == (second,)


def test_editing_a_session_into_a_copy_of_another_asks_too_but_editing_its_note_does_not(
        place: tuple[Database, Place]) -> None:
    db, p = place
    first = saved(db, p.ana, form(attendee_ids=[p.kim]))
    other = saved(db, p.ana, form(attendee_ids=[p.lou]))
    with db.session() as s, pytest.raises(ProbableDuplicate):
        save_session(s, p.ana, form(attendee_ids=[p.kim]), TODAY, session_id=other, expected_version=1)
    saved(db, p.ana, form(attendee_ids=[p.kim]), session_id=other, expected_version=1, allow_duplicate_of=[first])
    # Its date, minutes and attendees unchanged, an edit of the note is not asked about again.
    saved(db, p.ana, form(attendee_ids=[p.kim], note="agenda"), session_id=other, expected_version=2)
    assert links(db, other)[2] == 3


def test_only_the_own_session_can_be_edited_or_deleted(place: tuple[Database, Place]) -> None:
    db, p = place
    session_id = saved(db, p.ana, form(attendee_ids=[p.kim]))
    assert refused(db, p.ben, form(attendee_ids=[p.zed]), session_id=session_id, expected_version=1) == [
        "That session was not found among your sessions."]
    before = counts(db)
    with db.session() as s, pytest.raises(Rejected):
        delete_session(s, p.ben, session_id, 1)
    assert counts(db) == before
    with db.session() as s:
        delete_session(s, p.ana, session_id, 1)
        s.commit()
    after = counts(db)
    assert (after["SupervisionSession"], after["SessionAttendee"], after["AuditEvent"]) == (
        before["SupervisionSession"] - 1, before["SessionAttendee"] - 1, before["AuditEvent"] + 1)
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
        assert event.old_values["attendee_ids"] == [p.kim] and event.new_values is None


# ---------------------------------------------------------------------------------------------------------------
# Ratings


def rate(db: Database, writer: Writer, worker: int, levels: dict[int, int], on: date = TODAY) -> int:
    with db.session() as s:
        n = save_ratings(s, writer, [RatingDraft(worker, c, level, on) for c, level in levels.items()], TODAY)
        s.commit()
        return n


def current(s: Session, worker: int, role: str = "supervisor") -> dict[int, int]:
    return dict(s.execute(select(CurrentRating.competency_id, CurrentRating.level)
                          .where(CurrentRating.worker_id == worker, CurrentRating.rater_role == role)).all())


def test_only_changed_ratings_are_saved_and_history_is_kept(place: tuple[Database, Place]) -> None:
    db, p = place
    c1, c2, c3 = p.competencies
    assert rate(db, p.ana, p.kim, {c1: 2, c2: 3}, date(2026, 4, 1)) == 2
    # c1 unchanged (2), c2 changes 3 -> 4, c3 is new: two rows.
    assert rate(db, p.ana, p.kim, {c1: 2, c2: 4, c3: 1}) == 2
    with db.session() as s:
        assert current(s, p.kim) == {c1: 2, c2: 4, c3: 1}
        history = s.execute(select(CompetencyRating.competency_id, CompetencyRating.level, CompetencyRating.rated_on)
                            .order_by(CompetencyRating.id)).all()
        assert history == [(c1, 2, date(2026, 4, 1)), (c2, 3, date(2026, 4, 1)), (c2, 4, TODAY), (c3, 1, TODAY)]
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        assert [e.action for e in events] == ["rate", "rate"]
        assert events[1].old_values == {str(c2): 3}
        assert events[1].new_values["levels"] == {str(c2): 4, str(c3): 1}


def test_a_backdated_rating_is_kept_but_does_not_replace_the_current_one(place: tuple[Database, Place]) -> None:
    db, p = place
    c1 = p.competencies[0]
    rate(db, p.ana, p.kim, {c1: 3}, date(2026, 5, 1))
    rate(db, p.ana, p.kim, {c1: 1}, date(2026, 3, 1))
    with db.session() as s:
        assert current(s, p.kim) == {c1: 3}
        assert s.scalar(select(func.count()).select_from(CompetencyRating)) == 2


@pytest.mark.parametrize(("worker", "level", "competency", "on", "message"), [
    ("zed", 3, 0, TODAY, "is not a peer worker on your teams"),
    ("kim", 5, 0, TODAY, "Level 5 is not on the agency's scale"),
    ("kim", 0, 0, TODAY, "Level 0 is not on the agency's scale"),
    ("kim", 3, 999_999, TODAY, "Competency 999999 is not in the agency's framework."),
    ("kim", 3, 0, date(2026, 6, 1), "is in the future"),
    ("ned", 3, 0, date(2026, 5, 1), "is before the worker's hire date 20 May 2026"),
])
def test_bad_ratings_are_refused_and_nothing_is_written(place: tuple[Database, Place], worker: str, level: int,
                                                        competency: int, on: date, message: str) -> None:
    db, p = place
    competency_id = competency or p.competencies[0]
    good = RatingDraft(p.kim, p.competencies[1], 3, TODAY)  # a valid rating in the same batch is not saved either
    before = counts(db)
    with db.session() as s, pytest.raises(Rejected) as caught:
        save_ratings(s, p.ana, [good, RatingDraft(getattr(p, worker), competency_id, level, on)], TODAY)
    assert any(message in problem.message for problem in caught.value.problems)
    assert counts(db) == before


def test_a_peer_worker_rates_only_themself_as_self(place: tuple[Database, Place]) -> None:
    db, p = place
    kim = Writer(Actor(None, "kim"), "peer_worker", p.kim, frozenset())
    c1 = p.competencies[0]
    rate(db, p.ana, p.kim, {c1: 2})
    assert rate(db, kim, p.kim, {c1: 4}) == 1
    with db.session() as s:
        assert current(s, p.kim, "supervisor") == {c1: 2}  # both are kept, side by side
        assert current(s, p.kim, "self") == {c1: 4}
        assert s.scalar(select(CompetencyRating.rater_id).where(CompetencyRating.rater_role == "self")) == p.kim
    before = counts(db)
    with db.session() as s, pytest.raises(Rejected) as caught:
        save_ratings(s, kim, [RatingDraft(p.lou, c1, 4, TODAY)], TODAY)
    assert [pr.message for pr in caught.value.problems] == ["You can rate only your own record."]
    assert counts(db) == before


# ---------------------------------------------------------------------------------------------------------------
# Leave of absence


def test_who_may_record_leave(place: tuple[Database, Place]) -> None:
    db, p = place
    quality = Writer(Actor(None, "quinn"), "quality", None, None)
    peer = Writer(Actor(None, "kim"), "peer_worker", p.kim, frozenset())
    raw = {"worker_id": p.zed, "start_date": "2026-05-01", "end_date": "2026-05-15"}
    for writer, message in ((p.ana, "not a peer worker on your teams"),
                            (peer, "recorded by a supervisor or an administrator")):
        with db.session() as s, pytest.raises(Rejected) as caught:
            save_leave(s, writer, raw, TODAY)
        assert message in caught.value.problems[0].message
    with db.session() as s:
        leave_id = save_leave(s, quality, raw, TODAY)  # quality and admin: anyone (the import's writer)
        s.commit()
    with db.session() as s, pytest.raises(Rejected) as caught:  # ...but Ana cannot touch Zed's leave
        delete_leave(s, p.ana, leave_id, TODAY)
    assert "not found" in caught.value.problems[0].message
    with db.session() as s:
        assert s.get(Leave, leave_id) is not None


def test_leave_dates_against_employment_and_other_leaves() -> None:
    hired, left = date(2025, 1, 10), date(2026, 6, 1)

    def messages(start: date, back: date | None, others: tuple[tuple[date, date | None], ...] = ()) -> list[str]:
        return [p.message for p in leave_problems(start, back, hired, left, others, TODAY)]

    assert messages(date(2025, 1, 10), date(2025, 2, 1)) == []  # from the hire date itself
    assert messages(date(2026, 5, 31), date(2026, 6, 1)) == []  # the last day employed; back the day they left
    assert "before the hire date" in messages(date(2025, 1, 9), None)[0]
    assert "on or after the day the person left" in messages(date(2026, 6, 1), None)[0]
    assert "after the day the person left" in messages(date(2026, 5, 1), date(2026, 6, 2))[0]
    # Half-open: a leave back on 1 Mar and one from 1 Mar touch but do not overlap; an open one covers all after.
    assert messages(date(2026, 3, 1), None, ((date(2026, 2, 1), date(2026, 3, 1)),)) == []
    assert "overlaps another leave" in messages(date(2026, 2, 28), date(2026, 3, 5),
                                                ((date(2026, 2, 1), date(2026, 3, 1)),))[0]
    assert "overlaps another leave" in messages(date(2026, 1, 1), date(2026, 1, 20),
                                                ((date(2026, 1, 19), None),))[0]
