"""The password rule, the start-up setup link for the first administrator, the command line's account commands, and
fuzzing the Accounts page's create and edit callbacks: saved whole or refused whole, never an error."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dash import Dash
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import callbacks.accounts as page
from dashboard.accounts import first_admin_link, setup_link_user, use_setup_link
from dashboard.cli import cli
from dashboard.db import Database
from dashboard.passwords import MAX_LENGTH, common_passwords, password_problem
from layouts.accounts import METHOD_OPTIONS
from models import AuditEvent, SetupLink, Staff, User, utcnow
from tests.callback_calls import fired, signed_in
from tests.conftest import make_app

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_the_password_rule() -> None:
    assert len(common_passwords()) == 19_640  # Django's list of 20,000, lowercased and deduplicated
    assert password_problem("a" * 11) == "Use at least 12 characters (this one has 11)."
    assert password_problem("plum orchard") is None  # 12 characters, spaces allowed, no composition rules
    assert password_problem("é" * 12) is None  # characters, not bytes
    assert password_problem("x" * MAX_LENGTH) is None
    assert password_problem("x" * (MAX_LENGTH + 1)) == "Use at most 128 characters (this one has 129)."
    for common in ("qwerty123456", "QWERTY123456", "1q2w3e4r5t6y", "123456123456"):
        assert "most common passwords" in (password_problem(common) or ""), common
    assert password_problem("nia.okafor.2026", "Nia.Okafor.2026") == "The password must not be your username."


def test_the_page_offers_the_methods_the_core_knows() -> None:
    from dashboard.accounts import SETUP_METHODS

    assert {o["value"]: o["label"] for o in METHOD_OPTIONS} == SETUP_METHODS


def test_a_first_start_without_an_administrator_gets_a_setup_link(empty_db: Database) -> None:
    with empty_db.session() as s:
        username, token = first_admin_link(s) or ("", "")
    with empty_db.session() as s:
        again = first_admin_link(s)  # a second start (or worker): another link for the same account
        admin = s.scalars(select(User)).one()
        assert (admin.username, admin.role, admin.must_change_password) == ("admin", "admin", True)
        assert again is not None and again[0] == "admin" and again[1] != token
        assert setup_link_user(s, token) is not None and setup_link_user(s, again[1]) is not None
        assert s.scalar(select(func.count()).select_from(SetupLink)) == 2
        assert s.scalars(select(AuditEvent.username)).all() == ["start-up"]
        use_setup_link(s, again[1], "plum orchard lantern", "plum orchard lantern")
    with empty_db.session() as s:
        assert first_admin_link(s) is None  # an administrator has a password: nothing printed, no open page
        assert setup_link_user(s, token) is None  # every link of the account is used up
        expired = s.scalars(select(SetupLink)).first()
        assert expired is not None and expired.expires_at - expired.created_at == timedelta(hours=72)


def test_create_app_prints_the_link_to_the_console(empty_db: Database, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(empty_db, tmp_path, first_admin_link=True)
    printed = capsys.readouterr().err
    token = re.search(r"Open /setup/(\S+) on this server", printed)
    assert token and "within 72 hours" in printed and "'admin'" in printed
    client = app.server.test_client()
    assert client.get(f"/setup/{token.group(1)}").status_code == 200
    assert client.get("/setup/").status_code == 302  # no open setup page: the sign-in page
    app.server.extensions["peerdash.db"].engine.dispose()


def test_the_command_line_uses_the_same_checks(reference_db: Database, tmp_path: Path) -> None:
    env = {"PEERDASH_INSTANCE": str(tmp_path),
           "DATABASE_URL": reference_db.engine.url.render_as_string(hide_password=False)}
    runner = CliRunner()
    short = runner.invoke(cli, ["create-user", "ana", "--role", "quality"], env=env | {"PEERDASH_PASSWORD": "short"})
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    common = runner.invoke(cli, ["create-user", "ana", "--role", "quality"],
                           env=env | {"PEERDASH_PASSWORD": "qwerty123456"})
    assert common.exit_code == 2 and "most common" in common.output
    ok = runner.invoke(cli, ["create-user", "ana", "--role", "admin"],
                       env=env | {"PEERDASH_PASSWORD": "plum orchard lantern"})
    assert ok.exit_code == 0 and "Created ana (admin)." in ok.output
    linked = runner.invoke(cli, ["create-user", "bo", "--role", "leadership", "--setup-link"], env=env)
    assert linked.exit_code == 0 and "/setup/" in linked.output
    temporary = runner.invoke(cli, ["create-user", "cy", "--role", "quality", "--temporary-password"], env=env)
    assert temporary.exit_code == 0 and "Temporary password" in temporary.output
    reset = runner.invoke(cli, ["setup-link", "ana"], env=env)
    assert reset.exit_code == 0 and "/setup/" in reset.output
    assert runner.invoke(cli, ["setup-link", "nobody"], env=env).exit_code == 2
    with reference_db.session() as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.username)).all()
        assert s.scalar(select(User.must_change_password).where(User.username == "ana"))
    assert [action for action, _ in events] == ["create", "create", "create", "reset_password"]
    assert {who for _, who in events} == {f"cli:{__import__('getpass').getuser()}"}


# ---------------------------------------------------------------------------------------------------------------
# Fuzzing the page's callbacks


@pytest.fixture
def accounts_app(reference_db: Database, tmp_path: Path) -> Iterator[tuple[Dash, Database, dict[str, int]]]:
    from dashboard.accounts import create_user

    with reference_db.session() as s:
        staff = {}
        for name, role in (("Sam", "supervisor"), ("Pat", "peer_worker"), ("Lee", "supervisor")):
            record = Staff(full_name=name, role=role, hire_date=date(2024, 1, 1))
            s.add(record)
            s.flush()
            staff[name] = record.id
        create_user(s, "admin", "plum orchard lantern", "admin")
        create_user(s, "lee", "plum orchard lantern", "supervisor", staff_id=staff["Lee"])
    app = make_app(reference_db, tmp_path)
    yield app, reference_db, staff
    app.server.extensions["peerdash.db"].engine.dispose()


def rows(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                     for m in (User, SetupLink, AuditEvent))


anything = st.one_of(st.none(), st.text(max_size=90), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                     st.booleans(), st.lists(st.text(max_size=3), max_size=2),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
ROLES = ["admin", "leadership", "quality", "supervisor", "peer_worker"]


def plausible(staff: dict[str, int]) -> Any:
    return st.fixed_dictionaries({
        "username": st.one_of(st.from_regex(r"[a-z][a-z0-9._-]{0,12}", fullmatch=True), anything),
        "full_name": st.one_of(st.text(max_size=130), anything),
        "role": st.one_of(st.sampled_from(ROLES), anything),
        "staff": st.one_of(st.sampled_from([str(i) for i in staff.values()] + ["", "0", str(2**31)]), anything),
        "method": st.one_of(st.sampled_from(["link", "password"]), anything),
    })


@FUZZ
@given(data=st.data())
@example(data=None)
def test_any_create_form_is_saved_whole_or_refused_whole(accounts_app: tuple[Dash, Database, dict[str, int]],
                                                         data: Any) -> None:
    app, db, staff = accounts_app
    form = data.draw(plausible(staff)) if data is not None else {
        "username": "admin", "full_name": "x", "role": "quality", "staff": None, "method": "link"}
    before = rows(db)
    with signed_in(app, db, "admin"):
        shown, refresh = fired(page.create, 1, form["username"], form["full_name"], form["role"], form["staff"],
                               form["method"], by="accounts-create.n_clicks")
    after = rows(db)
    text = str(shown)
    if refresh == 1:  # saved: one account, one audit event, and a link only for the link method
        assert "Created" in text
        assert after == (before[0] + 1, before[1] + (form["method"] == "link"), before[2] + 1)
    else:
        assert "Nothing was saved" in text and after == before


@FUZZ
@given(data=st.data())
def test_any_edit_is_saved_whole_or_refused_whole(accounts_app: tuple[Dash, Database, dict[str, int]],
                                                  data: Any) -> None:
    app, db, staff = accounts_app
    with db.session() as s:
        lee = s.scalars(select(User).where(User.username == "lee")).one()
        opened = {"id": lee.id, "version": lee.version, "staff": lee.staff_id}
    editing = data.draw(st.one_of(st.just(opened), st.just(opened | {"version": opened["version"] - 1}),
                                  st.fixed_dictionaries({"id": anything, "version": anything}), anything))
    form = data.draw(plausible(staff))
    before = rows(db)
    with db.session() as s:
        values_before = s.execute(select(User.full_name, User.role, User.staff_id, User.version)
                                  .where(User.username == "lee")).one()
    with signed_in(app, db, "admin"):
        shown, refresh, *_ = fired(page.save_changes, 1, editing, form["full_name"], form["role"], form["staff"],
                                   by="accounts-save.n_clicks")
    with db.session() as s:
        values_after = s.execute(select(User.full_name, User.role, User.staff_id, User.version)
                                 .where(User.username == "lee")).one()
    if isinstance(refresh, str):  # saved (the refresh store moves with the version)
        assert "Saved" in str(shown)
        changed = tuple(values_after)[:3] != tuple(values_before)[:3]
        assert rows(db) == (before[0], before[1], before[2] + changed)
        assert values_after.version == values_before.version + changed
    else:
        assert tuple(values_after) == tuple(values_before) and rows(db) == before


def test_a_setup_link_cannot_be_used_twice_or_after_its_time(accounts_app: tuple[Dash, Database, dict[str, int]]
                                                             ) -> None:
    _app, db, _staff = accounts_app
    from dashboard.accounts import AccountError, issue_setup_link

    with db.session() as s:
        lee = s.scalars(select(User).where(User.username == "lee")).one()
        token, _ = issue_setup_link(s, lee, None, utcnow() - timedelta(hours=73))
    with db.session() as s, pytest.raises(AccountError, match="older than 72 hours"):
        use_setup_link(s, token, "plum orchard lantern", "plum orchard lantern")
