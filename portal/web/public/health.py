"""/healthz, the load balancer's health check, answered ahead of Flask.

A balancer or monitor asks often, and the answer depends on nothing a request carries: no session, user,
language or CSRF token. Flask's per-request work (opening the session, loading the user, the timeouts, the
headers...) was most of its cost, so, as `page_cache.KeptPages` does for kept catalogue pages, a WSGI layer
answers it before Flask is reached. What the answer keeps: the JSON body, 200 or 503, `Cache-Control:
no-store`, and the security headers every response gets (`headers.security_headers`, shared, not copied).
"""

from __future__ import annotations

import time

from flask import Flask, Response

from portal.extensions import db, redis_connection
from portal.web.security.headers import security_headers

PATH = "/healthz"

# How long one check of the database and Redis answers /healthz. A load balancer or monitor asks every few
# seconds, so each of its probes still checks for real and an outage shows as 503 within a second; what is
# shared is a flood of probes (many balancers, a benchmark), which would otherwise each cost a database
# connection check (three round trips: the pool's ping, SELECT 1, the rollback) and a Redis ping. A check
# counts only for the connections it was made on (a new engine or Redis client is checked at once).
HEALTH_CHECK_REUSE_SECONDS = 1.0
_last_check: tuple[float, tuple, dict[str, bool]] = (float("-inf"), (), {})


def _checks() -> dict[str, bool]:
    """Whether the database and Redis answer, checked at most once a second per process."""
    global _last_check
    checked_at, checked_on, checks = _last_check
    connections = (db.engine, redis_connection.client)
    now = time.monotonic()
    if now - checked_at >= HEALTH_CHECK_REUSE_SECONDS or len(checked_on) != 2 \
            or any(a is not b for a, b in zip(connections, checked_on, strict=True)):
        checks = {"database": db.is_up(), "redis": redis_connection.is_up()}
        _last_check = (time.monotonic(), connections, checks)
    return checks


def response(app: Flask) -> Response:
    """The health check's answer: 200 when the database and Redis both answer, 503 otherwise."""
    checks = _checks()
    body = {name: ("up" if ok else "down") for name, ok in checks.items()}
    body["status"] = "ok" if all(checks.values()) else "degraded"
    answer = app.json.response(body)
    answer.status_code = 200 if all(checks.values()) else 503
    answer.headers["Cache-Control"] = "no-store"
    for name, value in security_headers(app):
        answer.headers.setdefault(name, value)
    return answer


class HealthCheck:
    """WSGI middleware: answers GET and HEAD of /healthz; everything else goes on to `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        return response(self.app)(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = HealthCheck(app, app.wsgi_app)
