"""The navbar's search over HTTP with crafted requests: each role finds only what its scope shows (a supervisor
their own teams' workers and teams), each hit opens the right page, a peer worker gets 403 and nobody signed in
401; LIKE's wildcards are taken literally."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

import callbacks.shell
from dashboard.db import Database
from models import Staff, Team
from tests.conftest import DEMO_END
from tests.http.conftest import callback, login, texts

OUTPUT = [("shell-search-results", "children")]


@pytest.fixture(autouse=True)
def demo_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(callbacks.shell, "today", lambda: DEMO_END)


def search(client: FlaskClient, text: Any) -> Any:
    return callback(client, OUTPUT, [("shell-search", "value", text)])


def hits(response: Any) -> list[tuple[str, str]]:
    """(the hit's words, where it opens), in order."""
    assert response.status_code == 200, response.data[:300]
    found = json.loads(response.data)["response"]["shell-search-results"]["children"]
    links = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if node.get("type") == "A":
                links.append(("".join(texts(node["props"]["children"])), node["props"]["href"]))
            walk(node.get("props", {}).get("children"))
    walk(found)
    return links


def ids(db: Database, staff: list[str], teams: list[str]) -> dict[str, int]:
    with db.session() as s:
        found = {n: s.scalar(select(Staff.id).where(Staff.full_name == n)) for n in staff}
        found |= {n: s.scalar(select(Team.id).where(Team.name == n)) for n in teams}
    return found


def test_a_supervisor_finds_only_their_own_teams_workers_and_teams(demo_client: FlaskClient,
                                                                    demo_db: Database) -> None:
    known = ids(demo_db, ["Omar Davis"], ["Eastside Outreach", "Westside Outreach"])
    login(demo_client, "supervisor", "demo")
    # Omar Martinez (Southpoint Health Home) and both Amaras are on other supervisors' teams.
    assert hits(search(demo_client, "omar")) == [
        ("Omar Davis — Eastside Outreach (Community Recovery Services) · profile",
         f"/my-team?worker={known['Omar Davis']}")]
    assert hits(search(demo_client, "amara")) == []
    assert texts(json.loads(search(demo_client, "amara").data)["response"]["shell-search-results"]["children"]) == [
        "No worker or team you may see matches “amara”."]
    assert hits(search(demo_client, "OUTREACH")) == [
        ("Eastside Outreach — Community Recovery Services · roster", f"/my-team?team={known['Eastside Outreach']}"),
        ("Westside Outreach — Community Recovery Services · roster", f"/my-team?team={known['Westside Outreach']}")]
    assert hits(search(demo_client, "health home")) == []


def test_the_agencys_roles_find_everyone_and_open_overview_or_compliance(demo_client: FlaskClient,
                                                                         demo_db: Database) -> None:
    known = ids(demo_db, [], ["Downtown Drop-in Center", "Mobile Crisis Follow-up", "Riverside Health Home",
                              "Southpoint Health Home"])
    for username in ("leader", "quality", "admin"):
        login(demo_client, username, "demo")
        assert [href for _, href in hits(search(demo_client, "amara"))] == [
            f"/compliance?team={known['Downtown Drop-in Center']}",
            f"/compliance?team={known['Mobile Crisis Follow-up']}"]
        assert hits(search(demo_client, " health   home ")) == [
            ("Riverside Health Home — Integrated Health Homes · overview",
             f"/overview?teams={known['Riverside Health Home']}"),
            ("Southpoint Health Home — Integrated Health Homes · overview",
             f"/overview?teams={known['Southpoint Health Home']}")]


def test_nothing_for_a_letter_a_wildcard_or_a_crafted_value(demo_client: FlaskClient) -> None:
    login(demo_client, "leader", "demo")
    for text in ("a", "", None, 42, ["amara"], {"x": 1}):
        assert hits(search(demo_client, text)) == []
    for text in ("%", "__", "\\"):  # LIKE's wildcards match themselves, so nothing here
        assert hits(search(demo_client, text)) == []


def test_a_peer_worker_gets_403_and_nobody_signed_in_401(demo_client: FlaskClient) -> None:
    demo_client.get("/login")
    assert search(demo_client, "amara").status_code == 401
    login(demo_client, "peer", "demo")
    assert search(demo_client, "amara").status_code == 403
