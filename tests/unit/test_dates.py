"""The agency's date formats: each format's text for days, spans and moments, the grid's ISO value beside its label,
and the format of a request taken from the settings row and dropped after it."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import Flask

from dashboard import dates
from models import AgencySettings

DAY = date(2026, 12, 5)


@pytest.mark.parametrize(("key", "day", "span_in_year", "span_across_years", "moment"), [
    ("dmy", "05 Dec 2026", "03 Aug – 05 Dec 2026", "05 Dec 2026 – 31 Jan 2027", "05 Dec 2026 14:07"),
    ("mdy", "12/05/2026", "08/03 – 12/05/2026", "12/05/2026 – 01/31/2027", "12/05/2026 14:07"),
    ("iso", "2026-12-05", "2026-08-03 – 2026-12-05", "2026-12-05 – 2027-01-31", "2026-12-05 14:07"),
])
def test_each_format_writes_days_spans_and_moments(key: str, day: str, span_in_year: str, span_across_years: str,
                                                   moment: str) -> None:
    with dates.using(key):
        assert dates.show(DAY) == day
        assert dates.show_span(date(2026, 8, 3), DAY) == span_in_year
        assert dates.show_span(DAY, date(2027, 1, 31)) == span_across_years
        assert dates.show_span(DAY, DAY) == day
        assert dates.show_time(datetime(2026, 12, 5, 14, 7, 9)) == moment
        assert dates.show_time(datetime(2026, 12, 5, 14, 7, 9), seconds=True) == moment + ":09"
        assert dates.FORMATS[key].example == day


def test_no_date_is_a_dash_and_outside_a_request_the_default_applies() -> None:
    assert dates.show(None) == "—" and dates.show(None, empty="never") == "never"
    assert dates.current().key == dates.DEFAULT == "dmy" and dates.show(DAY) == "05 Dec 2026"


def test_the_models_column_default_is_the_registrys_default() -> None:
    column = AgencySettings.__table__.c.date_format
    assert column.default.arg == column.server_default.arg == dates.DEFAULT


def test_a_grid_row_keeps_the_iso_value_that_sorts_beside_the_label_it_shows() -> None:
    with dates.using("mdy"):
        row = dates.grid_dates(held_on=DAY, signed_on=None, occurred_at=datetime(2026, 1, 2, 3, 4, 5))
    assert row == {"held_on": "2026-12-05", "held_on_label": "12/05/2026", "signed_on": None, "signed_on_label": "",
                   "occurred_at": "2026-01-02 03:04:05", "occurred_at_label": "01/02/2026 03:04:05"}
    # ISO strings sort as the days do, whatever the label says (12/05/2026 would sort before 01/31/2027 as text,
    # but so would it by day; 12/05/2026 and 01/06/2027 is the case text gets wrong).
    assert sorted(["2027-01-06", "2026-12-05"]) == ["2026-12-05", "2027-01-06"]
    column = dates.grid_column("held_on", "Held on", minWidth=110)
    assert column["field"] == "held_on" and column["minWidth"] == 110
    assert column["valueFormatter"] == {"function": "params.data ? params.data.held_on_label : ''"}
    assert column["filterValueGetter"] == column["valueFormatter"]


def test_a_request_formats_with_the_stored_key_and_the_next_code_outside_it_with_the_default() -> None:
    stored: list[str | None] = ["iso"]
    server = Flask(__name__)
    dates.init_app(server, lambda: stored[0])
    server.add_url_rule("/day", "day", lambda: dates.show(DAY))
    server.add_url_rule("/assets/x.css", "asset", lambda: dates.current().key)
    client = server.test_client()
    assert client.get("/day").text == "2026-12-05"
    assert dates.show(DAY) == "05 Dec 2026"  # the test client ran the request in this thread: nothing leaked
    stored[0] = "mdy"  # a save in another worker: seen at the next request, no cache
    assert client.get("/day").text == "12/05/2026"
    stored[0] = "gone"  # a key no longer offered reads as the default
    assert client.get("/day").text == "05 Dec 2026"
    stored[0] = "iso"
    assert client.get("/assets/x.css").text == "dmy"  # files skip the settings read


@pytest.mark.parametrize(("text", "dmy", "mdy", "iso"), [
    ("2026-12-05", DAY, DAY, DAY),  # ISO whatever the format
    ("2026/12/5", DAY, DAY, DAY),
    ("05 Dec 2026", DAY, DAY, DAY),  # a month by name cannot be misread
    ("5 december 2026", DAY, DAY, DAY),
    ("Dec 5, 2026", DAY, DAY, DAY),
    ("05-DEC-2026", DAY, DAY, DAY),
    ("Sept 5 2026", date(2026, 9, 5), date(2026, 9, 5), date(2026, 9, 5)),
    ("  5 Dec 2026 ", DAY, DAY, DAY),
    ("5/12/2026", DAY, date(2026, 5, 12), None),  # numbers only: in the agency's order, and none in ISO's
    ("12/05/2026", date(2026, 5, 12), DAY, None),
    ("5.12.2026", DAY, date(2026, 5, 12), None),
    ("05/12/26", None, None, None),  # a two-digit year would be a guess
    ("31 Feb 2026", None, None, None),
    ("5 Ju 2026", None, None, None),  # June or July
    ("5th Dec 2026", None, None, None),
    ("2026-W49-6", None, None, None),  # what date.fromisoformat would read
    ("20261205", None, None, None),
    ("5 Dec 2026 12:00", None, None, None),
    ("", None, None, None),
    ("1" * 30 + "/1/2026", None, None, None),
    ("05 Dec 2026" + " " * 30, None, None, None),  # longer than a date is written (41 characters): refused
])
def test_a_typed_day_is_read_in_the_agencys_order_or_refused_with_an_example(text: str, dmy: date | None,
                                                                              mdy: date | None,
                                                                              iso: date | None) -> None:
    for key, expected, example in (("dmy", dmy, "05 Dec 2026"), ("mdy", mdy, "12/05/2026"),
                                   ("iso", iso, "2026-12-05")):
        with dates.using(key):
            if expected is None:
                with pytest.raises(ValueError, match=f"^Enter the date as {example}.$"):
                    dates.parse(text)
            else:
                assert dates.parse(text) == expected, (key, text)
                assert dates.parse(dates.show(expected)) == expected  # what the app shows reads back


def test_a_date_fields_check_says_what_to_type_and_leaves_an_empty_field_to_its_form() -> None:
    from callbacks.date_fields import check
    with dates.using("mdy"):
        assert check("13/05/2026") == ("Enter the date as 12/05/2026.", True)
        assert check("12/05/2026") == ("", False)
    assert check("") == ("", False) and check("  ") == ("", False) and check(None) == ("", False)
    assert check(["2026-12-05"]) == ("", False)  # a crafted payload: nothing to say, the reader refuses it
