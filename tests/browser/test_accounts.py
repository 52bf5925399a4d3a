"""In Chromium: the admin creates a supervisor's account on the Accounts page; the supervisor signs in with the
temporary password, is made to choose their own, and sees their team's roster. axe finds nothing on the new pages."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from dashboard.db import Database
from models import Program, Staff, Team, TeamMembership, TeamSupervisor
from tests.browser.conftest import accessibility_violations, log_in, screenshot

pytestmark = pytest.mark.browser
NEW_PASSWORD = "plum orchard lantern"


def add_new_team(db: Database) -> None:
    """A new team with its new supervisor (no account yet) and one peer worker."""
    with db.session() as s:
        program = s.scalars(select(Program).order_by(Program.id)).first()
        assert program is not None
        team = Team(program_id=program.id, name="Harbor Outreach")
        nia = Staff(full_name="Nia Okafor", role="supervisor", hire_date=date(2025, 1, 6), employee_code="E9001")
        tomas = Staff(full_name="Tomas Reyes", role="peer_worker", hire_date=date(2025, 2, 3),
                      employee_code="E9002")
        s.add_all([team, nia, tomas])
        s.flush()
        s.add_all([TeamSupervisor(team_id=team.id, staff_id=nia.id, start_date=date(2025, 1, 6)),
                   TeamMembership(staff_id=tomas.id, team_id=team.id, start_date=date(2025, 2, 3))])


def click(dash_duo: DashComposite, element: Any) -> None:
    """Scrolled into view and clicked as a person would (a fixed navbar can cover an element at the edge)."""
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", element)


def choose_method(dash_duo: DashComposite, radio_group: str, words: str) -> None:
    click(dash_duo, dash_duo.driver.find_element(By.XPATH, f"//*[@id='{radio_group}']//label[contains(., '{words}')]"))


def create(dash_duo: DashComposite, username: str, role: str, method: str, staff: str | None = None) -> str:
    field = dash_duo.find_element("#accounts-new-username")
    field.clear()
    field.send_keys(username)
    Select(dash_duo.find_element("#accounts-new-role")).select_by_value(role)
    if staff:
        dash_duo.wait_for_contains_text("#accounts-new-staff", staff, timeout=10)
        Select(dash_duo.find_element("#accounts-new-staff")).select_by_visible_text(staff)
    choose_method(dash_duo, "accounts-new-method", method)
    click(dash_duo, dash_duo.find_element("#accounts-create"))
    dash_duo.wait_for_contains_text("#accounts-new-message", f"Created {username}", timeout=15)
    return dash_duo.find_element("#accounts-secret").text.strip()


def test_admin_creates_a_supervisor_who_chooses_a_password_and_sees_their_roster(
        dash_duo: DashComposite, browser_app: Dash, demo_today_db: Database) -> None:
    add_new_team(demo_today_db)
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.set_window_size(1440, 1000)
    url = dash_duo.server.url
    dash_duo.driver.get(f"{url}/accounts")
    dash_duo.wait_for_contains_text("#accounts-count", "5 accounts", timeout=20)
    assert accessibility_violations(dash_duo) == []

    link = create(dash_duo, "dwu", "quality", "One-time setup link")
    assert re.fullmatch(rf"{re.escape(url)}/setup/[\w-]{{43}}", link)
    temporary = create(dash_duo, "nokafor", "supervisor", "Temporary password", staff="Nia Okafor (E9001)")
    assert re.fullmatch(r"\w{4}-\w{4}-\w{4}-\w{4}", temporary)
    dash_duo.wait_for_contains_text("#accounts-count", "7 accounts", timeout=10)
    screenshot(dash_duo, "accounts-created")
    assert accessibility_violations(dash_duo) == []

    click(dash_duo, dash_duo.driver.find_element(By.XPATH, "//button[normalize-space(.)='Edit nokafor']"))
    dash_duo.wait_for_contains_text("#accounts-edit-title", "Account nokafor", timeout=10)
    assert Select(dash_duo.find_element("#accounts-edit-role")).first_selected_option.text == "Supervisor"
    assert accessibility_violations(dash_duo) == []
    screenshot(dash_duo, "accounts-edit")

    dash_duo.driver.get(url + "/account")
    click(dash_duo, dash_duo.find_element("#account-logout"))
    dash_duo.wait_for_element("#login-submit")
    dash_duo.driver.get(link)  # the setup page, before anyone signs in
    dash_duo.wait_for_contains_text("#setup-username", "dwu")
    assert accessibility_violations(dash_duo) == []

    # The supervisor signs in with the temporary password: only My account, until a password of their own.
    dash_duo.driver.get(f"{url}/login")
    dash_duo.find_element("#username").send_keys("nokafor")
    dash_duo.find_element("#password").send_keys(temporary)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#account-must-change", timeout=15)
    dash_duo.driver.get(f"{url}/my-team")
    dash_duo.wait_for_element("#account-must-change", timeout=15)  # sent back
    assert accessibility_violations(dash_duo) == []
    dash_duo.find_element("#current").send_keys(temporary)
    dash_duo.find_element("#password").send_keys("password")
    dash_duo.find_element("#confirm").send_keys("password")
    click(dash_duo, dash_duo.find_element("#account-submit"))
    dash_duo.wait_for_contains_text("#password-error", "at least 12 characters")
    assert accessibility_violations(dash_duo) == []
    dash_duo.find_element("#current").send_keys(temporary)
    dash_duo.find_element("#password").send_keys(NEW_PASSWORD)
    dash_duo.find_element("#confirm").send_keys(NEW_PASSWORD)
    click(dash_duo, dash_duo.find_element("#account-submit"))
    dash_duo.wait_for_element("#account-done", timeout=15)
    screenshot(dash_duo, "my-account-supervisor")

    dash_duo.driver.get(f"{url}/my-team")
    dash_duo.wait_for_contains_text("#my-team-roster", "Tomas Reyes", timeout=30)
    assert dash_duo.find_element("#shell-user-name").text == "Nia Okafor"
    # The refused password (answered 400, as a form with errors is) is the only entry Chromium may log.
    assert [entry["message"] for entry in dash_duo.get_logs()
            if not entry["message"].endswith("/account - Failed to load resource: the server responded with a "
                                             "status of 400 (BAD REQUEST)")] == []
