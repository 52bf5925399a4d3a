"""Periods with nobody in them say so: the heatmap, the trend and the early warnings; a team nobody was on is left
out of the warnings rather than shown as "n<3" and "none"."""
from __future__ import annotations

from dash import Dash

from callbacks.overview import NO_WORKERS, refresh_heatmap, refresh_signals, refresh_trend
from dashboard.db import Database
from tests.callback_calls import as_sent, signed_in

BEFORE_ANYONE = ("custom", "2010-01-01", "2010-03-31", "all", [])  # years before the demo agency's first hire


def test_a_period_before_anyone_was_hired_says_there_were_no_workers(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        figure, table, message, keys = refresh_heatmap(*BEFORE_ANYONE, "proficiency")
        trend, _drawn = refresh_trend(*BEFORE_ANYONE)
        signals = as_sent(refresh_signals(*BEFORE_ANYONE))
    assert NO_WORKERS in str(as_sent(message)) and table == "" and keys == {}
    assert figure["layout"]["annotations"][0]["text"] == NO_WORKERS
    assert trend["layout"]["annotations"][0]["text"] == NO_WORKERS
    assert signals["props"]["children"] == NO_WORKERS


def test_teams_nobody_was_on_are_counted_out_of_the_warnings(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        early = str(as_sent(refresh_signals("custom", "2019-01-01", "2019-03-31", "all", [])))
        now = str(as_sent(refresh_signals("90", None, None, "all", [])))
    assert "8 teams had no workers in this period and are left out." in early
    assert "no workers" not in now  # every demo team is staffed today
