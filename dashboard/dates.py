"""The agency's date format: the formats offered, the one function every on-screen date goes through, the one that
reads a typed date back, and the format of the request being served."""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, request
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class DateFormat:
    key: str  # what the settings row stores
    name: str
    pattern: str  # strftime; %b is English month abbreviations under the C locale the server runs in
    in_same_year: str  # a span's first day when both days are in one year: "03 Aug – 31 Oct 2026"
    day_first: bool | None  # how 5/12/2026 reads: day first, month first, or not at all (ISO's people write 2026-12-05)

    @property
    def example(self) -> str:
        return EXAMPLE_DAY.strftime(self.pattern)

    @property
    def label(self) -> str:
        """What the Settings page offers."""
        return f"{self.name}: {self.example}"


EXAMPLE_DAY = date(2026, 12, 5)  # day 5 of month 12, so day-first and month-first cannot be mistaken


FORMATS: dict[str, DateFormat] = {f.key: f for f in (
    DateFormat("dmy", "Day month year", "%d %b %Y", "%d %b", day_first=True),
    DateFormat("mdy", "Month/day/year (US)", "%m/%d/%Y", "%m/%d", day_first=False),
    DateFormat("iso", "Year-month-day (ISO 8601)", "%Y-%m-%d", "%Y-%m-%d", day_first=None),  # never drops the year
)}
# The format most of the app showed before there was a choice; models.settings repeats it as the column default.
DEFAULT = "dmy"
NO_DATE = "—"
# Requests that never show a date (files Dash and the app serve) skip the settings read.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")

# The format of the request being served. A context variable rather than a module global: threads under gunicorn
# --threads each serve their own request. Set from the settings row at every request (one primary-key read), so a
# save in another worker shows at the next request, with no cache to go stale.
_current: ContextVar[DateFormat] = ContextVar("agency_date_format", default=FORMATS[DEFAULT])


def current() -> DateFormat:
    return _current.get()


def show(value: date | datetime | None, empty: str = NO_DATE) -> str:
    """A date as people read it, in the agency's format; a datetime shows its day only."""
    if value is None:
        return empty
    return value.strftime(_current.get().pattern)


def show_input(value: date | str | None) -> str | None:
    """What a date field holds: the day in the agency's format; text that is not a day (an address's) as it came."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return show(parse(value))
        except ValueError:
            return value
    return show(value)


def asked_for(mid_sentence: bool = False) -> str:
    """What a date field says when its text is not a day (after "The hire date: " in a form's message)."""
    return f"{'enter' if mid_sentence else 'Enter'} the date as {current().example}."


MAX_TYPED = 40  # "September 30, 2026" with room for spaces; longer text is refused before it is scanned
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_PART = re.compile(r"[0-9]+|[A-Za-z]+")
_SEPARATORS = re.compile(r"[\s,./-]*")


def _month(word: str) -> int | None:
    """A month by its name or the start of it, three letters at least: Dec, dec, Sept, December."""
    word = word.lower()
    found = [n for name, n in _MONTHS.items() if len(word) >= 3 and name.startswith(word)]
    return found[0] if len(found) == 1 else None


def parse(text: str) -> date:
    """A day as a person types it, whatever the agency's format: ISO (2026-12-05) always; a month by name in either
    order (5 Dec 2026, Dec 5, 2026, 05-dec-2026); numbers only in the agency's order (5/12/2026 is 5 December where
    days come first, 12 May where months do, and not a date in ISO's). The year has four digits: 05/12/26 would be
    a guess. Anything else, and any text longer than a date is written, raises ValueError carrying asked_for()."""
    if len(text) > MAX_TYPED:
        raise ValueError(asked_for())
    parts = _PART.findall(text)
    if len(parts) != 3 or "".join(_SEPARATORS.split(text)) != "".join(parts):
        raise ValueError(asked_for())
    words = [p for p in parts if p.isalpha()]
    numbers = [p for p in parts if p.isdigit()]
    day_first = current().day_first
    if len(parts[0]) == 4 and not words:
        year, month, day = parts
    elif len(words) == 1 and len(parts[2]) == 4 and parts[2].isdigit():
        day = numbers[0]
        month_number = _month(words[0])
        if month_number is None:
            raise ValueError(asked_for())
        year, month = parts[2], str(month_number)
    elif not words and len(parts[2]) == 4 and day_first is not None:
        day, month = (parts[0], parts[1]) if day_first else (parts[1], parts[0])
        year = parts[2]
    else:
        raise ValueError(asked_for())
    if len(year) != 4 or len(month) > 2 or len(day) > 2:
        raise ValueError(asked_for())
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(asked_for()) from None


def show_time(value: datetime, seconds: bool = False) -> str:
    """A moment as its day in the agency's format and a 24-hour clock."""
    return f"{show(value)} {value:%H:%M:%S}" if seconds else f"{show(value)} {value:%H:%M}"


def show_span(start: date, end: date) -> str:
    """From one day to another, the year said once when both days share it (12/05 – 01/31/2027 would mislead)."""
    if start == end:
        return show(start)
    first = start.strftime(_current.get().in_same_year) if start.year == end.year else show(start)
    return f"{first} – {show(end)}"


def grid_label(field: str) -> str:
    """The row field holding a grid date column's text; the column's own field keeps the ISO value, which sorts."""
    return f"{field}_label"


def grid_display(field: str) -> dict[str, object]:
    """AG Grid column options for a date field: sorted by its ISO value, shown and filtered as the row's label text
    (written by grid_dates on the server, so the browser needs no date code; dash-ag-grid reads these function
    strings with its own parser, not eval, which the CSP forbids)."""
    label = {"function": f"params.data ? params.data.{grid_label(field)} : ''"}
    return {"valueFormatter": label, "filterValueGetter": label, "getQuickFilterText": label}


def grid_column(field: str, header: str, **options: object) -> dict[str, object]:
    """An AG Grid column of dates (see grid_display)."""
    return {"field": field, "headerName": header, **grid_display(field), **options}


def grid_dates(**values: date | datetime | None) -> dict[str, str | None]:
    """Row fields for grid_column: each date's ISO value (a moment's to the second) and its label; no date is null
    (AG Grid sorts it first) with an empty label."""
    row: dict[str, str | None] = {}
    for field, value in values.items():
        if value is None:
            row[field], row[grid_label(field)] = None, ""
        elif isinstance(value, datetime):
            # Without the offset, as before: the columns say which zone (UTC), and the text sorts the same.
            row[field], row[grid_label(field)] = value.strftime("%Y-%m-%d %H:%M:%S"), show_time(value, True)
        else:
            row[field], row[grid_label(field)] = value.isoformat(), show(value)
    return row


@contextmanager
def using(key: str) -> Iterator[None]:
    """Format with this key inside the block (outside a request: the CLI, tests)."""
    token = _current.set(FORMATS[key])
    try:
        yield
    finally:
        _current.reset(token)


def init_app(server: Flask, stored_key: Callable[[], str | None]) -> None:
    """Each request formats dates the agency's way: stored_key reads the settings row's choice."""

    @server.before_request
    def use_agency_format() -> None:
        if request.path.startswith(STATIC_PREFIXES):
            return
        try:
            key = stored_key()
        except DBAPIError:
            key = None  # the request's own queries report the outage; a date format is not worth failing on
        _current.set(FORMATS.get(key or DEFAULT, FORMATS[DEFAULT]))

    @server.teardown_request
    def back_to_default(_error: BaseException | None) -> None:
        # The test client serves requests in the caller's thread and context: nothing may leak into what follows.
        _current.set(FORMATS[DEFAULT])
