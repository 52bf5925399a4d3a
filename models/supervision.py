"""Supervision sessions with their attendees and topics, competency ratings, and the current-rating table."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Date, FetchedValue, ForeignKey, ForeignKeyConstraint, Index, Integer,
                        String, Text)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow
from models.vocabulary import Modality, RaterRole, SessionFormat, SessionKind, values

SESSION_FORMATS = values(SessionFormat)
SESSION_KINDS = values(SessionKind)
SESSION_MODALITIES = values(Modality)
RATER_ROLES = values(RaterRole)


class SupervisionSession(Base):
    __tablename__ = "supervision_sessions"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_range"),
        CheckConstraint(f"format IN {SESSION_FORMATS!r}", name="format"),
        CheckConstraint(f"kind IN {SESSION_KINDS!r}", name="kind"),
        CheckConstraint(f"modality IN {SESSION_MODALITIES!r}", name="modality"),
        Index("ix_supervision_sessions_supervisor_held", "supervisor_id", "held_on"),
        # Every column a window's sessions are read for, so a range of dates is read from the index alone (0020).
        Index("ix_supervision_sessions_held_covering", "held_on", "id", "format", "minutes", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int]
    format: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    modality: Mapped[str] = mapped_column(String(20))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: an update from a stale copy matches no row and is refused (no lost update).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Sign-off (dashboard/signoff.py): set when the supervisor signs, and again when they save an amendment; a
    # signed session is locked, so any later change is an amendment with a reason (SessionAmendment).
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __mapper_args__ = {"version_id_col": version}


class SessionAttendee(Base):
    """A worker's attendance of a session, with the session's date (held_on) kept beside it by the database."""

    __tablename__ = "session_attendees"
    __table_args__ = (Index("ix_session_attendees_worker", "worker_id", "session_id"),
                      Index("ix_session_attendees_worker_held_on", "worker_id", "held_on"),
                      Index("ix_session_attendees_held_on", "held_on", "worker_id", "session_id"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_sessions.id", ondelete="CASCADE"), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    # Always the session's date: triggers (migration 0009) set it on every insert and update of an attendance and
    # carry a session's new date to its attendances, whoever writes (so it is never written here). It lets a
    # window's attendances be read as a range of an index. Nullable only because SQLite completes the row after
    # the insert; no row stays NULL.
    held_on: Mapped[date | None] = mapped_column(Date, server_default=FetchedValue(),
                                                 server_onupdate=FetchedValue())
    # Read back after a write with a SELECT, never RETURNING: on SQLite the completed row is a second insert made by
    # a trigger, which RETURNING does not see.
    __mapper_args__ = {"eager_defaults": False}


class SessionCompetency(Base):
    """A competency discussed in a session."""

    __tablename__ = "session_competencies"
    __table_args__ = (Index("ix_session_competencies_competency", "competency_id", "session_id"),)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_sessions.id", ondelete="CASCADE"), primary_key=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), primary_key=True)


class CompetencyRating(Base):
    """Every rating ever given; none is overwritten. The level must exist on its scale (composite FK)."""

    __tablename__ = "competency_ratings"
    __table_args__ = (
        CheckConstraint(f"rater_role IN {RATER_ROLES!r}", name="rater_role"),
        CheckConstraint("rater_role <> 'self' OR rater_id = worker_id", name="self_is_worker"),
        ForeignKeyConstraint(["scale_id", "level"], ["rating_levels.scale_id", "rating_levels.level"],
                             name="fk_competency_ratings_level_rating_levels"),
        Index("ix_competency_ratings_latest", "worker_id", "competency_id", "rater_role", "rated_on"),
        Index("ix_competency_ratings_rated_on", "rated_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"))
    scale_id: Mapped[int] = mapped_column(ForeignKey("rating_scales.id"))
    level: Mapped[int]
    rater_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    rater_role: Mapped[str] = mapped_column(String(20))
    rated_on: Mapped[date] = mapped_column(Date)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_sessions.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CurrentRating(Base):
    """The latest rating per worker × competency × rater role, kept in step with competency_ratings.

    Answers "as of today" without scanning the history (see shared performance notes); views of a
    past date read competency_ratings instead.
    """

    __tablename__ = "current_ratings"
    __table_args__ = (Index("ix_current_ratings_competency", "competency_id", "rater_role", "level"),)
    worker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), primary_key=True)
    rater_role: Mapped[str] = mapped_column(String(20), primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("competency_ratings.id"), unique=True)
    level: Mapped[int]
    rated_on: Mapped[date] = mapped_column(Date)
