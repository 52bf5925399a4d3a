"""Overview numbers as sent to the page: the trend ends at the last whole calendar month (a month to date is never
drawn as a month), and "Meeting the standard" counts the people "Active peer workers" counts."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient

import callbacks.overview
from dashboard.db import Database
from dashboard.queries.common import TeamFilter, Window, last_whole_month_end
from dashboard.queries.supervision import due_dates, standard_status
from dashboard.scope import Scope
from tests.conftest import DEMO_END
from tests.http.conftest import TREND_PANEL, TREND_STATE, callback, coverage_panels, kpi_cards, login


def trend_dates(client: FlaskClient, window: str, start: str | None = None, end: str | None = None) -> list[list[str]]:
    inputs = [("overview-window", "value", window), ("overview-custom-start", "value", start),
              ("overview-custom-end", "value", end), ("overview-program", "value", None),
              ("overview-teams", "value", [])]
    response = callback(client, TREND_PANEL, inputs, TREND_STATE)
    assert response.status_code == 200, response.data[:300]
    figure = json.loads(response.data)["response"]["overview-trend"]["figure"]
    return [[x[:10] for x in trace["x"]] for trace in figure["data"]]


def test_last_whole_month_end() -> None:
    assert last_whole_month_end(date(2026, 12, 4)) == date(2026, 11, 30)
    assert last_whole_month_end(date(2026, 11, 30)) == date(2026, 11, 30)  # a month's last day: that month is whole
    assert last_whole_month_end(date(2024, 3, 1)) == date(2024, 2, 29)
    assert last_whole_month_end(date(2026, 1, 15)) == date(2025, 12, 31)


def test_the_trend_ends_at_the_last_whole_month_before_the_month_to_date(demo_client: FlaskClient,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Today 4 October 2026: 1-4 October is a month to date, left out (judged as a month, four days look far
    # better than a month). The 12 points are the last days of October 2025 ... September 2026, on both lines.
    monkeypatch.setattr(callbacks.overview, "today", lambda: date(2026, 10, 4))
    login(demo_client, "leader", "demo")
    expected = ["2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30",
                "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30"]
    coverage_line, meeting_line = trend_dates(demo_client, "90")
    assert coverage_line == meeting_line == expected
    # A custom window ending on a month's last day keeps that month: it is whole.
    coverage_line, meeting_line = trend_dates(demo_client, "custom", "2026-06-01", "2026-08-31")
    assert coverage_line[-1] == meeting_line[-1] == "2026-08-31" and len(coverage_line) == 12


def test_a_window_ending_in_the_same_month_does_not_read_the_trend_again(demo_client: FlaskClient,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Today 4 October 2026: 30 days and 90 days both end the trend at 30 September, so the page's store of what the
    # trend shows ([its end, program, teams]) makes the second request answer 204 (Dash's PreventUpdate): nothing read.
    monkeypatch.setattr(callbacks.overview, "today", lambda: date(2026, 10, 4))
    login(demo_client, "leader", "demo")

    def inputs(window: str, start: str | None = None, end: str | None = None) -> list[tuple[str, str, Any]]:
        return [("overview-window", "value", window), ("overview-custom-start", "value", start),
                ("overview-custom-end", "value", end), ("overview-program", "value", "all"),
                ("overview-teams", "value", ["3", 3])]

    first = callback(demo_client, TREND_PANEL, inputs("90"), TREND_STATE)
    drawn = json.loads(first.data)["response"]["overview-trend-drawn"]["data"]
    assert drawn == ["2026-09-30", None, [3]]
    unchanged = callback(demo_client, TREND_PANEL, inputs("30"), [("overview-trend-drawn", "data", drawn)])
    assert unchanged.status_code == 204 and unchanged.data == b""
    # A window ending in August ends the trend there: drawn again, with its own end.
    other = callback(demo_client, TREND_PANEL, inputs("custom", "2026-06-01", "2026-08-31"),
                     [("overview-trend-drawn", "data", drawn)])
    assert json.loads(other.data)["response"]["overview-trend-drawn"]["data"] == ["2026-08-31", None, [3]]
    # Whatever else the store holds (a crafted or stale one), the trend is drawn as without it.
    for stored in (["2026-09-30", None, [4]], "x", {"a": 1}, None):
        again = callback(demo_client, TREND_PANEL, inputs("30"), [("overview-trend-drawn", "data", stored)])
        assert again.status_code == 200
        trend = json.loads(again.data)["response"]["overview-trend"]
        assert trend == json.loads(first.data)["response"]["overview-trend"]


def test_meeting_the_standard_counts_the_active_workers_and_says_so(demo_client: FlaskClient,
                                                                   demo_db: Database) -> None:
    # Over 365 days some demo workers left: the compliance view judges them too, the card does not.
    window = Window.last_days(365, DEMO_END)
    with demo_db.session() as s:
        judged = standard_status(s, Scope.agency(), window, TeamFilter())
        active = {d.worker_id for d in due_dates(s, Scope.agency(), DEMO_END, TeamFilter())}
    meeting = [r.meets for r in judged if r.worker_id in active]
    assert len(meeting) == len(active) < len(judged)
    login(demo_client, "leader", "demo")
    inputs = [("overview-window", "value", "custom"), ("overview-custom-start", "value", str(window.start)),
              ("overview-custom-end", "value", str(window.end)), ("overview-program", "value", None),
              ("overview-teams", "value", [])]
    response = coverage_panels(demo_client, inputs)
    cards = kpi_cards(json.loads(response.data)["response"]["overview-kpis"]["children"])
    assert cards["Active peer workers"][0] == str(len(active))
    assert cards["Meeting the standard"] == (f"{sum(meeting) / len(meeting):.0%}",
                                             "of the workers on a team on 31 Oct 2026, over 365 days")
