"""Resources page: the supervision guides, filterable by principle and category, and the framework itself."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.select import select


def layout(principle: str | None = None, category: str | None = None, **_: str) -> html.Div:
    """Filter values may arrive from the URL (?principle=…&category=…); the options callback checks them."""
    return html.Div([
        dcc.Store(id=ids.RESOURCES_FROM_URL, data={"principle": principle, "category": category}),
        html.H1("Resources", className="page-title"),
        html.P("Guides that help supervisors with each principle and competency category.", className="page-lead"),
        dbc.Row([
            dbc.Col([dbc.Label("Principle", html_for=ids.RESOURCES_PRINCIPLE),
                     select(id=ids.RESOURCES_PRINCIPLE, value="all")], md=4),
            dbc.Col([dbc.Label("Competency category", html_for=ids.RESOURCES_CATEGORY),
                     select(id=ids.RESOURCES_CATEGORY, value="all")], md=6),
        ], className="g-3 mb-3"),
        html.P(id=ids.RESOURCES_COUNT, className="text-body-secondary small", **{"aria-live": "polite"}),
        dcc.Loading(html.Div(id=ids.RESOURCES_GUIDES), type="default"),
        html.H2("The framework", className="h4 mt-5"),
        dcc.Loading(html.Div(id=ids.RESOURCES_FRAMEWORK), type="default"),
    ])
