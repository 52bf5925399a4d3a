"""Signing and acknowledging supervision sessions: who may, what is written, and the audit event, in one place.

A supervisor signs a session they ran (a deliberate action, timed); each attendee then acknowledges that version
from My record, with an optional short comment. Amending a signed session (dashboard/recording.save_session) keeps
the earlier version and asks for the acknowledgements again. Every function raises Rejected with the reason, having
written nothing, or flushes its change with its audit event into the caller's transaction.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.audit import record
from dashboard.recording import MAX_ID, STALE_VERSION, Problem, Rejected, Writer, _flush_or_stale, _own_session
from dashboard.voice import parse_answers
from models import SessionAcknowledgement, SessionAttendee, SupervisionFeedback, SupervisionSession
from models.base import utcnow
from models.signoff import ACK_COMMENT_LIMIT
from models.vocabulary import Role

NOT_YOURS = "That session was not found among your sessions."
ALREADY_SIGNED = "This session is already signed."
NOT_ATTENDED = "That session was not found among the sessions you attended."
NOT_SIGNED_YET = "Your supervisor has not signed this session yet; it can be acknowledged once it is signed."
ALREADY_ACKNOWLEDGED = "You have already acknowledged this version of the session."


def sign_session(session: Session, writer: Writer, session_id: object, expected_version: object) -> int:
    """The supervisor signs their own session at the version they were shown; returns the signed version."""
    if writer.role != Role.SUPERVISOR:
        raise Rejected([Problem("session", "Only the supervisor who ran a session signs it.")])
    row = _own_session(session, writer, session_id, expected_version)
    if row.signed_at is not None:
        raise Rejected([Problem("session", ALREADY_SIGNED)])
    row.signed_at, row.signed_by_id = utcnow(), writer.actor.user_id
    _flush_or_stale(session)
    record(session, writer.actor, "sign", "supervision_session", row.id, {"signed_at": None},
           {"signed_at": row.signed_at, "version": row.version})
    return row.version


def comment_text(raw: object) -> str | None:
    """An acknowledgement's optional comment: text of at most ACK_COMMENT_LIMIT characters, or None."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Rejected([Problem("comment", "The comment must be text.")])
    text = raw.strip()
    if len(text) > ACK_COMMENT_LIMIT:
        raise Rejected([Problem("comment", f"The comment is {len(text)} characters; keep it under "
                                           f"{ACK_COMMENT_LIMIT}.")])
    return text or None


def acknowledge_session(session: Session, writer: Writer, session_id: object, expected_version: object,
                        comment: object = None, answers: object = None) -> int:
    """A peer worker acknowledges the signed version of a session they attended, optionally answering the
    supervisee's-voice questions; returns the acknowledgement's id.

    The version is the one they read: if the session was amended since, they are asked to read it again. The audit
    event records how many questions were answered, never the answers (nobody reads one person's answers)."""
    text = comment_text(comment)
    given = parse_answers(answers)
    if writer.role != Role.PEER_WORKER or writer.staff_id is None:
        raise Rejected([Problem("session", "Only the peer workers who attended a session acknowledge it.")])
    row = session.get(SupervisionSession, session_id) \
        if isinstance(session_id, int) and not isinstance(session_id, bool) and 1 <= session_id <= MAX_ID else None
    attended = row is not None and session.scalar(select(SessionAttendee.worker_id).where(
        SessionAttendee.session_id == row.id, SessionAttendee.worker_id == writer.staff_id)) is not None
    if row is None or not attended:
        raise Rejected([Problem("session", NOT_ATTENDED)])
    if row.signed_at is None:
        raise Rejected([Problem("session", NOT_SIGNED_YET)])
    if expected_version != row.version:
        raise Rejected([Problem("session", STALE_VERSION)])
    done = session.scalar(select(SessionAcknowledgement.id).where(
        SessionAcknowledgement.session_id == row.id, SessionAcknowledgement.worker_id == writer.staff_id,
        SessionAcknowledgement.session_version == row.version))
    if done is not None:
        raise Rejected([Problem("session", ALREADY_ACKNOWLEDGED)])
    ack = SessionAcknowledgement(session_id=row.id, worker_id=writer.staff_id, session_version=row.version,
                                 comment=text, user_id=writer.actor.user_id)
    session.add(ack)
    session.add_all([SupervisionFeedback(session_id=row.id, worker_id=writer.staff_id, session_version=row.version,
                                         question=key, answer=value) for key, value in given.items()])
    session.flush()
    record(session, writer.actor, "acknowledge", "supervision_session", row.id, None,
           {"worker_id": writer.staff_id, "version": row.version, "acknowledged_at": ack.acknowledged_at,
            "comment": text, "questions_answered": len(given)})
    return ack.id
