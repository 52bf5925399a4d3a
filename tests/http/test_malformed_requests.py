"""Crafted requests that used to end in a 500: malformed callback payloads get a 400 with a short reason, digits
that are not 0-9 are no number, and a role without the Overview gets 403 whatever its filters hold."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.exceptions import Forbidden

from callbacks.common import as_date, as_int, as_int_set
from callbacks.overview import parse_filters
from dashboard.db import Database
from tests.http.conftest import COVERAGE_PANELS, TREND_PANEL, TREND_STATE, callback, coverage_state, login
from tests.http.test_workspace_scope import HELD_ON, RATING_PATTERN, counts, fire, save_session

UNICODE_DIGITS = ["²", "١٢", "٣", "１２"]  # superscript two, Arabic-Indic 12 and 3, fullwidth 12: all pass isdigit()
ROSTER = {"output": "my-team-roster.rowData", "outputs": {"id": "my-team-roster", "property": "rowData"},
          "inputs": [{"id": "my-team-team", "property": "value", "value": "all"},
                     {"id": "workspace-version", "property": "data", "value": 0}],
          "changedPropIds": ["my-team-team.value"]}


def post(client: FlaskClient, body: Any) -> Any:
    return client.post("/_dash-update-component", json=body)


# ---------------------------------------------------------------------------------------------------------------
# Callback payloads


@pytest.mark.parametrize(("case", "reason"), [
    ("no inputs", "inputs are missing or malformed"),
    ("inputs not a list", "inputs are missing or malformed"),
    ("one input short", "inputs are missing or malformed"),
    ("an input without its property", "inputs are missing or malformed"),
    ("unknown output", "No callback has that output"),
    ("output not a string", "No callback has that output"),
    ("not an object", "A callback request is a JSON object"),
    ("changed ids not strings", "changedPropIds must be a list of strings"),
    ("outputs of another shape", "outputs are malformed"),
])
def test_a_malformed_callback_payload_gets_a_400_with_the_reason(demo_client: FlaskClient, case: str,
                                                                  reason: str) -> None:
    login(demo_client, "supervisor", "demo")
    assert post(demo_client, ROSTER).status_code == 200  # the well-formed request
    body: Any = json.loads(json.dumps(ROSTER))
    if case == "no inputs":
        del body["inputs"]
    elif case == "inputs not a list":
        body["inputs"] = {"my-team-team.value": "all"}
    elif case == "one input short":
        body["inputs"] = body["inputs"][:1]
    elif case == "an input without its property":
        del body["inputs"][0]["property"]
    elif case == "unknown output":
        body["output"] = "no-such-thing.children"
    elif case == "output not a string":
        body["output"] = ["my-team-roster.rowData"]
    elif case == "not an object":
        body = [ROSTER]
    elif case == "changed ids not strings":
        body["changedPropIds"] = [{"id": "my-team-team"}]
    elif case == "outputs of another shape":
        body["outputs"] = "my-team-roster"
    response = post(demo_client, body)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


def test_a_payload_missing_its_state_gets_a_400_and_saves_nothing(demo_client: FlaskClient, demo_db: Database,
                                                                  people: dict[str, int]) -> None:
    login(demo_client, "supervisor", "demo")
    deps = json.loads(demo_client.get("/_dash-dependencies").data)
    save = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == "session-save")
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in save["output"].strip(".").split("...")]
    before = counts(demo_db)
    body = {"output": save["output"], "outputs": outputs, "changedPropIds": ["session-save.n_clicks"],
            "inputs": [{"id": "session-save", "property": "n_clicks", "value": 1}]}
    response = post(demo_client, body)
    assert response.status_code == 400 and "state is missing or malformed" in response.get_data(as_text=True)
    response = post(demo_client, body | {"state": [{"id": "session-date", "property": "value", "value": HELD_ON}]})
    assert response.status_code == 400  # one state of eleven
    assert counts(demo_db) == before


@pytest.mark.parametrize("where", ["value", "id and value"])
def test_a_rating_level_id_sent_as_a_list_gets_a_400(demo_client: FlaskClient, demo_db: Database,
                                                     people: dict[str, int], where: str) -> None:
    """The rating form's selects are an ALL pattern; their ids (and the value of their "id" property) hold the
    competency. A list there is no id Dash could have sent."""
    login(demo_client, "supervisor", "demo")
    listed = {"type": "rating-level", "competency": [people["competency"]]}
    real = {"type": "rating-level", "competency": people["competency"]}
    entry_id = listed if where == "id and value" else real
    before = counts(demo_db)
    response = fire(demo_client, "rating-save", {"rating-save.n_clicks": 1}, {
        f"{RATING_PATTERN}.value": [{"id": entry_id, "property": "value", "value": "1"}],
        f"{RATING_PATTERN}.id": [{"id": entry_id, "property": "id", "value": listed}],
        "rating-date.value": HELD_ON, "rating-note.value": "", "rating-worker.data": people["omar"],
        "workspace-version.data": 0})
    assert response.status_code == 400
    assert counts(demo_db) == before


def test_a_malformed_payload_without_a_login_is_still_a_401(demo_client: FlaskClient) -> None:
    assert post(demo_client, {"output": "no-such-thing.children"}).status_code == 401


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


# ---------------------------------------------------------------------------------------------------------------
# The role before the filters


@pytest.mark.parametrize("output", ["coverage", "overview-frequency.figure", "overview-trend.figure",
                                    "overview-signals.children"])
def test_a_peer_worker_gets_403_from_the_overview_whatever_the_filters(demo_client: FlaskClient,
                                                                       output: str) -> None:
    login(demo_client, "peer", "demo")
    junk = [("overview-window", "value", "custom"), ("overview-custom-start", "value", "²026-01-01"),
            ("overview-custom-end", "value", ["x"]), ("overview-program", "value", "²"),
            ("overview-teams", "value", ["²", {"id": 1}])]
    if output == "coverage":  # the KPI cards and heatmap, whose mode is their state
        assert callback(demo_client, COVERAGE_PANELS, junk, coverage_state(["²"])).status_code == 403
        return
    component, prop = output.split(".")
    trend = component == "overview-trend"
    assert callback(demo_client, TREND_PANEL if trend else [(component, prop)], junk,
                    TREND_STATE if trend else []).status_code == 403


def test_the_overview_asks_who_is_asking_before_it_reads_the_filters(demo_client: FlaskClient) -> None:
    """parse_filters refuses a peer worker itself, so no filter value, however odd, is read for them first."""
    login(demo_client, "peer", "demo")
    with demo_client:
        demo_client.get("/_dash-layout")  # a request as the peer worker; its context stays open in the block
        with pytest.raises(Forbidden):
            parse_filters("90", None, None, None, [])
    login(demo_client, "leader", "demo")
    with demo_client:
        demo_client.get("/_dash-layout")
        window, filters = parse_filters("30", None, None, "7", ["3", "²"])
    assert (window.days, filters.program_id, filters.team_ids) == (30, 7, frozenset({3}))


# 2026-W44-5 is Friday 30 October 2026 as an ISO week date; 20261030 the same day without dashes. Python's
# date.fromisoformat reads both; no control of ours sends them, and a person typing them means something else.
OTHER_ISO_FORMS = ["2026-W44-5", "20261030", "2026-10-30T00:00"]


@pytest.mark.parametrize("text", OTHER_ISO_FORMS[:2])
def test_a_session_dated_as_an_iso_week_or_without_dashes_is_refused(demo_client: FlaskClient, demo_db: Database,
                                                                     people: dict[str, int], text: str) -> None:
    login(demo_client, "supervisor", "demo")
    before = counts(demo_db)
    assert "The session date: enter the date as 05 Dec 2026." in save_session(demo_client, [people["omar"]], date=text)
    assert counts(demo_db) == before


@pytest.mark.parametrize("text", OTHER_ISO_FORMS)
def test_an_export_period_as_an_iso_week_date_gets_a_400(demo_client: FlaskClient, text: str) -> None:
    login(demo_client, "quality", "demo")
    response = demo_client.get(f"/export/compliance.csv?start={text}&end=2026-10-31")
    assert response.status_code == 400
    assert "'start' must be a date as YYYY-MM-DD" in response.get_data(as_text=True)


def test_a_custom_window_day_is_read_only_as_yyyy_mm_dd() -> None:
    assert as_date("2026-10-30") == date(2026, 10, 30)
    assert [as_date(text) for text in OTHER_ISO_FORMS[:2]] == [None, None]
