"""Help in Chromium: a panel's "What this means", followed from the keyboard, lands on its definition with focus
on it (the content arrives after the browser has looked for the fragment)."""
from __future__ import annotations

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import accessibility_violations, log_in, screenshot

pytestmark = pytest.mark.browser


def test_a_panels_link_opens_its_definition_with_focus_on_it(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "leader")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview")
    dash_duo.wait_for_element("#overview-kpis .kpi-value", timeout=30)
    link = dash_duo.find_element("a[href='/help#principle-coverage']")
    assert link.get_attribute("aria-label") == "What this means: Principle coverage by team"
    # What the entry held at the moment it took focus, recorded from the start of the page the link loads.
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "document.addEventListener('focusin', function (e) {"
        " if (e.target.id === 'principle-coverage') window.textOnFocus = e.target.textContent; });")})
    dash_duo.driver.execute_script("arguments[0].focus();", link)
    link.send_keys(Keys.ENTER)
    WebDriverWait(dash_duo.driver, 20).until(
        lambda driver: driver.execute_script("return document.activeElement.id") == "principle-coverage")
    # Focus waits for the entry's text (its Markdown is drawn by a script loaded on first use), not just the entry.
    assert dash_duo.driver.execute_script("return window.textOnFocus").startswith("Principle coverage (team")
    # Its text as shown: on a loaded machine the paint can come a moment after.
    entry = WebDriverWait(dash_duo.driver, 20).until(
        lambda driver: driver.find_element("css selector", "#principle-coverage").text)
    assert entry.startswith("Principle coverage (team × principle, proficiency mode): the team's peer workers")
    # The role table says what the leader's navbar says: Overview yes, People no.
    rows = {row.find_element("css selector", "th").text: [cell.get_attribute("aria-label") for cell in
                                                          row.find_elements("css selector", "td")]
            for row in dash_duo.find_elements(".help-roles tbody tr")}
    assert rows["Overview"] == ["yes", "yes", "yes", "yes", "no"]  # admin, leadership, quality, supervisor, peer
    assert rows["People"] == ["yes", "no", "yes", "no", "no"] and rows["Help"] == ["yes"] * 5
    screenshot(dash_duo, "help-leader")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
