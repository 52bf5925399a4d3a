"""Small-cell suppression cannot be undone by differencing: every Overview number, for two filter sets that differ
by one suppressed team, is the same (head counts aside), as the page sends it."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

import callbacks.overview
from dashboard.db import Database
from models import AgencySettings, Team
from tests.conftest import DEMO_END
from tests.http.conftest import (COVERAGE_PANELS, TREND_PANEL, TREND_STATE, callback, components, coverage_state,
                                 kpi_cards, login, texts)

# On the demo agency, with 7 workers as the threshold: Downtown Drop-in Center has 4 to 6 peer workers at every
# month end of the year to DEMO_END, so it is suppressed everywhere; Eastside Outreach has 7 or 8, never.
THRESHOLD = 7
SUPPRESSED, SHOWN = "Downtown Drop-in Center", "Eastside Outreach"
HEAD_COUNTS = ("Active peer workers", "Supervisors")


def request(client: FlaskClient, outputs: list[tuple[str, str]], teams: list[int], days: int,
            state: list[tuple[str, str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    start = DEMO_END - timedelta(days=days - 1)
    inputs = [("overview-window", "value", "custom"),
              ("overview-custom-start", "value", start.isoformat()),
              ("overview-custom-end", "value", DEMO_END.isoformat()),
              ("overview-program", "value", None), ("overview-teams", "value", teams)]
    response = callback(client, outputs, inputs, state)
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)["response"]


def kpis(client: FlaskClient, teams: list[int], days: int) -> dict[str, str]:
    """Label -> value of every card that is not a head count."""
    response = request(client, COVERAGE_PANELS, teams, days, coverage_state())
    cards = kpi_cards(response["overview-kpis"]["children"])
    return {label: value for label, (value, _hint) in cards.items() if label not in HEAD_COUNTS}


def rows_by_first_cell(table: Any) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in (texts(tr) for tr in components(table, "Tr")) if row}


def signal_rows(panel: Any) -> dict[str, list[str]]:
    """The early-warning grid's values by team, in its columns' order."""
    [grid] = components(panel, "AgGrid")
    return {r["team"]: [r["admin_share"], r["credential_share"], r["fte"], r["single_points"]]
            for r in grid["props"]["rowData"]}


def figure_rows(figure: dict[str, Any]) -> dict[str, list[Any]]:
    """A heatmap's or a bar chart's values per row label (every trace), for comparing row by row."""
    rows: dict[str, list[Any]] = {}
    for trace in figure["data"]:
        if trace["type"] == "heatmap":
            for label, z, text in zip(trace["y"], trace["z"], trace["text"], strict=True):
                rows.setdefault(label, []).extend([z, text])
        elif trace.get("mode") == "text":  # the heatmap's labels, one per cell
            for column, label, text in zip(trace["x"], trace["y"], trace["text"], strict=True):
                rows.setdefault(label, []).extend([column, text])
        else:
            for i, label in enumerate(trace["y"]):
                rows.setdefault(label, []).extend([trace["x"][i], (trace.get("customdata") or [None] * (i + 1))[i]])
    return rows


def panels(client: FlaskClient, teams: list[int], days: int) -> dict[str, Any]:
    """Every number the page shows for these teams, keyed by panel (rows by team or program label)."""
    trend = request(client, TREND_PANEL, teams, days, TREND_STATE)["overview-trend"]["figure"]
    signals = request(client, [("overview-signals", "children")], teams, days)["overview-signals"]["children"]
    frequency = request(client, [("overview-frequency", "figure")], teams, days)["overview-frequency"]["figure"]
    found: dict[str, Any] = {"kpis": kpis(client, teams, days),
                             "trend": [(trace["name"], trace["x"], trace["y"]) for trace in trend["data"]],
                             "signals": signal_rows(signals), "frequency": figure_rows(frequency)}
    for mode in ("proficiency", "discussed"):
        response = request(client, COVERAGE_PANELS, teams, days, coverage_state(mode))
        found[f"heatmap {mode}"] = figure_rows(response["overview-heatmap"]["figure"])
        found[f"table {mode}"] = rows_by_first_cell(response["overview-heatmap-table"]["children"])
    return found


@pytest.fixture
def suppressing_client(demo_client: FlaskClient, demo_db: Database) -> tuple[FlaskClient, dict[str, int]]:
    with demo_db.session() as s:
        s.get(AgencySettings, 1).min_cell_workers = THRESHOLD
        teams = dict(s.execute(select(Team.name, Team.id)).all())
    login(demo_client, "leader", "demo")
    return demo_client, teams


@pytest.mark.parametrize("pooled", [False, True], ids=["team rows", "program rows"])
@pytest.mark.parametrize("days", [90, 365])
def test_no_number_changes_when_a_suppressed_team_joins_the_filter(
        suppressing_client: tuple[FlaskClient, dict[str, int]], monkeypatch: pytest.MonkeyPatch, days: int,
        pooled: bool) -> None:
    client, teams = suppressing_client
    if pooled:  # program rows pool the teams: the heatmap and frequency chart show one row per program
        monkeypatch.setattr(callbacks.overview, "MAX_TEAM_ROWS", 0)
    everyone = sorted(teams.values())
    without = [t for t in everyone if t != teams[SUPPRESSED]]
    for smaller, larger in (([teams[SHOWN]], [teams[SHOWN], teams[SUPPRESSED]]), (without, everyone)):
        small, large = panels(client, smaller, days), panels(client, larger, days)
        assert small["kpis"] == large["kpis"]
        assert small["trend"] == large["trend"]
        assert small["trend"][0][2]  # a trend with points, not two empty ones
        for panel in small.keys() - {"kpis", "trend"}:
            shared = small[panel].keys() & large[panel].keys()
            assert shared, panel
            assert {k: small[panel][k] for k in shared} == {k: large[panel][k] for k in shared}, panel
            if not pooled or panel == "signals":
                assert large[panel].keys() - small[panel].keys() <= {SUPPRESSED}
        if not pooled:  # the suppressed team's own row says n<7 wherever it appears, never a number or "none"
            assert large["signals"][SUPPRESSED] == [f"n<{THRESHOLD}"] * 4
            for mode in ("proficiency", "discussed"):
                assert set(large[f"table {mode}"][SUPPRESSED]) == {f"n<{THRESHOLD}"}
