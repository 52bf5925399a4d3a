"""User accounts, their roles, and the login attempts that the throttle counts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

USER_ROLES = ("admin", "leadership", "quality", "supervisor", "peer_worker")
STAFF_LINKED_ROLES = ("supervisor", "peer_worker")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {USER_ROLES!r}", name="role"),
        # Supervisor and peer-worker accounts act for a staff record; the others never do.
        CheckConstraint(
            f"(role IN {STAFF_LINKED_ROLES!r} AND staff_id IS NOT NULL)"
            f" OR (role NOT IN {STAFF_LINKED_ROLES!r} AND staff_id IS NULL)",
            name="staff_link",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # What the session cookie carries instead of the id; replacing it logs out every session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginAttempt(Base):
    """Kept in the database so the throttle survives restarts and is shared by gunicorn workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "attempted_at"),
        Index("ix_login_attempts_address_at", "address", "attempted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)
