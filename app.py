"""WSGI entry point: `flask --app app ...` and `gunicorn app:app`."""

import sys

from portal import create_app
from portal.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # A wrong setting is one line for the operator, not a traceback.
    sys.exit(f"One Window cannot start: {error}")
