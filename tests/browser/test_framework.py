"""The Framework page: an admin sees the active version's 12 categories with their principles (and the mapping
editor), loads a file as a new version and activates it after a confirmation that says what changes on screen."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.support.select import Select

from dashboard.reference import DEFAULT_FRAMEWORK
from tests.browser.conftest import accessibility_violations, log_in, screenshot

pytestmark = pytest.mark.browser


def test_admin_sees_the_categories_loads_a_version_and_activates_it(dash_duo: DashComposite, browser_app: Dash,
                                                                     tmp_path: Path) -> None:
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.get(f"{dash_duo.server.url}/framework")
    dash_duo.wait_for_element(".framework-category", timeout=20)
    rows = dash_duo.find_elements(".framework-category")
    assert len(rows) == 12
    assert rows[7].text.startswith("VIII") and "Trauma-informed" in rows[7].text
    dash_duo.wait_for_contains_text("#framework-active", "version 2015")
    assert [r.text.split()[-1] for r in dash_duo.find_elements(".framework-version-row")] == ["Active"]
    assert len(dash_duo.find_elements(".framework-mapping-row")) == 12  # the mapping editor, one row a category
    screenshot(dash_duo, "framework-admin")
    assert accessibility_violations(dash_duo) == []

    data = json.loads(DEFAULT_FRAMEWORK.read_text())
    data["version"] = "2015-agency"
    agency = tmp_path / "agency.json"
    agency.write_text(json.dumps(data, indent=2))
    dash_duo.find_element("#framework-upload input[type=file]").send_keys(str(agency))
    dash_duo.wait_for_contains_text("#framework-message", "Loaded SAMHSA", timeout=20)
    dash_duo.wait_for_text_to_equal("#framework-choice option:checked",
                                    f"{data['name']} — version 2015-agency", timeout=20)
    dash_duo.find_element("#framework-activate").click()
    dash_duo.wait_for_contains_text("#framework-confirm-text", "What changes on screen", timeout=10)
    assert accessibility_violations(dash_duo) == []
    screenshot(dash_duo, "framework-confirm")
    dash_duo.find_element("#framework-confirm").click()
    dash_duo.wait_for_contains_text("#framework-message", "version 2015-agency is now active", timeout=20)
    dash_duo.wait_for_contains_text("#framework-active", "version 2015-agency", timeout=20)
    assert Select(dash_duo.find_element("#framework-choice")).first_selected_option.text.endswith("version 2015")
    assert dash_duo.get_logs() == []
