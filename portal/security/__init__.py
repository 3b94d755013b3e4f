"""The security baseline (DESIGN.md section 8) applied to every request."""

from __future__ import annotations

from flask import Flask

from portal.security import headers, sessions, timeouts


def init_security(app: Flask) -> None:
    app.session_interface = sessions.RedisSessionInterface()
    timeouts.init_app(app)
    headers.init_app(app)
