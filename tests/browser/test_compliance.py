"""The Compliance and Standards pages in headless Chromium: filter, download each format, no axe violations."""
from __future__ import annotations

from typing import Any

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import accessibility_violations, log_in, screenshot, type_day

pytestmark = pytest.mark.browser

FETCH_JS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'}).then(async r => {
    const body = await r.arrayBuffer();
    done({status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'),
          size: body.byteLength, text: r.headers.get('content-type').startsWith('text/')
              ? new TextDecoder().decode(body) : ''});
}).catch(e => done({error: String(e)}));
"""


def wait_until(dash_duo: DashComposite, condition: Any, timeout: float = 30) -> None:
    WebDriverWait(dash_duo.driver, timeout).until(lambda _driver: condition())


def grid_rows(dash_duo: DashComposite, grid: str = "compliance-grid") -> int:
    return dash_duo.driver.execute_script(
        f"const api = dash_ag_grid.getApi('{grid}'); return api ? api.getDisplayedRowCount() : -1;")


def open_compliance(dash_duo: DashComposite, app: Dash, username: str, query: str = "", rows: bool = True) -> None:
    log_in(dash_duo, app, username)
    dash_duo.driver.get(f"{dash_duo.server.url}/compliance{query}")
    if rows:
        dash_duo.wait_for_contains_text("#compliance-summary", "met the standard", timeout=30)
        wait_until(dash_duo, lambda: grid_rows(dash_duo) > 0)


def test_quality_staff_filter_the_view_and_download_each_format(dash_duo: DashComposite, browser_app: Dash) -> None:
    open_compliance(dash_duo, browser_app, "quality")
    everyone = grid_rows(dash_duo)
    wait_until(dash_duo, lambda: grid_rows(dash_duo, "compliance-rollup") == 10)  # the demo agency's teams
    # All ten on screen inside their card: the grid is as tall as its rows (it was a 22rem box that cut the tenth).
    wait_until(dash_duo, lambda: dash_duo.driver.execute_script(
        "const grid = document.getElementById('compliance-rollup'), card = grid.closest('.card');"
        "const rows = grid.querySelectorAll('.ag-center-cols-container .ag-row');"
        "return rows.length === 10 && Array.from(rows).every(r => r.getBoundingClientRect().bottom <= "
        "grid.getBoundingClientRect().bottom) && grid.getBoundingClientRect().bottom <= "
        "card.getBoundingClientRect().bottom;"), timeout=10)
    # Sorted by share met, lowest first: the teams that most need help at the top.
    dash_duo.driver.execute_script("dash_ag_grid.getApi('compliance-rollup').applyColumnState("
                                   "{state: [{colId: 'share_met', sort: 'asc'}]});")
    shares = dash_duo.driver.execute_script(
        "const out = []; dash_ag_grid.getApi('compliance-rollup').forEachNodeAfterFilterAndSort("
        "n => out.push(n.data.share_met)); return out;")
    assert len(shares) == 10 and shares == sorted(shares)
    screenshot(dash_duo, "compliance-quality")

    program = Select(dash_duo.find_element("#compliance-program"))
    wait_until(dash_duo, lambda: len(program.options) > 2)
    program.select_by_index(2)  # 0 is dbc.Select's hidden placeholder, 1 "All programs"
    try:
        wait_until(dash_duo, lambda: 0 < grid_rows(dash_duo) < everyone)
    finally:
        screenshot(dash_duo, "compliance-quality-program")
    shown = grid_rows(dash_duo)
    assert "program=" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text("#compliance-summary", f"{shown:,} workers", timeout=30)
    screenshot(dash_duo, "compliance-quality-program")

    for button, media_type in (("#compliance-csv", "text/csv"), ("#compliance-xlsx", "spreadsheetml"),
                               ("#compliance-pdf", "application/pdf")):
        href = dash_duo.find_element(button).get_attribute("href")
        assert "program=" in href
        got = dash_duo.driver.execute_async_script(FETCH_JS, href)
        assert got.get("status") == 200, got
        assert media_type in got["type"] and "attachment" in got["disposition"] and got["size"] > 500
        if media_type == "text/csv":
            assert len(got["text"].strip().splitlines()) == shown + 1  # the header and the grid's rows
    assert dash_duo.get_logs() == []


def test_column_choice_hides_a_column(dash_duo: DashComposite, browser_app: Dash) -> None:
    open_compliance(dash_duo, browser_app, "leader")
    assert dash_duo.driver.find_elements("css selector", ".ag-header-cell[col-id='supervisors']")
    dash_duo.driver.execute_script("const d = document.querySelector('#compliance-columns').closest('details');"
                                   "d.open = true; d.scrollIntoView();")
    dash_duo.driver.execute_script(
        "document.getElementById('_dbcprivate_checklist_compliance-columns_input_supervisors').click();")
    wait_until(dash_duo, lambda: not dash_duo.driver.find_elements("css selector",
                                                                   ".ag-header-cell[col-id='supervisors']"))
    screenshot(dash_duo, "compliance-leader")


def test_a_bad_period_shows_a_message(dash_duo: DashComposite, browser_app: Dash) -> None:
    open_compliance(dash_duo, browser_app, "admin", "?start=2026-06-30&end=2026-04-01", rows=False)
    dash_duo.wait_for_contains_text("#compliance-message", "before", timeout=30)
    # Disabled, the download "links" become disabled buttons with no address.
    wait_until(dash_duo, lambda: all(dash_duo.find_element(f"#compliance-{kind}").get_attribute("disabled")
                                     for kind in ("csv", "xlsx", "pdf")))
    screenshot(dash_duo, "compliance-admin-bad-period")


def test_the_compliance_page_has_no_accessibility_violations(dash_duo: DashComposite, browser_app: Dash) -> None:
    open_compliance(dash_duo, browser_app, "quality")
    assert accessibility_violations(dash_duo) == []


def test_the_standards_page_shows_versions_and_has_no_accessibility_violations(dash_duo: DashComposite,
                                                                              browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.get(f"{dash_duo.server.url}/standards")
    dash_duo.wait_for_contains_text("#standards-in-force", "Fully certified", timeout=30)
    dash_duo.wait_for_element("#standards-form-rules select", timeout=30)
    screenshot(dash_duo, "standards-admin")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_quality_staff_save_a_new_version_of_the_standard(dash_duo: DashComposite, browser_app: Dash) -> None:
    from datetime import date, timedelta

    log_in(dash_duo, browser_app, "quality")
    dash_duo.driver.get(f"{dash_duo.server.url}/standards")
    dash_duo.wait_for_element("#standards-form-rules select", timeout=30)
    effective = date.today() + timedelta(days=40)
    type_day(dash_duo, "#standards-effective", effective)
    dash_duo.find_element("#standards-name").send_keys("Next year's state rule")
    presets = dash_duo.driver.find_elements("css selector", "#standards-form-rules select")
    Select(presets[-1]).select_by_value("14")  # fully certified: every two weeks
    dash_duo.driver.execute_script("document.getElementById('standards-save').click();")
    dash_duo.wait_for_contains_text("#standards-message", "Saved", timeout=30)
    dash_duo.wait_for_contains_text("#standards-versions", "Next year's state rule", timeout=30)
    assert f"{effective:%d %b %Y}" in dash_duo.find_element("#standards-versions").text
    screenshot(dash_duo, "standards-quality-saved")
    assert dash_duo.get_logs() == []
