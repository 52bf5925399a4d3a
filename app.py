"""Entry point: `python app.py` serves on http://127.0.0.1:8050; in production `gunicorn app:server`."""
import os
import sys

from dashboard.errors import ConfigError
from dashboard.factory import create_app

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"error: {exc}")
server = app.server

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=os.environ.get("PEERDASH_DEBUG") == "1")
