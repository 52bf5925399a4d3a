"""The Standards page over HTTP: admin and quality save versions (audited); others are refused; bad input changes
nothing."""
from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import AuditEvent, CertificationStage, StandardRule, SupervisionStandard
from tests.http.conftest import callback, login, logout

SAVE_OUTPUTS = [("standards-message", "children"), ("standards-refresh", "data")]


def stage_ids(db: Database) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(CertificationStage.id).order_by(CertificationStage.sort_order)))


def save(client: FlaskClient, db: Database, effective: Any, name: Any = "2027 rule",
         presets: list[Any] | None = None, days: list[Any] | None = None, minutes: list[Any] | None = None,
         groups: list[Any] | None = None) -> Any:
    stages = stage_ids(db)
    n = len(stages)
    body = {
        "output": "..standards-message.children...standards-refresh.data..",
        "outputs": [{"id": "standards-message", "property": "children"},
                    {"id": "standards-refresh", "property": "data"}],
        "inputs": [{"id": "standards-save", "property": "n_clicks", "value": 1}],
        "state": [
            {"id": "standards-effective", "property": "value", "value": effective},
            {"id": "standards-name", "property": "value", "value": name},
            {"id": "standards-source", "property": "value", "value": "State rule 12.3"},
            [{"id": {"type": "standards-preset", "stage": s}, "property": "value", "value": v}
             for s, v in zip(stages, presets or ["7", "14", "custom"])],
            [{"id": {"type": "standards-days", "stage": s}, "property": "value", "value": v}
             for s, v in zip(stages, days or [7, 14, 21])],
            [{"id": {"type": "standards-minutes", "stage": s}, "property": "value", "value": v}
             for s, v in zip(stages, minutes or [240, 120, 90])],
            [{"id": {"type": "standards-group", "stage": s}, "property": "value", "value": v}
             for s, v in zip(stages, groups or [True, True, False])],
            [{"id": {"type": "standards-preset", "stage": s}, "property": "id", "value": {"type": "standards-preset",
                                                                                         "stage": s}}
             for s in stages],
        ],
        "changedPropIds": ["standards-save.n_clicks"],
    }
    assert n == 3
    return client.post("/_dash-update-component", json=body)


def message(response: Any) -> str:
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"]["standards-message"])


def versions(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SupervisionStandard))


def test_quality_saves_a_version_and_it_is_audited(demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "quality", "demo")
    effective = date.today() + timedelta(days=30)
    assert "Saved" in message(save(demo_client, demo_db, effective.isoformat()))
    with demo_db.session() as s:
        standard = s.scalar(select(SupervisionStandard).where(SupervisionStandard.effective_from == effective))
        rules = {r.stage_id: (r.max_days_between_individual, r.min_minutes_per_month, r.group_counts_toward_minimum)
                 for r in s.scalars(select(StandardRule).where(StandardRule.standard_id == standard.id))}
        event = s.scalar(select(AuditEvent).where(AuditEvent.entity == "supervision_standard"))
    assert sorted(rules.values()) == [(7, 240, True), (14, 120, True), (21, 90, False)]  # custom 21 days
    assert (event.username, event.action, event.entity_id) == ("quality", "create", str(standard.id))
    assert event.new_values["rules"]["fully-certified"] == {
        "max_days_between_individual": 21, "min_minutes_per_month": 90, "group_counts_toward_minimum": False}

    # Saving again on that (future) date replaces it, with the old values in the audit log.
    assert "Saved" in message(save(demo_client, demo_db, effective.isoformat(), name="2027 rule, revised",
                                   days=[7, 14, 28]))
    with demo_db.session() as s:
        update = s.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert update.old_values["rules"]["fully-certified"]["max_days_between_individual"] == 21
    assert update.new_values["rules"]["fully-certified"]["max_days_between_individual"] == 28
    assert update.new_values["name"] == "2027 rule, revised"


def test_bad_input_gets_a_message_and_changes_nothing(demo_client: FlaskClient, demo_db: Database) -> None:
    login(demo_client, "admin", "demo")
    before = versions(demo_db)
    future = (date.today() + timedelta(days=10)).isoformat()
    cases = [
        (save(demo_client, demo_db, "2020-01-01"), "in the past"),
        (save(demo_client, demo_db, "not a date"), "Give the date the version takes effect"),
        (save(demo_client, demo_db, future, name="  "), "Give the version a name"),
        (save(demo_client, demo_db, future, days=[7, 14, 0]), "from 1 to 366"),
        (save(demo_client, demo_db, future, days=[7, 14, "x; DROP TABLE"]), "whole numbers"),
        (save(demo_client, demo_db, future, minutes=[240, -5, 60]), "from 0 to"),
        (save(demo_client, demo_db, future, groups=[True, "yes", True]), "whole numbers"),
        (save(demo_client, demo_db, future, presets=["7", "3", "custom"]), "Choose weekly"),
    ]
    for response, expected in cases:
        assert expected in message(response), (expected, message(response))
    assert versions(demo_db) == before
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.entity == "supervision_standard")) == 0


def test_only_admin_and_quality_may_save(demo_client: FlaskClient, demo_db: Database) -> None:
    future = (date.today() + timedelta(days=10)).isoformat()
    for username in ("leader", "supervisor", "peer"):
        login(demo_client, username, "demo")
        assert save(demo_client, demo_db, future).status_code == 403
        logout(demo_client)
    assert versions(demo_db) == 1
    login(demo_client, "leader", "demo")
    page = callback(demo_client, [("standards-in-force", "children"), ("standards-versions", "children"),
                                  ("standards-form-rules", "children")], [("standards-refresh", "data", 0)])
    assert page.status_code == 403


def test_filling_from_a_rule_pack_is_refused_to_roles_without_the_page_and_writes_nothing(
        demo_client: FlaskClient, demo_db: Database) -> None:
    stages = stage_ids(demo_db)
    rows = ("standards-preset", "standards-days", "standards-minutes", "standards-group")
    login(demo_client, "admin", "demo")
    deps = json.loads(demo_client.get("/_dash-dependencies").data)
    logout(demo_client)
    body = {
        # Outputs shared with another callback carry a suffix (allow_duplicate): read it as the browser does.
        "output": next(d["output"] for d in deps if d["inputs"][0]["id"] == "standards-pack-apply"),
        "outputs": [{"id": "standards-name", "property": "value"}, {"id": "standards-source", "property": "value"},
                    *([{"id": {"type": row, "stage": s}, "property": "value"} for s in stages] for row in rows),
                    {"id": "standards-message", "property": "children"}],
        "inputs": [{"id": "standards-pack-apply", "property": "n_clicks", "value": 1}],
        "state": [{"id": "standards-pack", "property": "value", "value": "tx-354-3103"},
                  *([{"id": {"type": row, "stage": s}, "property": "value", "value": v} for s, v in zip(stages, vals)]
                    for row, vals in zip(rows, (["7", "14", "31"], [7, 14, 31], [240, 120, 60], [True] * 3))),
                  [{"id": {"type": "standards-preset", "stage": s}, "property": "id",
                    "value": {"type": "standards-preset", "stage": s}} for s in stages]],
        "changedPropIds": ["standards-pack-apply.n_clicks"],
    }
    with demo_db.session() as s:
        before = (versions(demo_db), s.scalar(select(func.count()).select_from(AuditEvent)))
    for username in ("leader", "supervisor", "peer"):
        login(demo_client, username, "demo")
        assert demo_client.post("/_dash-update-component", json=body).status_code == 403
        logout(demo_client)
    login(demo_client, "admin", "demo")
    # No pack chosen: a message, and each stage row left as it is (a list of no-updates, not a 500).
    unchosen = json.loads(json.dumps(body))
    unchosen["state"][0]["value"] = None
    refused = demo_client.post("/_dash-update-component", json=unchosen)
    assert refused.status_code == 200 and "Choose a rule pack first." in refused.data.decode()
    filled = demo_client.post("/_dash-update-component", json=body)
    assert filled.status_code == 200, filled.data[:300]
    response = json.loads(filled.data)["response"]
    assert response["standards-name"]["value"] == "Texas: weekly, then monthly"
    with demo_db.session() as s:
        assert (versions(demo_db), s.scalar(select(func.count()).select_from(AuditEvent))) == before
