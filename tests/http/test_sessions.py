"""Sign-in sessions: one server-side record per sign-in, idle and absolute limits, ending them."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select, update

from dashboard.cli import cli
from dashboard.db import Database
from models import User, UserSession
from tests.conftest import make_app
from tests.http.conftest import age_rows, csrf_token, login, logout


def signed_in(client: FlaskClient) -> bool:
    return client.get("/_dash-layout").status_code == 200


def session_ids(db: Database, username: str) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(UserSession.id).join(User).where(User.username == username,
                                                                       UserSession.ended_at.is_(None))
                              .order_by(UserSession.id)))


def test_each_sign_in_has_its_own_session_and_a_copied_cookie_ends_with_it(app, people_db: Database,
                                                                            tmp_path: Path) -> None:
    laptop, phone = app.server.test_client(), app.server.test_client()
    login(laptop, "leader")
    with laptop.session_transaction() as copied:
        stolen = dict(copied)
    login(phone, "leader")
    with phone.session_transaction() as other:
        assert other["_user_id"] != stolen["_user_id"]  # a new token at every sign-in
    with people_db.session() as s:
        assert stolen["_user_id"] not in set(s.scalars(select(UserSession.token_hash)))  # only hashes are kept
    assert len(session_ids(people_db, "leader")) == 2
    logout(laptop)
    thief = make_app(people_db, tmp_path).server.test_client()
    with thief.session_transaction() as replay:
        replay.update(stolen)
    assert not signed_in(thief) and not signed_in(laptop)
    assert signed_in(phone)  # signing out ends that session only


def test_an_idle_session_ends_pages_go_to_login_and_callbacks_get_401(client: FlaskClient,
                                                                       people_db: Database) -> None:
    login(client, "leader")
    assert client.get("/overview").status_code == 200
    age_rows(people_db, UserSession, ("last_seen_at",), 29 * 60)
    assert signed_in(client)  # 29 minutes idle: still open, and the request counts as use
    age_rows(people_db, UserSession, ("last_seen_at",), 31 * 60)
    assert client.post("/_dash-update-component", json={}).status_code == 401
    page = client.get("/overview")
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=/overview"
    assert session_ids(people_db, "leader") == []  # the record is ended, not just ignored


def test_a_session_ends_at_its_lifetime_however_active(client: FlaskClient, people_db: Database) -> None:
    login(client, "leader")
    age_rows(people_db, UserSession, ("created_at",), 12 * 3600 - 60)
    assert signed_in(client)
    age_rows(people_db, UserSession, ("created_at",), 120)
    assert not signed_in(client)


def test_idle_and_lifetime_limits_are_configurable(people_db: Database, tmp_path: Path) -> None:
    client = make_app(people_db, tmp_path, session_idle_minutes=5, session_lifetime_hours=1).server.test_client()
    login(client, "leader")
    age_rows(people_db, UserSession, ("last_seen_at",), 6 * 60)
    assert not signed_in(client)
    login(client, "leader")
    age_rows(people_db, UserSession, ("created_at",), 61 * 60)
    assert not signed_in(client)


def test_last_seen_is_written_at_most_once_a_minute(client: FlaskClient, people_db: Database) -> None:
    login(client, "leader")

    def last_seen() -> object:
        with people_db.session() as s:
            return s.scalar(select(UserSession.last_seen_at))

    age_rows(people_db, UserSession, ("last_seen_at",), 30)
    before = last_seen()
    signed_in(client)
    assert last_seen() == before
    age_rows(people_db, UserSession, ("last_seen_at",), 31)
    signed_in(client)
    assert last_seen() > before  # type: ignore[operator]


def test_a_deactivated_account_is_signed_out(client: FlaskClient, people_db: Database) -> None:
    login(client, "leader")
    with people_db.session() as s:
        s.execute(update(User).where(User.username == "leader").values(is_active=False))
    assert not signed_in(client)


def test_the_sessions_page_lists_your_sessions_and_ends_one(app, people_db: Database) -> None:
    laptop, phone, colleague = (app.server.test_client() for _ in range(3))
    login(laptop, "supervisor")
    login(phone, "supervisor", address="198.51.100.7", headers={})
    login(colleague, "leader")
    page = laptop.get("/account/sessions").get_data(as_text=True)
    laptop_id, phone_id = session_ids(people_db, "supervisor")
    [leader_id] = session_ids(people_db, "leader")
    assert f'id="session-{laptop_id}"' in page and f'id="session-{phone_id}"' in page
    assert f'id="session-{leader_id}"' not in page and "198.51.100.7" in page and "this browser" in page
    token = csrf_token(laptop, "/account/sessions")
    assert laptop.post(f"/account/sessions/{phone_id}/end").status_code == 400  # no token: nothing ends
    assert signed_in(phone)
    assert laptop.post(f"/account/sessions/{phone_id}/end", data={"csrf_token": token}).status_code == 302
    assert not signed_in(phone) and signed_in(laptop)
    laptop.post(f"/account/sessions/{leader_id}/end", data={"csrf_token": token})  # someone else's: refused
    assert signed_in(colleague)
    ended = laptop.post(f"/account/sessions/{laptop_id}/end", data={"csrf_token": token})
    assert ended.headers["Location"] == "/login" and not signed_in(laptop)


def find_components(node: Any, type_name: str) -> list[dict[str, Any]]:
    """The props of every component of this type in a Dash layout's JSON."""
    if isinstance(node, list):
        return [found for child in node for found in find_components(child, type_name)]
    if not isinstance(node, dict):
        return []
    here = [node["props"]] if node.get("type") == type_name else []
    return here + find_components(node.get("props", {}).get("children"), type_name)


def test_the_shell_signs_out_with_a_form_post_carrying_the_token(client: FlaskClient) -> None:
    login(client, "leader")
    [form] = find_components(client.get("/_dash-layout").get_json(), "Form")
    [button, token] = sorted(form["children"], key=lambda c: c["type"])
    assert (form["action"], form["method"], button["props"]["type"]) == ("/logout", "post", "submit")
    with client.session_transaction() as s:
        assert token["props"] == {"type": "hidden", "name": "csrf_token", "value": s["csrf"], "id": "shell-csrf"}


def test_an_admin_ends_all_of_a_users_sessions_from_the_command_line(app, people_db: Database,
                                                                    monkeypatch) -> None:
    laptop, phone = app.server.test_client(), app.server.test_client()
    login(laptop, "peer")
    login(phone, "peer")
    url = people_db.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["end-sessions", "peer"], env={"DATABASE_URL": url})
    assert result.exit_code == 0 and "Ended 2 sessions of peer." in result.output
    assert not signed_in(laptop) and not signed_in(phone)
    unknown = CliRunner().invoke(cli, ["end-sessions", "nobody"], env={"DATABASE_URL": url})
    assert unknown.exit_code == 2 and "no account named 'nobody'" in unknown.output
