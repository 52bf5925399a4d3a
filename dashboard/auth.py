"""Sign-in, sign-out, My account, setup links, the sessions page, CSRF tokens for plain forms, and the
deny-by-default guard (which keeps a person who must choose a password on My account)."""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Request, Response, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.wrappers.response import Response as WerkzeugResponse

from dashboard import throttle
from dashboard.accounts import AccountError, authenticate, change_own_password, setup_link_user, use_setup_link
from dashboard.config import Config
from dashboard.db import session_scope
from dashboard.pages import PAGES, Page
from dashboard.passwords import MAX_LENGTH, MIN_LENGTH, RULE_TEXT
from dashboard.sessions import SessionLimits, end_session, open_session, open_sessions, resume_session
from models import User
from models.vocabulary import Role, labels

# Reachable without logging in: the login form itself and static files (styles, JS bundles).
PUBLIC_PREFIXES = ("/login", "/assets/", "/_dash-component-suites/", "/_favicon.ico", "/static/")
# ... and, exactly, the supervision log's verification page (dashboard/supervision_log.py; throttled), which a
# certification board uses without an account.
PUBLIC_PATHS = frozenset({"/verify"})
# Plain HTML forms carry this field; Dash callbacks are JSON POSTs (a cross-site page cannot send JSON without
# a CORS preflight, and the SameSite=Lax cookie is not sent on cross-site POSTs), so they need none.
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSIONS_PAGE = "/account/sessions"
ACCOUNT_PAGE = "/account"
SETUP_RULE = "/setup/<token>"  # public: the random token is the credential
# All a person who must choose a password may reach (besides the public paths): My account and signing out.
BEFORE_NEW_PASSWORD = frozenset({ACCOUNT_PAGE, "/logout"})

ROLE_LABELS = labels(Role)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: taken from the server-side session, never from a request payload."""

    user_id: int
    username: str
    full_name: str
    role: str
    staff_id: int | None
    must_change_password: bool = False  # a new account or an administrator's reset: only My account until changed

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def pages(self) -> tuple[Page, ...]:
        """The pages this viewer's role may use, in navbar order."""
        return tuple(page for page in PAGES if self.role in page.roles)

    def may_use(self, page_key: str) -> bool:
        return any(page.key == page_key for page in self.pages())


class LoginUser:
    """What flask-login keeps for the request: a detached copy of the account and its session, no live ORM object.

    The cookie carries only the session's random token (flask-login's user id); HTTP Basic exports have none."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User, session_token: str = "", session_id: int | None = None) -> None:
        self.viewer = Viewer(user.id, user.username, user.full_name, user.role, user.staff_id,
                             user.must_change_password)
        self.session_token = session_token
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_token


def current_viewer() -> Viewer | None:
    return current_user.viewer if current_user.is_authenticated else None


def csrf_token() -> str:
    """The token this browser's plain forms must send back; one per Flask session, new at every sign-in."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_valid(req: Request) -> bool:
    sent = req.form.get(CSRF_FIELD, "")
    expected = session.get("csrf", "")
    return bool(sent and expected) and hmac.compare_digest(sent.encode(), expected.encode())


def client_address(req: Request) -> str:
    """The client's address as the WSGI server (or ProxyFix, when PEERDASH_PROXY_COUNT is set) reports it."""
    return (req.remote_addr or "unknown")[:64]


def init_app(server: Flask, config: Config) -> None:
    manager = LoginManager(server)
    manager.session_protection = "basic"
    limits = SessionLimits.from_config(config)

    @manager.user_loader
    def load_user(token: str) -> LoginUser | None:
        with session_scope() as db:
            found = resume_session(db, token, limits)
            return LoginUser(found[0], token, found[1]) if found else None

    @manager.request_loader
    def load_from_basic_auth(req: Request) -> LoginUser | None:
        """Exports only: a username and password sent with the request (HTTP Basic, as Excel's and BI tools'
        "From Web" send them), so a stable export address refreshes with the person's own login. Throttled like
        the login form (failures recorded; a success is not, so it resets nothing); nothing is kept in a session."""
        credentials = req.authorization
        if not req.path.startswith("/export/") or credentials is None or credentials.type != "basic":
            return None
        username = (credentials.username or "").strip().lower()[:80]
        address = client_address(req)
        with session_scope() as db:
            if not username or throttle.wait_minutes(db, username, address, config):
                return None
            user = authenticate(db, username, credentials.password or "")
            if user is None:
                throttle.record(db, username, address, False, config)
                return None
            return LoginUser(user)

    @server.before_request
    def deny_by_default() -> Response | WerkzeugResponse | tuple[str, int] | None:
        path = request.path
        if request.method not in SAFE_METHODS and not path.startswith("/_dash-") and not csrf_valid(request):
            if path == "/login":
                return login_page("This sign-in form had expired. Please sign in again.", 400)
            return "The form had expired or came from another site. Go back, reload the page and try again.", 400
        if path.startswith(PUBLIC_PREFIXES) or path in PUBLIC_PATHS or (
                request.url_rule is not None and request.url_rule.rule == SETUP_RULE):
            return None  # a setup link's own route only: "/setup/" alone is no open page
        if current_user.is_authenticated:
            if current_user.viewer.must_change_password and path not in BEFORE_NEW_PASSWORD:
                if path.startswith(("/_dash-", "/export/")):
                    return "Choose a new password on My account first.", 403
                return redirect(ACCOUNT_PAGE)
            if path == "/":
                return redirect(current_user.viewer.pages()[0].path)
            return None
        if path.startswith("/export/"):
            return Response("Not logged in\n", 401, {"WWW-Authenticate": 'Basic realm="Peer Supervision Oversight '
                                                                          'exports", charset="UTF-8"'})
        if path.startswith("/_dash-"):
            return "Not logged in", 401
        return redirect(url_for("login", next=request.full_path if request.query_string else path))

    def login_page(error: str | None, status: int = 200, username: str = "", notice: str = "") -> tuple[str, int]:
        return render_template("login.html", error=error, username=username, csrf_token=csrf_token(),
                               next=safe_next(request.values.get("next", "")), notice=notice), status

    @server.route("/login", methods=["GET", "POST"])
    def login() -> tuple[str, int] | WerkzeugResponse:
        if request.method == "GET":
            # dashboard/assets/session.js sends a page whose callbacks got 401 here with expired=1.
            return login_page(None, notice=EXPIRED_NOTICE if request.args.get("expired") == "1" else "")
        username = request.form.get("username", "").strip().lower()[:80]
        password = request.form.get("password", "")
        address = client_address(request)
        with session_scope() as db:
            wait = throttle.wait_minutes(db, username, address, config)
            if wait:
                return login_page(f"Too many failed sign-in attempts. Try again in {wait} minute{'s' * (wait > 1)}.",
                                  429, username)
            user = authenticate(db, username, password) if username and password else None
            throttle.record(db, username, address, user is not None, config)
            if user is None:
                return login_page("Enter your username and password." if not (username and password) else
                                  "That username and password do not match an active account.", 401, username)
            token = open_session(db, user, request.user_agent.string, address)
            login_as = LoginUser(user, token)
        next_path = safe_next(request.form.get("next", ""))
        session.clear()  # a new session at login: nothing set before it (a planted id, an old token) survives
        login_user(login_as)
        csrf_token()
        return redirect(ACCOUNT_PAGE if login_as.viewer.must_change_password else next_path or "/")

    @server.route("/logout", methods=["GET", "POST"])
    def logout() -> WerkzeugResponse:
        if request.method == "GET":  # signing out changes state: only a form with the token may do it
            return redirect(SESSIONS_PAGE)
        if current_user.is_authenticated and current_user.session_id is not None:
            with session_scope() as db:
                end_session(db, current_user.viewer.user_id, current_user.session_id)
        logout_user()
        session.clear()
        return redirect(url_for("login"))

    @server.route(SESSIONS_PAGE)
    def sessions_page() -> str:
        with session_scope() as db:
            rows = open_sessions(db, current_user.viewer.user_id, limits)
        return render_template("sessions.html", viewer=current_user.viewer, sessions=rows,
                               current_id=current_user.session_id, csrf_token=csrf_token(),
                               idle_minutes=config.session_idle_minutes, lifetime_hours=config.session_lifetime_hours)

    @server.route(f"{SESSIONS_PAGE}/<int:session_id>/end", methods=["POST"])
    def end_one_session(session_id: int) -> WerkzeugResponse:
        with session_scope() as db:
            end_session(db, current_user.viewer.user_id, session_id)
        if session_id == current_user.session_id:
            logout_user()
            session.clear()
            return redirect(url_for("login"))
        return redirect(SESSIONS_PAGE)


    def account_page(errors: dict[str, str] | None = None, status: int = 200, done: bool = False
                     ) -> tuple[str, int]:
        return render_template("account.html", viewer=current_user.viewer, errors=errors or {}, done=done,
                               csrf_token=csrf_token(), rule=RULE_TEXT, min_length=MIN_LENGTH,
                               max_length=MAX_LENGTH), status

    @server.route(ACCOUNT_PAGE, methods=["GET", "POST"])
    def my_account() -> tuple[str, int]:
        """Every user's own page: change the password (after the current one); other sessions then end."""
        if request.method == "GET":
            return account_page()
        viewer = current_user.viewer
        address = client_address(request)
        with session_scope() as db:
            wait = throttle.wait_minutes(db, viewer.username, address, config)
        if wait:
            return account_page({"current": f"Too many wrong passwords. Try again in {wait} minute"
                                            f"{'s' * (wait > 1)}."}, 429)
        try:
            with session_scope() as db:
                change_own_password(db, viewer.user_id, request.form.get("current", ""),
                                    request.form.get("password", ""), request.form.get("confirm", ""),
                                    current_user.session_id, address)
        except AccountError as error:
            errors = error.by_field()
            if "current" in errors:  # a wrong current password counts as a failed sign-in
                with session_scope() as db:
                    throttle.record(db, viewer.username, address, False, config)
            return account_page(errors, 400)
        current_user.viewer = Viewer(viewer.user_id, viewer.username, viewer.full_name, viewer.role,
                                     viewer.staff_id, False)
        return account_page(done=True)

    def setup_page(token: str, username: str | None, errors: dict[str, str] | None = None,
                   status: int = 200) -> tuple[str, int]:
        return render_template("setup.html", username=username, errors=errors or {}, token=token,
                               csrf_token=csrf_token(), rule=RULE_TEXT, min_length=MIN_LENGTH,
                               max_length=MAX_LENGTH), status

    @server.route(SETUP_RULE, methods=["GET", "POST"])
    def setup_link(token: str) -> tuple[str, int] | WerkzeugResponse:
        """A one-time setup link: choose a password, then sign in with it (no session is opened here)."""
        with session_scope() as db:
            user = setup_link_user(db, token)
            username = user.username if user else None
        if username is None:
            return setup_page(token, None, status=404)
        if request.method == "GET":
            return setup_page(token, username)
        try:
            with session_scope() as db:
                use_setup_link(db, token, request.form.get("password", ""), request.form.get("confirm", ""),
                               client_address(request))
        except AccountError as error:
            return setup_page(token, username, error.by_field(), 400)
        if current_user.is_authenticated:  # someone else signed in on this browser: not any more
            logout_user()
        session.clear()
        return login_page(None, 200, username, notice="Your password is set. Sign in with it.")


EXPIRED_NOTICE = "You were signed out (your session ended). Sign in again to go back to the page you were on."


def safe_next(target: str) -> str:
    """Only a path on this site: an absolute or scheme-relative address would be an open redirect, a control
    character a broken header, and a backslash is read by browsers as a slash ("/\\evil.example")."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    if target.startswith(("/login", "/logout", "/_dash-")):
        return ""
    return target
