"""The Guides page over HTTP with crafted requests: an admin adds, edits and retires a guide (audited, old and new
values); every other role is refused and nothing is written; bad values are named field by field, nothing written;
a stale copy is refused; a retired guide leaves the Resources list and the suggestions (rows counted)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard import guides
from dashboard.db import Database
from dashboard.queries.resources import list_guides
from models import AuditEvent, GuideCategory, GuidePrinciple, ResourceGuide
from tests.http.conftest import login
from tests.http.test_workspace_scope import fire

NEW_GUIDE = {"title": "  Supervising   peer workers well ", "publisher": "Test Publisher", "year": 2024,
             "url": "https://example.org/guide", "summary": "A short summary."}


def links(db: Database) -> tuple[list[int], list[int]]:
    with db.session() as s:
        allowed = guides.choices(s)
    return [i for i, _ in allowed.categories[:2]], [i for i, _ in allowed.principles[:1]]


def write(client: FlaskClient, db: Database, seen: Any = None, retire: bool = False, **values: Any) -> Any:
    categories, principles = links(db)
    form = {**NEW_GUIDE, "category_ids": categories, "principle_ids": principles, **values}
    trigger = "guides-retire" if retire else "guides-save"
    return fire(client, "guides-save", {f"{trigger}.n_clicks": 1}, {
        "guides-title.value": form["title"], "guides-publisher.value": form["publisher"],
        "guides-year.value": form["year"], "guides-url.value": form["url"], "guides-summary.value": form["summary"],
        "guides-categories.value": form["category_ids"], "guides-principles.value": form["principle_ids"],
        "guides-seen.data": seen, "guides-version.data": 0}, changed=f"{trigger}.n_clicks")


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {"guides": s.scalar(select(func.count()).select_from(ResourceGuide)) or 0,
                "categories": s.scalar(select(func.count()).select_from(GuideCategory)) or 0,
                "principles": s.scalar(select(func.count()).select_from(GuidePrinciple)) or 0,
                "retired": s.scalar(select(func.count()).select_from(ResourceGuide)
                                    .where(ResourceGuide.retired_on.is_not(None))) or 0,
                "audit": s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
                "listed": len(list_guides(s))}


def loaded(db: Database, title: str) -> dict[str, Any]:
    with db.session() as s:
        return next(g.values() for g in guides.guides_in_use(s) if g.title == title)


def message(response: Any) -> str:
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"]["guides-message"])


def test_admin_adds_edits_and_retires_a_guide(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    before = counts(people_db)
    assert before["guides"] == before["listed"] == 5
    assert "Added \\u201cSupervising peer workers well\\u201d" in message(write(client, people_db))
    added = counts(people_db)
    assert added == {**before, "guides": 6, "categories": before["categories"] + 2,
                     "principles": before["principles"] + 1, "audit": before["audit"] + 1, "listed": 6}
    opened = loaded(people_db, "Supervising peer workers well")
    assert opened["year"] == 2024 and opened["url"] == "https://example.org/guide"

    assert "title, year changed" in message(write(client, people_db, opened, title="Supervising well", year=2025))
    assert counts(people_db) == {**added, "audit": added["audit"] + 1}
    with people_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "update" and event.entity == "resource_guide"
        assert event.old_values == {"title": "Supervising peer workers well", "year": 2024}
        assert event.new_values == {"title": "Supervising well", "year": 2025}
    # The copy opened before that edit is stale: refused, nothing written.
    assert "Someone else changed" in message(write(client, people_db, opened, title="Other"))
    assert counts(people_db) == {**added, "audit": added["audit"] + 1}

    edited = loaded(people_db, "Supervising well")
    assert "no longer shown" in message(write(client, people_db, edited, retire=True))
    retired = counts(people_db)
    assert retired == {**added, "retired": 1, "audit": added["audit"] + 2, "listed": 5}
    assert "Choose a guide to retire." in message(write(client, people_db, None, retire=True))
    # Retired twice (the same copy): refused.
    assert "Someone else changed" in message(write(client, people_db, edited, retire=True))
    assert counts(people_db) == retired


@pytest.mark.parametrize("username", ["quality", "leader", "supervisor", "peer"])
def test_no_other_role_loads_adds_edits_or_retires(client: FlaskClient, people_db: Database, username: str) -> None:
    with people_db.session() as s:
        opened = guides.guides_in_use(s)[0].values()
    login(client, username)
    before = counts(people_db)
    assert write(client, people_db).status_code == 403
    assert write(client, people_db, opened, title="Taken over").status_code == 403
    assert write(client, people_db, opened, retire=True).status_code == 403
    assert fire(client, "guides-version", {"guides-version.data": 0, "guides-choice.value": "new"}).status_code == 403
    assert counts(people_db) == before


@pytest.mark.parametrize(("values", "said"), [
    ({"title": "   "}, "The title must be 1 to 300 characters."),
    ({"year": "soon"}, "The year must be a whole number from 1900 to 2100"),
    ({"year": 1850}, "The year must be a whole number from 1900 to 2100"),
    ({"url": "ftp://example.org/x"}, "The address must be a web address starting with http:// or https://"),
    ({"url": "javascript:alert(1)"}, "The address must be a web address"),
    ({"category_ids": [999999]}, "Choose categories from the list."),
    ({"publisher": ["crafted"]}, "The publisher must be 1 to 300 characters."),
])
def test_bad_values_are_named_and_nothing_is_written(client: FlaskClient, people_db: Database,
                                                      values: dict[str, Any], said: str) -> None:
    login(client, "admin")
    before = counts(people_db)
    assert said in message(write(client, people_db, **values))
    with people_db.session() as s:
        opened = guides.guides_in_use(s)[0].values()
    assert said in message(write(client, people_db, opened, **values))
    assert counts(people_db) == before


def test_every_bad_field_gets_its_own_message(client: FlaskClient, people_db: Database) -> None:
    login(client, "admin")
    before = counts(people_db)
    text = message(write(client, people_db, title="", year="x", url="example.org"))
    assert "The title" in text and "The year" in text and "The address" in text
    assert counts(people_db) == before
