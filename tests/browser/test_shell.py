"""Each role signs in through the real form and sees its own name, role and sections in the shell."""
from __future__ import annotations

import pytest
from dash import Dash
from dash.testing.composite import DashComposite

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

NAV = {
    "admin": ["Overview", "Compliance", "Resources", "Standards", "Import", "Audit log"],
    "leader": ["Overview", "Compliance", "Resources"],
    "quality": ["Overview", "Compliance", "Resources", "Standards", "Import", "Audit log"],
    "supervisor": ["Overview", "My team", "Compliance", "Resources"],
    "peer": ["My record", "Resources"],
}
ROLE_LABEL = {"admin": "Administrator", "leader": "Leadership", "quality": "Quality & compliance",
              "supervisor": "Supervisor", "peer": "Peer worker"}


@pytest.mark.parametrize("username", list(NAV))
def test_each_role_sees_its_shell_and_only_its_sections(dash_duo: DashComposite, browser_app: Dash,
                                                        username: str) -> None:
    log_in(dash_duo, browser_app, username)
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


def test_signing_out_returns_to_the_login_form(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "leader")
    dash_duo.find_element("#shell-logout").click()
    dash_duo.wait_for_element("#login-submit")
    dash_duo.driver.get(f"{dash_duo.server.url}/resources")
    dash_duo.wait_for_element("#login-submit")
