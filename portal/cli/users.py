from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("users", help="Accounts: staff and administrators.")
