"""Crafted requests that used to end in a 500: digits that are not 0-9 are no number."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from callbacks.common import as_int, as_int_set
from dashboard.db import Database
from tests.http.conftest import callback, login
from tests.http.test_workspace_scope import counts, save_session

UNICODE_DIGITS = ["²", "١٢", "٣", "１２"]  # superscript two, Arabic-Indic 12 and 3, fullwidth 12: all pass isdigit()
ROSTER = {"output": "my-team-roster.rowData", "outputs": {"id": "my-team-roster", "property": "rowData"},
          "inputs": [{"id": "my-team-team", "property": "value", "value": "all"},
                     {"id": "workspace-version", "property": "data", "value": 0}],
          "changedPropIds": ["my-team-team.value"]}


def post(client: FlaskClient, body: Any) -> Any:
    return client.post("/_dash-update-component", json=body)


# ---------------------------------------------------------------------------------------------------------------
# Digits that are not 0-9


@pytest.mark.parametrize("text", UNICODE_DIGITS)
def test_as_int_reads_only_the_digits_0_to_9(text: str) -> None:
    assert text.isdigit()
    assert as_int(text) is None and as_int_set([text, "12"]) == frozenset({12})
    assert as_int(" 12 ") == 12


@pytest.mark.parametrize("text", UNICODE_DIGITS)
def test_unicode_digits_in_a_team_filter_are_no_filter(demo_client: FlaskClient, text: str) -> None:
    login(demo_client, "supervisor", "demo")
    roster = json.loads(json.dumps(ROSTER))
    roster["inputs"][0]["value"] = text
    response = post(demo_client, roster)
    assert response.status_code == 200
    teams = {row["team"] for row in json.loads(response.data)["response"]["my-team-roster"]["rowData"]}
    assert teams == {"Eastside Outreach", "Westside Outreach"}


@pytest.mark.parametrize("text", UNICODE_DIGITS)
@pytest.mark.parametrize("key", ["team", "program", "supervisor"])
def test_unicode_digits_in_an_export_parameter_get_a_400_with_a_message(demo_client: FlaskClient, key: str,
                                                                        text: str) -> None:
    login(demo_client, "quality", "demo")
    response = demo_client.get(f"/export/compliance.csv?start=2026-07-01&end=2026-09-30&{key}={text}")
    assert response.status_code == 400
    assert f"'{key}' must be a number" in response.get_data(as_text=True)


@pytest.mark.parametrize("text", UNICODE_DIGITS)
def test_unicode_digits_as_an_attendee_are_refused_in_the_form(demo_client: FlaskClient, demo_db: Database,
                                                               text: str) -> None:
    login(demo_client, "supervisor", "demo")
    before = counts(demo_db)
    assert "Attendees contains something that is not a valid choice" in save_session(demo_client, [text])
    assert counts(demo_db) == before


@pytest.mark.parametrize(("path", "search", "title"), [("/my-team", "?worker=²&team=²", "My team"),
                                                     ("/overview", "?program=²&teams=²,٣", "Overview")])
def test_unicode_digits_in_a_page_address_are_ignored(demo_client: FlaskClient, path: str, search: str,
                                                      title: str) -> None:
    login(demo_client, "supervisor", "demo")
    response = callback(demo_client, [("_pages_content", "children"), ("_pages_store", "data")],
                        [("_pages_location", "pathname", path), ("_pages_location", "search", search)])
    assert response.status_code == 200
    page = json.loads(response.data)["response"]
    assert page["_pages_store"]["data"]["title"].startswith(title)
    assert "²" not in json.dumps(page["_pages_content"], ensure_ascii=False)  # no filter taken from it
