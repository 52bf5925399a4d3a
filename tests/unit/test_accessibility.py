"""Keyboard and screen-reader paths that need no browser: the heatmap's text contrast, its table's buttons into the
drill-down (scope checked like a chart click), named dialogs and regions."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Dash, no_update
from plotly.colors import sample_colorscale, unlabel_rgb

from callbacks.overview import open_drilldown_from_table, refresh_heatmap
from dashboard import figures
from dashboard.db import Database
from layouts import ids, overview, shell
from layouts.workspace import my_team
from tests.callback_calls import as_sent, fired, pattern, signed_in


def chosen(row: int, principle: str, by: str = "team") -> dict[str, Any]:
    """The store CHOSEN_CELL_JS fills when a table button is pressed: the button's id and when."""
    return {"row": row, "by": by, "principle": principle, "pressed": 1764979200000}


def buttons_in(node: Any) -> list[dict[str, Any]]:
    """Every html.Button in a component tree as sent (type, props)."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "Button":
            found.append(node["props"])
        for value in node.values():
            found += buttons_in(value)
    elif isinstance(node, list):
        for value in node:
            found += buttons_in(value)
    return found


def test_every_heatmap_label_has_at_least_4_5_to_1_contrast_with_its_cell() -> None:
    # Hand-checked ends: Cividis starts at dark navy (white text) and ends at yellow (black text).
    assert figures.cell_text_colour(0.0) == "#ffffff" and figures.cell_text_colour(1.0) == "#000000"
    for percent in range(101):
        background = figures.heatmap_cell_colour(percent / 100)
        # the colour Plotly paints the cell in, from the scale's name as the chart gives it
        assert background == unlabel_rgb(sample_colorscale(figures.COVERAGE_SCALE, [percent / 100])[0]), percent
        text = (0, 0, 0) if figures.cell_text_colour(percent / 100) == "#000000" else (255, 255, 255)
        assert figures.contrast_ratio(background, text) >= 4.5, percent
    assert round(figures.contrast_ratio((255, 255, 255), (0, 0, 0)), 1) == 21.0  # WCAG's own extreme


def test_the_heatmap_writes_each_cells_label_in_its_own_colour(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        figure, table, _, _ = refresh_heatmap("90", None, None, "all", [], "proficiency")
    # As the browser gets it: a plain dict (figures.coverage_heatmap), which go.Figure must accept as valid.
    sent = as_sent(figure)
    assert as_sent(go.Figure(sent)) == sent
    trace, labels = sent["data"]
    assert labels["mode"] == "text" and labels["hoverinfo"] == "skip"  # clicks and hovers reach the cells below
    assert len(labels["text"]) == 10 * 5  # one label per team and principle
    colours = labels["textfont"]["color"]
    for x, y, label, colour in zip(labels["x"], labels["y"], labels["text"], colours, strict=True):
        row, column = trace["y"].index(y), trace["x"].index(x)
        assert label == trace["text"][row][column]
        assert colour == figures.cell_text_colour(trace["z"][row][column])
    assert set(colours) == {"#000000", "#ffffff"}  # both are needed in the demo
    buttons = buttons_in(as_sent(table))
    assert len(buttons) == 50 and all(b["id"]["type"] == ids.OVERVIEW_HEATMAP_CELL for b in buttons)
    assert buttons[0]["aria-label"].startswith("Downtown Drop-in Center, Recovery-oriented: ")


def test_a_table_button_opens_that_cells_drilldown(demo_app: Dash, demo_db: Database,
                                                   demo_ids: dict[str, int]) -> None:
    east = demo_ids["Eastside Outreach"]
    with signed_in(demo_app, demo_db, "supervisor"):
        is_open, body, title, program = open_drilldown_from_table(chosen(east, "trauma-informed"), "90", None, None)
    assert (is_open, title, program) == (True, "Eastside Outreach · Trauma-informed", no_update)
    assert "Guides that help" in str(as_sent(body))


def test_a_table_button_for_another_supervisors_team_shows_nothing_of_it(demo_app: Dash, demo_db: Database,
                                                                         demo_ids: dict[str, int]) -> None:
    other = demo_ids["Riverside Health Home"]
    with signed_in(demo_app, demo_db, "supervisor"):
        is_open, body, title, _ = open_drilldown_from_table(chosen(other, "trauma-informed"), "90", None, None)
    assert is_open is True and title == "Details"
    assert "not in your view" in str(as_sent(body)) and "Riverside" not in str(as_sent(body))


def test_a_program_button_filters_to_that_program_and_a_store_without_a_button_opens_nothing(demo_app: Dash,
                                                                                demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "leader"):
        program = open_drilldown_from_table(chosen(7, "voluntary", "program"), "90", None, None)
        crafted = [open_drilldown_from_table(junk, "90", None, None) for junk in (None, "7", [7], 7)]
    assert program == (no_update, no_update, no_update, "7")
    assert crafted == [(no_update,) * 4] * 4  # a store that holds no button's id opens nothing


def test_the_drilldown_is_a_named_dialog_that_escape_closes() -> None:
    drilldown = next(c for c in overview.layout()._traverse() if getattr(c, "id", None) == ids.OVERVIEW_DRILLDOWN)
    assert drilldown.labelledby == ids.OVERVIEW_DRILLDOWN_TITLE and drilldown.keyboard is True
    assert drilldown.title.id == ids.OVERVIEW_DRILLDOWN_TITLE


def test_the_shell_starts_with_a_skip_link_to_a_focusable_main() -> None:
    page = shell.layout(None)
    skip, main = page.children[1], page.children[3]
    assert (skip.href, skip.children) == ("#main", "Skip to main content")
    assert (main.id, main.tabIndex) == ("main", -1)


def test_grids_cost_one_tab_stop() -> None:
    grids = [c for c in my_team()._traverse() if getattr(c, "id", None) in (ids.MY_TEAM_ROSTER, ids.SESSION_TOPICS)]
    assert len(grids) == 2
    for grid in grids:
        assert grid.dashGridOptions["tabToNextCell"] == {"function": "false"}
    topics = next(g for g in grids if g.id == ids.SESSION_TOPICS)
    assert topics.dashGridOptions["selectionColumnDef"]["headerName"] == "Discussed"


def test_the_phone_roster_lists_the_same_workers_as_cards_overdue_first(demo_app: Dash, demo_db: Database) -> None:
    from callbacks.workspace import refresh_roster, roster_cards

    with signed_in(demo_app, demo_db, "supervisor"):
        rows = refresh_roster("all", 0)
        cards = as_sent(roster_cards(list(reversed(rows))))
    names = [b["children"] for b in buttons_in(cards)]
    assert sorted(names) == sorted(r["worker"] for r in rows)
    assert names[0] == min(rows, key=lambda r: (r["due_order"], r["worker"]))["worker"]
    assert [b["id"]["type"] for b in buttons_in(cards)] == [ids.ROSTER_CARD] * len(rows)


def test_a_card_opens_its_worker_and_other_roles_are_refused(demo_app: Dash, demo_db: Database) -> None:
    import pytest
    from werkzeug.exceptions import Forbidden

    from callbacks.workspace import choose_worker_card, roster_cards

    card = pattern({"type": ids.ROSTER_CARD, "worker": 21})
    with signed_in(demo_app, demo_db, "supervisor"):
        assert fired(choose_worker_card, [1], by=card) == 21  # the profile callback checks the id's scope
        assert fired(choose_worker_card, [None], by=card, value=None) is no_update
    with signed_in(demo_app, demo_db, "peer"), pytest.raises(Forbidden):
        roster_cards([])
