"""The Compliance page's callbacks called directly (the browser test covers them through Chromium)."""
from __future__ import annotations

from dash import Dash

from callbacks.compliance import choose_columns, refresh_choices, refresh_view
from dashboard.db import Database
from tests.callback_calls import as_sent, signed_in
from tests.http.conftest import texts

Q3 = ("2026-07-01", "2026-09-30")
NO_FILTER = ("all", "all", "all", "all")


def test_the_export_links_carry_the_filters_and_are_enabled(demo_app: Dash, demo_db: Database,
                                                            demo_ids: dict[str, int]) -> None:
    with signed_in(demo_app, demo_db, "quality"):
        message, summary, rollup, grid, *links = refresh_view(*Q3, *NO_FILTER)
        filtered = refresh_view(*Q3, "all", str(demo_ids["Eastside Outreach"]), "all", "all")
    assert message == ""
    assert summary == ("76 workers in 10 teams from 01 Jul 2026 to 30 Sep 2026: 29 met the standard (38%), "
                       "47 did not.")
    assert len(rollup) == 10 and len(grid) == 76
    query = "start=2026-07-01&end=2026-09-30"
    assert links == [f"/export/compliance.csv?{query}", f"/export/compliance.xlsx?{query}",
                     f"/export/compliance.pdf?{query}", False, False, False]
    team = f"team={demo_ids['Eastside Outreach']}"
    assert all(team in href for href in filtered[4:7]) and filtered[7:] == (False, False, False)
    assert {row["team"] for row in filtered[3]} == {"Eastside Outreach"}


def test_a_bad_period_disables_the_export_links_and_says_why(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "admin"):
        message, summary, rollup, grid, *links = refresh_view("2026-06-30", "2026-04-01", *NO_FILTER)
    assert texts(as_sent(message)) == ["'end' (2026-04-01) is before 'start' (2026-06-30)."]
    assert (summary, rollup, grid) == ("", [], [])
    assert links == ["#", "#", "#", True, True, True]


def test_a_typed_period_reads_in_the_agencys_format_and_an_empty_or_unreadable_day_says_what_to_type(
        demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "quality"):
        typed = refresh_view("01 Jul 2026", "Sep 30, 2026", *NO_FILTER)
        empty = refresh_view("", "30 Sep 2026", *NO_FILTER)
        both = refresh_view("31 Feb 2026", None, *NO_FILTER)
    assert typed[1].startswith("76 workers in 10 teams from 01 Jul 2026 to 30 Sep 2026")
    assert typed[4] == "/export/compliance.csv?start=2026-07-01&end=2026-09-30"  # addresses stay ISO
    assert texts(as_sent(empty[0])) == ["Give the From date: enter the date as 05 Dec 2026."]
    assert texts(as_sent(both[0])) == ["Give the From and To date: enter the date as 05 Dec 2026."]
    for refused in (empty, both):
        assert refused[1:4] == ("", [], []) and refused[4:] == ("#", "#", "#", True, True, True)


def test_a_period_past_today_is_cut_at_today(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        message, summary, *_ = refresh_view("2026-10-01", "2026-12-31", *NO_FILTER)
    assert texts(as_sent(message)) == ["The period is cut at today (31 Oct 2026)."]
    assert "from 01 Oct 2026 to 31 Oct 2026" in summary


def test_a_supervisor_chooses_only_among_their_teams(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "supervisor"):
        note, programs, teams, _supervisors, stages = refresh_choices(*Q3)
    assert note == ("Your teams: Eastside Outreach (Community Recovery Services), "
                    "Westside Outreach (Community Recovery Services).")
    assert [p["label"] for p in programs] == ["All programs", "Community Recovery Services"]
    assert [t["label"] for t in teams] == ["All teams", "Eastside Outreach (Community Recovery Services)",
                                           "Westside Outreach (Community Recovery Services)"]
    assert [s["value"] for s in stages] == ["all", "in-training", "initially-certified", "fully-certified"]


def test_quality_staff_choose_among_every_team(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "quality"):
        note, programs, teams, supervisors, _stages = refresh_choices(*Q3)
    assert note.startswith("Every team in the agency (3 programs, 10 teams).")
    assert (len(programs), len(teams), len(supervisors)) == (4, 11, 15)  # each with its "All …" first


def shown_columns(defs: list[dict[str, object]]) -> list[str]:
    """The grid's visible fields, grouped columns included."""
    flat = [c for d in defs for c in d.get("children", [d])]  # type: ignore[attr-defined]
    return [c["field"] for c in flat if not c["hide"]]


def test_the_column_choice_hides_the_unticked_columns() -> None:
    default = shown_columns(choose_columns(None))
    assert "supervisors" in default
    assert shown_columns(choose_columns([f for f in default if f != "supervisors"])) == \
        [f for f in default if f != "supervisors"]
    assert shown_columns(choose_columns([])) == ["worker"]  # the worker's name always stays
    assert shown_columns(choose_columns("supervisors")) == default  # not a list: the default columns
