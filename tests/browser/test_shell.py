"""Each role signs in through the real form and sees its own name, role and sections in the shell."""
from __future__ import annotations

import pytest
from dash import Dash
from dash.testing.composite import DashComposite

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

NAV = {
    "admin": ["Overview", "Compliance", "Resources", "Guides", "Standards", "People", "Settings", "Framework",
              "Import", "Audit log", "Accounts", "Sign-off", "Credentials"],
    "leader": ["Overview", "Compliance", "Resources", "Sign-off", "Credentials"],
    "quality": ["Overview", "Compliance", "Resources", "Standards", "People", "Settings", "Framework", "Import",
                "Audit log",
                "Sign-off", "Credentials"],
    "supervisor": ["Overview", "My team", "Compliance", "Resources", "Sign-off"],
    "peer": ["My record", "Resources"],
}
ROLE_LABEL = {"admin": "Administrator", "leader": "Leadership", "quality": "Quality & compliance",
              "supervisor": "Supervisor", "peer": "Peer worker"}


@pytest.mark.parametrize("username", list(NAV))
def test_each_role_sees_its_shell_and_only_its_sections(dash_duo: DashComposite, browser_app: Dash,
                                                        username: str) -> None:
    log_in(dash_duo, browser_app, username)
    dash_duo.driver.set_window_size(1440, 900)  # the bar is expanded from 1200 px; narrower it is a menu
    nav = [link.text for link in dash_duo.find_elements("#shell-navbar .nav-link")]
    assert nav == NAV[username]
    assert dash_duo.find_element("#shell-user-role").text == ROLE_LABEL[username]
    assert dash_duo.find_element("#shell-user-name").text.strip()
    screenshot(dash_duo, f"shell-{username}")
    assert dash_duo.get_logs() == []


def test_a_peer_worker_opening_overview_by_address_gets_a_notice_not_the_page(dash_duo: DashComposite,
                                                                             browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "peer")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview")
    dash_duo.wait_for_contains_text("#forbidden", "Not available for your role")
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("width", [1200, 1440])
@pytest.mark.parametrize("username", ["admin", "quality", "leader"])
def test_signing_out_returns_to_the_login_form(dash_duo: DashComposite, browser_app: Dash, username: str,
                                               width: int) -> None:
    """The bar fits the window (an admin's eleven (now twelve) links once pushed Sign out off-screen at 780-1440 px)."""
    log_in(dash_duo, browser_app, username)
    dash_duo.driver.set_window_size(width, 900)
    # The bar itself: the page below may still be laying out its charts for the new width.
    overflow, right = dash_duo.driver.execute_script(
        "const bar = document.getElementById('shell-navbar');"
        "return [bar.scrollWidth - bar.clientWidth,"
        "        document.getElementById('shell-logout').getBoundingClientRect().right - bar.clientWidth];")
    assert overflow == 0 and right <= 0
    dash_duo.find_element("#shell-logout").click()
    dash_duo.wait_for_element("#login-submit")
    dash_duo.driver.get(f"{dash_duo.server.url}/resources")
    dash_duo.wait_for_element("#login-submit")
