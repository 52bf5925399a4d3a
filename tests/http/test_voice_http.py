"""The supervisee's voice over HTTP: only the attendee answers, with their acknowledgement; a crafted answer off
the scale is refused with nothing written; leadership, quality and admins see shares (small cells suppressed),
supervisors a note, peer workers nothing."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboard.db import Database
from models import AuditEvent, SessionAcknowledgement, SupervisionFeedback
from tests.http.conftest import login, texts
from tests.http.test_signoff_http import pick, targets  # noqa: F401  (the fixture)
from tests.http.test_workspace_scope import fire, response_text

KEY = '{"question":["ALL"],"type":"voice-answer"}'


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                     for m in (SessionAcknowledgement, SupervisionFeedback, AuditEvent))


def acknowledge(client: FlaskClient, target: Any, answers: dict[str, Any]) -> Any:
    entries = [{"id": {"type": "voice-answer", "question": q}, "property": "value", "value": v}
               for q, v in answers.items()]
    ids = [{"id": {"type": "voice-answer", "question": q}, "property": "id", "value": {"type": "voice-answer",
                                                                                     "question": q}}
           for q in answers]
    deps = json.loads(client.get("/_dash-dependencies").data)
    dep = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == "ack-confirm")
    state = []
    for spec in dep["state"]:
        if spec["id"] == KEY:
            state.append(entries if spec["property"] == "value" else ids)
        else:
            value = {"ack-target": target, "ack-comment": None, "workspace-version": 0}[spec["id"]]
            state.append({"id": spec["id"], "property": spec["property"], "value": value})
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in dep["output"].strip(".").split("...")]
    return client.post("/_dash-update-component", json={
        "output": dep["output"], "outputs": outputs, "changedPropIds": ["ack-confirm.n_clicks"],
        "inputs": [{"id": "ack-confirm", "property": "n_clicks", "value": 1}], "state": state})


def test_the_attendee_answers_with_the_acknowledgement(demo_client: FlaskClient, demo_db: Database,
                                                       targets: dict[str, Any]) -> None:  # noqa: F811
    login(demo_client, "peer", "demo")
    before = counts(demo_db)
    for bad in ({"lived_experience": 7}, {"made_up": 3}, {"my_say": "3; drop"}):
        assert "one of the four choices" in response_text(acknowledge(demo_client, pick(targets["awaiting_omar"]),
                                                                      bad))
    assert counts(demo_db) == before
    text = response_text(acknowledge(demo_client, pick(targets["awaiting_omar"]),
                                     {"lived_experience": 4, "work_not_recovery": 3, "my_say": None,
                                      "peer_role": 2}))
    assert "the session is acknowledged" in text
    acks, answers, events = before
    assert counts(demo_db) == (acks + 1, answers + 3, events + 1)
    with demo_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert event.new_values["questions_answered"] == 3 and "4" not in json.dumps(  # type: ignore[index]
        {k: v for k, v in event.new_values.items() if k == "answers"})  # type: ignore[union-attr]


@pytest.mark.parametrize("user", ["supervisor", "leader", "quality", "admin"])
def test_only_peer_workers_answer(demo_client: FlaskClient, demo_db: Database, targets: dict[str, Any],  # noqa: F811
                                  user: str) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    assert acknowledge(demo_client, pick(targets["awaiting_omar"]), {"lived_experience": 4}).status_code == 403
    assert counts(demo_db) == before


@pytest.mark.parametrize(("user", "status", "shares"), [("leader", 200, True), ("quality", 200, True),
                                                        ("admin", 200, True), ("supervisor", 200, False),
                                                        ("peer", 403, False)])
def test_who_sees_the_shares(demo_client: FlaskClient, demo_db: Database, user: str, status: int,
                             shares: bool) -> None:
    login(demo_client, user, "demo")
    before = counts(demo_db)
    response = fire(demo_client, "signoff-from", {"signoff-from.value": "2026-08-03", "signoff-to.value": "2026-10-31"})
    assert response.status_code == status
    if status == 200:
        words = texts(json.loads(response.data)["response"]["voice-panel"]["children"])
        assert ("Southpoint Health Home" in words) is shares
        if shares:  # the low team, and every share a percentage or a suppressed cell
            row = words[words.index("Southpoint Health Home"):][:4]
            assert int(row[2].rstrip("%")) < 60
    assert counts(demo_db) == before


def test_the_acknowledge_dialog_asks_the_questions(demo_client: FlaskClient, demo_db: Database,
                                                    targets: dict[str, Any]) -> None:  # noqa: F811
    login(demo_client, "peer", "demo")
    before = counts(demo_db)
    key = '{"session":["ALL"],"type":"ack-open","version":["ALL"]}'
    opened = fire(demo_client, key, {f"{key}.n_clicks": [
        {"id": {"type": "ack-open", **pick(targets["awaiting_omar"])}, "property": "n_clicks", "value": 1}]},
        changed=json.dumps({"type": "ack-open", **pick(targets["awaiting_omar"])}, sort_keys=True,
                           separators=(",", ":")) + ".n_clicks")
    words = texts(json.loads(response_text(opened))["response"]["ack-body"]["children"])
    assert "My lived experience was treated as expertise." in words and "Strongly agree" not in words  # options
    foreign = fire(demo_client, key, {f"{key}.n_clicks": [
        {"id": {"type": "ack-open", **pick(targets["not_omars"])}, "property": "n_clicks", "value": 1}]},
        changed=json.dumps({"type": "ack-open", **pick(targets["not_omars"])}, sort_keys=True,
                           separators=(",", ":")) + ".n_clicks")
    assert "not found among the sessions you attended" in response_text(foreign)
    assert counts(demo_db) == before
