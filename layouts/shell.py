"""The app shell: navbar with the sections the viewer's role may use, their name and role, and the page."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.auth import Viewer
from layouts import ids
from models.vocabulary import Role


def layout(viewer: Viewer | None, csrf_token: str = "") -> html.Div:
    """Dash may call this without a logged-in viewer (start-up validation); then the bar is empty.

    Signing out is a form POST carrying the CSRF token, so a link on another site cannot sign anyone out."""
    nav_items = [dbc.NavItem(dbc.NavLink(s.label, href=s.path, active="exact", id=f"nav-{s.key}"))
                 for s in (viewer.pages() if viewer else ()) if s.in_navbar]
    # A peer worker's scope has only their own record, one click away: no search for them.
    search = [] if viewer is None or viewer.role == Role.PEER_WORKER else [html.Div([
        dbc.Label("Find a worker or team you may see", html_for=ids.SHELL_SEARCH, className="visually-hidden"),
        dbc.Input(id=ids.SHELL_SEARCH, type="search", placeholder="Find a worker or team", debounce=300,
                  autoComplete="off", size="sm", className="shell-search-input"),
        # Results as links (Tab moves into them, Enter opens); the count is announced as it changes.
        html.Div(id=ids.SHELL_SEARCH_RESULTS, className="shell-search-results", **{"aria-live": "polite"}),
    ], className="shell-search position-relative w-100", role="search")]
    user_menu = [] if viewer is None else [
        html.A("Help", href="/help", id="shell-help", className="text-white me-3",
               title="What each number means, who sees what, and a glossary"),
        # The name opens My account (the password, and a link to the sessions each signed-in browser can end).
        html.Span([html.A(viewer.full_name, href="/account", id="shell-user-name", title="My account",
                          className="fw-semibold text-white"),
                   dbc.Badge(viewer.role_label, id="shell-user-role", color="light", text_color="dark",
                             className="ms-2")],
                  className="navbar-text text-white me-3"),
        html.Form([dcc.Input(type="hidden", name="csrf_token", value=csrf_token, id="shell-csrf"),
                   html.Button("Sign out", type="submit", id="shell-logout", className="btn btn-light btn-sm")],
                  method="post", action="/logout", className="m-0"),
    ]
    navbar = dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("Peer Supervision Oversight", href="/", external_link=True),
            dbc.NavbarToggler(id=ids.SHELL_TOGGLER),
            # Closed until the menu button opens it below xl (1200 px): an admin's eleven links and the user menu
            # need that width on one line; narrower, they overflowed the window and hid Sign out.
            # The search box sits on its own line above the name and Sign out: beside them it took the width an
            # admin's links need, and they fell to four rows.
            dbc.Collapse([dbc.Nav(nav_items, navbar=True, className="me-auto"),
                          html.Div([*search,
                                    html.Div(user_menu, className="d-flex align-items-center flex-wrap gap-2")],
                                   className="shell-user-menu d-flex flex-column align-items-xl-end gap-1 py-1")],
                         navbar=True, id=ids.SHELL_COLLAPSE, is_open=False),
        ], fluid=True),
        color="#1d3557", dark=True, expand="xl", className="mb-3", id="shell-navbar",
    )
    return html.Div([
        dcc.Location(id=ids.URL),
        # The first stop for a keyboard: past the navbar to the page (visible only when it has focus).
        html.A("Skip to main content", href="#main", className="visually-hidden-focusable skip-link"),
        html.Header(navbar),
        # tabIndex -1: the skip link and a page change can put focus here without adding a Tab stop.
        html.Main(dbc.Container(dash.page_container, fluid=True, className="pb-5"), id="main", tabIndex=-1),
    ])


def forbidden(section_label: str) -> dbc.Alert:
    return dbc.Alert([html.H1("Not available for your role", className="h5"),
                      html.P(f"The {section_label} section is not part of your role's view. "
                             "Use the sections in the bar above.", className="mb-0")],
                     color="warning", className="mt-4", id="forbidden")


def not_found(**_: str) -> html.Div:
    return html.Div([html.H1("Page not found", className="page-title"),
                     html.P("There is no page at this address. It may have been mistyped, or the link may be old.",
                            className="page-lead"),
                     html.A("Go to your start page", href="/", id="not-found-home", className="btn btn-primary")],
                    id="not-found")
