"""Thin glue between layouts and the query layer: one module per page, each with register(app)."""
from dash import Dash

from callbacks import audit_log, compliance, data_import, overview, resources, standards, workspace
from layouts import ids

# Where the forms that save show their outcome: dashboard.outage writes "nothing was saved" there when the database
# does not answer, whichever callback was running.
FORM_FEEDBACK = (ids.SESSION_FEEDBACK, ids.RATING_FEEDBACK, ids.LEAVE_FEEDBACK, ids.STANDARDS_MESSAGE, ids.IMPORT_RESULT)


def register_all(app: Dash) -> None:
    overview.register(app)
    compliance.register(app)
    standards.register(app)
    resources.register(app)
    workspace.register(app)
    data_import.register(app)
    audit_log.register(app)
