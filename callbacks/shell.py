"""The shell's one callback: the phone menu button opens and closes the navbar's links (in the browser)."""
from __future__ import annotations

from dash import Dash, Input, Output, State

from layouts import ids

TOGGLE_MENU_JS = "function(clicks, is_open) { return clicks ? !is_open : false; }"


def register(app: Dash) -> None:
    app.clientside_callback(TOGGLE_MENU_JS, Output(ids.SHELL_COLLAPSE, "is_open"),
                            Input(ids.SHELL_TOGGLER, "n_clicks"), State(ids.SHELL_COLLAPSE, "is_open"),
                            prevent_initial_call=True)
