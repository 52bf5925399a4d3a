"""Sign-off in headless Chromium: a session goes recorded → signed → acknowledged → amended → acknowledged again,
the supervisor and the peer worker each in their own browser sign-in, with axe-core on the dialogs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from sqlalchemy import func, select

from dashboard.db import Database
from models import Staff, SupervisionFeedback
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.browser.test_workspace import button, click, wait_until, wait_visible

pytestmark = pytest.mark.browser


def sign_in_again(dash_duo: DashComposite, username: str) -> None:
    """Another person at the same browser: a fresh cookie jar, then the sign-in form."""
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(f"{dash_duo.server.url}/login")
    dash_duo.driver.find_element(By.ID, "username").send_keys(username)
    dash_duo.driver.find_element(By.ID, "password").send_keys("demo")
    dash_duo.driver.find_element(By.ID, "login-submit").click()
    dash_duo.wait_for_element("#shell-user-name", timeout=15)


def newest_row(dash_duo: DashComposite) -> WebElement:
    return dash_duo.find_element("#profile-sessions tbody tr")


def newest_signoff(dash_duo: DashComposite) -> str:
    return str(dash_duo.driver.execute_script(
        "const c = document.querySelector('#profile-sessions tbody tr .signoff-cell'); return c ? c.innerText : '';"))


def acknowledge_newest(dash_duo: DashComposite, comment: str) -> None:
    dash_duo.driver.get(f"{dash_duo.server.url}/my-record")
    dash_duo.wait_for_text_to_equal("#profile-name", "Omar Davis", timeout=20)
    wait_until(dash_duo, lambda: "Acknowledge" in newest_signoff(dash_duo))
    click(dash_duo, newest_row(dash_duo).find_element(By.XPATH, ".//button[normalize-space()='Acknowledge']"))
    wait_visible(dash_duo, "#ack-confirm")
    dash_duo.find_element("#ack-comment").send_keys(comment)
    # One of the supervisee's-voice questions answered (the first: lived experience), the others left open.
    click(dash_duo, dash_duo.driver.find_element(By.XPATH, "(//div[@id='ack-body']//label[normalize-space()="
                                                           "'Strongly agree'])[1]"))
    screenshot(dash_duo, "signoff-acknowledge-dialog")
    assert accessibility_violations(dash_duo) == []
    click(dash_duo, dash_duo.find_element("#ack-confirm"))
    dash_duo.wait_for_contains_text("#workspace-message", "the session is acknowledged", timeout=20)
    wait_until(dash_duo, lambda: newest_signoff(dash_duo).startswith("Acknowledged"))


def answers_given(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SupervisionFeedback)) or 0


def test_a_session_is_signed_acknowledged_amended_and_acknowledged_again(
        dash_duo: DashComposite, browser_app: Dash, demo_today_db: Database) -> None:
    with demo_today_db.session() as s:
        omar = s.scalar(select(Staff.id).where(Staff.full_name == "Omar Davis"))
    log_in(dash_duo, browser_app, "supervisor")
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team?worker={omar}")
    dash_duo.wait_for_text_to_equal("#profile-name", "Omar Davis", timeout=20)

    # Recorded: a 50-minute session today, unsigned.
    click(dash_duo, button(dash_duo, "Log a session with"))
    minutes = wait_visible(dash_duo, "#session-minutes")
    minutes.clear()
    minutes.send_keys("50")
    click(dash_duo, dash_duo.find_element("#session-save"))
    dash_duo.wait_for_contains_text("#workspace-message", "Session saved", timeout=20)
    wait_until(dash_duo, lambda: newest_signoff(dash_duo).startswith("Unsigned"))

    # Signed, after a confirmation.
    click(dash_duo, newest_row(dash_duo).find_element(By.XPATH, ".//button[normalize-space()='Sign']"))
    wait_visible(dash_duo, "#sign-confirm")
    assert "50 minutes" in dash_duo.find_element("#sign-body").text
    screenshot(dash_duo, "signoff-sign-dialog")
    assert accessibility_violations(dash_duo) == []
    click(dash_duo, dash_duo.find_element("#sign-confirm"))
    dash_duo.wait_for_contains_text("#workspace-message", "Session signed", timeout=20)
    wait_until(dash_duo, lambda: newest_signoff(dash_duo).startswith("Signed") and "awaiting Omar" in
               newest_signoff(dash_duo))

    # Acknowledged by Omar, with a comment and an answer.
    answers = answers_given(demo_today_db)
    sign_in_again(dash_duo, "peer")
    acknowledge_newest(dash_duo, "Clear and useful.")
    assert answers_given(demo_today_db) == answers + 1
    assert "Clear and useful." in newest_signoff(dash_duo)
    assert accessibility_violations(dash_duo) == []

    # Amended: refused without a reason, saved with one; the earlier version shows and Omar is asked again.
    sign_in_again(dash_duo, "supervisor")
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team?worker={omar}")
    dash_duo.wait_for_text_to_equal("#profile-name", "Omar Davis", timeout=20)
    click(dash_duo, dash_duo.find_element("#profile-sessions tbody tr td:last-child .btn"))  # Edit
    reason = wait_visible(dash_duo, "#session-reason")
    minutes = dash_duo.find_element("#session-minutes")
    minutes.clear()
    minutes.send_keys("55")
    click(dash_duo, dash_duo.find_element("#session-save"))
    dash_duo.wait_for_contains_text("#session-feedback", "say why you are amending it", timeout=10)
    reason.send_keys("Ran five minutes longer than first recorded.")
    screenshot(dash_duo, "signoff-amendment-form")
    click(dash_duo, dash_duo.find_element("#session-save"))
    dash_duo.wait_for_contains_text("#workspace-message", "Session updated", timeout=20)
    wait_until(dash_duo, lambda: "Amended 1×" in newest_signoff(dash_duo) and "awaiting Omar" in
               newest_signoff(dash_duo))
    assert " 55 " in f" {newest_row(dash_duo).text} "
    click(dash_duo, newest_row(dash_duo).find_element(By.TAG_NAME, "summary"))
    wait_until(dash_duo, lambda: "Before (version" in newest_signoff(dash_duo))
    assert "50 minutes" in newest_signoff(dash_duo) and "Ran five minutes longer" in newest_signoff(dash_duo)
    screenshot(dash_duo, "signoff-amended")

    # Acknowledged again.
    sign_in_again(dash_duo, "peer")
    acknowledge_newest(dash_duo, "Agreed.")
    assert [e for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE"] == []


def test_a_board_verifies_the_log_a_peer_worker_downloaded(dash_duo: DashComposite, browser_app: Dash,
                                                           tmp_path: Path) -> None:
    """The peer worker downloads their log from My record (the form's own address, with the browser's cookie); a
    board member with no account checks it on /verify, then a copy with one changed digit."""
    log_in(dash_duo, browser_app, "peer")
    dash_duo.driver.get(f"{dash_duo.server.url}/my-record")
    dash_duo.wait_for_text_to_equal("#profile-name", "Omar Davis", timeout=20)
    form = wait_visible(dash_duo, "#profile-hours form")
    worker = form.find_element(By.NAME, "worker").get_attribute("value")
    action = form.find_element(By.XPATH, ".//button[normalize-space()='CSV']").get_attribute("formaction")
    cookies = {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}
    address = f"{dash_duo.server.url}{action}" if action.startswith("/") else action
    response = requests.get(address, params={"worker": worker, "from": "", "to": ""}, cookies=cookies, timeout=30)
    assert response.status_code == 200
    code = re.search(r"PSL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", response.content.decode("utf-8-sig")).group()
    original, tampered = tmp_path / "log.csv", tmp_path / "tampered.csv"
    original.write_bytes(response.content)
    tampered.write_bytes(re.sub(rb"\n(\d{4}-\d\d-\d\d),(\d)", lambda m: b"\n" + m.group(1) + b"," +
                                str((int(m.group(2)) + 1) % 10).encode(), response.content, count=1))

    dash_duo.driver.delete_all_cookies()
    for path, expected in ((original, "This file matches"), (tampered, "does not match")):
        dash_duo.driver.get(f"{dash_duo.server.url}/verify")
        dash_duo.driver.find_element(By.ID, "code").send_keys(code)
        dash_duo.driver.find_element(By.ID, "file").send_keys(str(path))
        # The form as a keyboard user sends it (Enter in the code field): the page is plain HTML.
        dash_duo.driver.find_element(By.ID, "code").send_keys(Keys.ENTER)
        dash_duo.wait_for_contains_text("#verify-result", expected, timeout=15)
        if expected == "This file matches":
            screenshot(dash_duo, "verify-matches")
            assert accessibility_violations(dash_duo) == []
