"""Off the happy path: a sign-in that ended mid-visit goes to the sign-in form with a message and back to the same
view; an unknown address gets the app's shell and a way home."""
from __future__ import annotations

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_an_ended_session_sends_the_person_to_sign_in_and_back_to_the_same_view(dash_duo: DashComposite,
                                                                               browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "leader")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview?window=180")
    dash_duo.wait_for_contains_text("#overview-kpis", "over 180 days", timeout=20)
    dash_duo.driver.delete_all_cookies()  # as if the session had timed out on the server
    Select(dash_duo.find_element("#overview-window")).select_by_value("365")  # the next callback gets 401
    dash_duo.wait_for_element("#login-notice", timeout=20)
    assert "signed out" in dash_duo.find_element("#login-notice").text
    # The window change fires the overview's callbacks at once: each is refused once, then the page leaves.
    refused = [e for e in dash_duo.get_logs() or [] if "401" in e.get("message", "")]
    assert 1 <= len(refused) <= 6
    screenshot(dash_duo, "states-expired")
    dash_duo.driver.find_element(By.ID, "username").send_keys("leader")
    dash_duo.driver.find_element(By.ID, "password").send_keys("demo")
    dash_duo.driver.find_element(By.ID, "login-submit").click()
    dash_duo.wait_for_contains_text("#overview-kpis", "over 365 days", timeout=20)  # the view chosen last
    assert dash_duo.driver.current_url.endswith("/overview?window=365")
    assert dash_duo.get_logs() == []  # no loop of 401s, nothing else either


def test_an_unknown_address_shows_the_shell_and_a_link_home(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "supervisor")
    dash_duo.driver.get(f"{dash_duo.server.url}/no-such-page")
    dash_duo.wait_for_text_to_equal("#not-found h1", "Page not found", timeout=20)
    assert [link.text for link in dash_duo.find_elements("#shell-navbar .nav-link")][:2] == ["Overview", "My team"]
    screenshot(dash_duo, "states-not-found")
    dash_duo.find_element("#not-found-home").click()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: d.current_url.endswith("/overview"))
    assert dash_duo.get_logs() == []
