"""Crafted /_dash-update-component requests to every Overview callback: nobody sees past their scope."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from dashboard.db import Database
from models import Program, Team
from tests.http.conftest import TREND_PANEL, TREND_STATE, callback, coverage_panels, login

SUPERVISOR_TEAMS = {"Eastside Outreach", "Westside Outreach"}  # the demo supervisor's two teams


def filters(window: Any = "90", program: Any = None, teams: Any = None) -> list[tuple[str, str, Any]]:
    return [("overview-window", "value", window), ("overview-custom-start", "value", None),
            ("overview-custom-end", "value", None), ("overview-program", "value", program),
            ("overview-teams", "value", teams or [])]


def heatmap(client: FlaskClient, **kwargs: Any) -> Any:
    mode = kwargs.pop("mode", "proficiency")
    return coverage_panels(client, filters(**kwargs), mode)


def heatmap_teams(response: Any) -> set[str]:
    assert response.status_code == 200, response.data[:300]
    figure = json.loads(response.data)["response"]["overview-heatmap"]["figure"]
    return set(figure["data"][0]["y"]) if figure["data"] else set()


def team_id(db: Database, name: str) -> int:
    with db.session() as s:
        return s.scalar(select(Team.id).where(Team.name == name))


def test_leadership_sees_every_team(demo_client: FlaskClient) -> None:
    login(demo_client, "leader", "demo")
    assert len(heatmap_teams(heatmap(demo_client))) == 10


def test_a_supervisor_sees_only_their_two_teams(demo_client: FlaskClient) -> None:
    login(demo_client, "supervisor", "demo")
    assert heatmap_teams(heatmap(demo_client)) == SUPERVISOR_TEAMS


def test_a_forged_team_or_program_filter_returns_nothing_outside_the_scope(demo_client: FlaskClient,
                                                                        demo_db: Database) -> None:
    login(demo_client, "supervisor", "demo")
    other = team_id(demo_db, "Riverside Health Home")
    with demo_db.session() as s:
        other_program = s.scalar(select(Team.program_id).where(Team.id == other))
        own_program = s.scalar(select(Team.program_id).where(Team.name == "Eastside Outreach"))
        unrelated = s.scalar(select(Program.id).where(Program.id.not_in([own_program])))
    assert heatmap_teams(heatmap(demo_client, teams=[other])) == set()
    assert heatmap_teams(heatmap(demo_client, teams=[other, "1 OR 1=1", {"id": 1}])) == set()
    if other_program != own_program:
        assert heatmap_teams(heatmap(demo_client, program=other_program)) == set()
    assert heatmap_teams(heatmap(demo_client, program=unrelated)) == set()
    for response in (heatmap(demo_client, teams=[other]), heatmap(demo_client, program=unrelated)):
        assert b"Riverside" not in response.data


@pytest.mark.parametrize("output,extra", [
    ([("overview-frequency", "figure")], []),
    (TREND_PANEL, TREND_STATE),
    ([("overview-signals", "children")], []),
])
def test_every_panel_keeps_a_supervisor_to_their_teams(demo_client: FlaskClient, output: list[tuple[str, str]],
                                                       extra: list[Any]) -> None:
    login(demo_client, "supervisor", "demo")
    response = callback(demo_client, output, filters(), extra)
    assert response.status_code == 200, response.data[:300]
    for name in ("Riverside Health Home", "Northgate Recovery Coaching", "Southpoint Health Home"):
        assert name.encode() not in response.data


def test_the_filter_options_list_only_the_supervisors_teams(demo_client: FlaskClient) -> None:
    login(demo_client, "supervisor", "demo")
    response = callback(demo_client, [("overview-scope-note", "children"), ("overview-program", "options"),
                                      ("overview-teams", "options"), ("overview-teams", "value"),
                                      ("overview-teams-summary", "children")],
                        [("overview-program", "value", "all"), ("overview-teams", "value", [])])
    body = json.loads(response.data)["response"]
    assert {o["label"].split(" (")[0] for o in body["overview-teams"]["options"]} == SUPERVISOR_TEAMS


def test_a_drilldown_into_another_team_shows_nothing_of_it(demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "supervisor", "demo")
    other = team_id(demo_db, "Riverside Health Home")
    # The keys store is client state: a forged one maps the clicked label to another team's id.
    click = {"points": [{"x": "Trauma-informed", "y": "Eastside Outreach"}]}
    forged_keys = {"teams": {"Eastside Outreach": other}, "principles": {"Trauma-informed": "trauma-informed"}}
    response = callback(demo_client, [("overview-drilldown", "is_open"), ("overview-drilldown-body", "children"),
                                      ("overview-drilldown-title", "children"), ("overview-program", "value")],
                        [("overview-heatmap", "clickData", click)],
                        [("overview-window", "value", "90"), ("overview-custom-start", "value", None),
                         ("overview-custom-end", "value", None), ("overview-heatmap-keys", "data", forged_keys)])
    assert response.status_code == 200
    assert b"not in your view" in response.data and b"Riverside" not in response.data


@pytest.mark.parametrize("output", [[("overview-frequency", "figure")], TREND_PANEL,
                                    [("overview-signals", "children")]])
def test_a_peer_worker_gets_403_from_every_overview_callback(demo_client: FlaskClient,
                                                             output: list[tuple[str, str]]) -> None:
    login(demo_client, "peer", "demo")
    response = callback(demo_client, output, filters(), TREND_STATE if output == TREND_PANEL else [])
    assert response.status_code == 403
    assert heatmap(demo_client).status_code == 403


@pytest.mark.parametrize("window", ["custom", "-1", "99999", None, ["90"], "90; DROP TABLE staff"])
def test_odd_window_values_fall_back_to_the_default_and_never_fail(demo_client: FlaskClient, window: Any) -> None:
    login(demo_client, "leader", "demo")
    assert len(heatmap_teams(heatmap(demo_client, window=window))) == 10


def test_with_more_teams_than_fit_the_heatmap_shows_programs(demo_client: FlaskClient,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import callbacks.overview

    monkeypatch.setattr(callbacks.overview, "MAX_TEAM_ROWS", 5)
    login(demo_client, "leader", "demo")
    rows = heatmap_teams(heatmap(demo_client))
    # Labels are escaped for Plotly, which shows "&amp;" as "&".
    assert rows == {"Community Recovery Services", "Integrated Health Homes", "Crisis &amp; Transition Services"}


LINK = '<a href="http://x.example">Eastside</a>'  # as an import could name a team
ESCAPED = '&lt;a href="http://x.example"&gt;Eastside&lt;/a&gt;'


def test_a_team_named_like_html_is_shown_as_typed_in_the_charts_and_still_opens(demo_client: FlaskClient,
                                                                                 demo_db: Database) -> None:
    """Plotly reads links and tags in labels and hovers: a name is escaped wherever a figure renders it (and read
    back escaped when a heatmap cell is clicked)."""
    eastside = team_id(demo_db, "Eastside Outreach")
    with demo_db.session() as s:
        s.get(Team, eastside).name = LINK
    login(demo_client, "leader", "demo")
    response = heatmap(demo_client)
    assert LINK not in response.get_data(as_text=True).replace("\\u003c", "<").replace("\\u003e", ">")
    assert ESCAPED in heatmap_teams(response)
    keys = json.loads(response.data)["response"]["overview-heatmap-keys"]["data"]
    frequency = callback(demo_client, [("overview-frequency", "figure")], filters())
    figure = json.loads(frequency.data)["response"]["overview-frequency"]["figure"]
    assert ESCAPED in figure["data"][0]["y"] and LINK not in figure["data"][0]["y"]
    # A click on the escaped label opens that team's drill-down, with the name as typed in the dialog's title.
    click = {"points": [{"x": "Trauma-informed", "y": ESCAPED}]}
    opened = callback(demo_client, [("overview-drilldown", "is_open"), ("overview-drilldown-body", "children"),
                                    ("overview-drilldown-title", "children"), ("overview-program", "value")],
                      [("overview-heatmap", "clickData", click)],
                      [("overview-window", "value", "90"), ("overview-custom-start", "value", None),
                       ("overview-custom-end", "value", None), ("overview-heatmap-keys", "data", keys)])
    result = json.loads(opened.data)["response"]
    assert result["overview-drilldown"]["is_open"] is True
    assert result["overview-drilldown-title"]["children"] == f"{LINK} · Trauma-informed"  # Dash renders text, not HTML
