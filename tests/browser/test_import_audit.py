"""Import and Audit log pages in headless Chromium: a messy file is refused row by row, a clean one imports
and shows up in the audit log; both pages pass axe-core."""
from __future__ import annotations

from pathlib import Path

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import accessibility_violations, log_in, screenshot

pytestmark = pytest.mark.browser

MESSY_STAFF = ("employee_code,full_name,role,hire_date,fte\r\n"
               "E9001,Ada Example,peer_worker,2024-02-30,1\r\n"
               "E9002,Bo Example,clinician,2024-02-01,1.5\r\n"
               "E9001,Cy Example,peer_worker,2024-02-01,1\r\n")
CLEAN_STAFF = ("\ufeffemployee_code,full_name,role,hire_date,fte,Department\r\n"
               "E9101,Dee Example,peer_worker,2024-02-01,0.5,Outreach\r\n")  # another system's column, ignored


def grid_rows(dash_duo: DashComposite, grid_id: str) -> int:
    return dash_duo.driver.execute_script(
        f"return document.querySelectorAll('#{grid_id} .ag-center-cols-container .ag-row').length;")


def upload(dash_duo: DashComposite, path: Path) -> None:
    dash_duo.find_element("#import-upload input[type=file]").send_keys(str(path))


def test_quality_sees_a_messy_file_refused_row_by_row_then_imports_a_clean_one_and_finds_it_in_the_audit_log(
        dash_duo: DashComposite, browser_app: Dash, tmp_path: Path) -> None:
    log_in(dash_duo, browser_app, "quality")
    dash_duo.driver.get(f"{dash_duo.server.url}/import")
    dash_duo.wait_for_element("#import-kind", timeout=15)
    Select(dash_duo.find_element("#import-kind")).select_by_value("staff")
    dash_duo.wait_for_contains_text("#import-columns", "employee_code", timeout=15)
    assert dash_duo.find_element("#import-template").get_attribute("href").endswith("/export/templates/staff.csv")
    messy = tmp_path / "messy.csv"
    messy.write_text(MESSY_STAFF, encoding="utf-8", newline="")
    upload(dash_duo, messy)
    dash_duo.wait_for_contains_text("#import-summary", "4 problems in 3 rows", timeout=20)
    WebDriverWait(dash_duo.driver, 10).until(lambda _d: grid_rows(dash_duo, "import-errors") == 4)
    assert dash_duo.find_element("#import-commit").get_attribute("disabled") is not None
    screenshot(dash_duo, "import-messy-quality")
    assert accessibility_violations(dash_duo) == []

    clean = tmp_path / "clean.csv"
    clean.write_text(CLEAN_STAFF, encoding="utf-8", newline="")
    upload(dash_duo, clean)
    dash_duo.wait_for_contains_text("#import-summary", "no problems in 1 row", timeout=20)
    assert "Ignored column not read for staff: department." in dash_duo.find_element("#import-summary").text
    WebDriverWait(dash_duo.driver, 10).until(
        lambda _d: dash_duo.find_element("#import-commit").get_attribute("disabled") is None)
    dash_duo.find_element("#import-commit").click()
    dash_duo.wait_for_contains_text("#import-result", "Imported.", timeout=20)
    screenshot(dash_duo, "import-done-quality")

    dash_duo.driver.get(f"{dash_duo.server.url}/audit-log")
    dash_duo.wait_for_contains_text("#audit-count", "match", timeout=20)
    Select(dash_duo.find_element("#audit-person")).select_by_value("quality")
    dash_duo.wait_for_contains_text("#audit-count", "2 events match", timeout=20)
    WebDriverWait(dash_duo.driver, 10).until(lambda _d: "E9101" in dash_duo.find_element("#audit-grid").text)
    screenshot(dash_duo, "audit-log-quality")
    assert accessibility_violations(dash_duo) == []
    # choosing the created staff record's event shows its fields as a table: Field / Before / After
    dash_duo.find_element("#audit-grid .ag-row[row-index='1'] .ag-cell[col-id='entity']").click()
    dash_duo.wait_for_element("#audit-detail table", timeout=10)
    headers = [th.text for th in dash_duo.find_elements("#audit-detail thead th")]
    assert headers == ["Field", "Before", "After"]
    cells = {tr.find_element("css selector", "th").text: [td.text for td in tr.find_elements("css selector", "td")]
             for tr in dash_duo.find_elements("#audit-detail tbody tr")}
    assert cells["employee_code"] == ["—", "E9101"] and cells["fte"] == ["—", "0.50"]
    screenshot(dash_duo, "audit-log-chosen-quality")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("path", ["/import", "/audit-log"])
def test_admin_pages_render_without_accessibility_violations(dash_duo: DashComposite, browser_app: Dash,
                                                             path: str) -> None:
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.get(f"{dash_duo.server.url}{path}")
    dash_duo.wait_for_element("#import-columns table" if path == "/import" else "#audit-count", timeout=15)
    if path == "/audit-log":
        dash_duo.wait_for_contains_text("#audit-count", "match", timeout=20)
    screenshot(dash_duo, f"{path.strip('/')}-admin")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
