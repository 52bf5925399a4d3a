"""The Overview page in headless Chromium: heatmap, modes, window, drill-down with guides, supervisor scope."""
from __future__ import annotations

from typing import Any

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import accessibility_violations, log_in, screenshot

pytestmark = pytest.mark.browser

PRINCIPLES = ["Recovery-oriented", "Person-centered", "Voluntary", "Relationship-focused", "Trauma-informed"]


def wait_until(dash_duo: DashComposite, condition: Any, timeout: float = 20) -> None:
    WebDriverWait(dash_duo.driver, timeout).until(lambda _driver: condition())


def heatmap_trace(dash_duo: DashComposite) -> dict[str, Any]:
    return dash_duo.driver.execute_script(
        "const g = document.querySelector('#overview-heatmap .js-plotly-plot');"
        "return g && g.data && g.data.length ? {x: g.data[0].x, y: g.data[0].y, z: g.data[0].z} : null;")


def wait_for_heatmap(dash_duo: DashComposite, rows: int) -> dict[str, Any]:
    wait_until(dash_duo, lambda: (heatmap_trace(dash_duo) or {}).get("y") is not None
                      and len(heatmap_trace(dash_duo)["y"]) == rows, timeout=20)
    return heatmap_trace(dash_duo)


def test_leadership_sees_every_team_switches_modes_and_windows_and_drills_down(dash_duo: DashComposite,
                                                                              browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "leader")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview")
    trace = wait_for_heatmap(dash_duo, 10)
    assert trace["x"] == PRINCIPLES
    assert "Riverside Health Home" in trace["y"]
    dash_duo.wait_for_contains_text("#overview-kpis", "Active peer workers", timeout=20)
    dash_duo.wait_for_contains_text("#overview-kpis", "1 of them on leave", timeout=20)  # the planted Kevin Rivera
    screenshot(dash_duo, "overview-leader")

    proficiency = trace["z"]
    dash_duo.find_element("label[for='_dbcprivate_radioitems_overview-mode_input_discussed']").click()
    wait_until(dash_duo, lambda: heatmap_trace(dash_duo)["z"] != proficiency, timeout=20)

    kpis_90 = dash_duo.find_element("#overview-kpis").text
    assert not dash_duo.find_element("#overview-custom-start").is_displayed()
    Select(dash_duo.find_element("#overview-window")).select_by_value("custom")  # the From/To fields show
    wait_until(dash_duo, lambda: dash_duo.find_element("#overview-custom-start").is_displayed())
    Select(dash_duo.find_element("#overview-window")).select_by_value("365")
    wait_until(dash_duo, lambda: not dash_duo.find_element("#overview-custom-start").is_displayed())
    wait_until(dash_duo, lambda: "over 365 days" in dash_duo.find_element("#overview-kpis").text, timeout=20)
    assert dash_duo.find_element("#overview-kpis").text != kpis_90
    assert "window=365" in dash_duo.driver.current_url and "mode=discussed" in dash_duo.driver.current_url

    plot_area = dash_duo.find_element("#overview-heatmap .nsewdrag")
    ActionChains(dash_duo.driver).move_to_element(plot_area).click().perform()
    dash_duo.wait_for_contains_text("#overview-drilldown-body", "Guides that help", timeout=20)
    guide_links = dash_duo.find_elements("#overview-drilldown-body .drilldown-guide a")
    assert guide_links and all(link.get_attribute("href").startswith("http") for link in guide_links)
    screenshot(dash_duo, "overview-leader-drilldown")
    assert dash_duo.get_logs() == []


def test_a_supervisor_sees_only_their_teams(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "supervisor")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview")
    trace = wait_for_heatmap(dash_duo, 2)
    assert sorted(trace["y"]) == ["Eastside Outreach", "Westside Outreach"]
    dash_duo.wait_for_contains_text("#overview-scope-note", "Your teams: Eastside Outreach, Westside Outreach")
    screenshot(dash_duo, "overview-supervisor")
    assert dash_duo.get_logs() == []


def test_a_link_reproduces_the_filtered_view(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "quality")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview?window=180&mode=discussed")
    wait_for_heatmap(dash_duo, 10)
    assert Select(dash_duo.find_element("#overview-window")).first_selected_option.text == "Last 180 days"
    assert dash_duo.find_element("#_dbcprivate_radioitems_overview-mode_input_discussed").is_selected()
    dash_duo.wait_for_contains_text("#overview-kpis", "over 180 days", timeout=20)


def test_the_overview_page_has_no_accessibility_violations(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "leader")
    dash_duo.driver.get(f"{dash_duo.server.url}/overview")
    wait_for_heatmap(dash_duo, 10)
    dash_duo.wait_for_contains_text("#overview-signals", "Southpoint Health Home", timeout=20)
    assert accessibility_violations(dash_duo) == []
