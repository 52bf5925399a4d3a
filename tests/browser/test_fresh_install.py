"""A fresh install taken from empty to a working agency in the browser alone: the first admin's setup link read
from the console, then a program, a team, a supervisor and a peer worker with their dates, a new certification
stage with a rule in a new standard version, the worker's stage, an account for every role; the compliance view
judges the worker by their stage's rule, the supervisor signs in and sees the roster, the peer worker their record."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dash.testing.composite import DashComposite
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import func, select

from dashboard.db import Database
from models import Program, Staff, Team, User
from tests.browser.conftest import accessibility_violations, screenshot, start, type_day
from tests.conftest import make_app

pytestmark = pytest.mark.browser
HIRED = date(2025, 1, 6)


def wait_for(dash_duo: DashComposite, condition: Any, timeout: float = 30) -> Any:
    return WebDriverWait(dash_duo.driver, timeout).until(lambda _d: condition())


def click(dash_duo: DashComposite, selector: str) -> None:
    """Scrolled into view and clicked as a person would (a fixed navbar can cover an element at the edge)."""
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", element)


def type_into(dash_duo: DashComposite, selector: str, text: str) -> None:
    field = dash_duo.find_element(selector)
    field.clear()
    field.send_keys(text)


def choose(dash_duo: DashComposite, selector: str, text: str) -> None:
    """Pick the option whose label contains `text`, once the callback that fills the list has answered."""
    def found() -> Any:
        options = Select(dash_duo.find_element(selector)).options
        return next((o for o in options if text in o.text), None)
    option = wait_for(dash_duo, found, timeout=20)
    Select(dash_duo.find_element(selector)).select_by_visible_text(option.text)


def sign_in(dash_duo: DashComposite, username: str, password: str) -> None:
    dash_duo.driver.get(f"{dash_duo.server.url}/login")
    dash_duo.wait_for_element("#login-submit")
    dash_duo.find_element("#username").send_keys(username)
    dash_duo.find_element("#password").send_keys(password)
    dash_duo.find_element("#login-submit").click()


def sign_out(dash_duo: DashComposite) -> None:
    dash_duo.driver.get(f"{dash_duo.server.url}/account")
    click(dash_duo, "#account-logout")
    dash_duo.wait_for_element("#login-submit", timeout=15)


def set_password_by_link(dash_duo: DashComposite, link: str, username: str, password: str) -> None:
    dash_duo.driver.get(link)
    dash_duo.wait_for_text_to_equal("#setup-username", username, timeout=15)
    dash_duo.find_element("#password").send_keys(password)
    dash_duo.find_element("#confirm").send_keys(password)
    click(dash_duo, "#setup-submit")
    # The password is set once the sign-in page says so: going on before the answer came could cancel the form's
    # POST (a sign-in with the new password then failed, once in a CI run).
    dash_duo.wait_for_contains_text("#login-notice", "Your password is set", timeout=15)


def add_person(dash_duo: DashComposite, name: str, code: str, role: str) -> None:
    choose(dash_duo, "#people-staff-person", "New person")
    wait_for(dash_duo, lambda: dash_duo.find_element("#people-staff-name").is_enabled())
    type_into(dash_duo, "#people-staff-name", name)
    type_into(dash_duo, "#people-staff-code", code)
    Select(dash_duo.find_element("#people-staff-role")).select_by_value(role)
    type_day(dash_duo, "#people-staff-hire", HIRED)
    click(dash_duo, "#people-staff-save")
    dash_duo.wait_for_contains_text("#people-staff-message", "Added.", timeout=20)


def put_on_team(dash_duo: DashComposite, form: str, button: str, done: str) -> None:
    """The opened person onto Harbor Outreach from their hire date, through the staff card's `form`."""
    wait_for(dash_duo, lambda: dash_duo.find_element(f"#people-{form}-form").get_attribute("hidden") is None)
    choose(dash_duo, f"#people-{form}-team", "Harbor Outreach")
    type_day(dash_duo, f"#people-{form}-from", HIRED)
    click(dash_duo, button)
    dash_duo.wait_for_contains_text("#people-teams-message", done, timeout=20)
    dash_duo.wait_for_contains_text("#people-staff-teams", "Harbor Outreach", timeout=20)


def create_account(dash_duo: DashComposite, username: str, role: str, method: str, staff: str | None = None) -> str:
    type_into(dash_duo, "#accounts-new-username", username)
    Select(dash_duo.find_element("#accounts-new-role")).select_by_value(role)
    if staff:
        choose(dash_duo, "#accounts-new-staff", staff)
    label = dash_duo.driver.find_element(By.XPATH, f"//*[@id='accounts-new-method']//label[contains(., '{method}')]")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", label)
    click(dash_duo, "#accounts-create")
    dash_duo.wait_for_contains_text("#accounts-new-message", f"Created {username}", timeout=15)
    return dash_duo.find_element("#accounts-secret").text.strip()


def compliance_row(dash_duo: DashComposite, worker: str) -> Any:
    return dash_duo.driver.execute_script(
        "let api; try { api = dash_ag_grid.getApi('compliance-grid'); } catch (e) { return null; }"
        "if (!api) return null; let out = null;"
        "api.forEachNode(n => { if (n.data.worker === arguments[0]) out = n.data; }); return out;", worker)


def test_a_fresh_install_becomes_a_working_agency_in_the_browser(dash_duo: DashComposite, reference_db: Database,
                                                                 tmp_path: Path,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    with reference_db.session() as s:  # what a fresh install holds: the framework, guides, scale and standard
        assert s.scalar(select(func.count()).select_from(User)) == 0
        assert s.scalar(select(func.count()).select_from(Staff)) == 0
    app = make_app(reference_db, tmp_path, first_admin_link=True)
    printed = capfd.readouterr().err
    token = re.search(r"Open /setup/([\w-]{43}) on this server", printed)
    assert token, printed
    start(dash_duo, app)
    url = dash_duo.server.url
    dash_duo.driver.get(f"{url}/overview")  # nobody signed in: the sign-in page, never a setup page
    dash_duo.wait_for_element("#login-submit", timeout=15)

    # 1. The first administrator chooses a password through the printed link, and signs in.
    set_password_by_link(dash_duo, f"{url}/setup/{token.group(1)}", "admin", "quiet harbor morning")
    sign_in(dash_duo, "admin", "quiet harbor morning")
    dash_duo.wait_for_element("#shell-user-name", timeout=15)

    # 2. A program and a team.
    dash_duo.driver.get(f"{url}/people")
    wait_for(dash_duo, lambda: not dash_duo.find_element("#people-org-form").get_attribute("hidden"))
    type_into(dash_duo, "#people-program-new", "Community Recovery")
    click(dash_duo, "#people-program-add")
    dash_duo.wait_for_contains_text("#people-org-table", "Community Recovery", timeout=20)
    choose(dash_duo, "#people-team-program", "Community Recovery")
    type_into(dash_duo, "#people-team-new", "Harbor Outreach")
    click(dash_duo, "#people-team-add")
    dash_duo.wait_for_contains_text("#people-org-table", "Harbor Outreach", timeout=20)

    # 3. A new certification stage, at the end of the agency's list.
    type_into(dash_duo, "#people-stage-new", "Peer mentor")
    click(dash_duo, "#people-stage-add")
    dash_duo.wait_for_contains_text("#people-stages-table", "Peer mentor", timeout=20)

    # 4. The supervisor and the peer worker, with their team, and the worker's stage.
    add_person(dash_duo, "Nia Okafor", "E9001", "supervisor")
    put_on_team(dash_duo, "sup", "#people-sup-add", "Team added.")  # the team she supervises
    add_person(dash_duo, "Tomas Reyes", "E9002", "peer_worker")
    put_on_team(dash_duo, "move", "#people-move", "Moved.")  # the team he is on

    dash_duo.wait_for_contains_text("#people-without-stage", "Tomas Reyes (E9002)", timeout=20)
    choose(dash_duo, "#people-worker", "Tomas Reyes")
    dash_duo.wait_for_contains_text("#people-worker-history", "No stage recorded", timeout=20)
    choose(dash_duo, "#people-worker-stage", "Initially certified")
    type_day(dash_duo, "#people-worker-from", HIRED)
    click(dash_duo, "#people-worker-record")
    dash_duo.wait_for_contains_text("#people-worker-message", "Recorded.", timeout=20)
    dash_duo.wait_for_contains_text("#people-without-stage", "Every peer worker on staff today has a stage",
                                    timeout=20)
    screenshot(dash_duo, "fresh-install-people")
    assert accessibility_violations(dash_duo) == []

    # 5. A standard version started from the Texas rule pack, plus a rule for the agency's own stage (a one-to-one
    # session every 14 days, 90 minutes a month), from today: a period already judged keeps its standard.
    dash_duo.driver.get(f"{url}/standards")
    mentor = "//div[contains(concat(' ', @class, ' '), ' row ')][./div/span[normalize-space(.)='Peer mentor']]"
    wait_for(dash_duo, lambda: dash_duo.driver.find_elements(By.XPATH, mentor))
    choose(dash_duo, "#standards-pack", "Texas")
    click(dash_duo, "#standards-pack-apply")
    dash_duo.wait_for_contains_text("#standards-message", "kept their values: Peer mentor", timeout=20)
    assert dash_duo.find_element("#standards-name").get_attribute("value") == "Texas: weekly, then monthly"
    assert dash_duo.find_element("#standards-source").get_attribute("value").startswith("TX 1 TAC §354.3103")
    row = dash_duo.driver.find_element(By.XPATH, mentor)
    Select(row.find_element(By.TAG_NAME, "select")).select_by_value("14")
    minutes = row.find_elements(By.CSS_SELECTOR, "input[type=number]")[1]
    minutes.clear()
    minutes.send_keys("90")
    type_day(dash_duo, "#standards-effective", date.today())
    screenshot(dash_duo, "fresh-install-standards")
    assert accessibility_violations(dash_duo) == []
    click(dash_duo, "#standards-save")
    dash_duo.wait_for_contains_text("#standards-message", "Saved", timeout=20)
    dash_duo.wait_for_contains_text("#standards-in-force", "Texas: weekly, then monthly", timeout=20)
    in_force = dash_duo.find_element("#standards-in-force").text
    assert "Initially certified 7 0 yes" in in_force and "Peer mentor 14 90 yes" in in_force, in_force

    # 6. An account for every role: temporary passwords and setup links, shown once.
    dash_duo.driver.get(f"{url}/accounts")
    dash_duo.wait_for_contains_text("#accounts-count", "1 account", timeout=20)
    supervisor = create_account(dash_duo, "nokafor", "supervisor", "Temporary password", "Nia Okafor")
    peer = create_account(dash_duo, "treyes", "peer_worker", "One-time setup link", "Tomas Reyes")
    create_account(dash_duo, "lchen", "leadership", "One-time setup link")
    create_account(dash_duo, "dwu", "quality", "One-time setup link")
    dash_duo.wait_for_contains_text("#accounts-count", "5 accounts", timeout=20)
    screenshot(dash_duo, "fresh-install-accounts")
    assert accessibility_violations(dash_duo) == []

    # 7. The compliance view judges Tomas by his stage's rule: no sessions yet, so not met (last quarter, by the
    # shipped standard's rule for initially certified workers: a one-to-one session every 14 days).
    with reference_db.session() as s:
        team = s.scalar(select(Team.id).join(Program).where(Team.name == "Harbor Outreach",
                                                             Program.name == "Community Recovery"))
    dash_duo.driver.get(f"{url}/compliance?team={team}")
    judged = wait_for(dash_duo, lambda: (row := compliance_row(dash_duo, "Tomas Reyes")) and row["stage"] and row)
    assert judged["stage"] == "Initially certified" and judged["status"] == "not met", judged
    # Jul-Sep: 92 days hold 6 whole 14-day spans (6 individual sessions required); 3 months of 120 minutes.
    assert (judged["required"], judged["minimum"], judged["minutes"]) == (6, 360, 0), judged
    assert "no standard rule" not in judged["reasons"], judged["reasons"]
    screenshot(dash_duo, "fresh-install-compliance")
    sign_out(dash_duo)

    # 8. The supervisor signs in with the temporary password, must choose their own, then sees the roster.
    sign_in(dash_duo, "nokafor", supervisor)
    dash_duo.wait_for_element("#account-must-change", timeout=15)
    dash_duo.find_element("#current").send_keys(supervisor)
    dash_duo.find_element("#password").send_keys("plum orchard lantern")
    dash_duo.find_element("#confirm").send_keys("plum orchard lantern")
    click(dash_duo, "#account-submit")
    dash_duo.wait_for_element("#account-done", timeout=15)
    dash_duo.driver.get(f"{url}/my-team")
    dash_duo.wait_for_contains_text("#my-team-roster", "Tomas Reyes", timeout=30)
    screenshot(dash_duo, "fresh-install-supervisor")
    sign_out(dash_duo)

    # 9. The peer worker sets a password through their link and sees their own record.
    set_password_by_link(dash_duo, peer, "treyes", "tidal cedar notebook")
    sign_in(dash_duo, "treyes", "tidal cedar notebook")
    dash_duo.wait_for_text_to_equal("#shell-user-name", "Tomas Reyes", timeout=20)
    dash_duo.driver.get(f"{url}/my-record")
    dash_duo.wait_for_contains_text("#profile-name", "Tomas Reyes", timeout=30)
    screenshot(dash_duo, "fresh-install-peer")
    assert dash_duo.get_logs() == []
