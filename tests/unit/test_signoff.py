"""Sign-off: a supervisor signs their own session, each attendee acknowledges the signed version, an amendment of a
signed session needs a reason, keeps the earlier version and asks for the acknowledgements again; refused actions
write nothing. Flags and states are worked out by hand in comments."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.queries.signoff import (Acknowledgement, FlagDays, SessionSignoff, WorkerFlags, session_rows, signoffs,
                                       worker_flags)
from dashboard.recording import Rejected, Writer, delete_session, save_session
from dashboard.scope import Scope
from dashboard.signoff import acknowledge_session, sign_session
from models import (AuditEvent, SessionAcknowledgement, SessionAmendment, Staff, SupervisionSession, Team)
from layouts.signoff import signoff_cell
from tests.builders import Agency
from tests.callback_calls import as_sent
from tests.http.conftest import texts

TODAY = date(2026, 3, 31)


def supervisor_writer(a: Agency, team: Team) -> Writer:
    return Writer(Actor(None, "sam"), "supervisor", a.lead.id, frozenset({team.id}))


def peer_writer(person: Staff) -> Writer:
    return Writer(Actor(None, person.full_name), "peer_worker", person.id, frozenset())


def rows_written(s: Session) -> tuple[int, ...]:
    return tuple(s.scalar(select(func.count()).select_from(model)) or 0
                 for model in (AuditEvent, SessionAcknowledgement, SessionAmendment))


def latest_session(s: Session) -> SupervisionSession:
    return s.scalars(select(SupervisionSession).order_by(SupervisionSession.id.desc()).limit(1)).one()


def refused(s: Session, action: Any, message: str) -> None:
    before = rows_written(s)
    with pytest.raises(Rejected, match=message):
        action()
    assert rows_written(s) == before


def test_sign_acknowledge_amend_and_acknowledge_again(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        ana, ben = a.worker("Ana", team), a.worker("Ben", team)
        other_supervisor = a.staff("Other Supervisor", "supervisor", date(2020, 1, 1))
        a.group([ana, ben], date(2026, 3, 2), minutes=90)
        row = latest_session(s)
        sam = supervisor_writer(a, team)

        # Only a signed session can be acknowledged; only its own supervisor signs it.
        refused(s, lambda: acknowledge_session(s, peer_writer(ana), row.id, row.version), "not signed this session")
        stranger = Writer(Actor(None, "other"), "supervisor", other_supervisor.id, frozenset({team.id}))
        refused(s, lambda: sign_session(s, stranger, row.id, row.version), "not found among your sessions")
        refused(s, lambda: sign_session(s, peer_writer(ana), row.id, row.version), "Only the supervisor")
        refused(s, lambda: sign_session(s, sam, row.id, row.version + 5), "Someone else changed")

        signed_version = sign_session(s, sam, row.id, row.version)
        assert signed_version == 2  # signing changes the row: version 1 -> 2
        refused(s, lambda: sign_session(s, sam, row.id, signed_version), "already signed")
        refused(s, lambda: delete_session(s, sam, row.id, signed_version), "cannot be deleted")
        assert signoffs(s, [row.id])[row.id].state == "signed"

        # Ana acknowledges with a comment; Ben has not yet: still "signed" (1 of 2).
        acknowledge_session(s, peer_writer(ana), row.id, signed_version, "  Helpful, thanks.  ")
        refused(s, lambda: acknowledge_session(s, peer_writer(ana), row.id, signed_version), "already acknowledged")
        outsider = a.worker("Cy", team)
        refused(s, lambda: acknowledge_session(s, peer_writer(outsider), row.id, signed_version),
                "not found among the sessions you attended")
        refused(s, lambda: acknowledge_session(s, peer_writer(ben), row.id, signed_version, "x" * 281),
                "281 characters")
        refused(s, lambda: acknowledge_session(s, sam, row.id, signed_version), "Only the peer workers")
        state = signoffs(s, [row.id])[row.id]
        assert state.state == "signed" and state.current(ana.id).comment == "Helpful, thanks."  # type: ignore[union-attr]
        acknowledge_session(s, peer_writer(ben), row.id, signed_version)
        assert signoffs(s, [row.id])[row.id].state == "acknowledged"

        # An edit of the signed session is an amendment: refused without a reason, nothing written.
        form = {"held_on": "2026-03-02", "minutes": 75, "format": "group", "kind": "clinical_educational",
                "modality": "in_person", "attendee_ids": [ana.id, ben.id], "competency_ids": []}
        refused(s, lambda: save_session(s, sam, form, TODAY, row.id, signed_version), "say why you are amending")
        refused(s, lambda: save_session(s, sam, form | {"amendment_reason": " "}, TODAY, row.id, signed_version),
                "say why you are amending")
        save_session(s, sam, form | {"amendment_reason": "Minutes corrected from the calendar."}, TODAY, row.id,
                     signed_version)
        s.refresh(row)
        assert (row.minutes, row.version) == (75, 3) and row.signed_at is not None
        after = signoffs(s, [row.id])[row.id]
        # The earlier version stays readable: 90 minutes, version 2; both acknowledgements are of version 2, so
        # neither counts for version 3: "signed" again, awaiting both.
        assert after.state == "signed" and after.current(ana.id) is None and after.current(ben.id) is None
        (amendment,) = after.amendments
        assert amendment.reason == "Minutes corrected from the calendar."
        assert (amendment.previous["minutes"], amendment.previous["version"]) == (90, 2)
        assert len(after.acknowledgements) == 2
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "amend")).one()
        assert (event.old_values["minutes"], event.new_values["minutes"]) == (90, 75)  # type: ignore[index]
        assert event.new_values["amendment_reason"] == "Minutes corrected from the calendar."  # type: ignore[index]

        # Acknowledging the version read before the amendment is refused; the new one is accepted.
        refused(s, lambda: acknowledge_session(s, peer_writer(ana), row.id, signed_version), "Someone else changed")
        for person in (ana, ben):
            acknowledge_session(s, peer_writer(person), row.id, 3)
        assert signoffs(s, [row.id])[row.id].state == "acknowledged"
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["sign", "acknowledge", "acknowledge", "amend", "acknowledge", "acknowledge"]


def test_flags_and_states_by_hand(reference_db: Database) -> None:
    """Today 31 Mar 2026, limits 7 and 14 days. Dee attended five individual sessions:
    - held 20 Mar, unsigned: 11 days > 7, flagged unsigned;
    - held 25 Mar, unsigned: 6 days, not flagged;
    - held 5 Mar, signed 10 Mar, not acknowledged: 21 days > 14, flagged not acknowledged;
    - held 20 Mar, signed 25 Mar, not acknowledged: 6 days, not flagged;
    - held 1 Mar, signed 2 Mar, acknowledged: not flagged.
    Eve attended one other, held 2 Mar and unsigned: 29 days, flagged. Unsigned 3, signed 2, acknowledged 1."""
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        dee, eve = a.worker("Dee", team), a.worker("Eve", team)
        a.individual(eve, date(2026, 3, 2))
        plan = [(date(2026, 3, 20), None, False), (date(2026, 3, 25), None, False),
                (date(2026, 3, 5), date(2026, 3, 10), False), (date(2026, 3, 20), date(2026, 3, 25), False),
                (date(2026, 3, 1), date(2026, 3, 2), True)]
        for held, signed, acknowledged in plan:
            a.individual(dee, held)
            row = latest_session(s)
            if signed is not None:
                row.signed_at = datetime(signed.year, signed.month, signed.day, 16, tzinfo=UTC)
                s.flush()
            if acknowledged:
                s.add(SessionAcknowledgement(session_id=row.id, worker_id=dee.id, session_version=row.version))
        s.flush()
        flags = worker_flags(s, [dee.id, eve.id], TODAY, FlagDays(7, 14))
        assert flags == {dee.id: WorkerFlags(unsigned=1, unacknowledged=1), eve.id: WorkerFlags(1, 0)}
        assert flags[dee.id].label == "1 unsigned · 1 unacknowledged"
        # With limits of 5 days, the two 6-day-old ones (held 25 Mar; signed 25 Mar) are flagged too.
        assert worker_flags(s, [dee.id], TODAY, FlagDays(5, 5)) == {dee.id: WorkerFlags(2, 2)}
        everyone = Scope.agency()
        rows, total = session_rows(s, everyone, "quality", None, date(2026, 3, 1), TODAY, None)
        assert total == 6
        by_state = {state: session_rows(s, everyone, "quality", None, date(2026, 3, 1), TODAY, state)[1]
                    for state in ("unsigned", "signed", "acknowledged")}
        assert by_state == {"unsigned": 3, "signed": 2, "acknowledged": 1}
        flagged = sorted(r.flag(TODAY, FlagDays()) for r in rows if r.flag(TODAY, FlagDays()))
        assert flagged == ["not acknowledged 21 days after signing", "unsigned 11 days after it was held",
                           "unsigned 29 days after it was held"]
        # A supervisor sees only sessions they ran; a peer worker's scope sees none here.
        assert session_rows(s, Scope(frozenset({team.id})), "supervisor", a.lead.id + 999, date(2026, 3, 1), TODAY,
                            None) == ([], 0)
        assert session_rows(s, Scope(frozenset(), dee.id), "peer_worker", dee.id, date(2026, 3, 1), TODAY,
                            None) == ([], 0)


def test_a_peer_worker_reads_only_their_own_acknowledgement_of_a_group_session() -> None:
    at = datetime(2026, 3, 3, 9, tzinfo=UTC)
    group = SessionSignoff(7, 2, at, "Sam", ((1, "Ana A"), (2, "Ben B"), (3, "Cy C")),
                           (Acknowledgement(1, "Ana A", 2, at, "Mine."), Acknowledgement(2, "Ben B", 2, at, "Ben's.")),
                           ())
    supervisor_view = " ".join(texts(as_sent(signoff_cell(group, False, None))))
    assert "Ben's." in supervisor_view and "Mine." in supervisor_view and "awaiting Cy" in supervisor_view
    peer_view = " ".join(texts(as_sent(signoff_cell(group, False, 1))))
    assert "Mine." in peer_view and "Ben's." not in peer_view and "Cy" not in peer_view
    assert "2 of 3 attendees acknowledged" in peer_view
