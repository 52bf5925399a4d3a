"""Thin glue between layouts and the query layer: one module per page, each with register(app)."""
from dash import Dash

from callbacks import compliance, overview, resources, standards


def register_all(app: Dash) -> None:
    overview.register(app)
    compliance.register(app)
    standards.register(app)
    resources.register(app)
