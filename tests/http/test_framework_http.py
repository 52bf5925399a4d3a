"""The Framework page over HTTP with crafted requests: an admin loads a file (checked as load-framework checks it,
nothing written when refused) and activates a version (exactly one active, audited with the old and new active
version); quality reads; every other role is refused and nothing changes (rows counted before and after)."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from dashboard.reference import DEFAULT_FRAMEWORK
from models import AuditEvent, Category, CategoryPrinciple, Framework, GuideCategory
from tests.http.conftest import login
from tests.http.test_workspace_scope import fire


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {name: s.scalar(select(func.count()).select_from(model)) or 0 for name, model in (
            ("frameworks", Framework), ("categories", Category), ("category_principles", CategoryPrinciple),
            ("audit", AuditEvent), ("guide_categories", GuideCategory))}


def active(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Framework.version).where(Framework.is_active)))


def version_id(db: Database, version: str) -> int:
    with db.session() as s:
        found = s.scalar(select(Framework.id).where(Framework.version == version))
        assert found is not None
        return found


def framework_file(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_FRAMEWORK.read_text())
    data.update(changes)
    return data


def as_upload(text: str) -> str:
    return "data:application/json;base64," + base64.b64encode(text.encode()).decode()


def upload(client: FlaskClient, text: str, filename: str = "agency.json") -> Any:
    return fire(client, "framework-upload", {"framework-upload.contents": as_upload(text)},
                {"framework-upload.filename": filename, "framework-version.data": 0})


def activate(client: FlaskClient, framework_id: Any) -> Any:
    return fire(client, "framework-confirm", {"framework-confirm.n_clicks": 1},
                {"framework-choice.value": str(framework_id), "framework-version.data": 0})


def said(response: Any) -> str:
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"])


def test_admin_loads_a_file_then_activates_it_and_back(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    before = counts(people_db)
    mapping_rows = sum(1 + len(c.get("secondary", [])) for c in framework_file()["categories"])
    text = said(upload(client, json.dumps(framework_file(version="2015-agency"), indent=2)))
    assert "Loaded SAMHSA" in text and "12 categories, 62 competencies" in text and "not active yet" in text
    after_load = counts(people_db)
    assert after_load == {**before, "frameworks": before["frameworks"] + 1, "categories": before["categories"] + 12,
                          "category_principles": before["category_principles"] + mapping_rows,
                          "audit": before["audit"] + 1}
    assert active(people_db) == ["2015"]  # loaded, not activated

    new_id, old_id = version_id(people_db, "2015-agency"), version_id(people_db, "2015")
    text = said(activate(client, new_id))
    assert "version 2015-agency is now active" in text and "62 competencies in 12 categories" in text
    assert "Supervision compliance" in text  # says what changes (and what does not) on screen
    assert active(people_db) == ["2015-agency"]
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and (event.action, event.entity, event.entity_id) == ("activate", "framework",
                                                                                       str(new_id))
        assert event.old_values == {"active": {"id": old_id, "name": event.new_values["active"]["name"],
                                               "version": "2015"}}
        assert event.new_values["active"]["version"] == "2015-agency"
    relinked = counts(people_db)["guide_categories"]
    assert relinked > before["guide_categories"]  # the guides follow by code

    # Back to the first version: it still has its guide links, none is doubled.
    assert "version 2015 is now active" in said(activate(client, old_id))
    assert active(people_db) == ["2015"]
    assert counts(people_db) == {**after_load, "audit": after_load["audit"] + 2, "guide_categories": relinked}
    # Activating the active one again changes nothing.
    assert "already active" in said(activate(client, old_id))
    assert counts(people_db)["audit"] == after_load["audit"] + 2


@pytest.mark.parametrize(("text", "message"), [
    ('{\n  "name": "X",\n  "version": "2"\n  "principles": []\n}\n', "agency.json: line 4, column 3: Expecting ','"),
    (json.dumps({k: v for k, v in framework_file(version="b").items() if k != "categories"}),
     "agency.json: missing 'categories'"),
    (json.dumps(framework_file(version="c", categories=[
        *framework_file()["categories"][:2], {k: v for k, v in framework_file()["categories"][2].items()
                                              if k != "primary"}])), "agency.json: category III: missing 'primary'"),
    (json.dumps(framework_file()), "version '2015' is already loaded"),
])
def test_a_refused_file_says_where_and_writes_nothing(client: FlaskClient, people_db: Database, text: str,
                                                      message: str) -> None:
    login(client, "admin")
    before = counts(people_db)
    shown = said(upload(client, text))
    assert "nothing was written" in shown and message in shown
    assert counts(people_db) == before and active(people_db) == ["2015"]


def test_a_file_that_is_not_json_text_is_refused(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    before = counts(people_db)
    response = fire(client, "framework-upload", {"framework-upload.contents": "data:application/json;base64,"
                                                 + base64.b64encode(b"\xff\xfe{").decode()},
                    {"framework-upload.filename": "x.json", "framework-version.data": 0})
    assert "x.json: not UTF-8 text" in said(response)
    assert counts(people_db) == before


@pytest.mark.parametrize("username", ["quality", "leader", "supervisor", "peer"])
def test_no_other_role_loads_or_activates(client: FlaskClient, people_db: Database, username: str) -> None:
    login(client, "admin")
    assert "Loaded" in said(upload(client, json.dumps(framework_file(version="2015-agency"))))
    new_id = version_id(people_db, "2015-agency")
    client = client.application.test_client()  # a browser of its own
    login(client, username)
    before = counts(people_db)
    assert upload(client, json.dumps(framework_file(version="2015-x"))).status_code == 403
    assert activate(client, new_id).status_code == 403
    assert counts(people_db) == before and active(people_db) == ["2015"]
    # Quality reads the page (without the admin's tools); nobody else does.
    shown = fire(client, "framework-version", {"framework-version.data": 0})
    if username == "quality":
        body = json.loads(shown.data)["response"]
        assert body["framework-admin-tools"]["hidden"] is True and body["framework-upload-card"]["hidden"] is True
        assert len([row for row in json.dumps(body["framework-categories"]).split('"framework-category"')]) == 13
    else:
        assert shown.status_code == 403


def save_mapping(client: FlaskClient, people_db: Database, changes: dict[str, tuple[str, list[str]]],
                 version: Any = "2015-mapped", seen: Any = None) -> Any:
    from dashboard import framework_admin

    with people_db.session() as s:
        framework_id = s.scalar(select(Framework.id).where(Framework.is_active))
        mapping = {code: (p, list(sec)) for code, (p, sec) in
                   framework_admin.current_mapping(s, framework_id).items()}
    mapping.update(changes)
    key = '{"category":["ALL"],"type":"framework-%s"}.%s'
    return fire(client, "framework-mapping-save", {"framework-mapping-save.n_clicks": 1}, {
        key % ("primary", "value"): [{"id": {"type": "framework-primary", "category": c}, "property": "value",
                                      "value": p} for c, (p, _) in mapping.items()],
        key % ("primary", "id"): [{"id": {"type": "framework-primary", "category": c}, "property": "id",
                                   "value": {"type": "framework-primary", "category": c}} for c in mapping],
        key % ("secondary", "value"): [{"id": {"type": "framework-secondary", "category": c}, "property": "value",
                                        "value": sec} for c, (_, sec) in mapping.items()],
        key % ("secondary", "id"): [{"id": {"type": "framework-secondary", "category": c}, "property": "id",
                                     "value": {"type": "framework-secondary", "category": c}} for c in mapping],
        "framework-mapping-version.value": version,
        "framework-mapping-seen.data": framework_id if seen is None else seen, "framework-version.data": 0})


def test_admin_saves_an_edited_mapping_as_a_new_version(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    before = counts(people_db)
    text = said(save_mapping(client, people_db, {"VIII": ("voluntary", ["trauma-informed"])}))
    assert "Saved as version 2015-mapped (1 category changed: VIII)" in text
    assert counts(people_db) == {**before, "frameworks": before["frameworks"] + 1,
                                 "categories": before["categories"] + 12,
                                 "category_principles": before["category_principles"] * 2 - 1,
                                 "audit": before["audit"] + 1}
    assert active(people_db) == ["2015"]  # a new version, not active until activated
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "update_mapping"
        assert event.old_values == {"version": "2015", "mapping": {"VIII": {
            "primary": "trauma-informed", "secondary": ["voluntary", "relationship-focused"]}}}
        assert event.new_values == {"version": "2015-mapped", "mapping": {"VIII": {
            "primary": "voluntary", "secondary": ["trauma-informed"]}}}


@pytest.mark.parametrize(("changes", "version", "message"), [
    ({}, "2015-same", "same as the active version"),
    ({"VIII": ("voluntary", ["voluntary"])}, "2015-x", "cannot be both primary and secondary"),
    ({"VIII": ("hopeful", [])}, "2015-x", "Category VIII: choose its primary principle"),
    ({"VIII": ("voluntary", [])}, "2015", "already loaded"),
    ({"VIII": ("voluntary", [])}, " ", "Name the new version"),
])
def test_a_refused_mapping_writes_nothing(client: FlaskClient, people_db: Database, changes: Any, version: str,
                                          message: str) -> None:
    login(client, "admin")
    before = counts(people_db)
    assert message in said(save_mapping(client, people_db, changes, version))
    assert counts(people_db) == before


def test_a_mapping_from_a_page_opened_before_another_activation_is_refused(client: FlaskClient,
                                                                           people_db: Database) -> None:
    login(client, "admin")
    before = counts(people_db)
    assert "Someone else changed" in said(save_mapping(client, people_db, {"VIII": ("voluntary", [])}, seen=999))
    assert counts(people_db) == before


@pytest.mark.parametrize("username", ["quality", "leader", "supervisor", "peer"])
def test_no_other_role_saves_a_mapping(client: FlaskClient, people_db: Database, username: str) -> None:
    login(client, username)
    before = counts(people_db)
    assert save_mapping(client, people_db, {"VIII": ("voluntary", [])}).status_code == 403
    assert counts(people_db) == before
