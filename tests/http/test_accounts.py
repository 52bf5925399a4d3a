"""Accounts over HTTP: only an admin's crafted callbacks change accounts (rows counted before and after), setup
links and temporary passwords lead to My account before anything else, deactivation ends sessions, an admin
cannot remove their own admin role, concurrent edits are refused, and every write is audited without a hash."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.accounts import reset_password, update_account
from dashboard.audit import Actor
from dashboard.db import Database
from models import AuditEvent, SetupLink, Staff, Team, TeamSupervisor, User, UserSession
from tests.http.conftest import PASSWORD, callback, csrf_token, login, logout, texts

NEW_PASSWORD = "plum orchard lantern"
ROSTER = [("my-team-note", "children"), ("my-team-team", "options")]
CREATE = [("accounts-new-message", "children"), ("accounts-refresh", "data")]
AFTER = [("accounts-edit-message", "children"), ("accounts-refresh", "data"), ("accounts-editing", "data"),
         ("accounts-edit-summary", "children"), ("accounts-toggle-active", "children")]


def counts(db: Database) -> tuple[int, ...]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0 for m in (User, SetupLink, AuditEvent))


def new_supervisor(db: Database, name: str = "Nia Okafor") -> int:
    """A supervisor's staff record (of Team A) with no account yet."""
    with db.session() as s:
        staff = Staff(full_name=name, role="supervisor", hire_date=date(2024, 2, 1))
        s.add(staff)
        s.flush()
        team = s.scalar(select(Team.id).where(Team.name == "Team A"))
        s.add(TeamSupervisor(team_id=team, staff_id=staff.id, start_date=date(2024, 2, 1)))
        return staff.id


def create(client: FlaskClient, username: Any, role: Any = "supervisor", staff: Any = None, method: Any = "link",
           name: Any = "") -> Any:
    return callback(client, CREATE, [("accounts-create", "n_clicks", 1)],
                    [("accounts-new-username", "value", username), ("accounts-new-name", "value", name),
                     ("accounts-new-role", "value", role), ("accounts-new-staff", "value", staff),
                     ("accounts-new-method", "value", method)])


def message(response: Any, output: str = "accounts-new-message") -> str:
    assert response.status_code == 200, response.data[:300]
    return " ".join(" ".join(texts(json.loads(response.data)["response"][output]["children"])).split())


def user(db: Database, username: str) -> User:
    with db.session() as s:
        found = s.scalars(select(User).where(User.username == username)).one()
        s.expunge(found)
        return found


def editing(db: Database, username: str) -> dict[str, Any]:
    u = user(db, username)
    return {"id": u.id, "version": u.version, "staff": u.staff_id}


def act(client: FlaskClient, button: str, opened: dict[str, Any], **values: Any) -> Any:
    states = {"accounts-save": [("accounts-edit-name", "value", values.get("name", "Someone")),
                                ("accounts-edit-role", "value", values.get("role", "leadership")),
                                ("accounts-edit-staff", "value", values.get("staff"))],
              "accounts-reset": [("accounts-reset-method", "value", values.get("method", "password"))],
              "accounts-toggle-active": [], "accounts-end-sessions": []}[button]
    # Outputs shared with another callback carry a suffix (allow_duplicate): read it as the browser does.
    deps = json.loads(client.get("/_dash-dependencies").data) if client.get("/_dash-dependencies").status_code == 200 \
        else []
    dep = next((d for d in deps if d["inputs"] and d["inputs"][0]["id"] == button), None)
    output = dep["output"] if dep else ".." + "...".join(f"{i}.{p}" for i, p in AFTER) + ".."
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in output.strip(".").split("...")]
    state = [("accounts-editing", "data", opened), *states]
    return client.post("/_dash-update-component", json={
        "output": output, "outputs": outputs, "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{button}.n_clicks"]})


def test_only_an_admin_reaches_the_accounts_callbacks(client: FlaskClient, people_db: Database) -> None:
    staff = new_supervisor(people_db)
    before = counts(people_db)
    for username in ("leader", "quality", "supervisor", "peer"):
        login(client, username)
        assert create(client, "mallory", staff=staff).status_code == 403
        for button in ("accounts-save", "accounts-reset", "accounts-toggle-active", "accounts-end-sessions"):
            assert act(client, button, editing(people_db, "admin"), role="leadership").status_code == 403
        listing = callback(client, [("accounts-table", "children"), ("accounts-count", "children")],
                           [("accounts-search", "value", ""), ("accounts-role", "value", "all"),
                            ("accounts-status", "value", "all"), ("accounts-refresh", "data", 0)])
        assert listing.status_code == 403
        logout(client)
    assert counts(people_db) == before
    assert user(people_db, "admin").role == "admin" and user(people_db, "admin").is_active
    client.get("/login")
    assert create(client, "mallory", staff=staff).status_code == 401  # signed out


def test_admin_lists_searches_and_filters(client: FlaskClient) -> None:
    login(client, "admin")

    def listed(search: str, role: str = "all", status: str = "all") -> tuple[list[str], str]:
        response = callback(client, [("accounts-table", "children"), ("accounts-count", "children")],
                            [("accounts-search", "value", search), ("accounts-role", "value", role),
                             ("accounts-status", "value", status), ("accounts-refresh", "data", 0)])
        body = json.loads(response.data)["response"]
        rows = [t for t in texts(body["accounts-table"]["children"])]
        return rows, body["accounts-count"]["children"]

    rows, count = listed("")
    assert count == "5 accounts"
    assert [rows[i + 1] for i, t in enumerate(rows) if t == "Edit "] == ["admin", "leader", "peer", "quality",
                                                                         "supervisor"]
    assert listed("SAM")[1] == "1 account"  # the name Sam Supervisor, any case
    assert listed("", role="peer_worker")[0][6:10] == ["Edit ", "peer", "Pat Peer", "Peer worker"]
    assert listed("%")[1] == "0 accounts"  # a LIKE wildcard is searched for, not obeyed
    assert listed("", status="inactive")[1] == "0 accounts"


def test_admin_creates_a_supervisor_with_a_setup_link(client: FlaskClient, people_db: Database,
                                                      app: Dash) -> None:
    staff = new_supervisor(people_db)
    login(client, "admin")
    before = counts(people_db)
    text = message(create(client, "NOkafor", staff=staff))
    link = re.search(r"http://localhost/setup/(\S+)", text)
    assert link and "shown only now" in text
    assert counts(people_db) == (before[0] + 1, before[1] + 1, before[2] + 1)
    created = user(people_db, "nokafor")
    assert (created.role, created.staff_id, created.full_name, created.must_change_password) == (
        "supervisor", staff, "Nia Okafor", True)
    with people_db.session() as s:
        stored = s.scalar(select(SetupLink.token_hash))
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "user")).one()
    assert link.group(1) not in stored and len(stored) == 64  # only the SHA-256 is kept
    assert (event.username, event.action, event.old_values) == ("admin", "create", None)
    assert event.new_values == {"username": "nokafor", "full_name": "Nia Okafor", "role": "supervisor",
                                "staff_id": staff, "is_active": True, "must_change_password": True,
                                "first_password": "link"}

    # The new supervisor, in their own browser: the link asks for a password, then they sign in with it.
    browser = app.server.test_client()
    token = link.group(1)
    page = browser.get(f"/setup/{token}").get_data(as_text=True)
    assert "nokafor" in page and "Choose your password" in page
    form = {"csrf_token": csrf_token(browser, f"/setup/{token}")}
    refused = browser.post(f"/setup/{token}", data=form | {"password": "password1234", "confirm": "password1234"})
    assert refused.status_code == 400 and "most common passwords" in refused.get_data(as_text=True)
    differ = browser.post(f"/setup/{token}", data=form | {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    done = browser.post(f"/setup/{token}", data=form | {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 200 and "Your password is set" in done.get_data(as_text=True)
    assert browser.get(f"/setup/{token}").status_code == 404  # used up
    assert login(browser, "nokafor", NEW_PASSWORD).headers["Location"] == "/"
    assert browser.get("/my-team").status_code == 200
    with people_db.session() as s:
        assert s.scalar(select(SetupLink.used_at)) is not None
        changed = s.scalars(select(AuditEvent).where(AuditEvent.action == "change_password")).one()
    assert (changed.username, changed.new_values["how"]) == ("nokafor", "setup link")


def test_a_setup_link_expires_after_72_hours(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    token = re.search(r"/setup/(\S+)", message(create(client, "lee", role="quality"))).group(1)  # type: ignore[union-attr]
    with people_db.session() as s:
        link = s.scalars(select(SetupLink)).one()
        link.expires_at = link.created_at + timedelta(hours=72) - timedelta(days=4)
    page = client.get(f"/setup/{token}")
    assert page.status_code == 404 and "more than 72 hours old" in page.get_data(as_text=True)
    assert client.get("/setup/not-a-token").status_code == 404


def test_a_temporary_password_leads_to_my_account_before_anything_else(app: Dash, client: FlaskClient,
                                                                      people_db: Database) -> None:
    staff = new_supervisor(people_db)
    login(client, "admin")
    text = message(create(client, "nia", staff=staff, method="password"))
    temporary = re.search(r"[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}", text).group(0)  # type: ignore[union-attr]
    browser = app.server.test_client()
    assert login(browser, "nia", temporary).headers["Location"] == "/account"
    assert browser.get("/my-team").headers["Location"] == "/account"
    assert browser.get("/").headers["Location"] == "/account"
    roster = callback(browser, ROSTER, [("workspace-version", "data", 0)])
    assert roster.status_code == 403 and b"Choose a new password" in roster.data
    assert browser.get("/export/compliance.csv").status_code == 403
    page = browser.get("/account").get_data(as_text=True)
    assert "Choose your own password before you" in page and "Back to the dashboard" not in page
    token = csrf_token(browser, "/account")
    short = browser.post("/account", data={"csrf_token": token, "current": temporary, "password": "short",
                                           "confirm": "short"})
    assert short.status_code == 400 and "at least 12 characters (this one has 5)" in short.get_data(as_text=True)
    same = browser.post("/account", data={"csrf_token": token, "current": temporary, "password": "nia",
                                          "confirm": "nia"})
    assert same.status_code == 400
    ok = browser.post("/account", data={"csrf_token": token, "current": temporary, "password": NEW_PASSWORD,
                                        "confirm": NEW_PASSWORD})
    assert ok.status_code == 200 and "Your password is changed" in ok.get_data(as_text=True)
    assert browser.get("/my-team").status_code == 200
    assert callback(browser, ROSTER, [("workspace-version", "data", 0)]).status_code == 200
    assert not user(people_db, "nia").must_change_password


def test_my_account_changes_a_password_and_ends_the_other_sessions(app: Dash, client: FlaskClient,
                                                                  people_db: Database) -> None:
    phone = app.server.test_client()
    login(phone, "leader")
    login(client, "leader")
    token = csrf_token(client, "/account")
    wrong = client.post("/account", data={"csrf_token": token, "current": "not it", "password": NEW_PASSWORD,
                                          "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    common = client.post("/account", data={"csrf_token": token, "current": PASSWORD, "password": "qwerty123456",
                                           "confirm": "qwerty123456"})
    assert common.status_code == 400
    hash_before = user(people_db, "leader").password_hash
    assert hash_before == user(people_db, "leader").password_hash  # nothing written by the refusals
    assert client.post("/account", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                         "confirm": NEW_PASSWORD}).status_code == 400  # no CSRF token
    ok = client.post("/account", data={"csrf_token": token, "current": PASSWORD, "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD})
    assert ok.status_code == 200
    assert client.get("/overview").status_code == 200  # this browser stays signed in
    assert phone.get("/overview").status_code == 302  # the other one is signed out
    logout(client)
    assert login(client, "leader", PASSWORD).status_code == 401
    assert login(client, "leader", NEW_PASSWORD).status_code == 302
    with people_db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "user")).all()
    assert [(e.action, e.new_values["how"]) for e in events] == [("change_password", "my account")]
    assert all("hash" not in json.dumps([e.old_values, e.new_values]) for e in events)


def test_deactivating_ends_the_persons_sessions_at_their_next_request(app: Dash, client: FlaskClient,
                                                                      people_db: Database) -> None:
    peer = app.server.test_client()
    login(peer, "peer")
    assert peer.get("/my-record").status_code == 200
    login(client, "admin")
    before = counts(people_db)
    text = message(act(client, "accounts-toggle-active", editing(people_db, "peer")), "accounts-edit-message")
    assert "peer is deactivated" in text
    assert counts(people_db)[2] == before[2] + 1
    assert peer.get("/my-record").status_code == 302
    assert callback(peer, ROSTER, [("workspace-version", "data", 0)]).status_code == 401
    assert login(peer, "peer").status_code == 401
    with people_db.session() as s:
        assert s.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.user_id == user(people_db, "peer").id, UserSession.ended_at.is_(None))) == 0
    text = message(act(client, "accounts-toggle-active", editing(people_db, "peer")), "accounts-edit-message")
    assert "peer is reactivated" in text
    assert login(peer, "peer").status_code == 302
    with people_db.session() as s:
        actions = [(e.action, e.old_values["is_active"], e.new_values["is_active"])
                   for e in s.scalars(select(AuditEvent).where(AuditEvent.entity == "user"))]
    assert actions == [("deactivate", True, False), ("reactivate", False, True)]


def test_an_admin_signs_someone_out_everywhere_but_not_themselves(app: Dash, client: FlaskClient,
                                                                 people_db: Database) -> None:
    laptop, phone = app.server.test_client(), app.server.test_client()
    login(laptop, "peer")
    login(phone, "peer")
    login(client, "admin")
    before = counts(people_db)
    text = message(act(client, "accounts-end-sessions", editing(people_db, "peer")), "accounts-edit-message")
    assert "peer is signed out everywhere: 2 open sessions ended." in text
    assert laptop.get("/my-record").status_code == 302 and phone.get("/my-record").status_code == 302
    assert login(laptop, "peer").status_code == 302  # the account itself is unchanged: they sign in again
    refused = message(act(client, "accounts-end-sessions", editing(people_db, "admin")), "accounts-edit-message")
    assert "cannot sign yourself out everywhere" in refused
    assert client.get("/accounts").status_code == 200  # the admin's own session goes on
    assert counts(people_db) == (before[0], before[1], before[2] + 1)
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "user")).one()
    assert (event.action, event.old_values, event.new_values) == ("end_sessions", {"open_sessions": 2},
                                                                  {"open_sessions": 0})


def test_an_admin_cannot_remove_their_own_admin_role_nor_the_last_admin(client: FlaskClient,
                                                                         people_db: Database) -> None:
    login(client, "admin")
    before = counts(people_db)
    mine = editing(people_db, "admin")
    demote = act(client, "accounts-save", mine, name="Admin Person", role="quality")
    assert "cannot remove your own administrator role" in message(demote, "accounts-edit-message")
    assert "cannot deactivate your own account" in message(act(client, "accounts-toggle-active", mine),
                                                           "accounts-edit-message")
    assert "your own password on My account" in message(act(client, "accounts-reset", mine),
                                                        "accounts-edit-message")
    assert counts(people_db) == before and user(people_db, "admin").role == "admin"
    # Outside the page (the command line acts as no account), the last active administrator is kept too.
    with people_db.session() as s:
        with pytest.raises(Exception, match="last active administrator"):
            update_account(s, Actor(None, "cli:root"), mine["id"], mine["version"], "Admin Person", "quality", None)
    assert user(people_db, "admin").role == "admin"


def test_role_changes_are_checked_and_audited(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    sam = user(people_db, "supervisor").staff_id
    before = counts(people_db)
    opened = editing(people_db, "leader")
    refused = [
        (act(client, "accounts-save", opened, name="Lee", role="supervisor", staff=None), "acts for a staff record"),
        (act(client, "accounts-save", opened, name="Lee", role="supervisor", staff=str(sam)), "already has an account"),
        (act(client, "accounts-save", opened, name="Lee", role="wizard"), "Choose a role"),
        (act(client, "accounts-save", opened, name=" ", role="quality"), "Enter the person's name"),
        (act(client, "accounts-save", opened, name="x" * 121, role="quality"), "longer than 120"),
    ]
    for response, expected in refused:
        assert expected in message(response, "accounts-edit-message")
    assert counts(people_db) == before
    saved = act(client, "accounts-save", opened, name="Leader Renamed", role="quality")
    assert "Saved leader" in message(saved, "accounts-edit-message")
    changed = user(people_db, "leader")
    assert (changed.role, changed.full_name, changed.version) == ("quality", "Leader Renamed", opened["version"] + 1)
    # The same panel, still holding the version it opened: another admin's change came first, so it is refused.
    stale = act(client, "accounts-save", opened, name="Late", role="leadership")
    assert "Someone else changed this account" in message(stale, "accounts-edit-message")
    assert user(people_db, "leader").full_name == "Leader Renamed"
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "user")).one()
    assert event.old_values == {"full_name": "Leadership Person", "role": "leadership", "version": 1}
    assert event.new_values == {"full_name": "Leader Renamed", "role": "quality", "version": 2}


def test_a_reset_ends_sessions_and_forces_a_new_password(app: Dash, client: FlaskClient, people_db: Database
                                                         ) -> None:
    quality = app.server.test_client()
    login(quality, "quality")
    login(client, "admin")
    text = message(act(client, "accounts-reset", editing(people_db, "quality"), method="link"),
                   "accounts-edit-message")
    assert "sessions have ended" in text and "/setup/" in text
    assert quality.get("/compliance").status_code == 302
    assert login(quality, "quality").status_code == 401  # the old password is gone
    second = message(act(client, "accounts-reset", editing(people_db, "quality"), method="link"),
                     "accounts-edit-message")
    first_token, second_token = (re.search(r"/setup/(\S+)", t).group(1) for t in (text, second))  # type: ignore[union-attr]
    assert quality.get(f"/setup/{first_token}").status_code == 404  # a new link replaces the old one
    assert quality.get(f"/setup/{second_token}").status_code == 200
    with people_db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "reset_password")).all()
        assert len(events) == 2 and all("hash" not in json.dumps(e.new_values) for e in events)
        with pytest.raises(Exception, match="Someone else changed"):
            reset_password(s, Actor(None, "cli:root"), events[0].entity_id and int(events[0].entity_id), 1, "link")


def test_bad_create_input_gets_a_message_per_field_and_writes_nothing(client: FlaskClient,
                                                                      people_db: Database) -> None:
    staff = new_supervisor(people_db)
    peer_staff = user(people_db, "peer").staff_id
    login(client, "admin")
    before = counts(people_db)
    cases = [
        (create(client, "", staff=staff), "Username: Enter a username."),
        (create(client, "admin", role="quality"), "The username admin is taken"),
        (create(client, "bad name!", role="quality"), "1 to 80 letters"),
        (create(client, "x" * 81, role="quality"), "1 to 80 letters"),
        (create(client, "new", role="supervisor", staff=None), "Staff record: A supervisor account acts for"),
        (create(client, "new", role="supervisor", staff=str(peer_staff)), "Pat Peer is a peer worker"),
        (create(client, "new", role="supervisor", staff="999999"), "does not exist"),
        (create(client, "new", role="root"), "Choose a role"),
        (create(client, "new", role="quality", method="email"), "First password"),
        (create(client, "new", role="quality", name="x" * 121), "longer than 120"),
        (create(client, ["new"], role={"x": 1}, staff=[1], method=None, name=5), "Enter a username"),
    ]
    for response, expected in cases:
        assert expected in message(response), (expected, message(response))
    assert counts(people_db) == before
