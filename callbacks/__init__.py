"""Thin glue between layouts and the query layer: one module per page, each with register(app), which the page
registry (dashboard.pages.PAGES) names."""
from callbacks.date_fields import register as register_date_fields  # noqa: F401  (the factory registers it once)
from callbacks.shell import register as register_shell  # noqa: F401  (the factory registers it once)
from layouts import ids

# Where the forms that save show their outcome: dashboard.outage writes "nothing was saved" there when the database
# does not answer, whichever callback was running.
FORM_FEEDBACK = (ids.SESSION_FEEDBACK, ids.RATING_FEEDBACK, ids.LEAVE_FEEDBACK, ids.STANDARDS_MESSAGE,
                 ids.IMPORT_RESULT)
