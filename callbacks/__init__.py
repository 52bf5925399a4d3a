"""Thin glue between layouts and the query layer: one module per page, each with register(app)."""
from dash import Dash

from callbacks import audit_log, compliance, data_import, overview, resources, standards, workspace


def register_all(app: Dash) -> None:
    overview.register(app)
    compliance.register(app)
    standards.register(app)
    resources.register(app)
    workspace.register(app)
    data_import.register(app)
    audit_log.register(app)
