"""The sign-in throttle: failures counted per account *and* address, with a lockout that doubles."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from dashboard.config import Config
from models import LoginAttempt, utcnow


def wait_minutes(db: Session, username: str, address: str, config: Config) -> int:
    """Minutes until this address may try this account again, 0 if it may now.

    Two limits, each binding only the address that earned it, so a guesser elsewhere can never lock the real
    user out:
    - per account and address: after `login_max_failures` failures since the pair's last successful sign-in
      (and within `login_forget_hours`), the pair waits 1 minute after its latest failure, then 2, 4, 8 ...
      minutes after each further failure, up to `login_lock_max_minutes`;
    - per address, across accounts (one address trying many accounts): `login_address_max_failures` failures
      in `login_window_minutes` lock that address until the oldest of them leaves the window.
    """
    now = utcnow()
    return max(_pair_wait(db, username, address, config, now), _address_wait(db, address, config, now))


def _pair_wait(db: Session, username: str, address: str, config: Config, now: datetime) -> int:
    pair = (LoginAttempt.username == username, LoginAttempt.address == address)
    last_success = db.scalar(select(func.max(LoginAttempt.attempted_at)).where(*pair, LoginAttempt.succeeded))
    since = now - timedelta(hours=config.login_forget_hours)
    if last_success is not None:
        since = max(since, last_success)
    failures, latest = db.execute(select(func.count(), func.max(LoginAttempt.attempted_at)).where(
        *pair, ~LoginAttempt.succeeded, LoginAttempt.attempted_at > since)).one()
    if failures < config.login_max_failures:
        return 0
    lock = min(2 ** min(failures - config.login_max_failures, 30), config.login_lock_max_minutes)
    return _minutes_until(latest + timedelta(minutes=lock), now)


def _address_wait(db: Session, address: str, config: Config, now: datetime) -> int:
    window = timedelta(minutes=config.login_window_minutes)
    # Allowed again once fewer than the maximum remain in the window, i.e. when the max-th most recent
    # failure leaves it.
    pivot = db.scalar(select(LoginAttempt.attempted_at)
                      .where(LoginAttempt.address == address, ~LoginAttempt.succeeded,
                             LoginAttempt.attempted_at >= now - window)
                      .order_by(LoginAttempt.attempted_at.desc())
                      .offset(config.login_address_max_failures - 1).limit(1))
    return 0 if pivot is None else _minutes_until(pivot + window, now)


def _minutes_until(moment: datetime, now: datetime) -> int:
    seconds = (moment - now).total_seconds()
    return 0 if seconds <= 0 else max(1, -(-int(seconds) // 60))


def record(db: Session, username: str, address: str, succeeded: bool, config: Config) -> None:
    """Keep a failure (form or HTTP Basic) or a form sign-in's success, and drop what the throttle no longer reads.

    An HTTP Basic export's success is not recorded: it must not reset the failure count (a tool refreshing
    an export every few minutes would otherwise give a guesser at the same address a fresh start each time).
    """
    db.add(LoginAttempt(username=username, address=address, succeeded=succeeded))
    purge(db, config)


def purge(db: Session, config: Config) -> int:
    """Delete attempts older than either limit looks back; returns how many went."""
    keep = max(timedelta(hours=config.login_forget_hours), timedelta(minutes=config.login_window_minutes))
    return cast(CursorResult[Any],
                db.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < utcnow() - keep))).rowcount
