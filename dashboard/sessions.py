"""Sign-in sessions kept on the server: one record per sign-in, idle and absolute limits, ending them."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from dashboard.config import Config
from models import User, UserSession, utcnow

# last_seen_at is written at most this often, so an active user costs one write a minute, not one per request.
LAST_SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_config(cls, config: Config) -> SessionLimits:
        return cls(timedelta(minutes=config.session_idle_minutes), timedelta(hours=config.session_lifetime_hours))

    def expired(self, record: UserSession, now: datetime) -> bool:
        return now - record.last_seen_at > self.idle or now - record.created_at > self.lifetime


@dataclass(frozen=True)
class SessionInfo:
    """One open session as its owner sees it."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    address: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, user: User, user_agent: str, address: str) -> str:
    """Start a session for this sign-in; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.add(UserSession(token_hash=_hash(token), user_id=user.id, user_agent=user_agent[:200], address=address[:64]))
    return token


def resume_session(db: Session, token: str, limits: SessionLimits) -> tuple[User, int] | None:
    """The active user and session id behind a cookie's token, or None when the session is unknown, ended,
    idle too long or past its lifetime (then it is ended here)."""
    record = db.scalar(select(UserSession).where(UserSession.token_hash == _hash(token),
                                                 UserSession.ended_at.is_(None)))
    if record is None:
        return None
    now = utcnow()
    user = db.get(User, record.user_id)
    if user is None or not user.is_active or limits.expired(record, now):
        record.ended_at = now
        return None
    if now - record.last_seen_at >= LAST_SEEN_EVERY:
        record.last_seen_at = now
    return user, record.id


def open_sessions(db: Session, user_id: int, limits: SessionLimits) -> list[SessionInfo]:
    """A user's sessions that are still usable, newest first."""
    now = utcnow()
    records = db.scalars(select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                         .order_by(UserSession.created_at.desc(), UserSession.id.desc())).all()
    return [SessionInfo(r.id, r.created_at, r.last_seen_at, r.user_agent, r.address)
            for r in records if not limits.expired(r, now)]


def end_session(db: Session, user_id: int, session_id: int) -> bool:
    """End one of a user's sessions (only their own); False when there was no such open session."""
    return bool(cast(CursorResult[Any], db.execute(update(UserSession).where(
        UserSession.id == session_id, UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow()))).rowcount)


def end_all_sessions(db: Session, user_id: int) -> int:
    """End every open session of a user (an admin's action, or a password change); returns how many."""
    return cast(CursorResult[Any], db.execute(
        update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow()))).rowcount
