"""Audit events: one call records who changed (or exported) what, with old and new values."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from dashboard.dates import show, show_time
from models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts: an account (from the server-side session) or a named command-line run."""

    user_id: int | None
    username: str
    address: str | None = None


def plain(value: Any) -> Any:
    """JSON-safe copy: dates as ISO strings, decimals as strings, containers recursively."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return value


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: object = None,
           old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> None:
    """Add one event to the caller's transaction, so it commits (or rolls back) with the change."""
    session.add(AuditEvent(user_id=actor.user_id, username=actor.username, address=actor.address,
                           action=action, entity=entity,
                           entity_id=None if entity_id is None else str(entity_id),
                           old_values=plain(old) if old is not None else None,
                           new_values=plain(new) if new is not None else None))


NOTHING = "—"  # a value that is empty (null) or that the event did not record
# What plain() stores for a date and a datetime: shown back in the agency's date format, as every other date is.
_STORED_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STORED_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([+-][0-9]{2}:[0-9]{2})?")
LONGEST_VALUE = 60  # characters shown of one value; longer ones are cut with their length


@dataclass(frozen=True)
class Change:
    """One field of an event as people read it: nested keys joined with dots, values shortened."""

    field: str
    before: str
    after: str


def _flat(values: Any, prefix: str = "") -> dict[str, Any]:
    """{"rules": {"a": {"days": 21}}} -> {"rules.a.days": 21}; a non-dict value is one field ("value" at the top)."""
    if not isinstance(values, dict):
        return {prefix or "value": values}
    if not values and prefix:
        return {prefix: {}}
    flat: dict[str, Any] = {}
    for key, value in values.items():
        flat.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def shown(value: Any, longest: int = LONGEST_VALUE) -> str:
    """A stored value in words: null as a dash, yes/no, lists comma-separated, long text cut with its length."""
    if value is None:
        return NOTHING
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (list, tuple)):
        text = ", ".join(shown(v, longest) for v in value) if value else "(none)"
    elif isinstance(value, dict):
        text = "(none)" if not value else ", ".join(f"{k}: {shown(v, longest)}" for k, v in value.items())
    elif isinstance(value, str) and (when := _stored_date(value)) is not None:
        text = show_time(when, seconds=True) if isinstance(when, datetime) else show(when)
    else:
        text = str(value)
    text = " ".join(text.split())  # newlines and runs of spaces read as one space
    if len(text) > longest:
        return f"{text[:longest].rstrip()}… ({len(text):,} characters)"
    return text


def _stored_date(text: str) -> date | datetime | None:
    """The day or moment plain() stored as this text, if it is one."""
    try:
        if _STORED_DAY.fullmatch(text):
            return date.fromisoformat(text)
        if _STORED_MOMENT.fullmatch(text):
            return datetime.fromisoformat(text)
    except ValueError:  # 2026-02-30: text shaped like a date that is none
        return None
    return None


def changes(old: Any, new: Any) -> tuple[Change, ...]:
    """The fields an event changed, sorted by name: for an update only those whose value differs; for a create
    (no old values) every new value, for a delete (no new values) every old one, the missing side a dash."""
    if old is None and new is None:
        return ()
    before = _flat(old) if old is not None else {}
    after = _flat(new) if new is not None else {}
    fields = sorted(set(before) | set(after))
    if old is not None and new is not None:
        fields = [f for f in fields if before.get(f, _MISSING) != after.get(f, _MISSING)]
    return tuple(Change(f, shown(before[f]) if f in before else NOTHING, shown(after[f]) if f in after else NOTHING)
                 for f in fields)


_MISSING = object()
