"""The app's drop-down list: dbc.Select with its hidden first option never blank."""
from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc

# dbc.Select always writes a disabled, hidden first option holding its placeholder, for the moment no value is chosen.
# Left empty, browsers that show hidden options (Safari on iOS) list a blank line before the real choices, and a
# screen reader meets an option with no name. So every select names it.
PROMPT = "Choose…"


def select(id: Any, *, placeholder: str = PROMPT, **kwargs: Any) -> dbc.Select:  # noqa: A002 (Dash's own word)
    if not placeholder.strip():
        raise ValueError("a select's placeholder is its first option's text: it cannot be blank")
    return dbc.Select(id=id, placeholder=placeholder, **kwargs)
