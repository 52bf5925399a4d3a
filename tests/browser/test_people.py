"""People page in headless Chromium: workers imported without a stage are listed and judged "no standard rule
applies"; the admin imports their stages on the Import page, and the compliance view then judges them by their
stages' rules; the page passes axe-core as admin and quality."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import select

from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.importers import run_import
from models import Program, Team
from tests.browser.conftest import accessibility_violations, log_in, screenshot, type_day

pytestmark = pytest.mark.browser

STAGES = "employee_code,stage,from_date\r\nE9301,In training,2025-01-06\r\nE9302,fully-certified,2025-01-06\r\n"


def import_workers(db: Database) -> int:
    """Two peer workers imported as an agency would (staff, then team moves), with no stage; their team's id."""
    with db.session() as s:
        team, program = s.execute(select(Team.id, Program.name).join(Program, Program.id == Team.program_id)
                                  .order_by(Team.id).limit(1)).one()
        team_name = s.get(Team, team).name
        for kind, text in (
                ("staff", "employee_code,full_name,role,hire_date\nE9301,Ada Imported,peer_worker,2025-01-06\n"
                          "E9302,Bo Imported,peer_worker,2025-01-06\n"),
                ("moves", f"employee_code,program,team,start_date\nE9301,{program},{team_name},2025-01-06\n"
                          f"E9302,{program},{team_name},2025-01-06\n")):
            report = run_import(s, kind, text.encode(), file_name=f"{kind}.csv", actor=Actor(None, "cli:test"),
                                today=date.today(), commit=True)
            assert report.committed, report.errors
    return team


def imported_rows(dash_duo: DashComposite) -> dict[str, Any]:
    rows = dash_duo.driver.execute_script(
        "const out = {}; let api; try { api = dash_ag_grid.getApi('compliance-grid'); } catch (e) { return out; }"
        "if (!api) return out;"
        "api.forEachNode(n => { if (n.data.worker.endsWith('Imported')) out[n.data.worker] = n.data; });"
        "return out;")
    return rows or {}


def click(dash_duo: DashComposite, selector: str) -> None:
    """The window made as tall as the page first (as screenshot() does): below the fold a click is intercepted."""
    height = dash_duo.driver.execute_script("return document.body.scrollHeight")
    dash_duo.driver.set_window_size(1400, max(1000, min(height + 100, 6000)))
    dash_duo.find_element(selector).click()


def wait_for(dash_duo: DashComposite, condition: Any, timeout: float = 30) -> Any:
    return WebDriverWait(dash_duo.driver, timeout).until(lambda _d: condition())


def test_admin_imports_stages_for_imported_workers_and_the_compliance_view_judges_them(
        dash_duo: DashComposite, browser_app: Dash, demo_today_db: Database, tmp_path: Path) -> None:
    team = import_workers(demo_today_db)
    log_in(dash_duo, browser_app, "admin")

    # Before: the People page lists them, and the compliance view cannot judge them.
    dash_duo.driver.get(f"{dash_duo.server.url}/people")
    dash_duo.wait_for_contains_text("#people-without-stage", "Bo Imported (E9302)", timeout=20)
    assert "2 peer workers on staff today have no stage" in dash_duo.find_element("#people-without-stage").text
    dash_duo.driver.get(f"{dash_duo.server.url}/compliance?team={team}")
    rows = wait_for(dash_duo, lambda: len(imported_rows(dash_duo)) == 2 and imported_rows(dash_duo))
    assert all("no certification stage recorded" in r["reasons"] for r in rows.values()), rows

    # The stages file, through the Import page's dry run and commit.
    dash_duo.driver.get(f"{dash_duo.server.url}/import")
    dash_duo.wait_for_element("#import-kind", timeout=15)
    Select(dash_duo.find_element("#import-kind")).select_by_value("stages")
    dash_duo.wait_for_contains_text("#import-columns", "from_date", timeout=15)
    path = tmp_path / "stages.csv"
    path.write_text(STAGES, encoding="utf-8", newline="")
    dash_duo.find_element("#import-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#import-summary", "no problems in 2 rows", timeout=20)
    wait_for(dash_duo, lambda: dash_duo.find_element("#import-commit").get_attribute("disabled") is None)
    click(dash_duo, "#import-commit")
    dash_duo.wait_for_contains_text("#import-result", "Imported.", timeout=20)

    # After: judged by their stages' rules (no sessions recorded, so not met, for gaps and minutes).
    dash_duo.driver.get(f"{dash_duo.server.url}/compliance?team={team}")
    rows = wait_for(dash_duo, lambda: (found := imported_rows(dash_duo)) and len(found) == 2
                    and all(r["stage"] for r in found.values()) and found)
    assert rows["Ada Imported"]["stage"] == "In training" and rows["Bo Imported"]["stage"] == "Fully certified"
    for row in rows.values():
        assert "no certification stage" not in row["reasons"] and "no standard rule" not in row["reasons"], row
        assert row["status"] == "not met" and row["required"] > 0 and row["held"] == 0
    screenshot(dash_duo, "compliance-after-stages-admin")

    # And the People page shows no one without a stage, and Ada's history.
    dash_duo.driver.get(f"{dash_duo.server.url}/people")
    dash_duo.wait_for_contains_text("#people-without-stage", "Every peer worker on staff today has a stage",
                                    timeout=20)
    worker = Select(dash_duo.find_element("#people-worker"))
    wait_for(dash_duo, lambda: any("Ada Imported" in o.text for o in worker.options))
    worker.select_by_visible_text("Ada Imported (E9301)")
    dash_duo.wait_for_contains_text("#people-worker-history", "In training", timeout=20)
    screenshot(dash_duo, "people-admin")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_an_admin_records_a_stage_on_the_page_and_quality_reads_it_without_forms(
        dash_duo: DashComposite, browser_app: Dash, demo_today_db: Database) -> None:
    import_workers(demo_today_db)
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.get(f"{dash_duo.server.url}/people")
    worker = Select(dash_duo.find_element("#people-worker"))
    wait_for(dash_duo, lambda: any("Ada Imported" in o.text for o in worker.options))
    worker.select_by_visible_text("Ada Imported (E9301)")
    dash_duo.wait_for_contains_text("#people-worker-history", "No stage recorded", timeout=20)
    Select(dash_duo.find_element("#people-worker-stage")).select_by_visible_text("Initially certified")
    type_day(dash_duo, "#people-worker-from", date(2025, 3, 1))
    click(dash_duo, "#people-worker-record")
    dash_duo.wait_for_contains_text("#people-worker-message", "Recorded.", timeout=20)
    dash_duo.wait_for_contains_text("#people-worker-history", "01 Mar 2025", timeout=20)
    dash_duo.wait_for_contains_text("#people-without-stage", "1 peer worker on staff today has no stage", timeout=20)
    # A new stage from the keyboard: typed, Tab to Add, Enter; once added, the box is empty for the next name.
    box = dash_duo.find_element("#people-stage-new")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", box)
    box.send_keys("Peer mentor", Keys.TAB)
    assert dash_duo.driver.execute_script("return document.activeElement.id") == "people-stage-add"
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#people-stages-message", "Added “Peer mentor”.", timeout=20)
    wait_for(dash_duo, lambda: box.get_attribute("value") == "")
    screenshot(dash_duo, "people-admin-stage-added")
    assert accessibility_violations(dash_duo) == []
    click(dash_duo, "#shell-logout")  # the date field was scrolled to the middle, the navbar off screen

    dash_duo.driver.get(f"{dash_duo.server.url}/login")
    log_in(dash_duo, browser_app, "quality")
    dash_duo.driver.get(f"{dash_duo.server.url}/people")
    dash_duo.wait_for_contains_text("#people-read-only", "Read-only", timeout=20)
    assert not dash_duo.find_element("#people-worker-form").is_displayed()
    assert not dash_duo.find_element("#people-stages-form").is_displayed()
    screenshot(dash_duo, "people-quality")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_the_admin_changes_a_setting_and_is_told_what_changes_on_screen(dash_duo: DashComposite,
                                                                         browser_app: Dash) -> None:
    log_in(dash_duo, browser_app, "admin")
    dash_duo.driver.get(f"{dash_duo.server.url}/settings")
    wait_for(dash_duo, lambda: dash_duo.find_element("#settings-staleness").get_attribute("value") == "365")
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "return document.querySelectorAll('#settings-levels input').length") == 4)
    staleness = dash_duo.find_element("#settings-staleness")
    staleness.clear()
    staleness.send_keys("400")
    click(dash_duo, "#settings-save")
    dash_duo.wait_for_contains_text("#settings-message", "up to 400 days old (was 365)", timeout=20)
    screenshot(dash_duo, "settings-admin")
    assert accessibility_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
