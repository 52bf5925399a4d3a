"""Login, logout, the throttle on failed logins, and the deny-by-default guard over every route."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, Request, Response, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers.response import Response as WerkzeugResponse

from dashboard.accounts import authenticate, rotate_session_token
from dashboard.config import Config
from dashboard.db import session_scope
from models import LoginAttempt, User, utcnow

# Reachable without logging in: the login form itself and static files (styles, JS bundles).
PUBLIC_PREFIXES = ("/login", "/assets/", "/_dash-component-suites/", "/_favicon.ico", "/static/")

ROLE_LABELS = {"admin": "Administrator", "leadership": "Leadership", "quality": "Quality & compliance",
               "supervisor": "Supervisor", "peer_worker": "Peer worker"}


@dataclass(frozen=True)
class Section:
    key: str
    path: str
    label: str
    roles: frozenset[str]


ALL_ROLES = frozenset(ROLE_LABELS)
SECTIONS = (
    # Supervisors see Overview restricted to their own teams (enforced in the query layer).
    Section("overview", "/overview", "Overview", frozenset({"leadership", "quality", "admin", "supervisor"})),
    Section("my_team", "/my-team", "My team", frozenset({"supervisor"})),
    Section("my_record", "/my-record", "My record", frozenset({"peer_worker"})),
    # Supervisors see (and export) compliance for their own teams only (scope_for, in the query layer).
    Section("compliance", "/compliance", "Compliance", frozenset({"quality", "admin", "leadership", "supervisor"})),
    Section("resources", "/resources", "Resources", ALL_ROLES),
    Section("standards", "/standards", "Standards", frozenset({"admin", "quality"})),
    Section("import", "/import", "Import", frozenset({"quality", "admin"})),
    Section("audit", "/audit-log", "Audit log", frozenset({"quality", "admin"})),
)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: taken from the server-side session, never from a request payload."""

    user_id: int
    username: str
    full_name: str
    role: str
    staff_id: int | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def sections(self) -> tuple[Section, ...]:
        return tuple(s for s in SECTIONS if self.role in s.roles)

    def may_use(self, section_key: str) -> bool:
        return any(s.key == section_key for s in self.sections())


class LoginUser:
    """What flask-login keeps for the request: a detached copy of the account, no live ORM object."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.viewer = Viewer(user.id, user.username, user.full_name, user.role, user.staff_id)
        self._token = user.session_token

    def get_id(self) -> str:
        return self._token


def current_viewer() -> Viewer | None:
    return current_user.viewer if current_user.is_authenticated else None


def init_app(server: Flask, config: Config) -> None:
    manager = LoginManager(server)
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(token: str) -> LoginUser | None:
        with session_scope() as db:
            user = db.scalar(select(User).where(User.session_token == token, User.is_active))
            return LoginUser(user) if user else None

    @manager.request_loader
    def load_from_basic_auth(req: Request) -> LoginUser | None:
        """Exports only: a username and password sent with the request (HTTP Basic, as Excel's and BI tools'
        "From Web" send them), so a stable export address refreshes with the person's own login. Throttled and
        recorded like the login form; nothing is kept in a session."""
        credentials = req.authorization
        if not req.path.startswith("/export/") or credentials is None or credentials.type != "basic":
            return None
        username = (credentials.username or "").strip().lower()[:80]
        address = (req.remote_addr or "unknown")[:64]
        with session_scope() as db:
            if not username or throttle_minutes(db, username, address, config):
                return None
            user = authenticate(db, username, credentials.password or "")
            db.add(LoginAttempt(username=username, address=address, succeeded=user is not None))
            return LoginUser(user) if user else None

    @server.before_request
    def deny_by_default() -> Response | WerkzeugResponse | tuple[str, int] | None:
        path = request.path
        if path.startswith(PUBLIC_PREFIXES):
            return None
        if current_user.is_authenticated:
            if path == "/":
                return redirect(current_user.viewer.sections()[0].path)
            return None
        if path.startswith("/export/"):
            return Response("Not logged in\n", 401, {"WWW-Authenticate": 'Basic realm="Peer Supervision Oversight '
                                                                          'exports", charset="UTF-8"'})
        if path.startswith("/_dash-"):
            return "Not logged in", 401
        return redirect(url_for("login", next=request.full_path if request.query_string else path))

    @server.route("/login", methods=["GET", "POST"])
    def login() -> str | WerkzeugResponse | tuple[str, int]:
        next_path = safe_next(request.values.get("next", ""))
        if request.method == "GET":
            return render_template("login.html", error=None, username="", next=next_path)
        username = request.form.get("username", "").strip().lower()[:80]
        password = request.form.get("password", "")
        address = (request.remote_addr or "unknown")[:64]
        with session_scope() as db:
            wait = throttle_minutes(db, username, address, config)
            if wait:
                return render_template("login.html", error=(
                    f"Too many failed sign-in attempts. Try again in {wait} minute{'s' * (wait > 1)}."),
                    username=username, next=next_path), 429
            user = authenticate(db, username, password) if username and password else None
            db.add(LoginAttempt(username=username, address=address, succeeded=user is not None))
            if user is None:
                error = "Enter your username and password." if not (username and password) else \
                    "That username and password do not match an active account."
                return render_template("login.html", error=error, username=username, next=next_path), 401
            login_as = LoginUser(user)
        session.clear()  # a new session at login: nothing set before it (a planted id) survives
        login_user(login_as)
        session["nonce"] = secrets.token_urlsafe(16)
        return redirect(next_path or "/")

    @server.route("/logout", methods=["GET", "POST"])
    def logout() -> WerkzeugResponse:
        if current_user.is_authenticated:
            with session_scope() as db:
                user = db.get(User, current_user.viewer.user_id)
                if user is not None:
                    rotate_session_token(user)  # a copied cookie stops working too
        logout_user()
        session.clear()
        return redirect(url_for("login"))


def throttle_minutes(db: Session, username: str, address: str, config: Config) -> int:
    """Minutes until another attempt is allowed, 0 if allowed now.

    Counts failures in the window per account (since its last success) and per address.
    """
    now = utcnow()
    window = timedelta(minutes=config.login_window_minutes)
    last_success = db.scalar(select(func.max(LoginAttempt.attempted_at)).where(
        LoginAttempt.username == username, LoginAttempt.succeeded))
    since = max(now - window, last_success) if last_success else now - window
    waits = []
    for condition, start in ((LoginAttempt.username == username, since),
                             (LoginAttempt.address == address, now - window)):
        # Allowed again once fewer than the maximum remain in the window, i.e. when the
        # max-th most recent failure leaves it.
        pivot = db.scalar(select(LoginAttempt.attempted_at)
                          .where(condition, ~LoginAttempt.succeeded, LoginAttempt.attempted_at >= start)
                          .order_by(LoginAttempt.attempted_at.desc())
                          .offset(config.login_max_failures - 1).limit(1))
        if pivot is not None:
            waits.append(max(1, -(-int((pivot + window - now).total_seconds()) // 60)))
    return max(waits, default=0)


def safe_next(target: str) -> str:
    """Only a path on this site: an absolute or scheme-relative address would be an open redirect."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    if target.startswith(("/login", "/logout", "/_dash-")):
        return ""
    return target
