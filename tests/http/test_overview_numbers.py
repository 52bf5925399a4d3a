"""Overview numbers as sent to the page: "Meeting the standard" counts the people "Active peer workers" counts."""
from __future__ import annotations

import json

from flask.testing import FlaskClient

from dashboard.db import Database
from dashboard.queries.common import TeamFilter, Window
from dashboard.queries.supervision import due_dates, standard_status
from dashboard.scope import Scope
from tests.conftest import DEMO_END
from tests.http.conftest import callback, kpi_cards, login


def test_meeting_the_standard_counts_the_active_workers_and_says_so(demo_client: FlaskClient,
                                                                   demo_db: Database) -> None:
    # Over 365 days some demo workers left: the compliance view judges them too, the card does not.
    window = Window.last_days(365, DEMO_END)
    with demo_db.session() as s:
        judged = standard_status(s, Scope.agency(), window, TeamFilter())
        active = {d.worker_id for d in due_dates(s, Scope.agency(), DEMO_END, TeamFilter())}
    meeting = [r.meets for r in judged if r.worker_id in active]
    assert len(meeting) == len(active) < len(judged)
    login(demo_client, "leader", "demo")
    inputs = [("overview-window", "value", "custom"), ("overview-custom-range", "start_date", str(window.start)),
              ("overview-custom-range", "end_date", str(window.end)), ("overview-program", "value", None),
              ("overview-teams", "value", [])]
    response = callback(demo_client, [("overview-kpis", "children")], inputs)
    cards = kpi_cards(json.loads(response.data)["response"]["overview-kpis"]["children"])
    assert cards["Active peer workers"][0] == str(len(active))
    assert cards["Meeting the standard"] == (f"{sum(meeting) / len(meeting):.0%}",
                                             "of the workers on a team on 31 Oct 2026, over 365 days")
