"""python -m dashboard.cli: init-db, create-user, setup-link, end-sessions, load-demo, generate, load-framework,
import, verify-log."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from dashboard.config import Config
from dashboard.db import Database, connect, is_empty, upgrade
from dashboard.errors import ConfigError
from dashboard.importers import DATE_ORDERS, KINDS, run_import
from models.vocabulary import Role


@contextmanager
def database() -> Iterator[tuple[Config, Database]]:
    config = Config.from_env()
    db = connect(config.database_url)
    upgrade(db)
    try:
        yield config, db
    finally:
        db.engine.dispose()


def fail_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Configuration and input errors end the command with one line and exit status 2."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper


@click.group()
def cli() -> None:
    """Peer supervision oversight: database and data commands (DATABASE_URL picks the database)."""


@cli.command("init-db")
@fail_cleanly
def init_db() -> None:
    """Apply migrations; load the framework, guides, scale and standard into an empty database."""
    from dashboard.reference import load_reference_data

    with database() as (_config, db):
        if is_empty(db):
            with db.session() as session:
                load_reference_data(session)
            click.echo("Database created: framework, guides, rating scale and standard loaded.")
        else:
            click.echo("Database is up to date.")


def _cli_actor() -> Any:
    import getpass

    from dashboard.audit import Actor

    return Actor(user_id=None, username=f"cli:{getpass.getuser()}"[:80])


@cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--full-name", default=None, help="Shown in the app; defaults to the staff record's name.")
@click.option("--staff-id", type=int, default=None, help="Staff record (supervisor and peer_worker only).")
@click.option("--setup-link", "method", flag_value="link", default=None,
              help="Print a one-time setup link (72 hours) instead of asking for a password.")
@click.option("--temporary-password", "method", flag_value="password",
              help="Print a temporary password that must be changed at first sign-in.")
@fail_cleanly
def create_user_command(username: str, role: str, full_name: str | None, staff_id: int | None,
                        method: str | None) -> None:
    """Create an account (the Accounts page's checks); the password comes from PEERDASH_PASSWORD or a prompt,
    unless --setup-link or --temporary-password. Audited as cli:<your login>."""
    from dashboard.accounts import AccountError, create_account

    password = None if method else os.environ.get("PEERDASH_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    with database() as (_config, db):
        try:
            with db.session() as session:
                user, secret = create_account(session, _cli_actor(), username, role, full_name, staff_id,
                                              password=password, method=method)
                click.echo(f"Created {user.username} ({user.role}).")
        except AccountError as exc:
            raise ConfigError(str(exc)) from None
    if secret is not None:
        _echo_secret(secret)


def _echo_secret(secret: Any) -> None:
    if secret.method == "link":
        click.echo(f"One-time setup link (until {secret.expires_at:%Y-%m-%d %H:%M} UTC): open /setup/{secret.value} "
                   "on the dashboard's address, e.g. http://127.0.0.1:8050/setup/" + secret.value)
    else:
        click.echo(f"Temporary password (to be changed at first sign-in): {secret.value}")


@cli.command("setup-link")
@click.argument("username")
@fail_cleanly
def setup_link_command(username: str) -> None:
    """Reset an account's password: print a new one-time setup link (its sessions end; audited)."""
    from sqlalchemy import select

    from dashboard.accounts import SETUP_LINK, AccountError, reset_password
    from models import User

    with database() as (_config, db):
        try:
            with db.session() as session:
                user = session.scalar(select(User).where(User.username == username.strip().lower()))
                if user is None:
                    raise ConfigError(f"no account named {username!r}")
                secret = reset_password(session, _cli_actor(), user.id, user.version, SETUP_LINK)
        except AccountError as exc:
            raise ConfigError(str(exc)) from None
    _echo_secret(secret)


@cli.command("end-sessions")
@click.argument("username")
@fail_cleanly
def end_sessions_command(username: str) -> None:
    """Sign a user out everywhere: end every open session of the account (as the Accounts page does; audited)."""
    from sqlalchemy import select

    from dashboard.accounts import AccountError, end_sessions
    from models import User

    with database() as (_config, db):
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise ConfigError(f"no account named {username!r}")
            try:
                _user, ended = end_sessions(session, _cli_actor(), user.id, user.version)
            except AccountError as exc:
                raise ConfigError(str(exc)) from None
        click.echo(f"Ended {ended} session{'s' * (ended != 1)} of {username}.")


@cli.command("load-demo")
@click.option("--end-date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day of the demo history (default today).")
@fail_cleanly
def load_demo(end_date: Any) -> None:
    """Load the demo agency and its demo-only accounts into an empty database (never in production)."""
    from seed_data.demo import seed_demo_agency

    with database() as (config, db):
        if config.production:
            raise ConfigError("refusing to load demo accounts in production (PEERDASH_ENV=production)")
        if not is_empty(db):
            raise ConfigError("the database is not empty; the demo agency goes into an empty database")
        with db.session() as session:
            counts = seed_demo_agency(session, end_date=end_date.date() if end_date else date.today())
        _summary(counts)


@cli.command("generate")
@click.option("--scale", type=click.Choice(["demo", "agency", "state"]), default="agency", show_default=True)
@click.option("--end-date", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default today.")
@click.option("--seed", type=int, default=2015, show_default=True)
@fail_cleanly
def generate_command(scale: str, end_date: Any, seed: int) -> None:
    """Generate benchmark data (no accounts) into an empty database: agency = 2,000 workers × 60 months."""
    from seed_data import demo
    from sqlalchemy import text

    from dashboard.reference import load_reference_data

    chosen = {"demo": demo.DEMO, "agency": demo.AGENCY, "state": demo.STATE}[scale]
    with database() as (_config, db):
        if not is_empty(db):
            raise ConfigError("the database is not empty; generate into a fresh DATABASE_URL")
        started = time.monotonic()
        with db.session() as session:
            load_reference_data(session)
            counts = demo.generate(session, end_date=end_date.date() if end_date else date.today(),
                                   scale=chosen, seed=seed, progress=_progress_printer(started))
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does some time after a bulk load (if it is on): until then the visibility map is empty,
            # and the index-only scans of a window's sessions (migration 0020) read the table anyway.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM (ANALYZE)"))
        click.echo(f"\nDone in {time.monotonic() - started:,.1f} s.")
        _summary(counts)


@cli.command("load-framework")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--activate/--no-activate", default=True, show_default=True)
@fail_cleanly
def load_framework_command(path: Path, activate: bool) -> None:
    """Load a framework file (JSON, see seed_data/frameworks/) as a new version; audited, as on the Framework page."""
    from dashboard import framework_admin

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror})") from None
    actor = _cli_actor()
    with database() as (_config, db):
        with db.session() as session:
            loaded, said = framework_admin.load_file(session, actor, str(path), data)
            click.echo(said)
            if activate:
                click.echo(framework_admin.activate(session, actor, loaded))


@cli.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--commit", is_flag=True, help="Write the changes (default: a dry run that writes nothing).")
@click.option("--date-order", type=click.Choice(list(DATE_ORDERS)), default="iso", show_default=True,
              help="How to read dates like 03/04/2026 (iso refuses them).")
@fail_cleanly
def import_command(kind: str, path: Path, commit: bool, date_order: str) -> None:
    """Check a CSV file (see the templates on the Import page) and, with --commit, import it all or nothing."""
    actor = _cli_actor()
    with database() as (_config, db):
        with db.session() as session:
            report = run_import(session, kind, path.read_bytes(), file_name=path.name, actor=actor,
                                today=date.today(), commit=commit, date_order=date_order)
    for warning in report.warnings:
        click.echo(f"{path.name}: warning: {warning}", err=True)
    for error in report.errors:
        where = f"row {error.row}" if error.row else "file"
        column = f", column {error.column}" if error.column else ""
        value = f" ({error.value!r})" if error.value else ""
        click.echo(f"{path.name}: {where}{column}{value}: {error.message}", err=True)
    if report.error_count > len(report.errors):
        click.echo(f"... and {report.error_count - len(report.errors):,} more problems", err=True)
    counts = ", ".join(f"{action} {n:,}" for action, n in sorted(report.counts.items())) or "nothing"
    rows = f"{report.rows:,} row{'s' * (report.rows != 1)}"
    if not report.ok:
        click.echo(f"Refused: {report.error_count:,} problem{'s' * (report.error_count != 1)} in "
                   f"{report.rows:,} row{'s' * (report.rows != 1)}; nothing was written.",
                   err=True)
        sys.exit(1)
    if report.committed:
        click.echo(f"Imported {rows}: {counts}.")
    elif commit:
        click.echo(f"Nothing to change ({rows}: {counts}).")
    else:
        click.echo(f"Dry run, nothing written. {rows} would give: {counts}. "
                   "Add --commit to import.")


def _progress_printer(started: float) -> Callable[[str, int], None]:
    def show(step: str, rows: int) -> None:
        click.echo(f"\r  {step:<28} {rows:>12,} rows   {time.monotonic() - started:8.1f} s", nl=False)
    return show


def _summary(counts: dict[str, int]) -> None:
    width = max(map(len, counts), default=10)
    click.echo("Wrote:")
    for table, rows in counts.items():
        click.echo(f"  {table:<{width}} {rows:>12,}")



@cli.command("verify-log")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fail_cleanly
def verify_log(code: str, file: Path) -> None:
    """Whether FILE is exactly the supervision log generated under CODE (exit status 0) or not (1)."""
    from dashboard.audit import Actor, record
    from dashboard.supervision_log import MATCH, NO_MATCH, normalise_code, verify

    with database() as (_config, db), db.session() as session:
        matched = verify(session, code, file.read_bytes())
        record(session, Actor(None, "cli"), "verify", "supervision_log", None,
               new={"code": normalise_code(code), "matched": matched})
    click.echo(MATCH if matched else NO_MATCH)
    sys.exit(0 if matched else 1)

if __name__ == "__main__":
    cli()
