"""Idle and absolute session limits (DESIGN.md section 8).

Applicants are signed out after 15 idle minutes, staff and administrators after 30, everyone
after 12 hours. The limits live in the session itself; Redis forgets a session at the same time.
"""

from __future__ import annotations

import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

APPLICANT_IDLE = 15 * 60
STAFF_IDLE = 30 * 60
ABSOLUTE = 12 * 3600

SIGNED_OUT_IDLE = _l("You were signed out because you were inactive for a while. Please sign in again.")


def idle_limit_for(user) -> int:
    return STAFF_IDLE if user.needs_totp else APPLICANT_IDLE


def start(user) -> None:
    """Call at sign-in, after the session id was renewed."""
    now = int(time.time())
    session["_started"] = now
    session["_seen"] = now
    session.ttl = idle_limit_for(user)


def init_app(app: Flask) -> None:
    @app.before_request
    def enforce_session_limits():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        idle_limit = idle_limit_for(current_user)
        started, seen = session.get("_started", 0), session.get("_seen", 0)
        if now - seen > idle_limit or now - started > ABSOLUTE:
            logout_user()
            session.clear()
            session.regenerate()
            flash(str(SIGNED_OUT_IDLE), "info")
            g.signed_out_for_inactivity = True
            return redirect(url_for("accounts.sign_in"))
        session["_seen"] = now
        session.ttl = idle_limit
        return None
