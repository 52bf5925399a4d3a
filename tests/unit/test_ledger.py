"""The certification hours ledger by hand: which sessions count toward a requirement, and the hours counted.

Requirement "Peer credential": 3 hours (180 minutes) within 12 months, supportive and clinical/educational kinds
only, any format and modality, signed and acknowledged required. Judged on 31 Mar 2026, so sessions held after
31 Mar 2025 count. Ana's sessions:
  1. 10 Jan 2025, 60 min supportive, signed+acknowledged  -> before the period: not counted
  2.  5 Feb 2026, 60 min administrative, signed+acknowledged -> kind does not count
  3. 12 Feb 2026, 60 min supportive, signed+acknowledged   -> counts 60
  4. 20 Feb 2026, 90 min group clinical/educational, signed+acknowledged -> counts 90 (full minutes per attendee)
  5. 10 Mar 2026, 45 min supportive, unsigned              -> pending 45
  6. 20 Mar 2026, 30 min supportive, signed, not acknowledged -> pending 30
Counted 150 minutes = 2.5 hours (supportive 60, clinical/educational 90); pending 75; not met (150 < 180).
Then session 3 is amended from 60 to 75 minutes: its acknowledgement was of the old version, so it leaves the count
(counted 90, pending 75 + 75 = 150); once Ana acknowledges the amended version it counts 75: 165 minutes, 2.75 h.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.queries.ledger import hours_text, ledger_lines, months_before, progress, requirements
from dashboard.recording import Writer, save_session
from dashboard.signoff import acknowledge_session
from models import CredentialRequirement, SessionAcknowledgement, Staff, SupervisionSession
from tests.builders import Agency

AS_OF = date(2026, 3, 31)


def latest(s: Session) -> SupervisionSession:
    return s.scalars(select(SupervisionSession).order_by(SupervisionSession.id.desc()).limit(1)).one()


def confirm(s: Session, row: SupervisionSession, workers: list[Staff], signed: bool = True,
            acknowledged: bool = True) -> None:
    if signed:
        row.signed_at = datetime.combine(row.held_on, datetime.min.time(), tzinfo=UTC)
        s.flush()
    if acknowledged:
        s.add_all([SessionAcknowledgement(session_id=row.id, worker_id=w.id, session_version=row.version)
                   for w in workers])
        s.flush()


def test_hours_counted_by_hand(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        ana, bo = a.worker("Ana", team, hired=date(2024, 1, 1)), a.worker("Bo", team, hired=date(2024, 1, 1))
        s.add(CredentialRequirement(name="Peer credential", issuing_body="Board", hours_required=Decimal("3"),
                                    period_months=12, kinds=["supportive", "clinical_educational"], formats=[],
                                    modalities=[], stage_codes=[], require_signed=True, require_acknowledged=True))
        s.add(CredentialRequirement(name="In-training only", issuing_body="Agency", hours_required=Decimal("6"),
                                    period_months=None, kinds=[], formats=[], modalities=[],
                                    stage_codes=["in-training"], require_signed=False, require_acknowledged=False))
        a.individual(ana, date(2025, 1, 10), 60, "supportive")
        confirm(s, latest(s), [ana])
        a.individual(ana, date(2026, 2, 5), 60, "administrative")
        confirm(s, latest(s), [ana])
        a.individual(ana, date(2026, 2, 12), 60, "supportive")
        amended = latest(s)
        confirm(s, amended, [ana])
        a.group([ana, bo], date(2026, 2, 20), 90, "clinical_educational")
        confirm(s, latest(s), [ana, bo])
        a.individual(ana, date(2026, 3, 10), 45, "supportive")
        a.individual(ana, date(2026, 3, 20), 30, "supportive")
        confirm(s, latest(s), [ana], acknowledged=False)

        (req,) = [r for r in requirements(s) if r.name == "Peer credential"]
        result = progress(s, [ana.id, bo.id], AS_OF)
        # Both are fully certified, so the in-training requirement applies to neither.
        assert [p.requirement.name for p in result[ana.id]] == ["Peer credential"]
        (mine,) = result[ana.id]
        assert mine.minutes_by_kind == (("clinical_educational", 90), ("supportive", 60))
        assert (mine.minutes_counted, mine.minutes_pending, mine.met) == (150, 75, False)
        assert hours_text(mine.minutes_counted) == "2.5" and round(mine.share, 4) == round(150 / 180, 4)
        (bos,) = result[bo.id]
        assert (bos.minutes_counted, bos.minutes_pending) == (90, 0)

        lines = {line.held_on: line.why_not for line in ledger_lines(s, ana.id, req, date(2025, 1, 1), AS_OF)}
        assert lines == {date(2025, 1, 10): "kind, format, modality or date does not count",
                         date(2026, 2, 5): "kind, format, modality or date does not count",
                         date(2026, 2, 12): "", date(2026, 2, 20): "", date(2026, 3, 10): "not signed",
                         date(2026, 3, 20): "not acknowledged"}

        # The amendment of session 3 (60 -> 75 minutes) asks Ana to acknowledge it again.
        writer = Writer(Actor(None, "lead"), "supervisor", a.lead.id, frozenset({team.id}))
        save_session(s, writer, {"held_on": "2026-02-12", "minutes": 75, "format": "individual",
                                 "kind": "supportive", "modality": "in_person", "attendee_ids": [ana.id],
                                 "amendment_reason": "Ran longer."}, AS_OF, amended.id, amended.version)
        (after,) = progress(s, [ana.id], AS_OF)[ana.id]
        assert (after.minutes_counted, after.minutes_pending) == (90, 150)
        acknowledge_session(s, Writer(Actor(None, "ana"), "peer_worker", ana.id, frozenset()), amended.id,
                            amended.version)
        (again,) = progress(s, [ana.id], AS_OF)[ana.id]
        assert (again.minutes_counted, hours_text(again.minutes_counted)) == (165, "2.7")  # 2.75 rounded down


def test_the_period_and_rounding_rules() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 31), 12) == date(2025, 3, 31)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert [hours_text(m) for m in (0, 59, 60, 1497, 1500)] == ["0", "0.9", "1", "24.9", "25"]
