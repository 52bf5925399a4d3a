"""Fuzzing the session and rating validation through the same functions the forms call: either everything is
written or nothing, and the only failure a person can cause is Rejected (which the page shows as messages)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.recording import Rejected, Writer, parse_ratings, save_ratings, save_session
from models import (AuditEvent, Competency, CompetencyRating, CurrentRating, SessionAttendee, SessionCompetency,
                    SupervisionSession)
from tests.builders import Agency

TODAY = date(2026, 5, 31)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def world(reference_db: Database) -> Iterator[tuple[Database, Writer, list[int], list[int]]]:
    with reference_db.session() as s:
        a = Agency(s)
        team, other = a.team("A"), a.team("B")
        ana = a.staff("Ana", "supervisor", date(2020, 1, 1))
        a.supervise(ana, team)
        workers = [a.worker(name, team).id for name in ("Kim", "Lou")] + [a.worker("Zed", other).id]
        competencies = list(s.scalars(select(Competency.id).limit(4)))
        writer = Writer(Actor(None, "ana"), "supervisor", ana.id, frozenset({team.id}))
        s.commit()
    yield reference_db, writer, workers, competencies


def rows(db_session: Any) -> tuple[int, ...]:
    return tuple(db_session.scalar(select(func.count()).select_from(m)) or 0 for m in (
        SupervisionSession, SessionAttendee, SessionCompetency, CompetencyRating, CurrentRating, AuditEvent))


ids = st.one_of(st.integers(-3, 12), st.text(max_size=4), st.none(), st.floats(allow_nan=True), st.booleans())
anything = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                     st.booleans(), st.lists(st.integers(), max_size=3))
PEOPLE = ["Kim", "Lou", "Zed"]  # replaced by their ids in the test; Zed is on another team


FIELDS = ("held_on", "minutes", "format", "kind", "modality", "attendee_ids", "competency_ids", "note")
plausible = st.fixed_dictionaries({
    "held_on": st.dates(date(2026, 4, 1), TODAY + timedelta(days=3)).map(lambda d: d.isoformat()),
    "minutes": st.one_of(st.integers(1, 500), st.integers(1, 500).map(str)),
    "format": st.sampled_from(["individual", "group"]),
    "kind": st.sampled_from(["supportive", "administrative", "clinical_educational", "direct_observation"]),
    "modality": st.sampled_from(["in_person", "video", "phone"]),
    "attendee_ids": st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True),
    "competency_ids": st.lists(st.integers(1, 70), max_size=4),
    "note": st.one_of(st.none(), st.text(max_size=40)),
})
# A plausible form with up to three fields replaced by anything at all (ids, text, floats, NaN, lists ...).
forms = st.tuples(plausible, st.dictionaries(st.sampled_from(FIELDS), st.one_of(anything, st.lists(ids, max_size=3)),
                                             max_size=3)).map(lambda t: t[0] | t[1])


@FUZZ
@given(raw=forms)
# Found by this test on PostgreSQL: an id beyond INTEGER made the database refuse the query (a 500).
@example(raw={"held_on": "2026-04-01", "minutes": 60, "format": "individual", "kind": "supportive",
              "modality": "in_person", "attendee_ids": [2**31], "competency_ids": [2**31], "note": None})
def test_any_session_form_is_saved_whole_or_refused_whole(
        world: tuple[Database, Writer, list[int], list[int]], raw: dict[str, Any]) -> None:
    db, writer, workers, _ = world
    if isinstance(raw["attendee_ids"], list):
        raw["attendee_ids"] = [workers[PEOPLE.index(a)] if a in PEOPLE else a for a in raw["attendee_ids"]]
    with db.sessions() as s:  # a plain session: each example rolls back what it wrote
        before = rows(s)
        try:
            session_id = save_session(s, writer, raw, TODAY)
        except Rejected as rejected:
            assert rejected.problems and all(p.message for p in rejected.problems)
            event("refused")
            s.rollback()
            assert rows(s) == before
            return
        event("saved")
        row = s.get(SupervisionSession, session_id)
        assert row is not None
        attendee_count = s.scalar(select(func.count()).select_from(SessionAttendee)
                                  .where(SessionAttendee.session_id == session_id))
        assert 5 <= row.minutes <= 480 and row.held_on <= TODAY
        assert attendee_count == (1 if row.format == "individual" else attendee_count) and attendee_count >= 1
        assert rows(s)[0] == before[0] + 1 and rows(s)[5] == before[5] + 1
        s.rollback()


@FUZZ
@given(worker=st.one_of(st.sampled_from(PEOPLE), st.integers(-2, 8), anything),
       levels=st.one_of(st.dictionaries(st.one_of(st.integers(-2, 10), st.sampled_from(["1", "2", "61"]),
                                                  st.text(max_size=3)),
                                        st.one_of(st.integers(-1, 6), anything), max_size=5), anything),
       rated_on=st.one_of(st.dates(date(2020, 1, 1), TODAY + timedelta(days=30)), anything))
def test_any_rating_form_is_saved_whole_or_refused_whole(
        world: tuple[Database, Writer, list[int], list[int]], worker: Any, levels: Any, rated_on: Any) -> None:
    db, writer, _, _ = world
    with db.sessions() as s:  # a plain session: each example rolls back what it wrote
        before = rows(s)
        drafts, problems = parse_ratings(worker, levels, rated_on, None)
        if problems:
            assert all(p.message for p in problems)
            return
        try:
            saved = save_ratings(s, writer, drafts, TODAY)
        except Rejected as rejected:
            assert rejected.problems
            s.rollback()
            assert rows(s) == before
            return
        event("saved")
        assert rows(s)[3] == before[3] + saved
        assert all(1 <= d.level <= 4 and d.rated_on <= TODAY for d in drafts)
        s.rollback()
