"""What every page's callbacks share: who is asking, what they may see, and reading filter values safely."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, request

from dashboard.audit import Actor
from dashboard.auth import Viewer, current_viewer
from dashboard import dates
from dashboard.numbers import is_digits
from dashboard.recording import MAX_ID
from models.vocabulary import Role


def viewer_for(section_key: str) -> Viewer:
    """The signed-in viewer, or a 403 when their role may not use this section (whatever the payload says)."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    if not viewer.may_use(section_key):
        abort(403)
    return viewer


def admin_for(section_key: str) -> Viewer:
    """The signed-in viewer when an administrator: a page other roles may read (People, Framework) is changed by
    admins only, so a write from anyone else gets 403 whatever the payload."""
    viewer = viewer_for(section_key)
    if viewer.role != Role.ADMIN:
        abort(403)
    return viewer


def actor_for(viewer: Viewer) -> Actor:
    """Who an audit event names: the viewer's account and the request's address."""
    return Actor(viewer.user_id, viewer.username, (request.remote_addr or "")[:64] or None)


def as_int(value: Any) -> int | None:
    """An id from a control or a crafted payload: a whole number from 0 to MAX_ID, or nothing (PostgreSQL refuses
    to compare an INTEGER column with a bigger number rather than finding nothing)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and is_digits(value.strip()):
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_ID:
        return value
    return None


def as_int_set(values: Any) -> frozenset[int]:
    if not isinstance(values, list | tuple):
        values = [values]
    return frozenset(i for i in map(as_int, values) if i is not None)


def as_date(value: Any) -> date | None:
    """A day from a date field (typed in the agency's format or ISO) or a crafted payload, or nothing."""
    if not isinstance(value, str):
        return None
    try:
        return dates.parse(value)
    except ValueError:
        return None
