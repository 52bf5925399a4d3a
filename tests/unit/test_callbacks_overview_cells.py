"""The Overview's heatmap and drill-down callbacks called directly on a team small enough to work out by hand (the
browser test only clicks through them): team A's three workers on Trauma-informed, whose category has 9
competencies, and team B with one worker (fewer than 3: suppressed)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dash import Dash, no_update
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.accounts import create_user
from dashboard.current_ratings import rebuild_current_ratings
from dashboard.db import Database
from callbacks.overview import open_drilldown, refresh_heatmap, refresh_kpis_and_heatmap
from models import (Category, CategoryPrinciple, Competency, CompetencyRating, Framework, Principle, Program,
                    RatingScale, SessionAttendee, SessionCompetency, Staff, SupervisionSession, Team, TeamMembership,
                    TeamSupervisor)
from tests.callback_calls import as_sent, signed_in
from tests.conftest import make_app

TODAY = date(2026, 10, 31)
HIRED = date(2024, 1, 8)


def trauma_informed_competencies(s: Session) -> list[int]:
    """The active framework's competencies whose category has Trauma-informed as its primary principle."""
    return list(s.scalars(
        select(Competency.id).join(Category, Category.id == Competency.category_id)
        .join(CategoryPrinciple, CategoryPrinciple.category_id == Category.id)
        .join(Principle, Principle.id == CategoryPrinciple.principle_id)
        .join(Framework, Framework.id == Category.framework_id)
        .where(Framework.is_active, Principle.code == "trauma-informed", CategoryPrinciple.is_primary)
        .order_by(Competency.id)))


@pytest.fixture
def small(reference_db: Database) -> dict[str, int]:
    """Team A (S1; W1, W2, W3) and team B (S2; W4) of program P, and two accounts: leader and S1's."""
    with reference_db.session() as s:
        program = Program(name="P")
        s.add(program)
        s.flush()
        a, b = Team(program_id=program.id, name="A"), Team(program_id=program.id, name="B")
        people = {code: Staff(employee_code=code, full_name=code, role=role, hire_date=HIRED)
                  for code, role in (("S1", "supervisor"), ("S2", "supervisor"), ("W1", "peer_worker"),
                                     ("W2", "peer_worker"), ("W3", "peer_worker"), ("W4", "peer_worker"))}
        s.add_all([a, b, *people.values()])
        s.flush()
        s.add_all([TeamSupervisor(team_id=a.id, staff_id=people["S1"].id, start_date=HIRED),
                   TeamSupervisor(team_id=b.id, staff_id=people["S2"].id, start_date=HIRED),
                   *[TeamMembership(staff_id=people[w].id, team_id=a.id, start_date=HIRED) for w in ("W1", "W2", "W3")],
                   TeamMembership(staff_id=people["W4"].id, team_id=b.id, start_date=HIRED)])
        scale_id = s.scalar(select(RatingScale.id).where(RatingScale.is_active))
        topics = trauma_informed_competencies(s)
        s1 = people["S1"].id

        def rate(worker: str, competency: int, level: int, on: date) -> None:
            s.add(CompetencyRating(worker_id=people[worker].id, competency_id=competency, scale_id=scale_id,
                                   level=level, rater_id=s1, rater_role="supervisor", rated_on=on))
        rate("W1", topics[0], 3, date(2026, 9, 1))
        rate("W1", topics[1], 4, date(2026, 9, 1))
        rate("W1", topics[2], 2, date(2026, 9, 1))
        rate("W2", topics[0], 2, date(2025, 6, 1))  # replaced by the 3 below: the latest counts
        rate("W2", topics[0], 3, date(2026, 8, 3))
        rate("W3", topics[0], 4, date(2025, 9, 30))  # older than 365 days on 2026-10-31: stale, not rated
        held = SupervisionSession(held_on=date(2026, 10, 5), minutes=60, format="individual", kind="supportive",
                                  modality="in_person", supervisor_id=s1)
        s.add(held)
        s.flush()
        s.add_all([SessionAttendee(session_id=held.id, worker_id=people["W1"].id),
                   SessionCompetency(session_id=held.id, competency_id=topics[0]),
                   SessionCompetency(session_id=held.id, competency_id=topics[4])])
        s.flush()
        rebuild_current_ratings(s)
        create_user(s, "leader", "password-123", "leadership", full_name="Lee Leader", allow_short_password=True)
        create_user(s, "sup1", "password-123", "supervisor", staff_id=s1, allow_short_password=True)
        create_user(s, "sup2", "password-123", "supervisor", staff_id=people["S2"].id, allow_short_password=True)
        return {"A": a.id, "B": b.id, "P": program.id, "topics": len(topics)}


@pytest.fixture
def app(reference_db: Database, small: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Dash]:
    import callbacks.overview

    monkeypatch.setattr(callbacks.overview, "today", lambda: TODAY)
    app = make_app(reference_db, tmp_path)
    yield app
    app.server.extensions["peerdash.db"].engine.dispose()


def body_rows(table: Any) -> list[list[Any]]:
    """A sent html/dbc table's body as rows of each cell's text (the table may sit in a scrollable region, and a
    cell's text in the button that opens its drill-down)."""
    sent = as_sent(table)
    while isinstance(sent["props"]["children"], dict):  # the region around the table
        sent = sent["props"]["children"]
    head, body = sent["props"]["children"][:2]
    rows = body["props"]["children"]
    def text(cell: Any) -> Any:
        children = cell["props"]["children"]
        return children if isinstance(children, (str, int, float)) else "".join(texts(children))

    return [[text(cell) for cell in row["props"]["children"]] for row in rows]


def texts(component: Any) -> list[str]:
    """Every string in a component tree, in order."""
    component = as_sent(component)
    if isinstance(component, str):
        return [component]
    if isinstance(component, list):
        return [t for child in component for t in texts(child)]
    if isinstance(component, dict):
        return texts(component.get("props", {}).get("children"))
    return []


TRAUMA = "Trauma-informed"
CLICK_A = {"points": [{"x": TRAUMA, "y": "A"}]}


def test_proficiency_is_proficient_pairs_over_workers_times_competencies_and_a_small_team_is_hidden(
        app: Dash, reference_db: Database, small: dict[str, int]) -> None:
    assert small["topics"] == 9
    with signed_in(app, reference_db, "leader"):
        figure, table, note, keys = refresh_heatmap("90", None, None, "all", [], "proficiency")
    heat = as_sent(figure)["data"][0]
    assert heat["y"] == ["A", "B"] and heat["x"][-1] == TRAUMA
    # A: 3 workers × 9 competencies = 27 pairs; proficient: W1 on VIII.1 (3) and VIII.2 (4), W2 on VIII.1 (its 3
    # replaced a 2); W1's VIII.3 is a 2 and W3's 4 is 396 days old (over 365: not current) -> 3 / 27.
    assert heat["z"][0][-1] == pytest.approx(3 / 27) and heat["text"][0][-1] == "11%"
    assert heat["z"][0][:-1] == [0, 0, 0, 0]
    assert heat["z"][1] == [None] * 5 and heat["text"][1] == ["n<3"] * 5  # B: one worker, fewer than 3
    assert body_rows(table) == [["A", "0%", "0%", "0%", "0%", "11%"], ["B", *["n<3"] * 5]]
    assert note == "" and keys["teams"] == {"A": small["A"], "B": small["B"]}
    assert keys["principles"][TRAUMA] == "trauma-informed"


def test_discussed_mode_is_the_share_of_competencies_discussed_in_the_window(
        app: Dash, reference_db: Database) -> None:
    with signed_in(app, reference_db, "leader"):
        figure, table, _, _ = refresh_heatmap("90", None, None, "all", [], "discussed")
        # The session of 2026-10-05 falls outside a custom window that ends the day before.
        before, _, _, _ = refresh_heatmap("custom", "2026-09-01", "2026-10-04", "all", [], "discussed")
    # W1's session of 2026-10-05 discussed VIII.1 and VIII.5: 2 of the 9 Trauma-informed competencies.
    assert as_sent(figure)["data"][0]["z"][0][-1] == pytest.approx(2 / 9)
    assert body_rows(table)[0][-1] == "22%"
    assert as_sent(before)["data"][0]["z"][0][-1] == 0


def test_a_supervisor_sees_only_their_team_and_a_filter_matching_nothing_says_so(
        app: Dash, reference_db: Database, small: dict[str, int]) -> None:
    with signed_in(app, reference_db, "sup1"):
        figure, _, _, keys = refresh_heatmap("90", None, None, "all", [], "proficiency")
        _, _, message, nothing = refresh_heatmap("90", None, None, "all", [small["B"]], "proficiency")
    assert as_sent(figure)["data"][0]["y"] == ["A"] and keys["teams"] == {"A": small["A"]}
    assert texts(message) == ["No team matches these filters. Clear the program or team filter."]
    assert nothing == {}


def test_the_drilldown_counts_each_competency_by_its_current_supervisor_rating(
        app: Dash, reference_db: Database) -> None:
    with signed_in(app, reference_db, "leader"):
        _, _, _, keys = refresh_heatmap("90", None, None, "all", [], "proficiency")
        is_open, panel, title, program = open_drilldown(CLICK_A, "90", None, None, keys)
    assert (is_open, title, program) == (True, "A · Trauma-informed", no_update)
    words = texts(panel)
    assert words[0] == "3 active peer workers on 31 Oct 2026; window 03 Aug – 31 Oct 2026."  # 90 days, both ends
    # Category VIII: 3 proficient of 3 workers × 5 competencies = 20%.
    assert words[1:3] == ["VIII. Helps peers to manage crises", "  20% proficient"]
    viii = [row[2:] for row in body_rows(as_sent(panel)["props"]["children"][2])]
    # proficient, developing, not rated per competency: VIII.1 W1 3 + W2 3, W3 stale; VIII.2 W1 4; VIII.3 W1 2.
    assert viii == [[2, 0, 1], [1, 0, 2], [0, 1, 2], [0, 0, 3], [0, 0, 3]]
    # One individual session for 3 workers over 90 / 30.4375 months: 1 / 3 / 2.957 = 0.11 a month, 1 h the same.
    assert "0.11 individual sessions per worker per month (standard —); 0.1 hours per worker per month; " \
           "median gap — days." in words


def test_a_click_on_a_program_row_filters_to_it_and_a_click_outside_the_scope_shows_nothing(
        app: Dash, reference_db: Database, small: dict[str, int]) -> None:
    program_keys = {"programs": {"P": small["P"]}, "principles": {TRAUMA: "trauma-informed"}}
    assert open_drilldown({"points": [{"x": TRAUMA, "y": "P"}]}, "90", None, None, program_keys) == \
        (no_update, no_update, no_update, str(small["P"]))
    assert open_drilldown(None, "90", None, None, {}) == (no_update,) * 4  # a stray or malformed click
    forged = {"teams": {"A": small["A"]}, "principles": {TRAUMA: "trauma-informed"}}
    with signed_in(app, reference_db, "sup2"):  # S2 leads team B only
        is_open, panel, title, _ = open_drilldown(CLICK_A, "90", None, None, forged)
    assert (is_open, title, texts(panel)) == (True, "Details", ["That team is not in your view."])


def test_the_kpis_count_heads_everywhere_and_every_other_number_without_the_small_team(
        app: Dash, reference_db: Database) -> None:
    with signed_in(app, reference_db, "leader"):
        quarter = texts(refresh_kpis_and_heatmap("90", None, None, "all", [], "proficiency")[0])
        year = texts(refresh_kpis_and_heatmap("365", None, None, "all", [], "proficiency")[0])
    card = dict(zip(quarter[0:18:3], quarter[1:18:3]))
    # 4 workers (A's 3 and B's 1) and 2 supervisors; hours: 1 hour for A's 3 workers over 90 / 30.4375 months =
    # 0.11; coverage over every competency: 3 proficient pairs of 3 workers × 62 competencies = 1.6%.
    assert card == {"Active peer workers": "4", "Supervisors": "2", "Meeting the standard": "0%",
                    "Overdue now": "0", "Hours per worker": "0.1", "Overall coverage": "2%"}
    assert quarter[8] == "of the workers on a team on 31 Oct 2026, over 90 days"
    assert quarter[-1].startswith("1 team has fewer than 3 workers on 31 Oct 2026: counted in the head counts only")
    # Over 365 days the same hour is spread over 365 / 30.4375 = 11.99 months: 0.03, shown as 0.0.
    assert year[8].endswith("over 365 days") and year[13] == "0.0"


def test_the_kpis_and_the_heatmap_ask_for_coverage_once(app: Dash, reference_db: Database,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """One callback, one coverage query: the "Overall coverage" card is the heatmap's shown cells summed (issue 18).
    A change of mode alone redraws the heatmap without the cards (mode is the combined callback's state)."""
    from dashboard.queries import coverage

    calls: list[str] = []
    real = coverage.coverage
    monkeypatch.setattr(coverage, "coverage", lambda *a, **k: calls.append("coverage") or real(*a, **k))
    with signed_in(app, reference_db, "leader"):
        cards, figure, *_ = refresh_kpis_and_heatmap("90", None, None, "all", [], "proficiency")
    assert calls == ["coverage"] and "2%" in texts(cards) and figure["data"]
    registered = {c["output"]: c for c in app._callback_list if "overview-heatmap.figure" in c["output"]}
    both = registered["..overview-kpis.children...overview-heatmap.figure...overview-heatmap-table.children..."
                      "overview-heatmap-empty.children...overview-heatmap-keys.data.."]
    assert [s["id"] for s in both["state"]] == ["overview-mode", "overview-heatmap-table-wanted"]
    [redraw] = [c for key, c in registered.items() if "overview-kpis" not in key]
    assert [i["id"] for i in redraw["inputs"]] == ["overview-mode", "overview-heatmap-table-wanted"]
    assert redraw["prevent_initial_call"]


def test_the_table_is_drawn_only_once_the_page_asks_for_it(app: Dash, reference_db: Database) -> None:
    """Until the table is opened (or the page is on a phone) both callbacks leave it as it is, so the page carries
    none of its buttons; asked for, it comes with the heatmap, the same rows as the chart's."""
    with signed_in(app, reference_db, "leader"):
        _, figure, unwanted, *_ = refresh_kpis_and_heatmap("90", None, None, "all", [], "proficiency", False)
        _, redrawn_unwanted, _, _ = refresh_heatmap("90", None, None, "all", [], "discussed", False)
        _, wanted, _, _ = refresh_heatmap("90", None, None, "all", [], "proficiency", True)
        _, _, with_cards, *_ = refresh_kpis_and_heatmap("90", None, None, "all", [], "proficiency", True)
    assert unwanted is no_update and redrawn_unwanted is no_update
    assert as_sent(figure)["data"][0]["text"][0][-1] == "11%"  # the chart itself is drawn either way
    assert body_rows(wanted) == body_rows(with_cards) == [["A", "0%", "0%", "0%", "0%", "11%"], ["B", *["n<3"] * 5]]
