"""Login, logout, the throttle and the deny-by-default guard, over HTTP with the Flask test client."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import LoginAttempt
from tests.conftest import make_app
from tests.http.conftest import PASSWORD, login


@pytest.mark.parametrize("path", ["/overview", "/resources", "/my-team", "/my-record", "/compliance",
                                  "/no-such-page"])
def test_anonymous_page_requests_redirect_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize("method,path", [("GET", "/_dash-layout"), ("GET", "/_dash-dependencies"),
                                         ("POST", "/_dash-update-component"), ("GET", "/export/anything.csv")])
def test_anonymous_dash_endpoints_get_401(client: FlaskClient, method: str, path: str) -> None:
    assert client.open(path, method=method, json={}).status_code == 401


def test_login_page_and_static_assets_are_public(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="username"' in page.data and b'name="password"' in page.data
    assert client.get("/assets/vendor/bootstrap-5.3.9.min.css").status_code == 200


def test_login_sets_a_new_httponly_lax_session_and_opens_the_dash_endpoints(client: FlaskClient) -> None:
    client.get("/login")
    response = login(client, "leader", next="/resources")
    assert response.status_code == 302 and response.headers["Location"] == "/resources"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/_dash-layout").status_code == 200


def test_login_replaces_any_session_set_before_it(client: FlaskClient) -> None:
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    login(client, "leader")
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["nonce"]


def test_wrong_password_and_unknown_user_get_the_same_clear_message(client: FlaskClient) -> None:
    for username in ("leader", "nobody"):
        response = login(client, username, "wrong password")
        assert response.status_code == 401
        assert b"do not match an active account" in response.data
    assert client.get("/_dash-layout").status_code == 401


def test_logout_ends_the_session_and_a_copied_cookie_stops_working(client: FlaskClient,
                                                                   people_db: Database, tmp_path: Path) -> None:
    login(client, "supervisor")
    with client.session_transaction() as copied:
        stolen = dict(copied)
    assert client.get("/logout").status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    other = make_app(people_db, tmp_path).server.test_client()
    with other.session_transaction() as replay:
        replay.update(stolen)
    assert other.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "/_dash-layout"])
def test_login_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    response = login(client, "leader", next=target)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("username,home", [("admin", "/overview"), ("leader", "/overview"),
                                           ("quality", "/overview"), ("supervisor", "/overview"),
                                           ("peer", "/my-record")])
def test_root_sends_each_role_to_its_first_section(client: FlaskClient, username: str, home: str) -> None:
    login(client, username)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == home


def test_five_failures_lock_the_account_even_for_the_right_password(client: FlaskClient) -> None:
    for _ in range(5):
        assert login(client, "quality", "nope").status_code == 401
    locked = login(client, "quality")
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts. Try again in 15 minutes." in locked.data
    assert client.get("/_dash-layout").status_code == 401


def test_failures_from_one_address_lock_that_address_for_every_account(client: FlaskClient) -> None:
    for username in ("a1", "a2", "a3", "a4", "a5"):
        login(client, username, "guess")
    assert login(client, "leader").status_code == 429
    other_address = client.post("/login", data={"username": "leader", "password": PASSWORD},
                                environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 302


def test_the_throttle_survives_a_restart(client: FlaskClient, people_db: Database, tmp_path: Path) -> None:
    for _ in range(5):
        login(client, "admin", "nope")
    restarted = make_app(people_db, tmp_path).server.test_client()
    assert login(restarted, "admin").status_code == 429
    with people_db.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 5  # refused tries are not counted


def test_a_success_resets_the_account_count(client: FlaskClient) -> None:
    def attempt(password: str, address: str) -> int:
        return client.post("/login", data={"username": "leader", "password": password},
                           environ_base={"REMOTE_ADDR": address}).status_code

    for _ in range(4):
        assert attempt("nope", "10.0.0.1") == 401
    assert attempt(PASSWORD, "10.0.0.1") == 302
    client.get("/logout")
    for _ in range(4):
        assert attempt("nope", "10.0.0.2") == 401
    assert attempt(PASSWORD, "10.0.0.2") == 302  # 8 failures in the window, but only 4 since the success
