"""The Resources page lists the guides with their addresses and filters them by principle and category."""
from __future__ import annotations

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.support.select import Select

from tests.browser.conftest import accessibility_violations, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ["peer", "supervisor", "leader"])
def test_resources_lists_every_guide_with_its_address(dash_duo: DashComposite, browser_app: Dash,
                                                      username: str) -> None:
    log_in(dash_duo, browser_app, username)
    dash_duo.driver.get(f"{dash_duo.server.url}/resources")
    dash_duo.wait_for_text_to_equal("#resources-count", "5 guides.")
    assert Select(dash_duo.find_element("#resources-principle")).first_selected_option.text == "All principles"
    titles = [t.text for t in dash_duo.find_elements(".guide-card .card-title")]
    assert "Peer Support Toolkit" in titles
    assert dash_duo.find_element("a[href='https://dbhids.org/peer-support-toolkit']")
    dash_duo.wait_for_contains_text("#framework-counts", "62 competencies in 12 categories")
    screenshot(dash_duo, f"resources-{username}")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_filters_narrow_the_guides_and_come_from_the_url(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "supervisor")
    dash_duo.driver.get(f"{dash_duo.server.url}/resources?category=VIII")
    # Category VIII (crises) is linked to the SAMHSA framework and Peers for Progress only.
    dash_duo.wait_for_text_to_equal("#resources-count", "2 guides match the filters.")
    assert Select(dash_duo.find_element("#resources-category")).first_selected_option.text.startswith("VIII.")
    Select(dash_duo.find_element("#resources-principle")).select_by_visible_text("Voluntary")
    dash_duo.wait_for_text_to_equal("#resources-count", "1 guide matches the filters.")
    assert dash_duo.get_logs() == []
