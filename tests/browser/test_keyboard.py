"""Keyboard only: each role's main task done with key presses alone (no click, no mouse event), from the sign-in
form on; the number of Tab stops to each control is asserted, so a change that buries a control shows up."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import DAY, screenshot, start, topics_filtered

pytestmark = pytest.mark.browser


def press(dash_duo: DashComposite, *keys: str) -> None:
    ActionChains(dash_duo.driver).send_keys(*keys).perform()


def focused(dash_duo: DashComposite, script: str = "return document.activeElement;") -> Any:
    return dash_duo.driver.execute_script(script)


def focus_matches(dash_duo: DashComposite, css: str, text: str = "") -> bool:
    return bool(dash_duo.driver.execute_script(
        "const e = document.activeElement;"
        "return !!e && e.matches(arguments[0]) && e.textContent.includes(arguments[1]);", css, text))


def wait_until(dash_duo: DashComposite, condition: Callable[[], Any], timeout: float = 30) -> Any:
    return WebDriverWait(dash_duo.driver, timeout).until(lambda _driver: condition())


def tab_to(dash_duo: DashComposite, css: str, text: str = "", limit: int = 40, backwards: bool = False) -> int:
    """Press Tab (Shift+Tab) until focus is on `css` (containing `text`); the number of presses it took."""
    for stops in range(1, limit + 1):
        if backwards:
            ActionChains(dash_duo.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            press(dash_duo, Keys.TAB)
        if focus_matches(dash_duo, css, text):
            return stops
    where = focused(dash_duo, "const e = document.activeElement; return e && e.outerHTML.slice(0, 200);")
    raise AssertionError(f"{css} {text!r} not reached in {limit} Tab presses; focus is on {where}")


def sign_in(dash_duo: DashComposite, app: Dash, username: str) -> None:
    """The sign-in form by keyboard: Tab to the name, type, Tab, the password, Enter."""
    start(dash_duo, app)
    dash_duo.driver.get(f"{dash_duo.server.url}/login")
    tab_to(dash_duo, "#username", limit=5)
    press(dash_duo, username, Keys.TAB, "demo", Keys.ENTER)
    dash_duo.wait_for_element("#shell-user-name", timeout=15)
    dash_duo.wait_for_element("#_pages_content h1", timeout=15)
    skip_to_main(dash_duo)


def skip_to_main(dash_duo: DashComposite) -> None:
    """On a freshly loaded page the first Tab stop is the skip link; Enter puts focus on the page itself."""
    press(dash_duo, Keys.TAB)
    assert focus_matches(dash_duo, "a.skip-link", "Skip to main content")
    press(dash_duo, Keys.ENTER)
    assert focus_matches(dash_duo, "main#main")


def go_to(dash_duo: DashComposite, label: str, key: str, heading: str = "") -> None:
    """Back up (Shift+Tab) to the navbar link, Enter, and focus lands on the new page's heading (not left on the
    link). Backwards from the page: Sign out, the name, Help and the search box come first, then the links."""
    tab_to(dash_duo, f"#nav-{key}", label, limit=16, backwards=True)
    press(dash_duo, Keys.ENTER)
    wait_until(dash_duo, lambda: focus_matches(dash_duo, "#_pages_content h1", heading or label), timeout=20)


def change_a_rating(dash_duo: DashComposite) -> None:
    """In the open rating form: open the first category, move to its first select and change it with an arrow
    key (Down, or Up when it is already at the top of the scale)."""
    tab_to(dash_duo, ".accordion-button", limit=10)
    press(dash_duo, Keys.ENTER)
    tab_to(dash_duo, ".rating-select", limit=5)
    before = focused(dash_duo, "return document.activeElement.value;")
    press(dash_duo, Keys.ARROW_DOWN)  # Chrome changes a closed select's value with the arrow keys
    if focused(dash_duo, "return document.activeElement.value;") == before:
        press(dash_duo, Keys.ARROW_UP)
    assert focused(dash_duo, "return document.activeElement.value;") != before
    tab_to(dash_duo, "#rating-save", limit=60)
    press(dash_duo, Keys.ENTER)


def test_leadership_opens_the_weakest_cell_and_a_guide_by_keyboard(dash_duo: DashComposite,
                                                                    browser_app: Dash) -> None:
    sign_in(dash_duo, browser_app, "leader")
    go_to(dash_duo, "Compliance", "compliance")
    go_to(dash_duo, "Overview", "overview")
    dash_duo.wait_for_element("#overview-heatmap .js-plotly-plot", timeout=20)
    assert dash_duo.find_elements(".heatmap-cell-button") == []  # the table is drawn once asked for
    tab_to(dash_duo, "summary", "Show as a table", limit=25)
    press(dash_duo, Keys.ENTER)
    wait_until(dash_duo, lambda: len(dash_duo.find_elements(".heatmap-cell-button")) == 50)
    # The weakest cell: the lowest share among the table's buttons (suppressed cells say n<k and are skipped).
    weakest = dash_duo.driver.execute_script("""
        let low = null;
        for (const b of document.querySelectorAll('.heatmap-cell-button')) {
            const share = parseInt(b.textContent, 10);
            if (!isNaN(share) && (low === null || share < low.share)) low = {share: share, label: b.ariaLabel};
        }
        return low;""")
    stops = tab_to(dash_duo, ".heatmap-cell-button", limit=60)
    while focused(dash_duo, "return document.activeElement.ariaLabel;") != weakest["label"]:
        press(dash_duo, Keys.TAB)
        stops += 1
        assert stops < 60
    press(dash_duo, Keys.ENTER)
    team, principle = weakest["label"].split(": ")[0].split(", ")
    dash_duo.wait_for_text_to_equal("#overview-drilldown-title", f"{team} · {principle}", timeout=20)
    dash_duo.wait_for_contains_text("#overview-drilldown-body", "Guides that help", timeout=20)
    assert dash_duo.find_element("#overview-drilldown").get_attribute("aria-labelledby") == "overview-drilldown-title"
    tab_to(dash_duo, ".drilldown-guide a", limit=15)  # focus is inside the dialog: the guide is a few stops away
    guide = focused(dash_duo)
    assert guide.get_attribute("href").startswith("http")
    windows = len(dash_duo.driver.window_handles)
    press(dash_duo, Keys.ENTER)  # opens the guide in a new tab
    wait_until(dash_duo, lambda: len(dash_duo.driver.window_handles) == windows + 1)
    screenshot(dash_duo, "keyboard-leader-drilldown")
    press(dash_duo, Keys.ESCAPE)
    wait_until(dash_duo, lambda: not dash_duo.find_elements("#overview-drilldown.show"))
    # Focus goes back to the cell that opened the dialog.
    wait_until(dash_duo, lambda: focused(dash_duo, "return document.activeElement.ariaLabel;") == weakest["label"])


def test_a_supervisor_opens_an_overdue_worker_logs_a_session_and_records_ratings_by_keyboard(
        dash_duo: DashComposite, browser_app: Dash) -> None:
    sign_in(dash_duo, browser_app, "supervisor")
    go_to(dash_duo, "My team", "my_team")
    dash_duo.wait_for_element("#my-team-roster .status-overdue", timeout=20)
    overdue = dash_duo.find_element("#my-team-roster .ag-pinned-left-cols-container .ag-row[row-index='0']").text
    # The roster is one Tab stop: Tab lands on its header, Down Arrow on the first (most overdue) worker.
    tab_to(dash_duo, "#my-team-roster *", limit=6)
    press(dash_duo, Keys.ARROW_DOWN)
    wait_until(dash_duo, lambda: focus_matches(dash_duo, ".ag-cell[col-id='worker']", overdue))
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_text_to_equal("#profile-name", overdue, timeout=20)
    wait_until(dash_duo, lambda: focus_matches(dash_duo, "#profile-name", overdue))  # read out, scrolled to
    assert dash_duo.find_element("#profile-status").text == "Overdue"
    # Leaving the roster takes one Tab, not one per cell.
    tab_to(dash_duo, "button", "Log a session with", limit=3)
    press(dash_duo, Keys.ENTER)
    wait_until(dash_duo, lambda: dash_duo.find_element("#session-save").is_displayed())
    wait_until(dash_duo, lambda: focused(dash_duo, "return !!document.activeElement.closest('.modal.show');"))
    minutes = tab_to(dash_duo, "#session-minutes", limit=10)
    press(dash_duo, Keys.BACKSPACE, Keys.BACKSPACE, "45")
    # Past the 60-odd competencies in one Tab stop: the search box, the list, then the note.
    tab_to(dash_duo, "#session-topic-search", limit=20)
    press(dash_duo, "crisis")
    # The filter is applied by a callback; arrowing into the list before it lands can pick a row it then hides.
    wait_until(dash_duo, lambda: topics_filtered(dash_duo))
    press(dash_duo, Keys.TAB, Keys.ARROW_DOWN, " ")
    dash_duo.wait_for_text_to_equal("#session-topic-count", "1 chosen", timeout=10)
    assert tab_to(dash_duo, "#session-note", limit=3) <= 2
    screenshot(dash_duo, "keyboard-supervisor-session")
    tab_to(dash_duo, "#session-save", limit=6)
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#workspace-message", "Session saved", timeout=20)
    dash_duo.wait_for_text_to_equal("#profile-status", "On track", timeout=20)
    assert minutes <= 6  # the close button, the date (3 fields in one stop each way), then minutes
    # Focus is back on the button that opened the form, though the profile behind it was drawn again.
    try:
        wait_until(dash_duo, lambda: focus_matches(dash_duo, "button", "Log a session with"), timeout=10)
    except Exception:
        raise AssertionError(focused(dash_duo, "return document.activeElement.outerHTML.slice(0, 300);"))
    tab_to(dash_duo, "button", "Record ratings", limit=2)
    press(dash_duo, Keys.ENTER)
    wait_until(dash_duo, lambda: dash_duo.find_element("#rating-save").is_displayed())
    change_a_rating(dash_duo)
    dash_duo.wait_for_contains_text("#workspace-message", "1 rating saved", timeout=20)
    screenshot(dash_duo, "keyboard-supervisor-saved")
    assert [e for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE"] == []


def test_a_peer_worker_rates_themself_by_keyboard(dash_duo: DashComposite, browser_app: Dash) -> None:
    sign_in(dash_duo, browser_app, "peer")
    dash_duo.wait_for_text_to_equal("#profile-name", "Omar Davis", timeout=20)
    tab_to(dash_duo, "button", "Rate yourself", limit=8)
    press(dash_duo, Keys.ENTER)
    wait_until(dash_duo, lambda: dash_duo.find_element("#rating-save").is_displayed())
    change_a_rating(dash_duo)
    dash_duo.wait_for_contains_text("#workspace-message", "1 rating saved", timeout=20)
    assert dash_duo.get_logs() == []


def test_quality_downloads_one_programs_excel_by_keyboard(dash_duo: DashComposite, browser_app: Dash) -> None:
    sign_in(dash_duo, browser_app, "quality")
    go_to(dash_duo, "Compliance", "compliance")
    dash_duo.wait_for_contains_text("#compliance-summary", "met the standard", timeout=30)
    wait_until(dash_duo, lambda: len(dash_duo.find_elements("#compliance-program option")) > 2)
    tab_to(dash_duo, "#compliance-program", limit=10)
    press(dash_duo, Keys.ARROW_DOWN)  # from "All programs" to the first program
    wait_until(dash_duo, lambda: "program=" in dash_duo.find_element("#compliance-xlsx").get_attribute("href"))
    tab_to(dash_duo, "#compliance-xlsx", limit=20)
    press(dash_duo, Keys.ENTER)
    folder = Path(dash_duo.download_path)
    saved = wait_until(dash_duo, lambda: [p for p in folder.glob("*.xlsx")], timeout=20)
    assert saved[0].stat().st_size > 500 and saved[0].read_bytes()[:2] == b"PK"  # a real workbook
    assert dash_duo.get_logs() == []


def test_an_administrator_saves_a_standard_by_keyboard(dash_duo: DashComposite, browser_app: Dash) -> None:
    sign_in(dash_duo, browser_app, "admin")
    go_to(dash_duo, "Standards", "standards", "Supervision standard")
    dash_duo.wait_for_element("#standards-form-rules select", timeout=30)
    tab_to(dash_duo, "#standards-effective", limit=10)
    press(dash_duo, (date.today() + timedelta(days=40)).strftime(DAY))  # the agency's format, as its hint says
    tab_to(dash_duo, "#standards-name", limit=5)
    press(dash_duo, "Keyboard rule")
    tab_to(dash_duo, "#standards-form-rules select", limit=5)
    press(dash_duo, Keys.ARROW_DOWN)
    tab_to(dash_duo, "#standards-save", limit=30)
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#standards-message", "Saved", timeout=30)
    dash_duo.wait_for_contains_text("#standards-versions", "Keyboard rule", timeout=30)
    assert dash_duo.get_logs() == []
