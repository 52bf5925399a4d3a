"""Login, logout, the throttle and the deny-by-default guard, over HTTP with the Flask test client."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import LoginAttempt
from tests.conftest import make_app
from tests.http.conftest import PASSWORD, age_rows, csrf_token, login, logout


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
    response = login(client, "leader", next="/resources")
    assert response.status_code == 302 and response.headers["Location"] == "/resources"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/_dash-layout").status_code == 200


def test_login_replaces_any_session_set_before_it(client: FlaskClient) -> None:
    before = csrf_token(client)
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    login(client, "leader")
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["csrf"] and after["csrf"] != before


def test_wrong_password_and_unknown_user_get_the_same_clear_message(client: FlaskClient) -> None:
    for username in ("leader", "nobody"):
        response = login(client, username, "wrong password")
        assert response.status_code == 401
        assert b"do not match an active account" in response.data
    assert client.get("/_dash-layout").status_code == 401


def test_a_login_post_without_the_pages_token_is_refused(client: FlaskClient) -> None:
    """Login CSRF: a page elsewhere posting the attacker's username and password must not sign the victim in,
    with no token or with the token of the attacker's own session."""
    attackers_token = csrf_token(make_client_like(client))
    for data in ({}, {"csrf_token": ""}, {"csrf_token": attackers_token}):
        response = client.post("/login", data={"username": "leader", "password": PASSWORD, **data})
        assert response.status_code == 400 and b"form had expired" in response.data
        assert client.get("/_dash-layout").status_code == 401


def make_client_like(client: FlaskClient) -> FlaskClient:
    return client.application.test_client()


def test_logout_is_a_post_with_the_token_and_ends_the_session(client: FlaskClient, people_db: Database,
                                                               tmp_path: Path) -> None:
    login(client, "supervisor")
    with client.session_transaction() as copied:
        stolen = dict(copied)
    # A link on another site (GET) or a cross-site form (no token) signs nobody out.
    assert client.get("/logout").status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/_dash-layout").status_code == 200
    assert logout(client).headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401
    other = make_app(people_db, tmp_path).server.test_client()
    with other.session_transaction() as replay:
        replay.update(stolen)
    assert other.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "/_dash-layout", "/\\evil.example/", "/\r\nSet-Cookie: planted=1",
                                    "/overview\nX-Injected: 1", "/\x7f"])
def test_login_never_redirects_off_site_or_breaks_the_header(client: FlaskClient, target: str) -> None:
    response = login(client, "leader", next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "planted" not in response.headers.get("Set-Cookie", "") and "X-Injected" not in response.headers


@pytest.mark.parametrize("username,home", [("admin", "/overview"), ("leader", "/overview"),
                                           ("quality", "/overview"), ("supervisor", "/overview"),
                                           ("peer", "/my-record")])
def test_root_sends_each_role_to_its_first_section(client: FlaskClient, username: str, home: str) -> None:
    login(client, username)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == home


ATTACKER, USER = "203.0.113.66", "198.51.100.7"


def age_attempts(db: Database, seconds: int) -> None:
    age_rows(db, LoginAttempt, ("attempted_at",), seconds)


def test_failures_from_one_address_never_lock_the_account_at_another(client: FlaskClient) -> None:
    for _ in range(5):
        assert login(client, "leader", "nope", address=ATTACKER).status_code == 401
    locked = login(client, "leader", address=ATTACKER)
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts. Try again in 1 minute." in locked.data
    assert login(client, "leader", address=USER).status_code == 302


def test_the_lockout_of_an_account_at_an_address_doubles(client: FlaskClient, people_db: Database) -> None:
    def attempt(password: str = "nope") -> tuple[int, str]:
        response = login(client, "quality", password, address=ATTACKER)
        return response.status_code, response.get_data(as_text=True)

    for _ in range(5):
        assert attempt()[0] == 401
    for expected_lock in (1, 2, 4, 8):
        status, page = attempt(PASSWORD)  # even the right password waits
        assert status == 429 and f"Try again in {expected_lock} minute" in page
        age_attempts(people_db, expected_lock * 60 - 30)
        assert attempt()[0] == 429  # half a minute short
        age_attempts(people_db, 31)
        assert attempt()[0] == 401  # one more guess, which doubles the next wait
    with people_db.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 9  # refused tries are not counted


def test_the_lockout_is_capped(client: FlaskClient, people_db: Database, tmp_path: Path) -> None:
    capped = make_app(people_db, tmp_path, login_lock_max_minutes=3).server.test_client()
    for _ in range(5):
        login(capped, "quality", "nope", address=ATTACKER)
    for _ in range(4):
        age_attempts(people_db, 4 * 60)
        assert login(capped, "quality", "nope", address=ATTACKER).status_code == 401
    assert b"Try again in 3 minutes" in login(capped, "quality", address=ATTACKER).data


def test_failures_from_one_address_across_accounts_lock_that_address_only(client: FlaskClient) -> None:
    for n in range(20):
        login(client, f"guess{n}", "guess", address=ATTACKER)
    assert login(client, "leader", address=ATTACKER).status_code == 429
    assert login(client, "leader", address=USER).status_code == 302


def test_the_throttle_survives_a_restart(client: FlaskClient, people_db: Database, tmp_path: Path) -> None:
    for _ in range(5):
        login(client, "admin", "nope")
    restarted = make_app(people_db, tmp_path).server.test_client()
    assert login(restarted, "admin").status_code == 429
    with people_db.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 5  # refused tries are not counted


def test_a_success_resets_the_count_of_its_address(client: FlaskClient) -> None:
    for _ in range(4):
        assert login(client, "leader", "nope", address=USER).status_code == 401
    assert login(client, "leader", address=USER).status_code == 302
    logout(client)
    for _ in range(4):
        assert login(client, "leader", "nope", address=USER).status_code == 401
    assert login(client, "leader", address=USER).status_code == 302  # 8 failures, but only 4 since the success


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_a_basic_export_success_does_not_reset_the_failure_count(client: FlaskClient, people_db: Database) -> None:
    for _ in range(4):
        assert login(client, "leader", "nope", address=ATTACKER).status_code == 401
    exported = client.get("/export/compliance.csv", headers=basic("leader", PASSWORD),
                          environ_base={"REMOTE_ADDR": ATTACKER})
    assert exported.status_code != 401  # signed in (the missing parameters are the export's own 400)
    assert login(client, "leader", "nope", address=ATTACKER).status_code == 401
    assert login(client, "leader", address=ATTACKER).status_code == 429
    with people_db.session() as s:  # the success left no row that could count as a reset
        assert not s.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded))


def test_login_attempts_keep_only_what_the_throttle_reads(client: FlaskClient, people_db: Database) -> None:
    for _ in range(3):
        login(client, "leader", "nope", address=ATTACKER)
    age_attempts(people_db, 25 * 3600)  # older than the 24 hours the throttle looks back
    for _ in range(3):
        client.get("/export/compliance.csv", headers=basic("leader", PASSWORD))  # successes add no row
    login(client, "quality", "nope", address=USER)
    with people_db.session() as s:
        assert s.execute(select(LoginAttempt.username, LoginAttempt.address)).all() == [("quality", USER)]
