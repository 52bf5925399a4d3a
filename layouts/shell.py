"""The app shell: navbar with the sections the viewer's role may use, their name and role, and the page."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.auth import Viewer
from layouts import ids


def layout(viewer: Viewer | None) -> html.Div:
    """Dash may call this without a logged-in viewer (start-up validation); then the bar is empty."""
    nav_items = [dbc.NavItem(dbc.NavLink(s.label, href=s.path, active="exact", id=f"nav-{s.key}"))
                 for s in (viewer.sections() if viewer else ())]
    user_menu = [] if viewer is None else [
        html.Span([html.Span(viewer.full_name, id="shell-user-name", className="fw-semibold"),
                   dbc.Badge(viewer.role_label, id="shell-user-role", color="light", text_color="dark",
                             className="ms-2")],
                  className="navbar-text text-white me-3"),
        dbc.Button("Sign out", href="/logout", external_link=True, color="light", size="sm",
                   id="shell-logout"),
    ]
    navbar = dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("Peer Supervision Oversight", href="/", external_link=True),
            dbc.NavbarToggler(id="shell-toggler"),
            dbc.Collapse(dbc.Nav(nav_items, navbar=True, className="me-auto"), navbar=True,
                         id="shell-collapse", is_open=True),
            html.Div(user_menu, className="d-flex align-items-center"),
        ], fluid=True),
        color="#1d3557", dark=True, className="mb-3", id="shell-navbar",
    )
    return html.Div([
        dcc.Location(id=ids.URL),
        html.Header(navbar),
        html.Main(dbc.Container(dash.page_container, fluid=True, className="pb-5"), id="main"),
    ])


def forbidden(section_label: str) -> dbc.Alert:
    return dbc.Alert([html.H1("Not available for your role", className="h5"),
                      html.P(f"The {section_label} section is not part of your role's view. "
                             "Use the sections in the bar above.", className="mb-0")],
                     color="warning", className="mt-4", id="forbidden")
