"""A phone's width (390 px, emulated): the menu starts closed, the roster is cards, a profile opens and fits, the
overview's table comes before its unreadable chart; axe finds nothing on any page of any role, nor in any dialog or
panel opened, at 1440 px and at 390 px."""
from __future__ import annotations

from typing import Any

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.support.wait import WebDriverWait

from dashboard.pages import PAGES
from tests.browser.conftest import SCREENSHOTS, accessibility_violations, log_in

pytestmark = pytest.mark.browser
ROLES = {"admin": "admin", "leader": "leadership", "quality": "quality", "supervisor": "supervisor",
         "peer": "peer_worker"}
WAIT_FOR = {"overview": "#overview-kpis .kpi-value", "my_team": ".roster-card", "my_record": "#profile-name",
            "compliance": "#compliance-summary", "resources": ".guide-card",
            "standards": "#standards-form-rules select",
            "import": "#import-kind", "audit": "#audit-grid", "guides": ".guides-table",
            # Help: an entry's text, not just the entry (its Markdown is drawn by a script loaded on first use).
            "framework": ".framework-category", "help": "#principle-coverage p"}


def as_phone(dash_duo: DashComposite) -> None:
    """390 × 844 CSS pixels, as an iPhone 12-15 (headless Chrome's window cannot be made that narrow)."""
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})


def wait_until(dash_duo: DashComposite, condition: Any, timeout: float = 30) -> Any:
    return WebDriverWait(dash_duo.driver, timeout).until(lambda _driver: condition())


def fits_the_width(dash_duo: DashComposite) -> bool:
    return bool(dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"))


def phone_screenshot(dash_duo: DashComposite, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    dash_duo.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_a_supervisor_uses_the_roster_and_a_profile_on_a_phone(dash_duo: DashComposite, browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "supervisor")
    as_phone(dash_duo)
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team")
    dash_duo.wait_for_element(".roster-card", timeout=20)
    assert not dash_duo.find_element("#nav-my_team").is_displayed()  # the menu starts closed
    assert not dash_duo.find_element("#my-team-roster").is_displayed()  # cards instead of the grid
    first = dash_duo.find_element(".roster-card")
    assert "status-overdue" in first.get_attribute("class") and "Overdue" in first.text  # overdue first, in words
    assert fits_the_width(dash_duo)
    phone_screenshot(dash_duo, "phone-my-team")
    assert accessibility_violations(dash_duo) == []

    name = first.find_element("css selector", "button").text
    first.find_element("css selector", "button").click()
    dash_duo.wait_for_text_to_equal("#profile-name", name, timeout=20)
    wait_until(dash_duo, lambda: dash_duo.driver.execute_script("return document.activeElement.id;") == "profile-name")
    assert fits_the_width(dash_duo)
    phone_screenshot(dash_duo, "phone-profile")
    assert accessibility_violations(dash_duo) == []

    # Selenium's pointer cannot place clicks under device emulation once the page has scrolled: press by script.
    dash_duo.driver.execute_script("document.getElementById('shell-toggler').click();")
    wait_until(dash_duo, lambda: dash_duo.find_element("#nav-overview").is_displayed())
    assert accessibility_violations(dash_duo) == []
    dash_duo.driver.execute_script("document.getElementById('nav-overview').click();")
    dash_duo.wait_for_element(".heatmap-cell-button", timeout=20)
    # The table is open and the chart is not drawn; the menu closed itself after the page change.
    assert dash_duo.find_element("#overview-heatmap-details").get_attribute("open") is not None
    assert not dash_duo.find_element("#overview-heatmap").is_displayed()
    wait_until(dash_duo, lambda: not dash_duo.find_element("#nav-overview").is_displayed())
    assert fits_the_width(dash_duo)
    phone_screenshot(dash_duo, "phone-overview")
    assert [e for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE"] == []


@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_every_role_has_no_accessibility_violations(dash_duo: DashComposite, browser_app: Dash,
                                                                  username: str, width: int) -> None:
    log_in(dash_duo, browser_app, username)
    if width == 390:
        as_phone(dash_duo)
    else:
        dash_duo.driver.set_window_size(width, 900)
    problems = {}
    for page in PAGES:
        if ROLES[username] not in page.roles:
            continue
        dash_duo.driver.get(f"{dash_duo.server.url}{page.path}")
        dash_duo.wait_for_element(WAIT_FOR.get(page.key, "#_pages_content h1"), timeout=30)
        phone_screenshot(dash_duo, f"axe-{width}-{username}-{page.key}")
        if found := accessibility_violations(dash_duo):
            problems[page.key] = found
        if not fits_the_width(dash_duo):  # reflow (WCAG 1.4.10): a wide table scrolls inside itself, not the page
            problems.setdefault(page.key, []).append("the page scrolls sideways")
    assert problems == {}


def open_and_check(dash_duo: DashComposite, opener: str, shown: str, close: str, name: str) -> list[str]:
    """Press `opener` (a script selector), wait for `shown`, run axe, screenshot, then press `close`."""
    dash_duo.driver.execute_script(f"{opener}.click();")
    wait_until(dash_duo, lambda: dash_duo.find_element(shown).is_displayed())
    wait_until(dash_duo, lambda: not dash_duo.find_elements("._dash-loading, .dash-spinner"), timeout=10)
    found = accessibility_violations(dash_duo)
    phone_screenshot(dash_duo, name)
    dash_duo.driver.execute_script(f"{close}.click();")
    wait_until(dash_duo, lambda: not dash_duo.find_elements(".modal.show, .offcanvas.show"), timeout=10)
    return found


BUTTON = "Array.from(document.querySelectorAll('#profile button')).find(b => b.textContent.startsWith('{}'))"


@pytest.mark.parametrize("width", [1440, 390])
def test_every_dialog_and_panel_has_no_accessibility_violations(dash_duo: DashComposite, browser_app: Dash,
                                                                width: int) -> None:
    log_in(dash_duo, browser_app, "supervisor")
    if width == 390:
        as_phone(dash_duo)
    else:
        dash_duo.driver.set_window_size(width, 900)
    problems = {}
    dash_duo.driver.get(f"{dash_duo.server.url}/overview?window=custom&start=2026-06-01&end=2026-09-30")
    if width != 390:  # a phone opens the table by itself; elsewhere it is drawn once opened
        dash_duo.wait_for_element("#overview-heatmap .js-plotly-plot", timeout=30)
        dash_duo.driver.execute_script("document.getElementById('overview-heatmap-summary').click();")
    dash_duo.wait_for_element(".heatmap-cell-button", timeout=30)
    assert dash_duo.find_element("#overview-custom-start").is_displayed()
    problems["custom range"] = accessibility_violations(dash_duo)
    problems["drill-down"] = open_and_check(dash_duo, "document.querySelector('.heatmap-cell-button')",
                                            "#overview-drilldown-body .drilldown-guide", "document.querySelector("
                                            "'#overview-drilldown .btn-close')", f"axe-{width}-drilldown")
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team?worker=21")
    dash_duo.wait_for_element("#profile-name", timeout=30)
    problems["profile"] = accessibility_violations(dash_duo)
    for label, shown, close in (("Log a session with", "#session-save", "#session-cancel"),
                                ("Record ratings", "#rating-save", "#rating-cancel"),
                                ("Record leave", "#leave-save", "#leave-cancel")):
        problems[label] = open_and_check(dash_duo, BUTTON.format(label), shown,
                                         f"document.querySelector('{close}')", f"axe-{width}-{shown[1:]}")
    assert {k: v for k, v in problems.items() if v} == {}


# The widest option's text against the room the select leaves for it (its width less the padding, the arrow's
# space included): a select narrower than its text shows "Last 90" for "Last 90 days".
TEXT_ROOM = """
const select = document.querySelector(arguments[0]);
const style = getComputedStyle(select);
const context = document.createElement("canvas").getContext("2d");
context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
const widest = Math.max(...[...select.options].filter(o => !o.hidden).map(o => context.measureText(o.text).width));
const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
return [Math.round(widest), Math.round(room)];
"""


def test_the_overview_window_choice_is_read_whole_from_390_to_1440_px(dash_duo: DashComposite,
                                                                      browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "leader")
    dash_duo.driver.get(f"{dash_duo.server.url}/")
    dash_duo.wait_for_element("#overview-window", timeout=20)
    for width in (390, 576, 780, 992, 1200, 1440):
        dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 576})
        widest, room = dash_duo.driver.execute_script(TEXT_ROOM, "#overview-window")
        assert widest > 80 and widest <= room, (width, widest, room)  # "Last 365 days" is about 100 px
    assert dash_duo.get_logs() == []
