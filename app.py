"""Entry point: `python app.py` serves on http://127.0.0.1:8050; in production `gunicorn app:server`."""
import gc
import os
import sys

from dashboard.errors import ConfigError
from dashboard.factory import create_app

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"error: {exc}")
server = app.server
# What start-up built (Dash, Plotly, SQLAlchemy metadata) lives as long as the process: freeze it out of the
# collector's sight, so a full collection during a request does not rescan it (it was the slow tail of the
# worker profile: bench/README.md, "My team"). With gunicorn --preload it also keeps those pages shared.
gc.collect()
gc.freeze()

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=os.environ.get("PEERDASH_DEBUG") == "1")
