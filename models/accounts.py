"""User accounts, their roles, setup links and sign-in sessions, and the login attempts the throttle counts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow
from models.vocabulary import Role, values

USER_ROLES = values(Role)
STAFF_LINKED_ROLES = values((Role.SUPERVISOR, Role.PEER_WORKER))


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set for a new account and after an administrator's reset: the app shows only "My account" until the
    # person chooses their own password (through a setup link or after signing in with a temporary one).
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Optimistic locking, as for supervision sessions: two administrators editing one account at once cannot
    # overwrite each other (the second save is refused). Sign-ins do not touch this row, so they never conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class SetupLink(Base):
    """A one-time link to choose a password: the link carries a random token, only its SHA-256 is kept here.

    Valid until expires_at; choosing a password through any of an account's links ends all of them, and an
    administrator issuing a new link ends the older ones."""

    __tablename__ = "setup_links"
    __table_args__ = (Index("ix_setup_links_user_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Base):
    """One sign-in: the cookie carries a random token whose SHA-256 is kept here, never the token itself."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_ended_at", "user_id", "ended_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """Kept in the database so the throttle survives restarts and is shared by gunicorn workers.

    Failures of the login form and of HTTP Basic, and successes of the login form only (a success resets its
    account-and-address pair; a Basic export's success must not). Rows older than the throttle looks back are
    purged."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_address_at", "username", "address", "attempted_at"),
        Index("ix_login_attempts_address_at", "address", "attempted_at"),
        Index("ix_login_attempts_attempted_at", "attempted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)
