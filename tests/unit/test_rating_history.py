"""The profile's rating history as small multiples: one panel per category, in framework order, on one scale."""
from __future__ import annotations

from datetime import date

from dashboard.queries.workspace import HistoryPoint
from layouts.profile import history_chart

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def test_twelve_categories_get_twelve_panels_in_framework_order_on_one_scale() -> None:
    titles = {code: f"Category {code}" for code in ROMAN}
    # Returned newest category first, as a query might: the panels still follow the framework's order.
    points = [HistoryPoint(code, date(2026, month, 28), 1 + (i + month) % 4, 3)
              for i, code in reversed(list(enumerate(ROMAN))) for month in (8, 9, 10)]
    figure = history_chart(points, titles, [1, 2, 3, 4])
    assert [trace["name"] for trace in figure["data"]] == ROMAN
    assert [trace["xaxis"] for trace in figure["data"]] == ["x"] + [f"x{n}" for n in range(2, 13)]
    layout = figure["layout"]
    assert {tuple(layout[f"yaxis{s}"]["range"]) for s in ["", *map(str, range(2, 13))]} == {(0.7, 4.3)}
    # Category I has its own panel at the top left, and its own line (it was hidden under eleven others).
    assert layout["xaxis"]["domain"][0] == 0 and layout["yaxis"]["domain"][1] == 1
    assert figure["data"][0]["y"] == [1 + (0 + m) % 4 for m in (8, 9, 10)]
    assert [a["text"] for a in layout["annotations"]][:2] == ["I Category I", "II Category II"]
    # 3 rows of 4: only the bottom row shows dates, only the left column levels.
    assert [layout[f"xaxis{s}"]["showticklabels"] for s in ("", "5", "9")] == [False, False, True]
    assert [layout[f"yaxis{s}"]["showticklabels"] for s in ("", "2", "5")] == [True, False, True]


def test_no_ratings_say_so() -> None:
    figure = history_chart([], {}, [1, 2, 3, 4])
    assert "No supervisor ratings yet." in str(figure)
