"""Sign-off of supervision sessions: each attendee's acknowledgement (with their optional answers about the
supervision), and every amendment of a signed session."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

ACK_COMMENT_LIMIT = 280


class SessionAcknowledgement(Base):
    """An attendee's acknowledgement of one version of a signed session (an amendment makes a new version, so the
    earlier acknowledgements stay, for the record, but no longer count)."""

    __tablename__ = "session_acknowledgements"
    __table_args__ = (UniqueConstraint("session_id", "worker_id", "session_version"),
                      Index("ix_session_acknowledgements_worker", "worker_id", "session_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("supervision_sessions.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    session_version: Mapped[int] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str | None] = mapped_column(String(ACK_COMMENT_LIMIT))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SessionAmendment(Base):
    """A change to a signed session: who, when, why, and the session as it was before (readable beside it)."""

    __tablename__ = "session_amendments"
    __table_args__ = (Index("ix_session_amendments_session", "session_id", "amended_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("supervision_sessions.id", ondelete="CASCADE"))
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    # The earlier version: date, minutes, format, kind, modality, note, attendee and competency ids, its version
    # number and when it had been signed.
    previous: Mapped[dict[str, Any]] = mapped_column(JSON)


class SupervisionFeedback(Base):
    """One answer of a peer worker about a session they acknowledged (dashboard/voice.py's questions, 1-4). Never
    shown one by one: only shares over enough respondents (queries/voice.py)."""

    __tablename__ = "supervision_feedback"
    __table_args__ = (UniqueConstraint("session_id", "worker_id", "session_version", "question"),
                      CheckConstraint("answer BETWEEN 1 AND 4", name="answer_range"),
                      Index("ix_supervision_feedback_answered", "answered_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("supervision_sessions.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    session_version: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(30))
    answer: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
