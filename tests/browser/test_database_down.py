"""The database goes away while a supervisor has the session form open: the form says nothing was saved, a reload
shows the 503 page, and once the database is back the same form saves, without restarting anything."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dash.testing.composite import DashComposite

from dashboard.db import Database
from dashboard.outage import FORM_MESSAGE, PAGE_MESSAGE
from tests.browser.conftest import log_in
from tests.browser.test_workspace import button, click, wait_visible
from tests.outage import Outage

pytestmark = pytest.mark.browser


@pytest.fixture
def outage(demo_today_db: Database, tmp_path: Path) -> Iterator[Outage]:
    outage = Outage(demo_today_db, tmp_path)
    yield outage
    outage.close()


def test_the_session_form_says_the_database_is_unavailable_and_saves_once_it_is_back(dash_duo: DashComposite,
                                                                                     outage: Outage) -> None:
    log_in(dash_duo, outage.app, "supervisor")
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team")
    dash_duo.wait_for_element("#my-team-roster .status-overdue", timeout=20)
    name_cell = dash_duo.find_element("#my-team-roster .ag-pinned-left-cols-container .ag-row[row-index='0'] "
                                      ".roster-worker-button")
    worker = name_cell.text
    click(dash_duo, name_cell)
    dash_duo.wait_for_text_to_equal("#profile-name", worker, timeout=20)
    click(dash_duo, button(dash_duo, "Log a session with"))
    wait_visible(dash_duo, "#session-save")

    outage.down()
    click(dash_duo, dash_duo.find_element("#session-save"))
    dash_duo.wait_for_text_to_equal("#session-feedback", FORM_MESSAGE, timeout=20)
    assert dash_duo.find_element("#session-save").is_displayed()  # the form stays open with what was typed
    assert [e for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE"] == []

    outage.up()
    click(dash_duo, dash_duo.find_element("#session-save"))
    dash_duo.wait_for_contains_text("#workspace-message", "Session saved", timeout=20)

    outage.down()
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team")
    dash_duo.wait_for_text_to_equal("#database-unavailable", PAGE_MESSAGE, timeout=20)
    outage.up()
    dash_duo.driver.get(f"{dash_duo.server.url}/my-team")
    dash_duo.wait_for_element("#my-team-roster .ag-center-cols-container .ag-row", timeout=20)
