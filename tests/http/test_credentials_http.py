"""Credential requirements over HTTP: admins and quality staff define them, leadership reads, supervisors and peer
workers cannot reach the page; bad input and forged ids are refused with nothing written; progress shows on the
worker's record."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import AuditEvent, CredentialRequirement
from tests.http.conftest import login, texts
from tests.http.test_workspace_scope import fire, response_text


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(CredentialRequirement)) or 0,
                s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


GOOD = {"credential-name.value": "State peer credential", "credential-body.value": "State board",
        "credential-hours.value": "12.5", "credential-period.value": "24", "credential-kinds.value": ["supportive"],
        "credential-formats.value": [], "credential-modalities.value": [], "credential-stages.value": [],
        "credential-confirmation.value": ["signed"], "credential-active.value": True,
        "credential-source.value": "State rule 1.2.3", "credentials-version.data": 0,
        "credential-editing.data": None}


def save(client: FlaskClient, **changes: Any) -> Any:
    return fire(client, "credential-save", {"credential-save.n_clicks": 1},
                GOOD | {f"credential-{k}.value" if not k.startswith("credential") else k: v
                        for k, v in changes.items()})


@pytest.mark.parametrize(("user", "status"), [("supervisor", 403), ("peer", 403), ("leader", 200)])
def test_only_admins_and_quality_define_requirements(demo_client: FlaskClient, demo_db: Database, user: str,
                                                     status: int) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    response = save(demo_client)
    assert response.status_code == status
    if status == 200:  # leadership reads the page, but the save is refused on the server
        assert "Only administrators and quality staff" in response_text(response)
    assert fire(demo_client, "credentials-version", {"credentials-version.data": 0}).status_code == status
    assert counts(demo_db) == before


@pytest.mark.parametrize("user", ["quality", "admin"])
def test_quality_and_admins_add_and_change_a_requirement(demo_client: FlaskClient, demo_db: Database,
                                                         user: str) -> None:
    login(demo_client, user, "demo")
    requirements, events = counts(demo_db)
    refused = {"hours": ("-1", "Hours required must be a number"), "hours ": ("1.25", "at most one decimal"),
               "period": ("0", "whole number of months"), "kinds": (["therapy"], "Kinds contains"),
               "stages": (["nope"], "Stages contains"), "name": ("  ", "The name is required"),
               "source": ({"x": 1}, "The source must be text"),
               "credential-editing.data": ({"id": "forged"}, "That requirement was not found")}
    for field, (value, message) in refused.items():
        assert message in response_text(save(demo_client, **{field.strip(): value})), field
    assert "already exists" in response_text(save(demo_client, name="IC&RC Peer Recovery (PR)"))
    assert counts(demo_db) == (requirements, events)
    body = json.loads(response_text(save(demo_client)))["response"]
    saved = body["credential-editing"]["data"]["id"]
    assert counts(demo_db) == (requirements + 1, events + 1)
    assert "Requirement saved" in response_text(save(demo_client, **{"credential-editing.data": {"id": saved},
                                                                    "hours": "13"}))
    assert counts(demo_db) == (requirements + 1, events + 2)
    with demo_db.session() as s:
        row = s.get(CredentialRequirement, saved)
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert row is not None and (float(row.hours_required), row.period_months, row.kinds) == (13.0, 24, ["supportive"])
    assert (event.action, event.entity, event.old_values["hours_required"], event.new_values["hours_required"]) == (
        "update", "credential_requirement", "12.5", "13")


def test_the_peer_sees_their_own_hours_on_my_record(demo_client: FlaskClient) -> None:
    login(demo_client, "peer", "demo")
    profile = json.loads(response_text(fire(demo_client, "profile-subject", {"profile-subject.data": "self"})))
    words = " ".join(texts(profile["response"]["profile"]["children"]))
    assert "Certification hours" in words and "IC&RC Peer Recovery (PR) (IC&RC)" in words
    assert "of 25 h" in words


@pytest.mark.parametrize(("user", "status"), [("quality", 200), ("admin", 200), ("leader", 200),
                                              ("supervisor", 403), ("peer", 403)])
def test_a_rule_pack_fills_the_form_with_its_citation_and_writes_nothing(demo_client: FlaskClient,
                                                                        demo_db: Database, user: str,
                                                                        status: int) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    key = '{"requirement":["ALL"],"type":"credential-edit"}'
    none_clicked = [{"id": {"type": "credential-edit", "requirement": 1}, "property": "n_clicks", "value": None}]
    response = fire(demo_client, "credential-new",
                    {"credential-pack-apply.n_clicks": 1, f"{key}.n_clicks": none_clicked},
                    {"credential-pack.value": "dc-7314-before-contact"}, changed="credential-pack-apply.n_clicks")
    assert response.status_code == status
    if status == 200:
        form = json.loads(response.data)["response"]
        assert form["credential-hours"]["value"] == "6" and form["credential-stages"]["value"] == ["in-training"]
        assert form["credential-source"]["value"].startswith("22-A DCMR 7314")
        assert "Check this against the current text" in form["credential-source"]["value"]
        forged = fire(demo_client, "credential-new", {"credential-pack-apply.n_clicks": 1,
                                                      f"{key}.n_clicks": none_clicked},
                      {"credential-pack.value": {"x": 1}}, changed="credential-pack-apply.n_clicks")
        assert "Choose a rule pack first" in response_text(forged)
    assert counts(demo_db) == before
