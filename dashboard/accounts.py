"""Creating and checking user accounts; passwords are stored only as scrypt hashes."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import STAFF_LINKED_ROLES, USER_ROLES, Staff, User

MIN_PASSWORD_LENGTH = 8
# Checked against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """A request to create an account that cannot be honoured; the message says why."""


def create_user(session: Session, username: str, password: str, role: str, full_name: str | None = None,
                staff_id: int | None = None, allow_short_password: bool = False) -> User:
    username = username.strip().lower()
    if not username:
        raise AccountError("username is required")
    if role not in USER_ROLES:
        raise AccountError(f"role must be one of: {', '.join(USER_ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH and not allow_short_password:
        raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User.id).where(User.username == username)):
        raise AccountError(f"username {username!r} is taken")
    if (role in STAFF_LINKED_ROLES) != (staff_id is not None):
        raise AccountError("supervisor and peer_worker accounts need a staff record; other roles have none")
    if staff_id is not None:
        staff = session.get(Staff, staff_id)
        if staff is None:
            raise AccountError(f"no staff record with id {staff_id}")
        if staff.role != role:
            raise AccountError(f"staff record {staff_id} is a {staff.role}, not a {role}")
        full_name = full_name or staff.full_name
    user = User(username=username, full_name=full_name or username, role=role, staff_id=staff_id,
                password_hash=generate_password_hash(password, method="scrypt"))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (in constant-ish time)."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user
