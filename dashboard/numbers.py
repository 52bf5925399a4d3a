"""Reading whole numbers and days from text that a control, an address or a crafted request sent."""
from __future__ import annotations

import re
from datetime import date

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_digits(text: str) -> bool:
    """Only the ASCII digits 0-9. str.isdigit() also passes '²' and other scripts' digits, which int() refuses
    (a 500) or reads as a number no control of ours sends."""
    return text.isascii() and text.isdigit()


def iso_day(text: str) -> date:
    """A day written YYYY-MM-DD, and only that: Python's date.fromisoformat also reads '2026-W01-1' (an ISO week
    date) and '20260101', which no control of ours sends and a person would not mean. Raises ValueError."""
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"not a date as YYYY-MM-DD: {text[:40]!r}")
    return date.fromisoformat(text)
