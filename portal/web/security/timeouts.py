"""Idle and absolute session limits (DESIGN.md section 8), and sessions ended by a credential change.

Applicants are signed out after 15 idle minutes, staff and administrators after 30, everyone
after 12 hours. The limits live in the session itself; its row expires at the same time.

The idle clock (`_seen`) moves at most once a minute (SEEN_STEP): the session is written only when
something in it changed, and a write on every page view would be the database's busiest query. A
limit is therefore kept to within a minute.

Sessions are stored under random ids, with no index by person, so a password change cannot find
and delete the person's other sessions. Instead each session keeps the person's `session_stamp`
from sign-in; changing the password or the authenticator (or deactivating the account) renews the
stamp in the database, and a session whose stamp no longer matches is signed out at its next
request. The session that made the change is given the new stamp (`restamp`).
"""

from __future__ import annotations

import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

APPLICANT_IDLE = 15 * 60
STAFF_IDLE = 30 * 60
ABSOLUTE = 12 * 3600
SEEN_STEP = 60

SIGNED_OUT_IDLE = _l("You were signed out because you were inactive for a while. Please sign in again.")
SIGNED_OUT_CHANGED = _l("You were signed out because the password or authenticator app of your account was "
                        "changed. Please sign in again.")
STAMP = "_stamp"


def idle_limit_for(user) -> int:
    return STAFF_IDLE if user.needs_totp else APPLICANT_IDLE


def start(user) -> None:
    """Call at sign-in, after the session id was renewed."""
    now = int(time.time())
    session["_started"] = now
    session["_seen"] = now
    session[STAMP] = user.session_stamp
    session.ttl = idle_limit_for(user)


def restamp(user) -> None:
    """Keep this session signed in after a change that renewed the person's stamp, under a new id."""
    session[STAMP] = user.session_stamp
    session.regenerate()


def stamp_is_current(user, stamp) -> bool:
    return stamp == user.session_stamp


def _sign_out(message) -> None:
    logout_user()
    session.clear()
    session.regenerate()
    flash(str(message), "info")


def passive(view):
    """Mark a view that a page's script calls by itself (a payment status check every few seconds): it is
    not the person being there, so it never moves the idle clock. A page left open on a shared screen is
    then signed out on time, and the script, told so, reloads it to the sign-in page."""
    view.passive_request = True
    return view


def init_app(app: Flask) -> None:
    @app.before_request
    def enforce_session_limits():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        # The one signed in: an operator stays so while the citizen they assist is `current_user`.
        signed_in = g.get("assisting_operator") or current_user
        idle_limit = idle_limit_for(signed_in)
        started, seen = session.get("_started", 0), session.get("_seen", 0)
        if not stamp_is_current(signed_in, session.get(STAMP)):
            _sign_out(SIGNED_OUT_CHANGED)
            return redirect(url_for("accounts.sign_in"))
        if now - seen > idle_limit or now - started > ABSOLUTE:
            _sign_out(SIGNED_OUT_IDLE)
            g.signed_out_for_inactivity = True
            return redirect(url_for("accounts.sign_in"))
        by_itself = getattr(app.view_functions.get(request.endpoint), "passive_request", False)
        if now - seen >= SEEN_STEP and not by_itself:
            session["_seen"] = now
        session.ttl = idle_limit
        return None
