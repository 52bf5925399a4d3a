"""The supervisee's voice by hand: answers saved with the acknowledgement (never in the audit log), bad answers
refused with nothing written, and the shares per team and supervisor with small-cell suppression.

Window 1-31 Mar 2026, threshold 3 respondents. Team Alpha (Ana, Ben, Cy) and team Beta (Dee, Eve), all led by the
builder's lead supervisor. Answers:
  Ana 4, 3 (2 favourable of 2); Ben 2, 3 (1 of 2); Cy 1, 1 (0 of 2) -> Alpha: 3 respondents, 3 of 6 = 50%
  Dee 4, 4; Eve 4                                            -> Beta: 2 respondents < 3: suppressed
  Supervisor (all five): 5 respondents, 6 of 9 favourable = 67%.
A session held 28 Feb (outside the window) with Ana's answer 1 is left out.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.queries.common import MetricSettings, Window
from dashboard.queries.voice import voice_by_supervisor, voice_by_team
from dashboard.recording import Rejected, Writer
from dashboard.scope import Scope
from dashboard.signoff import acknowledge_session
from models import AuditEvent, SessionAcknowledgement, Staff, SupervisionFeedback, SupervisionSession
from tests.builders import Agency

MARCH = Window(date(2026, 3, 1), date(2026, 3, 31))


def held_and_signed(a: Agency, s: Session, person: Staff, day: date) -> SupervisionSession:
    a.individual(person, day)
    row = s.scalars(select(SupervisionSession).order_by(SupervisionSession.id.desc()).limit(1)).one()
    row.signed_at = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
    s.flush()
    return row


def peer(person: Staff) -> Writer:
    return Writer(Actor(None, person.full_name), "peer_worker", person.id, frozenset())


def test_answers_and_shares_by_hand(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        alpha, beta = a.team("Alpha"), a.team("Beta")
        people = {name: a.worker(name, team) for name, team in
                  (("Ana", alpha), ("Ben", alpha), ("Cy", alpha), ("Dee", beta), ("Eve", beta))}
        plan = {"Ana": (4, 3), "Ben": (2, 3), "Cy": (1, 1), "Dee": (4, 4), "Eve": (4, None)}
        keys = ("lived_experience", "my_say")
        early = held_and_signed(a, s, people["Ana"], date(2026, 2, 28))
        acknowledge_session(s, peer(people["Ana"]), early.id, early.version, None, {"lived_experience": 1})
        for name, answers in plan.items():
            row = held_and_signed(a, s, people[name], date(2026, 3, 10))
            before = (s.scalar(select(func.count()).select_from(SessionAcknowledgement)),
                      s.scalar(select(func.count()).select_from(SupervisionFeedback)))
            for bad in ({"lived_experience": 5}, {"unknown": 3}, {"my_say": True}, ["4"], {"my_say": 2.5}):
                with pytest.raises(Rejected, match="answer|could not be read"):
                    acknowledge_session(s, peer(people[name]), row.id, row.version, None, bad)
            assert (s.scalar(select(func.count()).select_from(SessionAcknowledgement)),
                    s.scalar(select(func.count()).select_from(SupervisionFeedback))) == before
            acknowledge_session(s, peer(people[name]), row.id, row.version, "ok",
                                {k: (str(v) if v else "none") for k, v in zip(keys, answers)})
        # The audit log says how many were answered, never what.
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "acknowledge")))
        assert [e.new_values["questions_answered"] for e in events] == [1, 2, 2, 2, 2, 1]  # type: ignore[index]
        assert all(set(e.new_values) == {"worker_id", "version", "acknowledged_at", "comment",  # type: ignore[arg-type]
                                         "questions_answered"} for e in events)

        settings = MetricSettings(min_cell_workers=3)
        teams = {c.name: c for c in voice_by_team(s, Scope.agency(), MARCH, settings)}
        assert (teams["Alpha"].respondents, teams["Alpha"].answers, teams["Alpha"].favourable) == (3, 6, 3)
        assert teams["Alpha"].share == 0.5
        assert teams["Beta"].suppressed and teams["Beta"].share is None and teams["Beta"].answers == 0
        (lead,) = voice_by_supervisor(s, Scope.agency(), MARCH, settings)
        assert (lead.respondents, lead.answers, lead.favourable) == (5, 9, 6)
        # Threshold 0 turns suppression off; a supervisor's scope gets no per-supervisor table.
        unsuppressed = {c.name: c for c in voice_by_team(s, Scope.agency(), MARCH, MetricSettings(min_cell_workers=0))}
        assert unsuppressed["Beta"].share == 1.0
        assert voice_by_supervisor(s, Scope(frozenset({alpha.id})), MARCH, settings) == []
