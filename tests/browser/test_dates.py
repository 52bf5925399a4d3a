"""The agency's date format in headless Chromium: the admin chooses it on Settings, and the Sign-off grid and the
audit log then show dates that way (under the app's CSP) while still sorting them by day, across a new year too;
Settings and the grid pass axe-core in each format."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import accessibility_violations, log_in, screenshot, type_day

pytestmark = pytest.mark.browser

FORMATS = {"dmy": "%d %b %Y", "mdy": "%m/%d/%Y", "iso": "%Y-%m-%d"}


def wait_for(dash_duo: DashComposite, condition: Any, timeout: float = 30) -> Any:
    return WebDriverWait(dash_duo.driver, timeout).until(lambda _d: condition())


def choose_format(dash_duo: DashComposite, key: str, was: str) -> None:
    dash_duo.driver.get(f"{dash_duo.server.url}/settings")
    wait_for(dash_duo, lambda: dash_duo.find_element("#settings-date-format").get_attribute("value") == was)
    Select(dash_duo.find_element("#settings-date-format")).select_by_value(key)
    save = dash_duo.find_element("#settings-save")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", save)
    example = date(2026, 12, 5).strftime(FORMATS[key])
    dash_duo.wait_for_contains_text("#settings-message", f"Dates will be shown as {example}", timeout=20)
    assert accessibility_violations(dash_duo) == []


def sorted_held_on(dash_duo: DashComposite) -> list[tuple[str, str]]:
    """Every row's ISO day and the text its cell shows, in the order the grid sorts them by "Held on", oldest
    first (AG Grid's own sort, through its API)."""
    return dash_duo.driver.execute_script("""
        const api = dash_ag_grid.getApi('signoff-grid');
        api.applyColumnState({state: [{colId: 'held_on', sort: 'asc'}], defaultState: {sort: null}});
        const out = [];
        api.forEachNodeAfterFilterAndSort(node => out.push(
            [node.data.held_on, api.getCellValue({rowNode: node, colKey: 'held_on', useFormatter: true})]));
        return out;""")


def test_the_chosen_format_reaches_the_grids_which_still_sort_by_day(dash_duo: DashComposite,
                                                                    browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "admin")
    was = "dmy"
    for key in ("dmy", "mdy", "iso"):
        if key != was:
            choose_format(dash_duo, key, was)
            was = key
        # Two months either side of a new year: month/day/year text would put 01/… before 12/….
        dash_duo.driver.get(f"{dash_duo.server.url}/sign-off")
        example = date(2026, 12, 5).strftime(FORMATS[key])
        dash_duo.wait_for_contains_text("label[for='signoff-from']", f"Held from e.g. {example}", timeout=20)
        # A day that does not exist gets the field's own message, in the agency's format, and a red border.
        type_day(dash_duo, "#signoff-to", date(2026, 2, 28), FORMATS[key].replace("%d", "31"))
        dash_duo.wait_for_text_to_equal("#signoff-to-error", f"Enter the date as {example}.", timeout=20)
        assert "is-invalid" in dash_duo.find_element("#signoff-to").get_attribute("class")
        if key == "dmy":
            screenshot(dash_duo, "dates-field-error")
        # Typed in the agency's format, the way its hint shows (a month by name is read in any format).
        for field, day in (("#signoff-from", date(2025, 11, 1)), ("#signoff-to", date(2026, 2, 28))):
            type_day(dash_duo, field, day, FORMATS[key])
        dash_duo.wait_for_text_to_equal("#signoff-to-error", "", timeout=20)
        span = f"held {date(2025, 11, 1).strftime(FORMATS[key])} – {date(2026, 2, 28).strftime(FORMATS[key])}."
        dash_duo.wait_for_contains_text("#signoff-count", span, timeout=20)
        rows = sorted_held_on(dash_duo)
        days = [date.fromisoformat(iso) for iso, _ in rows]
        assert len({d.year for d in days}) == 2 and days == sorted(days)
        assert [shown for _, shown in rows] == [d.strftime(FORMATS[key]) for d in days]
        if key != "iso":
            assert [shown for _, shown in rows] != sorted(shown for _, shown in rows)  # text order is not day order
        # What a person sees: the top row's cell holds the formatter's text (the CSP allowed it to run).
        wait_for(dash_duo, lambda: dash_duo.find_element(
            "#signoff-grid .ag-center-cols-container .ag-row[row-index='0'] [col-id='held_on']").text
            == days[0].strftime(FORMATS[key]))
        screenshot(dash_duo, f"dates-signoff-{key}")
        assert accessibility_violations(dash_duo) == []
    # The audit log's newest event is the last save, its time in the agency's format (ISO by now) to the second.
    dash_duo.driver.get(f"{dash_duo.server.url}/audit-log")
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "try { return dash_ag_grid.getApi('audit-grid').getDisplayedRowCount() > 0; } catch (e) { return false; }"))
    newest = dash_duo.driver.execute_script("""
        const api = dash_ag_grid.getApi('audit-grid'); const node = api.getDisplayedRowAtIndex(0);
        return [node.data.entity, node.data.occurred_at, api.getCellValue({rowNode: node, colKey: 'occurred_at',
                                                                          useFormatter: true})];""")
    assert newest[0] == "agency_settings" and newest[2] == newest[1]  # ISO shown as ISO, seconds included
    assert datetime.fromisoformat(newest[1])
    assert dash_duo.get_logs() == []
