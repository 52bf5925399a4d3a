"""The phone roster card says the due status's gap and the month's minutes apart, in the README's words, so an
overdue worker with the month's minutes met does not read as a contradiction (hand-built rows)."""
from __future__ import annotations

from typing import Any

from layouts.profile import roster_cards


def card_text(row: dict[str, Any]) -> list[str]:
    """The card's lines after the name and team: the status line and the minutes line, as text."""
    card = roster_cards([row], "roster-card")[0]
    status, minutes = card.children[2], card.children[3]
    return ["".join(c if isinstance(c, str) else c.children for c in status.children), minutes.children]


ROW = {"worker_id": 7, "worker": "Dee Example", "team": "Team A", "stage": "Certified", "status": "overdue",
       "status_label": "Overdue", "last_individual": "2026-10-25", "days_since": 41, "next_due": "2026-11-24",
       "next_due_label": "24 Nov 2026",
       "due_order": -11, "minutes_this_month": 90, "required_this_month": 60, "minutes_label": "90 of 60"}


def test_an_overdue_worker_who_met_the_months_minutes_reads_both_facts_apart() -> None:
    assert card_text(ROW) == ["Overdue: 41 days since the last individual session · next due 24 Nov 2026",
                              "Supervision minutes this month: 90 (the month's minimum: 60)"]


def test_a_worker_never_supervised_counts_from_hire_and_a_month_without_minimum_shows_the_minutes() -> None:
    row = {**ROW, "status": "on_track", "status_label": "On track", "last_individual": None, "days_since": 1,
           "next_due": None, "next_due_label": "", "required_this_month": None, "minutes_this_month": 0}
    assert card_text(row) == ["On track: 1 day since hire (no individual session yet) · next due —",
                              "Supervision minutes this month: 0"]
