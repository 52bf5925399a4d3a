"""Sections that are planned but not built yet say so plainly."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def layout(title: str, what_it_will_show: str) -> html.Div:
    return html.Div([
        html.H1(title, className="page-title"),
        dbc.Alert([html.Strong("Coming soon. "), what_it_will_show], color="info", className="mt-3"),
    ])
