"""The audit log's reading of an event: only the fields that changed, a create's new and a delete's old values,
nested keys joined with dots and long values cut (hand-built events, worked out by hand)."""
from __future__ import annotations

from datetime import date, datetime

from callbacks.audit_log import changes_text
from dashboard import dates
from dashboard.audit import Change, changes, plain, shown


def test_an_update_lists_only_the_fields_whose_value_differs() -> None:
    old = {"full_name": "Leadership Person", "role": "leadership", "version": 1}
    new = {"full_name": "Leader Renamed", "role": "leadership", "version": 2}
    assert changes(old, new) == (Change("full_name", "Leadership Person", "Leader Renamed"),
                                 Change("version", "1", "2"))


def test_a_create_shows_every_new_value_and_a_delete_every_old_one() -> None:
    assert changes(None, {"name": "Team C", "program_id": 3}) == (Change("name", "—", "Team C"),
                                                                  Change("program_id", "—", "3"))
    assert changes({"attendee_ids": [4, 7], "minutes": 60}, None) == (Change("attendee_ids", "4, 7", "—"),
                                                                      Change("minutes", "60", "—"))
    assert changes(None, None) == ()


def test_nested_values_show_the_changed_leaf_under_a_dotted_name() -> None:
    old = {"name": "2027 rule", "rules": {"fully-certified": {"max_days_between_individual": 21, "min_minutes": 60}}}
    new = {"name": "2027 rule", "rules": {"fully-certified": {"max_days_between_individual": 28, "min_minutes": 60}}}
    assert changes(old, new) == (Change("rules.fully-certified.max_days_between_individual", "21", "28"),)
    assert changes({"levels": {"12": 3}}, {"levels": {"12": 4, "15": 1}}) == (Change("levels.12", "3", "4"),
                                                                           Change("levels.15", "—", "1"))


def test_a_field_only_one_side_recorded_and_nulls_read_as_a_dash() -> None:
    assert changes({"end_date": None}, {"end_date": "2026-06-01", "reason": "back"}) == (
        Change("end_date", "—", "01 Jun 2026"), Change("reason", "—", "back"))
    assert changes({"is_active": True}, {"is_active": False}) == (Change("is_active", "yes", "no"),)


def test_long_values_are_cut_with_their_length_and_short_ones_kept() -> None:
    assert shown("x" * 60) == "x" * 60
    assert shown("y" * 61) == "y" * 60 + "… (61 characters)"
    assert shown("a\nb   c") == "a b c"
    # "0, 1, … 9, " is 30 characters, then "10, " … "16, " 28 more and "17" the last two of the 60 kept
    assert shown(list(range(30))) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17… (108 characters)"
    assert shown([]) == "(none)"


def test_the_grid_cell_has_one_line_per_field_and_the_table_a_header_row() -> None:
    assert changes_text((Change("fte", "1.00", "0.50"), Change("left_on", "—", "2026-01-31"))) == (
        "fte: 1.00 → 0.50\nleft_on: — → 2026-01-31")
    assert changes_text(()) == "(no values recorded)"


def test_stored_days_and_moments_read_in_the_agencys_date_format() -> None:
    """plain() stores dates as ISO text; the log shows them as every other date on screen, in each format."""
    stored = plain({"on": date(2026, 12, 5), "at": datetime(2026, 12, 5, 9, 7, 3)})
    assert stored == {"on": "2026-12-05", "at": "2026-12-05T09:07:03"}
    expected = {"dmy": ("05 Dec 2026", "05 Dec 2026 09:07:03"), "mdy": ("12/05/2026", "12/05/2026 09:07:03"),
                "iso": ("2026-12-05", "2026-12-05 09:07:03")}
    for key, (day, moment) in expected.items():
        with dates.using(key):
            assert changes(None, stored) == (Change("at", "—", moment), Change("on", "—", day))
    # Text that only looks like a date, or is not one, is shown as it was stored.
    assert shown("2026-02-30") == "2026-02-30"
    assert shown("2026-12-05 is the day") == "2026-12-05 is the day"
