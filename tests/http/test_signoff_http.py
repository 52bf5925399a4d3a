"""Sign-off over HTTP: crafted callback requests for signing, acknowledging, amending and the Sign-off page, as
every role. Only a supervisor signs, and only their own sessions; only an attendee acknowledges, and only their own;
every refusal leaves the rows exactly as they were."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import exists, func, select

from dashboard.db import Database
from models import (AuditEvent, SessionAcknowledgement, SessionAmendment, SessionAttendee, SupervisionSession)
from tests.http.conftest import login
from tests.http.test_workspace_scope import fire, response_text

SIGN_OPEN = '{"session":["ALL"],"type":"sign-open","version":["ALL"]}'
ACK_OPEN = '{"session":["ALL"],"type":"ack-open","version":["ALL"]}'
NOT_SUPERVISORS = ["leader", "quality", "admin", "peer"]
NOT_PEERS = ["supervisor", "leader", "quality", "admin"]


def counts(db: Database) -> tuple[int, ...]:
    with db.session() as s:
        signed = s.scalar(select(func.count()).where(SupervisionSession.signed_at.is_not(None)))
        return (signed or 0, *(s.scalar(select(func.count()).select_from(m)) or 0
                               for m in (SessionAcknowledgement, SessionAmendment, AuditEvent)))


@pytest.fixture
def targets(demo_db: Database, people: dict[str, int]) -> Iterator[dict[str, Any]]:
    """Maria's (the supervisor account's) latest unsigned session and latest signed one; another supervisor's
    unsigned one; Omar's (the peer account's) signed session awaiting him, and one he did not attend."""
    with demo_db.session() as s:
        def session_of(*where: Any) -> SupervisionSession:
            return s.scalars(select(SupervisionSession).where(*where)
                             .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
                             .limit(1)).one()
        attended = exists().where(SessionAttendee.session_id == SupervisionSession.id,
                                  SessionAttendee.worker_id == people["omar"])
        acknowledged = exists().where(SessionAcknowledgement.session_id == SupervisionSession.id,
                                      SessionAcknowledgement.worker_id == people["omar"],
                                      SessionAcknowledgement.session_version == SupervisionSession.version)
        found = {
            "own_unsigned": session_of(SupervisionSession.supervisor_id == people["maria"],
                                       SupervisionSession.signed_at.is_(None)),
            "own_signed": session_of(SupervisionSession.supervisor_id == people["maria"],
                                     SupervisionSession.signed_at.is_not(None)),
            "foreign_unsigned": session_of(SupervisionSession.supervisor_id != people["maria"],
                                           SupervisionSession.signed_at.is_(None)),
            "awaiting_omar": session_of(attended, ~acknowledged, SupervisionSession.signed_at.is_not(None)),
            "not_omars": session_of(~attended, SupervisionSession.signed_at.is_not(None)),
        }
        yield {key: {"session": row.id, "version": row.version, "minutes": row.minutes, "held_on": row.held_on,
                     "format": row.format, "kind": row.kind, "modality": row.modality}
               for key, row in found.items()}


def sign(client: FlaskClient, target: Any) -> Any:
    return fire(client, "sign-confirm", {"sign-confirm.n_clicks": 1},
                {"sign-target.data": target, "workspace-version.data": 0})


VOICE = '{"question":["ALL"],"type":"voice-answer"}'
UNANSWERED = {f"{VOICE}.value": [{"id": {"type": "voice-answer", "question": "my_say"}, "property": "value",
                                  "value": None}],
              f"{VOICE}.id": [{"id": {"type": "voice-answer", "question": "my_say"}, "property": "id",
                               "value": {"type": "voice-answer", "question": "my_say"}}]}


def acknowledge(client: FlaskClient, target: Any, comment: Any = None) -> Any:
    """The dialog's Acknowledge, with the supervisee's-voice questions left unanswered."""
    return fire(client, "ack-confirm", {"ack-confirm.n_clicks": 1},
                {"ack-target.data": target, "ack-comment.value": comment, "workspace-version.data": 0, **UNANSWERED})


def pick(target: dict[str, Any]) -> dict[str, Any]:
    return {"session": target["session"], "version": target["version"]}


def editing(target: dict[str, Any]) -> dict[str, Any]:
    """The session form's store while editing that session."""
    return {"id": target["session"], "version": target["version"]}


@pytest.mark.parametrize("user", NOT_SUPERVISORS)
def test_only_supervisors_sign(demo_client: FlaskClient, demo_db: Database, targets: dict[str, Any],
                               user: str) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    assert sign(demo_client, pick(targets["own_unsigned"])).status_code == 403
    opened = fire(demo_client, SIGN_OPEN, {f"{SIGN_OPEN}.n_clicks": [
        {"id": {"type": "sign-open", **pick(targets["own_unsigned"])}, "property": "n_clicks", "value": 1}]},
        changed=json.dumps({"type": "sign-open", **pick(targets["own_unsigned"])}, sort_keys=True,
                           separators=(",", ":")) + ".n_clicks")
    assert opened.status_code == 403
    assert counts(demo_db) == before


def test_a_supervisor_signs_their_own_session_once_and_never_anothers(
        demo_client: FlaskClient, demo_db: Database, targets: dict[str, Any]) -> None:
    login(demo_client, "supervisor", "demo")
    before = counts(demo_db)
    for forged in (pick(targets["foreign_unsigned"]), {"session": "1; drop", "version": 1}, None, "x",
                   {"session": 2**40, "version": 1}):
        assert "not found among your sessions" in response_text(sign(demo_client, forged))
    stale = pick(targets["own_unsigned"]) | {"version": targets["own_unsigned"]["version"] + 1}
    assert "Someone else changed this session" in response_text(sign(demo_client, stale))
    assert "already signed" in response_text(sign(demo_client, pick(targets["own_signed"])))
    assert counts(demo_db) == before
    assert "Session signed" in response_text(sign(demo_client, pick(targets["own_unsigned"])))
    signed, acks, amendments, events = before
    assert counts(demo_db) == (signed + 1, acks, amendments, events + 1)
    with demo_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.action, event.entity_id, event.username) == ("sign", str(targets["own_unsigned"]["session"]),
                                                               "supervisor")


@pytest.mark.parametrize("user", NOT_PEERS)
def test_only_peer_workers_acknowledge(demo_client: FlaskClient, demo_db: Database, targets: dict[str, Any],
                                       user: str) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    assert acknowledge(demo_client, pick(targets["awaiting_omar"])).status_code == 403
    opened = fire(demo_client, ACK_OPEN, {f"{ACK_OPEN}.n_clicks": [
        {"id": {"type": "ack-open", **pick(targets["awaiting_omar"])}, "property": "n_clicks", "value": 1}]},
        changed=json.dumps({"type": "ack-open", **pick(targets["awaiting_omar"])}, sort_keys=True,
                           separators=(",", ":")) + ".n_clicks")
    assert opened.status_code == 403
    assert counts(demo_db) == before


def test_a_peer_worker_acknowledges_only_their_own_signed_sessions(
        demo_client: FlaskClient, demo_db: Database, targets: dict[str, Any]) -> None:
    login(demo_client, "peer", "demo")
    before = counts(demo_db)
    assert "not found among the sessions you attended" in response_text(
        acknowledge(demo_client, pick(targets["not_omars"])))
    assert "not found among the sessions you attended" in response_text(acknowledge(demo_client, {"session": []}))
    assert "keep it under 280" in response_text(
        acknowledge(demo_client, pick(targets["awaiting_omar"]), "x" * 300))
    assert "comment must be text" in response_text(
        acknowledge(demo_client, pick(targets["awaiting_omar"]), {"x": 1}))
    assert counts(demo_db) == before
    assert "the session is acknowledged" in response_text(
        acknowledge(demo_client, pick(targets["awaiting_omar"]), "Thanks, useful."))
    signed, acks, amendments, events = before
    assert counts(demo_db) == (signed, acks + 1, amendments, events + 1)
    assert "already acknowledged" in response_text(acknowledge(demo_client, pick(targets["awaiting_omar"])))
    assert counts(demo_db) == (signed, acks + 1, amendments, events + 1)


def amend(client: FlaskClient, target: dict[str, Any], attendees: list[int], reason: Any, minutes: int) -> str:
    return response_text(fire(client, "session-save", {"session-save.n_clicks": 1}, {
        "session-date.value": target["held_on"].isoformat(), "session-minutes.value": minutes,
        "session-format.value": target["format"], "session-kind.value": target["kind"],
        "session-modality.value": target["modality"], "session-attendees.value": attendees,
        "session-topics.selectedRows": [], "session-note.value": "", "workspace-version.data": 0,
        "session-editing.data": editing(target), "session-reason.value": reason}))


def test_amending_a_signed_session_needs_a_reason_and_asks_for_acknowledgement_again(
        demo_client: FlaskClient, demo_db: Database, targets: dict[str, Any]) -> None:
    target = targets["own_signed"]
    with demo_db.session() as s:
        attendees = sorted(s.scalars(select(SessionAttendee.worker_id)
                                     .where(SessionAttendee.session_id == target["session"])))
    login(demo_client, "supervisor", "demo")
    # the Sign-off reason field shows for the signed session, not for an unsigned one or another's
    for store, hidden in ((editing(target), False), (editing(targets["own_unsigned"]), True),
                          (editing(targets["foreign_unsigned"]), True), (None, True)):
        shown = json.loads(response_text(fire(demo_client, "session-editing", {"session-editing.data": store})))
        assert shown["response"]["session-reason-wrap"]["hidden"] is hidden
    before = counts(demo_db)
    minutes = target["minutes"] + 5 if target["minutes"] <= 470 else target["minutes"] - 5
    assert "say why you are amending" in amend(demo_client, target, attendees, "", minutes)
    assert "keep it under 500" in amend(demo_client, target, attendees, "r" * 501, minutes)
    assert counts(demo_db) == before
    assert "Session updated" in amend(demo_client, target, attendees, "Minutes corrected.", minutes)
    signed, acks, amendments, events = before
    assert counts(demo_db) == (signed, acks, amendments + 1, events + 1)
    with demo_db.session() as s:
        row = s.get(SupervisionSession, target["session"])
        amendment = s.scalars(select(SessionAmendment).where(SessionAmendment.session_id == row.id)
                              .order_by(SessionAmendment.id.desc()).limit(1)).one()
        current_acks = s.scalar(select(func.count()).where(SessionAcknowledgement.session_id == row.id,
                                                         SessionAcknowledgement.session_version == row.version))
    assert row is not None and row.minutes == minutes and row.version == target["version"] + 1
    assert amendment.previous["minutes"] == target["minutes"] and amendment.reason == "Minutes corrected."
    assert current_acks == 0  # asked again
    # a signed session is not deleted
    deleted = fire(demo_client, "session-delete", {"session-delete.n_clicks": 1},
                   {"session-editing.data": {"id": row.id, "version": row.version},
                    "workspace-version.data": 0})
    assert "cannot be deleted" in response_text(deleted)
    assert counts(demo_db) == (signed, acks, amendments + 1, events + 1)


def grid(client: FlaskClient, state: Any = "all", flagged: Any = False) -> tuple[list[dict[str, Any]], str]:
    body = json.loads(response_text(fire(client, "signoff-state", {
        "signoff-state.value": state, "signoff-from.value": "2026-08-01", "signoff-to.value": "2026-10-31",
        "signoff-flagged.value": flagged})))["response"]
    return body["signoff-grid"]["rowData"], body["signoff-count"]["children"]


def test_the_signoff_page_by_role_and_state(demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "peer", "demo")
    assert fire(demo_client, "signoff-state", {"signoff-state.value": "all"}).status_code == 403
    login(demo_client, "supervisor", "demo")
    own, _ = grid(demo_client)
    assert own and {r["supervisor"] for r in own} == {"Maria Johnson"}
    login(demo_client, "quality", "demo")
    everything, note = grid(demo_client)
    assert len({r["supervisor"] for r in everything}) > 5 and note.startswith(f"{len(everything)} sessions held")
    by_state = {state: grid(demo_client, state)[0] for state in ("unsigned", "signed", "acknowledged")}
    assert sum(len(rows) for rows in by_state.values()) == len(everything)
    assert {r["state"] for r in by_state["unsigned"]} == {"Unsigned"}
    assert {r["state"] for r in by_state["acknowledged"]} == {"Acknowledged"}
    assert grid(demo_client, "'; drop table x")[0] == everything  # an unknown state filters nothing
    flagged, _ = grid(demo_client, "all", True)
    assert flagged and all(r["flag"] for r in flagged)


@pytest.mark.parametrize(("user", "reason_field", "signoff_page"), [
    ("supervisor", 200, 200), ("peer", 403, 403), ("leader", 403, 200), ("quality", 403, 200), ("admin", 403, 200)])
def test_who_may_call_the_reason_field_and_the_signoff_page(demo_client: FlaskClient, demo_db: Database,
                                                            targets: dict[str, Any], user: str, reason_field: int,
                                                            signoff_page: int) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    assert fire(demo_client, "session-editing",
                {"session-editing.data": editing(targets["own_signed"])}).status_code == reason_field
    assert fire(demo_client, "signoff-state", {"signoff-state.value": "unsigned"}).status_code == signoff_page
    assert counts(demo_db) == before
