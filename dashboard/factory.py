"""create_app(): the one place where config, database, auth, pages and callbacks are wired together."""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import dash
from dash import Dash
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import callbacks
from dashboard import (agency_settings, auth, callback_payloads, dates, delivery, exports, outage, security,
                       supervision_log)
from dashboard.config import Config
from dashboard.db import EXTENSION_KEY, Database, connect, is_empty, session_scope, upgrade
from dashboard.pages import Page, check_pages
from layouts import shell
from layouts.data_import import MAX_UPLOAD_BYTES

log = logging.getLogger(__name__)
# Dash's default page, plus the document language that screen readers need.
INDEX_HTML = """<!DOCTYPE html>
<html lang="en">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""


class PeerDash(Dash):
    """Dash, with the page's scripts as delivery chooses (its polyfill left out)."""

    def interpolate_index(self, **kwargs: Any) -> str:
        kwargs["scripts"] = delivery.without_polyfill(kwargs["scripts"])
        return super().interpolate_index(**kwargs)


def create_app(config: Config | None = None) -> Dash:
    config = config or Config.from_env()
    pages = check_pages()  # before anything is built: a page cannot half-exist
    server = Flask(__name__, instance_path=str(config.instance_path))
    server.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        TESTING=config.testing,
        **delivery.COMPRESSION,  # read when Dash's compress=True builds Flask-Compress
    )
    if config.proxy_count:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=config.proxy_count, x_proto=config.proxy_count)  # type: ignore[method-assign]

    db = connect(config.database_url)
    prepare_database(db, seed_demo=config.seed_demo)
    if config.first_admin_link:
        announce_first_admin(db)
    server.extensions[EXTENSION_KEY] = db
    # Before the sign-in guard, which reads form bodies: the cap must be in place before anything parses one.
    security.init_body_limits(server, config.max_request_bytes, upload_request_bytes(MAX_UPLOAD_BYTES),
                              may_upload=lambda: (viewer := auth.current_viewer()) is not None
                              and viewer.may_use("import"))
    auth.init_app(server, config)
    dates.init_app(server, stored_date_format)
    exports.init_app(server)
    supervision_log.init_app(server, config)
    outage.init_app(server, callbacks.FORM_FEEDBACK)

    app = PeerDash(
        __name__, server=server, use_pages=True, pages_folder="", assets_folder=str(delivery.ASSETS),
        # Vendored files (the app needs no internet) are named here, with their hash, rather than picked up
        # from assets/ (assets_ignore matches file names only, so the folder is left out by path: it had loaded
        # Bootstrap twice). Dash's graphs find window.Plotly and never fetch its full 4.8 MB plotly.min.js.
        assets_path_ignore=["^vendor$"], external_stylesheets=[delivery.vendored_url(delivery.BOOTSTRAP_CSS)],
        external_scripts=[delivery.vendored_url(delivery.PLOTLY_JS)], serve_locally=True, compress=True,
        title="Peer Supervision Oversight", update_title=None,
        # Page bodies differ by role, so no single validation layout exists; a unit test checks
        # instead that every callback id is in some page layout.
        suppress_callback_exceptions=True,
    )
    app.index_string = INDEX_HTML
    register_pages(pages)
    app.layout = lambda: shell.layout(auth.current_viewer(), auth.csrf_token())
    register_callbacks(app, pages)
    security.init_headers(server, app.csp_hashes, production=config.production)
    delivery.init_caching(server)
    # Dash sets itself up on a process's first request (walks assets/, registers the files it may serve) and not
    # thread-safely: a second thread arriving meanwhile found no file registered and got a 500 ("dash is not a
    # registered library") under gunicorn --threads. So one request now, before gunicorn forks the workers.
    server.test_client().get("/assets/app.css").close()
    db.engine.dispose()  # gunicorn --preload forks after this: each worker opens its own connections
    return app


def stored_date_format() -> str:
    with session_scope() as session:
        return agency_settings.stored_date_format(session)


def upload_request_bytes(file_bytes: int) -> int:
    """The upload callback's body: the file as a base64 data URL (4/3 of its size) plus the other inputs."""
    return file_bytes * 4 // 3 + 1024 * 1024


def prepare_database(db: Database, seed_demo: bool) -> None:
    """Apply migrations; an empty database gets the reference data, and the demo agency unless in production."""
    upgrade(db)
    if not is_empty(db):
        return
    with db.session() as session:
        if seed_demo:
            from seed_data.demo import seed_demo_agency

            log.warning("empty database: seeding the demo agency (demo logins, password 'demo')")
            seed_demo_agency(session, end_date=date.today())
        else:
            from dashboard.reference import load_reference_data

            load_reference_data(session)


def announce_first_admin(db: Database) -> None:
    """No administrator with a password yet: print a one-time setup link to the console (never an open setup
    page). Each start prints a new one while nobody has used one; each is valid for 72 hours."""
    from dashboard.accounts import SETUP_LINK_HOURS, first_admin_link

    with db.session() as session:
        found = first_admin_link(session)
    if found:
        username, token = found
        print(f"No administrator has a password yet. Open /setup/{token} on this server (for example "
              f"http://127.0.0.1:8050/setup/{token}) within {SETUP_LINK_HOURS} hours to choose the password of "
              f"the account {username!r}; or run: python -m dashboard.cli create-user NAME --role admin",
              file=sys.stderr, flush=True)


def restricted(page: Page) -> Callable[..., Any]:
    """A page body shown only to roles that may use the page; others get a plain notice."""
    body = page.load_layout()

    def guarded(**query: str) -> Any:
        viewer = auth.current_viewer()
        if viewer is None or not viewer.may_use(page.key):
            return shell.forbidden(page.label)
        return body(**query)

    return guarded


def register_pages(pages: Sequence[Page]) -> None:
    for order, page in enumerate(pages):
        dash.register_page(page.key, path=page.path, name=page.label, order=order,
                           title=f"{page.label} · Peer Supervision Oversight", layout=restricted(page))
    # Dash shows the page registered under this module name for an address no page has: inside the shell, with a
    # way back, instead of Dash's bare "404".
    dash.register_page("not_found_404", path="/404", name="Page not found", title="Page not found · Peer "
                       "Supervision Oversight", layout=shell.not_found)


def register_callbacks(app: Dash, pages: Sequence[Page]) -> None:
    # Every callback request is checked for shape first: a malformed one is a 400, not a 500 inside Dash.
    callback_payloads.init_app(app)
    callbacks.register_shell(app)
    registered: list[Callable[[Dash], None]] = []
    for page in pages:
        register = page.load_callbacks()
        if register is not None and register not in registered:
            register(app)
            registered.append(register)
    callbacks.register_date_fields(app)
