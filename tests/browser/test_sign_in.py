"""Sign-in and sign-out in Chromium with the Content-Security-Policy in force: no violations on any page,
and a cross-site page cannot sign the browser in as someone else."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from dash import Dash
from dash.testing.composite import DashComposite

from tests.browser.conftest import log_in, start

pytestmark = pytest.mark.browser


def test_pages_charts_and_grids_run_under_the_policy_and_sign_out_works(dash_duo: DashComposite,
                                                                         browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "quality")
    dash_duo.wait_for_element("#overview-heatmap .main-svg", timeout=30)  # plotly.js drew, without eval
    dash_duo.driver.get(f"{dash_duo.server.url}/compliance")
    dash_duo.wait_for_contains_text("#compliance-summary", "met the standard", timeout=30)  # ag-grid, clientside
    dash_duo.wait_for_element("#compliance-grid .ag-row", timeout=30)
    dash_duo.driver.get(f"{dash_duo.server.url}/account/sessions")
    dash_duo.wait_for_contains_text("#sessions-table", "this browser")
    dash_duo.driver.get(f"{dash_duo.server.url}/import")
    dash_duo.wait_for_element("#import-upload", timeout=20)
    dash_duo.find_element("#shell-logout").click()
    dash_duo.wait_for_element("#login-submit")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview")
    dash_duo.wait_for_element("#login-submit")  # signed out: back to the form
    assert dash_duo.get_logs() == []  # Chromium reports every CSP violation here


def test_a_cross_site_page_cannot_sign_the_browser_in(dash_duo: DashComposite, browser_app: Dash) -> None:
    start(dash_duo, browser_app)
    url = dash_duo.server.url
    attacker = (f'<form method="post" action="{url}/login"><input name="username" value="leader">'
                '<input name="password" value="demo"></form><script>document.forms[0].submit()</script>')
    dash_duo.driver.get("data:text/html," + quote(attacker))
    dash_duo.wait_for_contains_text("#login-error", "This sign-in form had expired")
    dash_duo.driver.get(f"{url}/overview")
    dash_duo.wait_for_element("#login-submit")  # not signed in as the attacker's account
    assert not dash_duo.find_elements("#shell-user-name")
