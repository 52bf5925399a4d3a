"""The Guides page in headless Chromium: an admin adds a guide, sees it listed there and on Resources, then retires
it and it is gone from both."""
from __future__ import annotations

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.support.select import Select

from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.browser.test_phone_and_axe import wait_until

pytestmark = pytest.mark.browser


def press(dash_duo: DashComposite, selector: str) -> None:
    """Click a control below the window's fold (the form is taller than the window), as other tests do, by script."""
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_element(selector))


def test_an_admin_adds_a_guide_sees_it_listed_and_retires_it(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.get(f"{dash_duo.server.url}/guides")
    dash_duo.wait_for_element(".guides-table")
    assert len(dash_duo.find_elements(".guides-table tbody tr")) == 5
    dash_duo.find_element("#guides-title").send_keys("Reflective Supervision Basics")
    dash_duo.find_element("#guides-publisher").send_keys("Example Institute")
    dash_duo.find_element("#guides-year").send_keys("2024")
    dash_duo.find_element("#guides-url").send_keys("https://example.org/reflective")
    dash_duo.find_element("#guides-summary").send_keys("How to open a supervision session with reflection.")
    press(dash_duo, "#guides-categories input")  # the first category
    press(dash_duo, "#guides-save")
    dash_duo.wait_for_contains_text("#guides-message", "Added “Reflective Supervision Basics”")
    dash_duo.wait_for_contains_text(".guides-table", "Reflective Supervision Basics")
    assert len(dash_duo.find_elements(".guides-table tbody tr")) == 6
    # The form now holds the new guide, ready to edit or retire.
    dash_duo.wait_for_text_to_equal("#guides-title", "Reflective Supervision Basics")  # an input's value counts
    assert Select(dash_duo.find_element("#guides-choice")).first_selected_option.text == \
        "Reflective Supervision Basics"
    screenshot(dash_duo, "guides-admin")
    assert accessibility_violations(dash_duo) == []

    dash_duo.driver.get(f"{dash_duo.server.url}/resources")
    dash_duo.wait_for_text_to_equal("#resources-count", "6 guides.")
    assert "Reflective Supervision Basics" in [t.text for t in dash_duo.find_elements(".guide-card .card-title")]

    dash_duo.driver.get(f"{dash_duo.server.url}/guides")
    dash_duo.wait_for_element(".guides-table")
    Select(dash_duo.find_element("#guides-choice")).select_by_visible_text("Reflective Supervision Basics")
    dash_duo.wait_for_text_to_equal("#guides-publisher", "Example Institute")
    press(dash_duo, "#guides-retire")
    dash_duo.wait_for_contains_text("#guides-message", "no longer shown")
    wait_until(dash_duo, lambda: len(dash_duo.find_elements(".guides-table tbody tr")) == 5)
    assert Select(dash_duo.find_element("#guides-choice")).first_selected_option.text == "New guide"
    dash_duo.driver.get(f"{dash_duo.server.url}/resources")
    dash_duo.wait_for_text_to_equal("#resources-count", "5 guides.")
    assert dash_duo.get_logs() == []
