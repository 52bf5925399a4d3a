"""User accounts: create, edit, deactivate, reset and set passwords, one-time setup links; the Accounts page, My
account and the command line all call these. Passwords are stored only as scrypt hashes, setup links only as
SHA-256; every change is audited (never with a hash)."""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.audit import Actor, record
from dashboard.passwords import password_problem
from dashboard.sessions import end_all_sessions
from models import STAFF_LINKED_ROLES, USER_ROLES, SetupLink, Staff, User, UserSession, utcnow
from models.vocabulary import Role, labels

SETUP_LINK_HOURS = 72
SETUP_LINK = "link"
TEMPORARY_PASSWORD = "password"
SETUP_METHODS = {SETUP_LINK: f"One-time setup link (valid {SETUP_LINK_HOURS} hours)",
                 TEMPORARY_PASSWORD: "Temporary password (to be changed at first sign-in)"}
STATUSES = {"active": "Active", "pending": "Waiting for a password", "inactive": "Deactivated"}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,79}")
MAX_NAME = 120
STALE = "Someone else changed this account since you opened it. Close it, open it again and redo your change."
ROLE_LABELS = labels(Role)
# Checked against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
# No ambiguous characters (0/O, 1/l/I): a temporary password is read off a screen and typed in.
_TEMPORARY_ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679"


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the form field it is about: username, full_name, role, staff, password, confirm, current, form
    message: str


class AccountError(ValueError):
    """A refused account change; nothing was written. Each problem names its field."""

    def __init__(self, problems: Sequence[FieldProblem] | str, field: str = "form") -> None:
        self.problems = (FieldProblem(field, problems),) if isinstance(problems, str) else tuple(problems)
        super().__init__(" ".join(p.message for p in self.problems))

    def by_field(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for problem in self.problems:
            found[problem.field] = f"{found[problem.field]} {problem.message}" if problem.field in found \
                else problem.message
        return found


@dataclass(frozen=True)
class AccountRow:
    """One account as the Accounts page lists it."""

    id: int
    username: str
    full_name: str
    role: str
    staff_id: int | None
    staff_name: str | None
    is_active: bool
    must_change_password: bool
    created_at: datetime
    last_sign_in: datetime | None
    version: int

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def status(self) -> str:
        return "inactive" if not self.is_active else "pending" if self.must_change_password else "active"


@dataclass(frozen=True)
class Secret:
    """What the administrator hands over, shown once: a setup link's token or a temporary password."""

    user_id: int
    username: str
    method: str
    value: str
    expires_at: datetime | None  # a setup link's end; a temporary password lasts until it is changed


# ---------------------------------------------------------------------------------------------------------------
# Reading


def list_accounts(session: Session, search: str = "", role: str | None = None, status: str | None = None
                  ) -> list[AccountRow]:
    """Accounts matching a search (username or name, any case), a role and a status, by username."""
    last = (select(UserSession.user_id, func.max(UserSession.created_at).label("last"))
            .group_by(UserSession.user_id).subquery())
    query = (select(User, Staff.full_name, last.c.last).outerjoin(Staff, Staff.id == User.staff_id)
             .outerjoin(last, last.c.user_id == User.id).order_by(User.username))
    text = search.strip().lower()[:80]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(func.lower(User.username).like(pattern, escape="\\")
                            | func.lower(User.full_name).like(pattern, escape="\\"))
    if role in USER_ROLES:
        query = query.where(User.role == role)
    if status == "inactive":
        query = query.where(User.is_active.is_(False))
    elif status == "pending":
        query = query.where(User.is_active.is_(True), User.must_change_password.is_(True))
    elif status == "active":
        query = query.where(User.is_active.is_(True), User.must_change_password.is_(False))
    return [AccountRow(u.id, u.username, u.full_name, u.role, u.staff_id, staff_name, u.is_active,
                       u.must_change_password, u.created_at, last_sign_in, u.version)
            for u, staff_name, last_sign_in in session.execute(query)]


def account(session: Session, user_id: int) -> AccountRow | None:
    return next((row for row in list_accounts(session) if row.id == user_id), None)


def staff_choices(session: Session, role: str, today: date, keep: int | None = None) -> list[tuple[int, str]]:
    """Staff records an account of this role may act for: that role, not yet left, no account of their own
    (keep: the record the account already has)."""
    if role not in STAFF_LINKED_ROLES:
        return []
    linked = select(User.staff_id).where(User.staff_id.is_not(None), User.staff_id != (keep or 0))
    rows = session.execute(select(Staff.id, Staff.full_name, Staff.employee_code)
                           .where(Staff.role == role, Staff.id.not_in(linked),
                                  (Staff.left_on.is_(None)) | (Staff.left_on > today))
                           .order_by(Staff.full_name, Staff.id))
    return [(sid, f"{name} ({code})" if code else name) for sid, name, code in rows]


# ---------------------------------------------------------------------------------------------------------------
# Checks shared by every way in


def _staff_problems(session: Session, role: str, staff_id: int | None, user_id: int | None) -> list[FieldProblem]:
    if role not in USER_ROLES:
        return [FieldProblem("role", "Choose a role from the list.")]
    if role not in STAFF_LINKED_ROLES:
        return [] if staff_id is None else [
            FieldProblem("staff", f"Only supervisor and peer worker accounts have a staff record, not "
                                  f"{ROLE_LABELS[role].lower()} accounts.")]
    if staff_id is None:
        return [FieldProblem("staff", f"A {ROLE_LABELS[role].lower()} account acts for a staff record: choose "
                                      "one.")]
    staff = session.get(Staff, staff_id)
    if staff is None:
        return [FieldProblem("staff", "That staff record does not exist.")]
    if staff.role != role:
        return [FieldProblem("staff", f"{staff.full_name} is a {ROLE_LABELS[staff.role].lower()}, not a "
                                      f"{ROLE_LABELS[role].lower()}.")]
    holder = session.scalar(select(User.username).where(User.staff_id == staff_id, User.id != (user_id or 0)))
    if holder is not None:
        return [FieldProblem("staff", f"{staff.full_name} already has an account ({holder}).")]
    return []


def _name_problems(full_name: str) -> list[FieldProblem]:
    if len(full_name) > MAX_NAME:
        return [FieldProblem("full_name", f"The name is longer than {MAX_NAME} characters.")]
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in full_name):
        return [FieldProblem("full_name", "The name contains a control character.")]
    return []


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _temporary_password() -> str:
    return "-".join("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))


def _unusable_hash() -> str:
    """A hash of a random secret nobody holds: the account cannot sign in until a password is chosen."""
    return generate_password_hash(secrets.token_urlsafe(32), method="scrypt")


def _values(user: User) -> dict[str, object]:
    """What the audit log keeps of an account: never its password hash."""
    return {"username": user.username, "full_name": user.full_name, "role": user.role, "staff_id": user.staff_id,
            "is_active": user.is_active, "must_change_password": user.must_change_password}


def _flush(session: Session) -> None:
    """Flush; an UPDATE carrying "AND version = <opened>" that matched no row is a concurrent edit, not a fault."""
    try:
        session.flush()
    except StaleDataError:
        raise AccountError(STALE) from None


def _opened(session: Session, user_id: object, expected_version: object) -> User:
    """The account at the version the administrator opened, or AccountError."""
    user = session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if user is None:
        raise AccountError("That account does not exist.")
    if expected_version != user.version:
        raise AccountError(STALE)
    return user


def _last_admin_problem(session: Session, user: User) -> str | None:
    """Would taking this account out of the active admins leave none? The active admins' rows are locked in id
    order first (PostgreSQL), so two administrators removing each other at once cannot both succeed."""
    if user.role != Role.ADMIN or not user.is_active:
        return None
    admins = session.scalars(select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
                             .order_by(User.id).with_for_update()).all()
    if [i for i in admins if i != user.id]:
        return None
    return "This is the last active administrator account; make another account an administrator first."


# ---------------------------------------------------------------------------------------------------------------
# Writing


def create_account(session: Session, actor: Actor | None, username: str, role: str, full_name: str | None = None,
                   staff_id: int | None = None, password: str | None = None, method: str | None = None,
                   now: datetime | None = None, allow_short_password: bool = False) -> tuple[User, Secret | None]:
    """Create an account with its role (and, for supervisors and peer workers, its staff record).

    With a password (the command line), the account is ready; with method SETUP_LINK or TEMPORARY_PASSWORD the
    returned Secret is shown once and the person must choose their own password before anything else. Every field
    is checked before anything is written; the audit event names the actor (None: seeding, not audited)."""
    now = now or utcnow()
    username = username.strip().lower() if isinstance(username, str) else ""
    full_name = (full_name or "").strip()
    problems: list[FieldProblem] = []
    if not username:
        problems.append(FieldProblem("username", "Enter a username."))
    elif not USERNAME.fullmatch(username):
        problems.append(FieldProblem("username", "A username is 1 to 80 letters, digits and . _ - @, starting "
                                                 "with a letter or digit."))
    elif session.scalar(select(User.id).where(User.username == username)):
        problems.append(FieldProblem("username", f"The username {username} is taken."))
    problems += _name_problems(full_name)
    problems += _staff_problems(session, role, staff_id, None)
    if password is None and method not in SETUP_METHODS:
        problems.append(FieldProblem("method", "Choose how the person gets their first password."))
    if password is not None and not allow_short_password:
        problem = password_problem(password, username)
        if problem:
            problems.append(FieldProblem("password", problem))
    if problems:
        raise AccountError(problems)
    if not full_name and staff_id is not None:
        full_name = session.get(Staff, staff_id).full_name  # type: ignore[union-attr]  # checked just above
    secret_value = _temporary_password() if password is None and method == TEMPORARY_PASSWORD else None
    chosen = password if password is not None else secret_value
    user = User(username=username, full_name=full_name or username, role=role, staff_id=staff_id,
                password_hash=generate_password_hash(chosen, method="scrypt") if chosen else _unusable_hash(),
                must_change_password=password is None)
    session.add(user)
    session.flush()
    secret = None
    if method == SETUP_LINK and password is None:
        token, expires = issue_setup_link(session, user, actor.user_id if actor else None, now)
        secret = Secret(user.id, user.username, SETUP_LINK, token, expires)
    elif secret_value is not None:
        secret = Secret(user.id, user.username, TEMPORARY_PASSWORD, secret_value, None)
    if actor is not None:
        record(session, actor, "create", "user", user.id, None,
               _values(user) | ({"first_password": method} if secret else {}))
    return user, secret


def create_user(session: Session, username: str, password: str, role: str, full_name: str | None = None,
                staff_id: int | None = None, allow_short_password: bool = False, actor: Actor | None = None) -> User:
    """An account with a known password (the command line, the demo seed, tests)."""
    return create_account(session, actor, username, role, full_name, staff_id, password=password,
                          allow_short_password=allow_short_password)[0]


def issue_setup_link(session: Session, user: User, created_by_id: int | None, now: datetime,
                     end_others: bool = True) -> tuple[str, datetime]:
    """A new one-time link for this account; returns its token (kept only hashed) and its end. end_others: the
    account's earlier unused links stop working (an administrator re-issuing one)."""
    if end_others:
        session.execute(update(SetupLink).where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
                        .values(used_at=now))
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=SETUP_LINK_HOURS)
    session.add(SetupLink(token_hash=_hash(token), user_id=user.id, created_by_id=created_by_id, created_at=now,
                          expires_at=expires))
    session.flush()
    return token, expires


def update_account(session: Session, actor: Actor, user_id: object, expected_version: object, full_name: str,
                   role: str, staff_id: int | None) -> User:
    """Change an account's name, role and staff record. An administrator cannot remove their own admin role, nor
    the last active administrator's."""
    user = _opened(session, user_id, expected_version)
    full_name = full_name.strip() if isinstance(full_name, str) else ""
    problems = _name_problems(full_name) if full_name else [FieldProblem("full_name", "Enter the person's name.")]
    problems += _staff_problems(session, role, staff_id, user.id)
    if user.role == Role.ADMIN and role != Role.ADMIN:
        if user.id == actor.user_id:
            problems.append(FieldProblem("role", "You cannot remove your own administrator role; another "
                                                 "administrator can."))
        elif problem := _last_admin_problem(session, user):
            problems.append(FieldProblem("role", problem))
    if problems:
        raise AccountError(problems)
    old = _values(user)
    user.full_name, user.role, user.staff_id = full_name, role, staff_id
    new = _values(user)
    if new == old:
        return user
    _flush(session)
    changed = [k for k in new if new[k] != old[k]]
    record(session, actor, "update", "user", user.id, {k: old[k] for k in changed} | {"version": expected_version},
           {k: new[k] for k in changed} | {"version": user.version})
    return user


def set_active(session: Session, actor: Actor, user_id: object, expected_version: object, active: bool) -> User:
    """Deactivate (its open sessions end now; any still in use is refused at its next request) or reactivate."""
    user = _opened(session, user_id, expected_version)
    if user.is_active == active:
        return user
    if not active:
        if user.id == actor.user_id:
            raise AccountError("You cannot deactivate your own account.")
        if problem := _last_admin_problem(session, user):
            raise AccountError(problem)
    user.is_active = active
    _flush(session)
    if not active:
        end_all_sessions(session, user.id)
        session.execute(update(SetupLink).where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
                        .values(used_at=utcnow()))
    record(session, actor, "reactivate" if active else "deactivate", "user", user.id,
           {"is_active": not active, "version": expected_version}, {"is_active": active, "version": user.version})
    return user


def end_sessions(session: Session, actor: Actor, user_id: object, expected_version: object) -> tuple[User, int]:
    """Sign an account out everywhere: every open session of it ends now (e.g. a lost phone). Audited with how
    many ended; the account itself is unchanged. Not one's own: that would end the session asking."""
    user = _opened(session, user_id, expected_version)
    if user.id == actor.user_id:
        raise AccountError("You cannot sign yourself out everywhere from here: sign out, or change your password on "
                           "My account.")
    ended = end_all_sessions(session, user.id)
    record(session, actor, "end_sessions", "user", user.id, {"open_sessions": ended}, {"open_sessions": 0})
    return user, ended


def reset_password(session: Session, actor: Actor, user_id: object, expected_version: object, method: str,
                   now: datetime | None = None) -> Secret:
    """A new setup link or temporary password for someone else's account; their sessions end and they must
    choose a password before anything else."""
    now = now or utcnow()
    user = _opened(session, user_id, expected_version)
    if method not in SETUP_METHODS:
        raise AccountError("Choose a setup link or a temporary password.", "method")
    if user.id == actor.user_id:
        raise AccountError("Change your own password on My account.")
    if not user.is_active:
        raise AccountError("Reactivate the account first.")
    old = {"must_change_password": user.must_change_password, "version": expected_version}
    value = _temporary_password() if method == TEMPORARY_PASSWORD else None
    user.password_hash = generate_password_hash(value, method="scrypt") if value else _unusable_hash()
    user.must_change_password = True
    _flush(session)
    end_all_sessions(session, user.id)
    if value is None:
        value, expires = issue_setup_link(session, user, actor.user_id, now)
    else:
        session.execute(update(SetupLink).where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
                        .values(used_at=now))
        expires = None
    record(session, actor, "reset_password", "user", user.id, old,
           {"must_change_password": True, "first_password": method, "version": user.version})
    return Secret(user.id, user.username, method, value, expires)


def _new_password_problems(password: object, confirm: object, username: str) -> list[FieldProblem]:
    if not isinstance(password, str) or not password:
        return [FieldProblem("password", "Enter a new password.")]
    if problem := password_problem(password, username):
        return [FieldProblem("password", problem)]
    if password != confirm:
        return [FieldProblem("confirm", "The two new passwords differ; type the same one twice.")]
    return []


def _set_password(session: Session, user: User, password: str, actor: Actor, how: str) -> None:
    old = {"must_change_password": user.must_change_password}
    user.password_hash = generate_password_hash(password, method="scrypt")
    user.must_change_password = False
    _flush(session)
    session.execute(update(SetupLink).where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
                    .values(used_at=utcnow()))
    record(session, actor, "change_password", "user", user.id, old,
           {"must_change_password": False, "how": how, "version": user.version})


def change_own_password(session: Session, user_id: int, current: object, password: object, confirm: object,
                        keep_session_id: int | None, address: str | None = None) -> None:
    """My account: the signed-in person's new password, after their current one. Their other sessions end."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise AccountError("Your account is not active.")
    problems: list[FieldProblem] = []
    if not isinstance(current, str) or not check_password_hash(user.password_hash, current):
        problems.append(FieldProblem("current", "That is not your current password."))
    problems += _new_password_problems(password, confirm, user.username)
    if not problems and password == current:
        problems.append(FieldProblem("password", "Choose a password different from your current one."))
    if problems:
        raise AccountError(problems)
    assert isinstance(password, str)
    _set_password(session, user, password, Actor(user.id, user.username, address), "my account")
    session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                              UserSession.id != (keep_session_id or 0)).values(ended_at=utcnow()))


def setup_link_user(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active account a setup link is for, while the link is unused and unexpired."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    now = now or utcnow()
    return session.scalar(select(User).join(SetupLink, SetupLink.user_id == User.id)
                          .where(SetupLink.token_hash == _hash(token), SetupLink.used_at.is_(None),
                                 SetupLink.expires_at > now, User.is_active.is_(True)))


def use_setup_link(session: Session, token: str, password: object, confirm: object, address: str | None = None,
                   now: datetime | None = None) -> User:
    """Choose a password through a setup link; the link (and every other of the account's) is then used up."""
    user = setup_link_user(session, token, now)
    if user is None:
        raise AccountError("This setup link is not valid: it was used, replaced, or is older than "
                           f"{SETUP_LINK_HOURS} hours. Ask an administrator for a new one.", "link")
    problems = _new_password_problems(password, confirm, user.username)
    if problems:
        raise AccountError(problems)
    assert isinstance(password, str)
    _set_password(session, user, password, Actor(user.id, user.username, address), "setup link")
    end_all_sessions(session, user.id)
    return user


def first_admin_link(session: Session, now: datetime | None = None) -> tuple[str, str] | None:
    """At start-up: when no active administrator has a password of their own yet, a setup link for one
    (the account "admin", created here if there is no administrator waiting for a password). Returns (username,
    token), or None when an administrator exists. Earlier start-up links stay valid: with several workers
    starting at once, each prints its own."""
    now = now or utcnow()
    ready = session.scalar(select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True),
                                                 User.must_change_password.is_(False)).limit(1))
    if ready is not None:
        return None
    user = session.scalar(select(User).where(User.role == Role.ADMIN, User.is_active.is_(True))
                          .order_by(User.id).limit(1))
    if user is None:
        taken = set(session.scalars(select(User.username).where(User.username.like("admin%"))))
        username = next(name for name in ("admin", *(f"admin{n}" for n in range(2, 1000))) if name not in taken)
        user, secret = create_account(session, Actor(None, "start-up"), username, Role.ADMIN, "Administrator",
                                      method=SETUP_LINK, now=now)
        assert secret is not None
        return user.username, secret.value
    token, _expires = issue_setup_link(session, user, None, now, end_others=False)
    return user.username, token


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (in constant-ish time)."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user
