"""The agency's date format: the formats offered, the one function every on-screen date goes through, and the format
of the request being served."""
from __future__ import annotations

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

    @property
    def example(self) -> str:
        return EXAMPLE_DAY.strftime(self.pattern)

    @property
    def label(self) -> str:
        """What the Settings page offers."""
        return f"{self.name}: {self.example}"


EXAMPLE_DAY = date(2026, 12, 5)  # day 5 of month 12, so day-first and month-first cannot be mistaken


FORMATS: dict[str, DateFormat] = {f.key: f for f in (
    DateFormat("dmy", "Day month year", "%d %b %Y", "%d %b"),
    DateFormat("mdy", "Month/day/year (US)", "%m/%d/%Y", "%m/%d"),
    DateFormat("iso", "Year-month-day (ISO 8601)", "%Y-%m-%d", "%Y-%m-%d"),  # ISO never drops the year
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
