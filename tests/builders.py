"""Builds tiny hand-made agencies through the ORM for metric and recording tests."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (CertificationStage, Leave, Program, SessionAttendee, StageAssignment, Staff, SupervisionSession,
                    Team, TeamMembership, TeamSupervisor)

LONG_AGO = date(2025, 1, 1)


class Agency:
    """Builds people and sessions through the ORM; dated rows are half-open like the real ones."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.stages = dict(session.execute(select(CertificationStage.code, CertificationStage.id)).all())
        self.program = Program(name="Program")
        session.add(self.program)
        session.flush()
        self.lead = self.staff("Lead Supervisor", "supervisor", date(2020, 1, 1))

    def staff(self, name: str, role: str, hired: date, left_on: date | None = None, fte: str = "1.00",
              peer_credential: bool = False) -> Staff:
        person = Staff(full_name=name, role=role, hire_date=hired, left_on=left_on, fte=Decimal(fte),
                       peer_credential=peer_credential)
        self.s.add(person)
        self.s.flush()
        return person

    def team(self, name: str) -> Team:
        team = Team(program_id=self.program.id, name=name)
        self.s.add(team)
        self.s.flush()
        return team

    def worker(self, name: str, team: Team, hired: date = LONG_AGO, stage: str | None = "fully-certified",
               left_on: date | None = None, fte: str = "1.00") -> Staff:
        person = self.staff(name, "peer_worker", hired, left_on, fte)
        self.s.add(TeamMembership(staff_id=person.id, team_id=team.id, start_date=hired, end_date=left_on))
        if stage is not None:
            self.s.add(StageAssignment(staff_id=person.id, stage_id=self.stages[stage], start_date=hired,
                                       end_date=left_on))
        self.s.flush()
        return person

    def move(self, person: Staff, to: Team, on: date) -> None:
        current = self.s.scalar(select(TeamMembership).where(TeamMembership.staff_id == person.id,
                                                             TeamMembership.end_date.is_(None)))
        assert current is not None
        current.end_date = on
        self.s.flush()
        self.s.add(TeamMembership(staff_id=person.id, team_id=to.id, start_date=on))
        self.s.flush()

    def promote(self, person: Staff, stage: str, on: date) -> None:
        current = self.s.scalar(select(StageAssignment).where(StageAssignment.staff_id == person.id,
                                                              StageAssignment.end_date.is_(None)))
        assert current is not None
        current.end_date = on
        self.s.flush()
        self.s.add(StageAssignment(staff_id=person.id, stage_id=self.stages[stage], start_date=on))
        self.s.flush()

    def leave(self, person: Staff, start: date, back_on: date | None = None) -> None:
        self.s.add(Leave(staff_id=person.id, start_date=start, end_date=back_on))
        self.s.flush()

    def supervise(self, supervisor: Staff, team: Team, since: date = date(2020, 1, 1),
                  until: date | None = None) -> None:
        self.s.add(TeamSupervisor(team_id=team.id, staff_id=supervisor.id, start_date=since, end_date=until))
        self.s.flush()

    def held(self, attendees: Iterable[Staff], day: date, minutes: int, format_: str, kind: str) -> None:
        row = SupervisionSession(held_on=day, minutes=minutes, format=format_, kind=kind, modality="in_person",
                                 supervisor_id=self.lead.id)
        self.s.add(row)
        self.s.flush()
        self.s.add_all([SessionAttendee(session_id=row.id, worker_id=person.id) for person in attendees])
        self.s.flush()

    def individual(self, person: Staff, day: date, minutes: int = 60, kind: str = "supportive") -> None:
        self.held([person], day, minutes, "individual", kind)

    def group(self, people: Iterable[Staff], day: date, minutes: int = 90, kind: str = "clinical_educational") -> None:
        self.held(people, day, minutes, "group", kind)
