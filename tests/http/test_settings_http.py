"""The Settings page over HTTP with crafted requests: an admin saves (audited, told what changes); quality loads the
values read-only and its crafted saves are refused; every other role is refused, loading included, and nothing is
written (rows and values compared before and after)."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard import agency_settings
from dashboard.db import Database
from models import AgencySettings, AuditEvent
from tests.http.conftest import callback, login
from tests.http.test_workspace_scope import fire


def seen(db: Database) -> dict[str, Any]:
    with db.session() as s:
        return agency_settings.current(s).values()


def save(client: FlaskClient, opened: Any, staleness: Any = 400, labels: Any = None, unsigned: Any = None,
         unacknowledged: Any = None, date_format: Any = "as opened") -> Any:
    levels = labels if labels is not None else opened["labels"]
    return fire(client, "settings-save", {"settings-save.n_clicks": 1}, {
        "settings-staleness.value": staleness, "settings-min-cell.value": opened["min_cell_workers"],
        "settings-fte-limit.value": 7, "settings-holding.value": opened["principle_holding_percent"],
        "settings-unsigned-days.value": opened["unsigned_flag_days"] if unsigned is None else unsigned,
        "settings-unacknowledged-days.value": (opened["unacknowledged_flag_days"] if unacknowledged is None
                                               else unacknowledged),
        '{"level":["ALL"],"type":"settings-level"}.value': [
            {"id": {"type": "settings-level", "level": int(k)}, "property": "value", "value": v}
            for k, v in levels.items()],
        '{"level":["ALL"],"type":"settings-level"}.id': [
            {"id": {"type": "settings-level", "level": int(k)}, "property": "id",
             "value": {"type": "settings-level", "level": int(k)}} for k in levels],
        "settings-proficient.value": str(opened["proficient_level"]),
        "settings-date-format.value": opened["date_format"] if date_format == "as opened" else date_format,
        "settings-seen.data": opened,
        "settings-version.data": 0})


def rows(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(AuditEvent)),
                s.scalar(select(AgencySettings.staleness_days)) or 0)


def test_admin_saves_and_is_told_what_changes(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    opened = seen(people_db)
    before = rows(people_db)
    response = save(client, opened)
    assert response.status_code == 200, response.data[:300]
    text = json.dumps(json.loads(response.data)["response"]["settings-message"])
    assert "up to 400 days old (was 365)" in text
    assert rows(people_db) == (before[0] + 1, 400)
    # The same copy again: stale, refused, nothing written.
    assert "Someone else changed" in save(client, opened, staleness=500).data.decode()
    assert rows(people_db) == (before[0] + 1, 400)
    # Crafted label lists: a message, nothing written.
    assert "Give a label for every level" in save(client, seen(people_db), labels={"1": "x"}).data.decode()
    assert rows(people_db) == (before[0] + 1, 400)


def test_admin_changes_the_sign_off_flags_with_a_message_per_bad_value(client: FlaskClient,
                                                                      people_db: Database) -> None:
    login(client, "admin")
    opened = seen(people_db)
    before = rows(people_db)
    refused = save(client, opened, staleness=opened["staleness_days"], unsigned=0, unacknowledged="x").data.decode()
    assert "The unsigned flag (days) must be a whole number from 1 to 90." in refused
    assert "The unacknowledged flag (days) must be a whole number from 1 to 180." in refused
    assert rows(people_db) == before and seen(people_db) == opened
    response = save(client, opened, staleness=opened["staleness_days"], unsigned=3, unacknowledged=30)
    text = json.dumps(json.loads(response.data)["response"]["settings-message"])
    assert "unsigned more than 3 days after it was held (was 7)" in text
    assert "more than 30 days after signing (was 14)" in text
    assert rows(people_db) == (before[0] + 1, before[1])
    now = seen(people_db)
    assert (now["unsigned_flag_days"], now["unacknowledged_flag_days"]) == (3, 30)


def test_quality_reads_the_settings_disabled_and_cannot_save_them(client: FlaskClient, people_db: Database) -> None:
    opened = seen(people_db)
    login(client, "quality")
    assert client.get("/settings").status_code == 200
    loaded = fire(client, "settings-version", {"settings-version.data": 0})
    assert loaded.status_code == 200
    out = json.loads(loaded.data)["response"]
    assert out["settings-staleness"]["value"] == opened["staleness_days"] == 365
    assert out["settings-unsigned-days"]["value"] == 7 and out["settings-unacknowledged-days"]["value"] == 14
    assert out["settings-fieldset"]["disabled"] is True and out["settings-save"]["className"] == "d-none"
    assert "Read-only" in out["settings-read-only"]["children"]
    before = rows(people_db)
    assert save(client, opened, unsigned=3, unacknowledged=30).status_code == 403
    assert rows(people_db) == before == (before[0], 365) and seen(people_db) == opened


def test_admin_loads_the_settings_editable(client: FlaskClient) -> None:
    login(client, "admin")
    out = json.loads(fire(client, "settings-version", {"settings-version.data": 0}).data)["response"]
    assert out["settings-fieldset"]["disabled"] is False and out["settings-save"]["className"] == ""
    assert out["settings-read-only"]["children"] == ""


@pytest.mark.parametrize("username", ["leader", "supervisor", "peer"])
def test_no_other_role_loads_or_saves_settings(client: FlaskClient, people_db: Database, username: str) -> None:
    opened = seen(people_db)
    login(client, username)
    before = rows(people_db)
    assert save(client, opened).status_code == 403
    assert fire(client, "settings-version", {"settings-version.data": 0}).status_code == 403
    assert rows(people_db) == before and seen(people_db) == opened


def compliance_view(client: FlaskClient) -> dict[str, Any]:
    response = callback(client, [("compliance-message", "children"), ("compliance-summary", "children"),
                                 ("compliance-rollup", "rowData"), ("compliance-grid", "rowData"),
                                 ("compliance-csv", "href"), ("compliance-xlsx", "href"), ("compliance-pdf", "href"),
                                 ("compliance-csv", "disabled"), ("compliance-xlsx", "disabled"),
                                 ("compliance-pdf", "disabled")],
                        [("compliance-start", "value", "2026-07-01"), ("compliance-end", "value", "2026-09-30"),
                         *((f"compliance-{name}", "value", "all") for name in ("program", "team", "supervisor",
                                                                               "stage"))])
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)["response"]


def test_the_date_format_saved_changes_the_next_callbacks_dates_and_the_csv_stays_iso(
        client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    summary = compliance_view(client)["compliance-summary"]["children"]
    assert "from 01 Jul 2026 to 30 Sep 2026:" in summary  # the default: day month year
    opened = seen(people_db)
    before = rows(people_db)
    response = save(client, opened, staleness=opened["staleness_days"], date_format="mdy")
    text = json.dumps(json.loads(response.data)["response"]["settings-message"], ensure_ascii=False)
    assert "Dates will be shown as 12/05/2026 (was 05 Dec 2026)" in text
    assert rows(people_db) == (before[0] + 1, before[1]) and seen(people_db)["date_format"] == "mdy"
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.entity == "agency_settings"
        assert (event.old_values, event.new_values) == ({"date_format": "dmy"}, {"date_format": "mdy"})
    view = compliance_view(client)
    assert view["compliance-grid"]["rowData"]
    assert "from 07/01/2026 to 09/30/2026:" in view["compliance-summary"]["children"]
    # The grid keeps the ISO value (it sorts) beside the label it shows.
    assert all((r["period_start"], r["period_start_label"]) == ("2026-07-01", "07/01/2026")
               for r in view["compliance-grid"]["rowData"])
    # The CSV is for programs and re-import: ISO whatever the agency reads on screen.
    exported = client.get("/export/compliance.csv?start=2026-07-01&end=2026-09-30")
    assert exported.status_code == 200
    lines = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert lines and {(r["Period start"], r["Period end"]) for r in lines} == {("2026-07-01", "2026-09-30")}


@pytest.mark.parametrize("bad", ["us", "", None, 3, ["iso"], "%d/%m/%Y"])
def test_a_date_format_not_offered_is_refused_with_the_choices_and_nothing_changes(
        client: FlaskClient, people_db: Database, bad: Any) -> None:
    login(client, "admin")
    opened = seen(people_db)
    before = rows(people_db)
    refused = save(client, opened, date_format=bad)
    assert refused.status_code == 200
    text = json.dumps(json.loads(refused.data)["response"]["settings-message"], ensure_ascii=False)
    assert ("Choose one of the date formats offered: Day month year: 05 Dec 2026; Month/day/year (US): 12/05/2026; "
            "Year-month-day (ISO 8601): 2026-12-05.") in text
    assert rows(people_db) == before and seen(people_db) == opened
