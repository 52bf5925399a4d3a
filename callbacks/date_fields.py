"""Each checked date field says at once when its text is not a day, in the agency's format (layouts.fields)."""
from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output

from dashboard import dates
from layouts.fields import CHECKED, error_id


def check(text: Any) -> tuple[str, bool]:
    """The field's error and whether it is invalid: nothing for an empty field (the form or filter says whether
    one is needed) or a day."""
    if not isinstance(text, str) or not text.strip():
        return "", False
    try:
        dates.parse(text)
    except ValueError as error:
        return str(error), True
    return "", False


def register(app: Dash) -> None:
    for field_id in CHECKED:
        app.callback(Output(error_id(field_id), "children"), Output(field_id, "invalid"), Input(field_id, "value"),
                     prevent_initial_call=True)(check)
