"""Security headers on every response (pages, callbacks, errors, assets, the login form) and request body caps."""
from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from dashboard.db import Database
from tests.conftest import make_app
from tests.http.conftest import PASSWORD, csrf_token, login
from tests.http.test_resources_callbacks import GUIDES_OUTPUT

PATHS = ["/login", "/overview", "/_dash-layout", "/_dash-dependencies", "/assets/app.css", "/no-such-page",
         "/export/compliance.csv", "/account/sessions"]


def csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_security_headers(client: FlaskClient, path: str, signed_in: bool) -> None:
    if signed_in:
        login(client, "quality")
    response = client.get(path)
    policy = csp(response)
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert not any(re.match(r"https?:|\*", source) for sources in policy.values() for source in sources)  # no CDN
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # development: plain http
    assert "Server" not in response.headers


def test_the_policy_allows_exactly_the_index_pages_inline_scripts(client: FlaskClient) -> None:
    login(client, "quality")
    page = client.get("/compliance")  # a page with clientside callbacks
    html = page.get_data(as_text=True)
    inline = [body for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
              if "src=" not in attributes and "application/json" not in attributes]
    assert inline  # Dash's renderer start-up
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline}
    assert hashes <= set(csp(page)["script-src"])


def test_production_adds_hsts(people_db: Database, tmp_path: Path) -> None:
    client = make_app(people_db, tmp_path, production=True).server.test_client()
    response = client.get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Server" not in response.headers


class Unreadable(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")

    readinto = read1 = readline = read  # type: ignore[assignment]


def test_a_large_callback_is_refused_before_its_body_is_read(client: FlaskClient) -> None:
    login(client, "peer")
    response = client.post("/_dash-update-component", input_stream=Unreadable(), content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": str(300 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_chunked_callback_without_a_length_is_cut_off_at_the_cap(client: FlaskClient) -> None:
    login(client, "peer")
    body = b'{"output": "x", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = client.post("/_dash-update-component", input_stream=io.BytesIO(body), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413


def test_callbacks_are_capped_at_one_megabyte_except_uploads_by_roles_that_import(client: FlaskClient) -> None:
    def padded_callback(padding: int) -> int:
        return client.post("/_dash-update-component", json={
            "output": GUIDES_OUTPUT, "outputs": [{"id": "resources-guides", "property": "children"},
                                                 {"id": "resources-count", "property": "children"}],
            "inputs": [{"id": "resources-principle", "property": "value", "value": "all"},
                       {"id": "resources-category", "property": "value", "value": "all"}],
            "state": [], "changedPropIds": [], "padding": "x" * padding}).status_code

    login(client, "leader")  # may not import
    assert padded_callback(2 * 1024 * 1024) == 413
    login(client, "quality")  # may import: a 20 MB file arrives as a 27 MB base64 callback
    assert padded_callback(2 * 1024 * 1024) == 200
    assert padded_callback(29 * 1024 * 1024) == 413


def test_the_login_form_is_capped_too(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "leader", "password": PASSWORD,
                                           "csrf_token": csrf_token(client), "padding": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
