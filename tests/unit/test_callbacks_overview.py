"""The Overview page's callbacks called directly (the browser test covers them through Chromium)."""
from __future__ import annotations

from datetime import date

from dash import Dash, no_update

from callbacks.overview import page, parse_filters, scope_and_options
from dashboard.db import Database
from dashboard.queries.common import Window
from layouts import ids
from tests.callback_calls import signed_in


def test_a_custom_window_is_read_from_the_range_and_cut_at_today(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        custom, _ = parse_filters("custom", "2026-03-01", "2026-12-31", None, None)
        backwards, _ = parse_filters("custom", "2026-06-01", "2026-03-01", None, None)
        preset, _ = parse_filters("180", "2026-03-01", "2026-04-01", None, None)
    assert custom == Window(date(2026, 3, 1), date(2026, 10, 31))
    assert backwards == Window.last_days(90, date(2026, 10, 31))  # the default window
    assert preset == Window.last_days(180, date(2026, 10, 31))  # the range is ignored unless custom


def test_a_supervisor_is_offered_their_own_teams(demo_app: Dash, demo_db: Database,
                                                 demo_ids: dict[str, int]) -> None:
    east, west = demo_ids["Eastside Outreach"], demo_ids["Westside Outreach"]
    with signed_in(demo_app, demo_db, "supervisor"):
        note, programs, teams, kept, summary = scope_and_options("all", [])
        _, _, _, dropped, chosen = scope_and_options("all", [east, demo_ids["Riverside Health Home"]])
    assert note == "Your teams: Eastside Outreach, Westside Outreach."
    assert [p["label"] for p in programs] == ["All programs", "Community Recovery Services"]
    assert teams == [{"label": "Eastside Outreach (Community Recovery Services)", "value": east},
                     {"label": "Westside Outreach (Community Recovery Services)", "value": west}]
    assert (kept, summary) == (no_update, "Teams: every team (2); tick to narrow")
    assert (dropped, chosen) == ([east], "Teams: 1 of 2 chosen")  # another supervisor's team is dropped


def test_leadership_is_offered_every_program_and_team(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        note, programs, teams, _, summary = scope_and_options("all", None)
    assert note == "All 3 programs and 10 teams."
    assert len(programs) == 4 and len(teams) == 10 and summary == "Teams: every team (10); tick to narrow"


def test_the_first_load_carries_the_choices_so_the_panels_need_not_wait(demo_app: Dash, demo_db: Database,
                                                                       demo_ids: dict[str, int]) -> None:
    """The page's body arrives with the scope note, both lists and the URL's teams already checked against the
    viewer's scope: nothing is left for a second round before the panels' callbacks (issue 18)."""
    east = demo_ids["Eastside Outreach"]
    with signed_in(demo_app, demo_db, "supervisor"):
        body = page(teams=f"{east},{demo_ids['Riverside Health Home']}")
    found = {c.id: c for c in body._traverse() if getattr(c, "id", None) in
             (ids.OVERVIEW_SCOPE_NOTE, ids.OVERVIEW_PROGRAM, ids.OVERVIEW_TEAMS, ids.OVERVIEW_TEAMS_SUMMARY)}
    assert found[ids.OVERVIEW_SCOPE_NOTE].children == "Your teams: Eastside Outreach, Westside Outreach."
    assert [p["label"] for p in found[ids.OVERVIEW_PROGRAM].options] == ["All programs",
                                                                         "Community Recovery Services"]
    assert [t["value"] for t in found[ids.OVERVIEW_TEAMS].options] == [east, demo_ids["Westside Outreach"]]
    assert found[ids.OVERVIEW_TEAMS].value == [east]  # another supervisor's team in the URL is dropped
    assert found[ids.OVERVIEW_TEAMS_SUMMARY].children == "Teams: 1 of 2 chosen"
    # The callback that fills them runs only on a change, so the panels start in the round after the page's.
    fills = [c for c in demo_app._callback_list if ids.OVERVIEW_SCOPE_NOTE in c["output"]]
    assert len(fills) == 1 and fills[0]["prevent_initial_call"] is True
