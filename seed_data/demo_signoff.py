"""Believable sign-off history for the demo agency: most sessions signed within days and acknowledged, a backlog of
recent ones unsigned or unacknowledged, a few amendments with their reasons and earlier versions, and the
supervisee's answers of the last half year (low in one team)."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from dashboard.voice import QUESTIONS
from models import (CredentialRequirement, SessionAcknowledgement, SessionAmendment, SessionAttendee,
                    SupervisionFeedback, SupervisionSession, Team, TeamMembership)

# Peer drift heard first-hand: the administrative-heavy demo team's workers mostly disagree (see demo.py, item 8).
LOW_VOICE_TEAM = "Southpoint Health Home"
VOICE_DAYS = 180
COMMENTS = ("Helpful, thank you.", "Good to talk through the boundaries question.",
            "I'd like more time on VIII next session.", "Agreed with the plan.",
            "Felt heard about my caseload.", "Thanks for the resources.")
REASONS = ("Minutes corrected: the session ran longer than first recorded.",
           "Wrong kind recorded; it was a supportive session.",
           "Added the competencies we discussed at the end.",
           "Minutes corrected from the calendar entry.")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def seed_signoffs(session: Session, end_date: date, seed: int = 2015, keep_open_for: int | None = None) -> int:
    """Sign, acknowledge and amend the demo's sessions (the sessions' own values are left as generated, so no
    metric changes); keep_open_for leaves that worker's latest signed session awaiting their acknowledgement.
    Returns how many sessions were signed."""
    attendees: dict[int, list[int]] = defaultdict(list)
    for session_id, worker_id in session.execute(select(SessionAttendee.session_id, SessionAttendee.worker_id)):
        attendees[session_id].append(worker_id)
    sessions = session.execute(select(SupervisionSession.id, SupervisionSession.held_on, SupervisionSession.minutes,
                                      SupervisionSession.kind, SupervisionSession.modality,
                                      SupervisionSession.supervisor_id)
                               .order_by(SupervisionSession.held_on, SupervisionSession.id)).all()
    latest_for_peer = max((s.id for s in sessions if keep_open_for in attendees[s.id]
                           and (end_date - s.held_on).days >= 2), default=None)
    low_voice = set(session.scalars(select(TeamMembership.staff_id).join(Team, Team.id == TeamMembership.team_id)
                                    .where(Team.name == LOW_VOICE_TEAM)))
    signed: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    acks: list[dict[str, Any]] = []
    amendments: list[dict[str, Any]] = []
    for s in sessions:
        rng = random.Random(f"{seed}:signoff:{s.id}")
        age = (end_date - s.held_on).days
        if age < 1 or rng.random() > (0.998 if age > 60 else 0.985 if age > 21 else 0.55):
            continue  # the recent backlog, and a very few older sessions never signed
        signed_on = min(s.held_on + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5))), end_date)
        version = 1
        if age > 60 and rng.random() < 0.012:
            version = 2
            amended_on = min(signed_on + timedelta(days=rng.randint(2, 20)), end_date)
            reason = rng.choice(REASONS)
            previous_minutes = max(5, s.minutes - 15) if "Minutes" in reason else s.minutes
            amendments.append({"session_id": s.id, "amended_at": _at(amended_on, 17), "amended_by_id": None,
                               "reason": reason, "previous": {
                                   "held_on": s.held_on.isoformat(), "minutes": previous_minutes,
                                   "kind": "administrative" if "kind" in reason else s.kind,
                                   "modality": s.modality, "supervisor_id": s.supervisor_id,
                                   "attendee_ids": sorted(attendees[s.id]), "competency_ids": [],
                                   "version": 1, "signed_at": _at(signed_on, 16).isoformat()}})
            for worker_id in attendees[s.id]:  # the first version had been acknowledged
                acks.append({"session_id": s.id, "worker_id": worker_id, "session_version": 1,
                             "acknowledged_at": _at(signed_on, 18), "comment": None, "user_id": None})
            signed_on = amended_on
        signed.append({"sid": s.id, "at": _at(signed_on, 16), "v": version})
        waited = (end_date - signed_on).days
        for worker_id in attendees[s.id]:
            if s.id == latest_for_peer and worker_id == keep_open_for:
                continue
            if rng.random() > (0.998 if waited > 60 else 0.97 if waited > 14 else 0.5):
                continue
            acked_on = min(signed_on + timedelta(days=rng.choice((0, 1, 1, 2, 3, 4, 7, 10))), end_date)
            acks.append({"session_id": s.id, "worker_id": worker_id, "session_version": version,
                         "acknowledged_at": _at(acked_on, 19),
                         "comment": rng.choice(COMMENTS) if rng.random() < 0.12 else None, "user_id": None})
            if age <= VOICE_DAYS and rng.random() < 0.6:  # the questions arrived half a year ago; most answer
                favourable = 0.35 if worker_id in low_voice else 0.85
                for question in QUESTIONS:
                    if rng.random() < 0.9:
                        answer = rng.choice((3, 4, 4)) if rng.random() < favourable else rng.choice((1, 2, 2))
                        answers.append({"session_id": s.id, "worker_id": worker_id, "session_version": version,
                                        "question": question, "answer": answer, "answered_at": _at(acked_on, 19)})
    table = SupervisionSession.__table__
    if signed:  # core UPDATE: the seed sets the version itself (an amended session is at version 2)
        session.execute(update(table).where(table.c.id == bindparam("sid"))
                        .values(signed_at=bindparam("at"), version=bindparam("v")), signed)
    if amendments:
        session.execute(insert(SessionAmendment), amendments)
    if acks:
        session.execute(insert(SessionAcknowledgement), acks)
    if answers:
        session.execute(insert(SupervisionFeedback), answers)
    return len(signed)


def seed_requirements(session: Session) -> None:
    """Two credential requirements an agency might define (check each against the current rule)."""
    session.add_all([
        CredentialRequirement(
            name="IC&RC Peer Recovery (PR)", issuing_body="IC&RC", hours_required=25, period_months=None,
            kinds=[], formats=[], modalities=[], stage_codes=[], require_signed=True, require_acknowledged=True,
            source="IC&RC Peer Recovery credential: 25 hours of supervision (with 500 hours of experience and 46 of "
                   "education); check the current candidate guide."),
        CredentialRequirement(
            name="DC CPS: before first client contact", issuing_body="DC Department of Behavioral Health",
            hours_required=6, period_months=None, kinds=[], formats=[], modalities=[],
            stage_codes=["in-training"], require_signed=True, require_acknowledged=False,
            source="22-A DCMR 7314: 6 hours of supervision before first client contact; check the current text."),
    ])
    session.flush()
