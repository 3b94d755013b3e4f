"""Which kiosk, if any, a request comes from, and the rules every kiosk request follows.

A kiosk's browser carries the device cookie set at enrolment: a random secret (stored only as its
SHA-256), HttpOnly, SameSite=Strict, `__Host-` prefixed and Secure in production. Resolved once per request
(`current()`, cached in `g`). On a kiosk request:
- every response is `no-store`, signed in or not;
- a cookie that no longer names an enrolled kiosk (revoked, or enrolled again elsewhere) gets the
  "this kiosk is not enrolled" page and is cleared, whatever the page asked for;
- the kiosk's own idle limit (KIOSK_IDLE_SECONDS, plus GRACE for the page's countdown and the network)
  ends a signed-in session at its next request, as timeouts.py does for the portal's longer limits.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal.domain import kiosks
from portal.web.api import is_api_path
from portal.web.locale import LANG_COOKIE

GRACE = 15
COUNTDOWN = 30  # the warning's countdown; at most half the idle time
SEEN = "_kiosk_seen"
_UNSET = object()
# What still works with a dead device cookie: opening a new enrolment link, and static files.
_OPEN_ENDPOINTS = {"kiosk.enrol", "static"}


def cookie_name() -> str:
    return "__Host-kiosk" if current_app.config["SESSION_COOKIE_SECURE"] else "kiosk"


def current():
    """The enrolled kiosk this request comes from, or None."""
    kiosk = g.get("kiosk", _UNSET)
    if kiosk is _UNSET:
        # The API answers software with tokens: a kiosk's cookie means nothing there (portal/web/api).
        secret = None if is_api_path(request.path) else request.cookies.get(cookie_name())
        kiosk = kiosks.by_device_secret(secret) if secret else None
        g.kiosk = kiosk
        g.kiosk_cookie_dead = bool(secret) and kiosk is None
    return kiosk


def countdown() -> int:
    return min(COUNTDOWN, current_app.config["KIOSK_IDLE_SECONDS"] // 2)


def set_cookie(response: Response, secret: str) -> None:
    response.set_cookie(cookie_name(), secret, max_age=5 * 365 * 24 * 3600, path="/",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Strict")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(cookie_name(), path="/", secure=current_app.config["SESSION_COOKIE_SECURE"],
                           httponly=True, samesite="Strict")


def end_person_session(response: Response) -> None:
    """End whatever the person did here: signed out, the session row gone (sessions.py removes a
    cleared session's row and its cookie), their language choice forgotten. The device cookie stays."""
    from portal.web.kiosk import assisting, handoff  # they import this module

    assisting.end_on_finish()
    handoff.end_on_finish()
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    store = current_app.session_interface
    if session.new and request.cookies.get(store.get_cookie_name(current_app)):
        # The session's row is gone already (ended by "continue on my phone"): its cookie goes too.
        response.delete_cookie(store.get_cookie_name(current_app), domain=store.get_cookie_domain(current_app),
                               path=store.get_cookie_path(current_app))
    response.delete_cookie(LANG_COOKIE)


def _before() -> Response | None:
    if request.endpoint == "static":
        return None
    kiosk = current()
    if kiosk is None:
        if g.kiosk_cookie_dead and request.endpoint not in _OPEN_ENDPOINTS:
            from portal.web.errors import render_error

            body, status = render_error(403, _l("This kiosk is not enrolled"),
                                        _l("Ask the centre's staff to enrol it again with a new enrolment link."))
            response = current_app.make_response((body, status))
            clear_cookie(response)
            return response
        return None
    now = int(time.time())
    if current_user.is_authenticated:
        seen = session.get(SEEN, now)
        if now - seen > current_app.config["KIOSK_IDLE_SECONDS"] + GRACE:
            response = redirect(url_for("kiosk.home"))
            end_person_session(response)
            return response
        # A kiosk is busy with one person: its idle clock moves with every page they ask for, never with a
        # request a page's script makes by itself (the payment page's status check: timeouts.passive).
        if not getattr(current_app.view_functions.get(request.endpoint), "passive_request", False):
            session[SEEN] = now
    return None


def _after(response: Response) -> Response:
    if g.get("kiosk") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)

    @app.context_processor
    def kiosk_context():
        kiosk = g.get("kiosk")
        return {"kiosk": kiosk, "kiosk_countdown": countdown() if kiosk else None}
