"""Callback requests checked for shape before Dash dispatches them: a malformed one gets a 400 with a short reason.

Any logged-in user (or script) can POST anything to /_dash-update-component. Dash assumes the renderer's shape:
an unknown output is a KeyError, missing inputs or state a CallbackException, a pattern id holding a list a
TypeError deep in a callback, all 500s. This checks the envelope against the callback's own registration (its
inputs and state) and Dash's rules for ids, and nothing else: the values are the callbacks' to judge, and a fault
inside a callback stays a 500 rather than being mistaken for the client's. (Mapping those exceptions to 400 in an
errorhandler would do just that: a KeyError or TypeError from our own code would read as a bad request.)
"""
from __future__ import annotations

from typing import Any

from dash import Dash
from flask import Response, request

SCALARS = (str, int, float, bool)  # what a pattern id's values may be (Dash's own rule)


def _is_id(value: Any) -> bool:
    """A component id: a string, or a pattern id (a dict of scalars)."""
    return isinstance(value, str) or (isinstance(value, dict) and bool(value)
                                      and all(isinstance(v, SCALARS) for v in value.values()))


def _is_entry(entry: Any) -> bool:
    """{"id": …, "property": …, "value": …}; the value of an "id" property is an id too."""
    return (isinstance(entry, dict) and _is_id(entry.get("id")) and isinstance(entry.get("property"), str)
            and (entry["property"] != "id" or "value" not in entry or _is_id(entry["value"])))


def _entries(entries: Any, declared: list[Any]) -> bool:
    """One entry per declared dependency, in order: an entry, or a list of them for a pattern (ALL)."""
    return isinstance(entries, list) and len(entries) == len(declared) and all(
        all(map(_is_entry, e)) if isinstance(e, list) else _is_entry(e) for e in entries)


def _outputs(outputs: Any, output: str) -> bool:
    """Empty (Dash reads the output string instead), one entry (or a pattern's list) for a single output, or one per
    output for several."""
    if outputs in (None, []):
        return True
    if not output.startswith(".."):
        return _is_entry(outputs) or (isinstance(outputs, list) and all(map(_is_entry, outputs)))
    return _entries(outputs, output[2:-2].split("..."))


def problem(body: Any, callback_map: dict[str, Any]) -> str | None:
    """Why the payload cannot be a call of a registered callback, or None when its shape is right."""
    if not isinstance(body, dict):
        return "A callback request is a JSON object."
    output = body.get("output")
    registered = callback_map.get(output) if isinstance(output, str) else None
    if registered is None:
        return "No callback has that output."
    if not _entries(body.get("inputs"), registered["inputs"]):
        return "The callback's inputs are missing or malformed."
    if not _entries(body.get("state", []), registered["state"]):
        return "The callback's state is missing or malformed."
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of strings."
    if not registered.get("no_output") and not _outputs(body.get("outputs"), output):
        return "The callback's outputs are malformed."
    return None


def init_app(app: Dash) -> None:
    """Check every callback request before Dash dispatches it (after the login guard, which runs first)."""
    path = app.config.routes_pathname_prefix + "_dash-update-component"

    def check() -> Response | None:
        if request.path != path or request.method != "POST":
            return None
        reason = problem(request.get_json(silent=True), app.callback_map)
        return Response(reason + "\n", status=400, mimetype="text/plain") if reason else None

    app.server.before_request(check)
