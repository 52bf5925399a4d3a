"""Date fields: a text box for a day in the agency's format, its label saying how to write one and, once what was
typed is not a day, saying so."""
from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboard import dates
from layouts import ids

# Every date field that says at once when its text is not a day (callbacks.date_fields registers one check each).
# A text box, not the browser's date picker: the picker shows the browser's locale (mm/dd/yyyy here, dd/mm/yyyy
# there), never the agency's format, and differs between browsers in what a keyboard or screen reader can do.
CHECKED = (
    ids.OVERVIEW_CUSTOM_START, ids.OVERVIEW_CUSTOM_END, ids.COMPLIANCE_START, ids.COMPLIANCE_END,
    ids.SIGNOFF_FROM, ids.SIGNOFF_TO, ids.AUDIT_FROM, ids.AUDIT_TO,
    ids.SESSION_DATE, ids.RATING_DATE, ids.LEAVE_START, ids.LEAVE_BACK, ids.STANDARDS_EFFECTIVE,
    ids.PEOPLE_WORKER_FROM, ids.PEOPLE_STAFF_HIRE, ids.PEOPLE_STAFF_LEFT, ids.PEOPLE_MOVE_FROM,
    ids.PEOPLE_SUP_FROM, ids.PEOPLE_SUP_END, ids.PEOPLE_SUP_EDIT_FROM, ids.PEOPLE_SUP_EDIT_UNTIL,
)


def error_id(field_id: str) -> str:
    return f"{field_id}-error"


def date_label(field_id: str, text: str, className: str | None = None) -> dbc.Label:  # noqa: N803 (Dash's word)
    """The label names the field, shows how to write a day and, inside it, the field's error: dbc.Input passes no
    aria-describedby, so what the label holds is what a screen reader reads with the field (the error is also a
    polite live region, announced when it appears)."""
    parts: list[Any] = [text, html.Span(f" e.g. {dates.current().example}", className="date-hint")]
    if field_id in CHECKED:
        parts.append(html.Span(id=error_id(field_id), className="date-error", **{"aria-live": "polite"}))
    return dbc.Label(parts, html_for=field_id, className=className)


def date_input(field_id: str, value: date | str | None = None, **options: Any) -> dbc.Input:
    """The text box; a value from an address (ISO or typed) shows in the agency's format."""
    return dbc.Input(id=field_id, type="text", value=dates.show_input(value), autocomplete="off", debounce=True,
                     **options)


def date_field(field_id: str, text: str, value: date | str | None = None, **options: Any) -> list[Any]:
    """Label and text box, for a column or form group."""
    return [date_label(field_id, text), date_input(field_id, value, **options)]
