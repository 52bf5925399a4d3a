"""The audit log's reading of an event: only the fields that changed, a create's new and a delete's old values,
nested keys joined with dots and long values cut (hand-built events, worked out by hand)."""
from __future__ import annotations

from callbacks.audit_log import changes_text
from dashboard.audit import Change, changes, shown


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
        Change("end_date", "—", "2026-06-01"), Change("reason", "—", "back"))
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
