"""Audit events: one call records who changed (or exported) what, with old and new values."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

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
