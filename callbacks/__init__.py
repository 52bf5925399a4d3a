"""Thin glue between layouts and the query layer: one module per page, each with register(app)."""
from dash import Dash

from callbacks import audit_log, compliance, data_import, overview, resources, standards, workspace
from dashboard import callback_payloads
from layouts import ids

# Where the forms that save show their outcome: dashboard.outage writes "nothing was saved" there when the database
# does not answer, whichever callback was running.
FORM_FEEDBACK = (ids.SESSION_FEEDBACK, ids.RATING_FEEDBACK, ids.LEAVE_FEEDBACK, ids.STANDARDS_MESSAGE,
                 ids.IMPORT_RESULT)


def register_all(app: Dash) -> None:
    # Every callback request is checked for shape first: a malformed one is a 400, not a 500 inside Dash.
    callback_payloads.init_app(app)
    overview.register(app)
    compliance.register(app)
    standards.register(app)
    resources.register(app)
    workspace.register(app)
    data_import.register(app)
    audit_log.register(app)
