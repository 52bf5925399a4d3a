"""Every chart is sent as a plain figure dict (dashboard/figures.py says why): each must be one that plotly.py's own
validation accepts and sends back unchanged, so a typo in a property name fails here rather than in the browser."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Dash

from callbacks.overview import refresh_frequency, refresh_heatmap, refresh_trend
from dashboard import figures
from dashboard.db import Database
from layouts.profile import history_chart
from tests.callback_calls import as_sent, signed_in


def validated(figure: dict[str, Any]) -> dict[str, Any]:
    """The figure as sent, after asserting go.Figure accepts it (it raises on an unknown property) and sends it
    back as it was."""
    sent = as_sent(figure)
    assert as_sent(go.Figure(sent)) == sent
    return sent


def test_the_overview_charts_are_figures_plotly_accepts(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        frequency = validated(refresh_frequency("90", None, None, "all", []))
        trend = validated(refresh_trend("365", None, None, "all", [])[0])
        heatmap = validated(refresh_heatmap("90", None, None, "all", [], "proficiency")[0])
    # the demo's ten teams, each bar with its standard's marker beside it
    assert [t["type"] for t in frequency["data"]] == ["bar", "scatter"]
    assert len(frequency["data"][0]["y"]) == 10 and frequency["data"][0]["y"] == frequency["data"][1]["y"]
    assert frequency["layout"]["template"]["layout"]["plot_bgcolor"] == "white"  # plotly_white, as before
    # twelve whole months, dates as ISO days (what go.Scatter made of the dates it was given)
    assert [len(t["x"]) for t in trend["data"]] == [12, 12]
    assert all(len(day) == 10 and day[4] == "-" for t in trend["data"] for day in t["x"])
    assert heatmap["data"][0]["type"] == "heatmap"


def test_empty_charts_are_figures_plotly_accepts() -> None:
    for figure in (figures.empty_figure("Nothing to show"), figures.frequency_chart([]), figures.trend_chart([], []),
                   history_chart([], {}, [1, 2, 3, 4])):
        validated(figure)
    assert figures.frequency_chart([])["layout"]["annotations"][0]["text"] == "No team with enough workers to show."
