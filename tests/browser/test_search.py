"""The navbar's search in Chromium, by keyboard alone: a supervisor types a name, Tabs to the hit and opens the
worker's profile; an administrator's navbar still fits with the box in it; axe finds nothing with results open."""
from __future__ import annotations

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import accessibility_violations, log_in, screenshot

pytestmark = pytest.mark.browser


def focused_text(dash_duo: DashComposite) -> str:
    return dash_duo.driver.execute_script("return document.activeElement.textContent;")


def test_a_supervisor_finds_a_worker_and_opens_their_profile_by_keyboard(dash_duo: DashComposite,
                                                                         browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "supervisor")
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team")
    dash_duo.wait_for_element("#my-team-roster .ag-row", timeout=30)
    box = dash_duo.find_element("#shell-search")
    dash_duo.driver.execute_script("arguments[0].focus();", box)
    box.send_keys("omar")
    dash_duo.wait_for_contains_text("#shell-search-results", "Omar Davis", timeout=15)
    assert "Omar Martinez" not in dash_duo.find_element("#shell-search-results").text  # another supervisor's
    screenshot(dash_duo, "search-supervisor")
    assert accessibility_violations(dash_duo) == []
    box.send_keys(Keys.TAB)
    WebDriverWait(dash_duo.driver, 5).until(lambda _d: focused_text(dash_duo).startswith("Omar Davis"))
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    dash_duo.wait_for_text_to_equal("#profile-name", "Omar Davis", timeout=30)
    assert "/my-team?worker=" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("width", [1200, 1440])
def test_the_admins_navbar_fits_with_the_search_box(dash_duo: DashComposite, browser_app: Dash, width: int) -> None:
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.set_window_size(width, 900)
    dash_duo.driver.get(f"{dash_duo.server.url}/people")
    dash_duo.wait_for_element("#shell-search", timeout=20)
    assert dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;")
    logout = dash_duo.find_element("#shell-logout").rect
    assert logout["x"] + logout["width"] <= width  # Sign out is on screen
    screenshot(dash_duo, f"search-navbar-admin-{width}")
