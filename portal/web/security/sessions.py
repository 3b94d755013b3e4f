"""Server-side sessions, kept in the database (table `web_sessions`).

The cookie holds only a random session id; the data stays on the server, under the SHA-256 of that
id. That gives a real new session id at sign-in (`regenerate`), a session that is gone for good at
sign-out, and nothing readable in the browser.

Why the database and not Redis: a session holds the sign-in and the CSRF secret of every form, so
with sessions in Redis a Redis outage signed everybody out and refused every form as "expired"
(issue 11). Redis now only carries queues, throttles and caches; the database is needed for every
signed-in page anyway, so keeping sessions there adds no new way to fail.

Cost: a session is written only when a request changed it (compared value by value with what was
read), and the idle clock (`timeouts.py`) moves at most once a minute, so an ordinary page view
reads one row and writes none. Pages and files that need no session (static files, a first visit
without a cookie) never touch the table.

Parallel requests of one browser each read the session when they start and write it when they end.
Only the keys a request changed are written, merged into the stored row under a row lock, and only
while the row still exists: a request that overlaps a sign-out cannot bring the ended session back.

If the database cannot be read, the request does not go on without its session (a form would then
fail as "expired", a signed-in person would look signed out): `unavailable` keeps the error, and
`raise_if_unavailable` (the first thing every request runs) turns it into the outage page.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from flask import Flask, Request, Response, g, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy.exc import SQLAlchemyError

from portal.data import web_sessions
from portal.data.db import db, utcnow
from portal.web.api import is_api_path

log = logging.getLogger(__name__)

# How long a session nobody signed into lasts (a form's CSRF token, a sign-in waiting for its code);
# a signed-in session's limits are set by timeouts.py.
ANONYMOUS_TTL = 60 * 60
DISPATCHED = "_session_request_dispatched"  # set in `g` once a request runs its before-request functions
_SID = re.compile(r"^[A-Za-z0-9_-]{43}$")
_serializer = TaggedJSONSerializer()


def _new_sid() -> str:
    return secrets.token_urlsafe(32)


def digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSession(dict, SessionMixin):
    """A session that can tell which of its keys this request changed (see the module)."""

    def __init__(self, initial: dict | None = None, sid: str | None = None, new: bool = False):
        super().__init__(initial or {})
        self.sid = sid or _new_sid()
        self.new = new
        self.rewrite = False  # write every key under a new id (sign-in, sign-out)
        self.previous_sid: str | None = None
        self.ttl = ANONYMOUS_TTL
        self.unavailable: Exception | None = None  # the store could not be read
        # What was read, value by value, to find what changed (also inside nested dicts and lists).
        self._read = {key: _serializer.dumps(value) for key, value in self.items()}

    def changes(self) -> tuple[dict, list[str]]:
        """(keys set or changed, keys removed) since the session was read."""
        changed = {key: value for key, value in self.items() if self._read.get(key) != _serializer.dumps(value)}
        return changed, [key for key in self._read if key not in self]

    @property
    def modified(self) -> bool:  # what Flask and its extensions read
        changed, removed = self.changes()
        return self.rewrite or bool(changed or removed)

    @modified.setter
    def modified(self, value: bool) -> None:
        # Extensions set this after changing a nested value; `changes()` finds such changes by itself.
        pass

    def regenerate(self) -> None:
        """Give this session a new id (at sign-in and sign-out); the old id stops working."""
        if self.previous_sid is None and not self.new:
            self.previous_sid = self.sid
        self.sid = _new_sid()
        self.rewrite = True


def _expiry(session: ServerSession):
    return utcnow() + timedelta(seconds=session.ttl)


class DatabaseSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if request.path.startswith(f"{app.static_url_path}/"):
            return ServerSession(new=True)  # files need no session: no query for them
        if is_api_path(request.path):
            return ServerSession(new=True)  # the API authorises by token only, never by a browser's cookie
        sid = request.cookies.get(self.get_cookie_name(app))
        if not (sid and _SID.match(sid)):
            return ServerSession(new=True)
        try:
            stored = web_sessions.read(digest(sid))
        except SQLAlchemyError as error:
            session = ServerSession(new=True)
            session.unavailable = error
            return session
        if stored is None:
            return ServerSession(new=True)  # expired or ended: a new one, with a new id if anything is stored
        return ServerSession(_serializer.loads(stored), sid=sid)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        if session.unavailable is not None or g.get("outage"):
            return  # never write a session we could not read, nor during an outage
        changed, removed = session.changes()
        if not (changed or removed or session.rewrite or session.previous_sid):
            return
        cookie_name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if g.get(DISPATCHED):
            # The route's unit of work is over: what it committed stays, and what it did not would be
            # rolled back at teardown anyway. End it now: on SQLite its open transaction holds the write
            # lock the session's write would wait for, and the session's write must not sit inside it.
            db.session.rollback()
        # A unit of work of its own: a route's uncommitted changes are never committed with the session.
        with db.session_factory() as store:
            if not _write(store, session, changed, removed):
                response.delete_cookie(cookie_name, domain=domain, path=path)
                return
            store.commit()
        if not session:
            return
        response.vary.add("Cookie")
        if request.cookies.get(cookie_name) != session.sid:
            response.set_cookie(
                cookie_name,
                session.sid,
                domain=domain,
                path=path,
                secure=self.get_cookie_secure(app),
                httponly=True,
                samesite=self.get_cookie_samesite(app),
            )


def _write(store, session: ServerSession, changed: dict, removed: list[str]) -> bool:
    """Apply the request's changes in `store` (the caller commits); False if the cookie must go."""
    if session.previous_sid:
        web_sessions.remove(store, digest(session.previous_sid))
    if not session:
        if not session.new:
            web_sessions.remove(store, digest(session.sid))
            store.commit()
            return False
        return True
    if session.new or session.rewrite:
        web_sessions.remove(store, digest(session.sid))
        web_sessions.create(store, digest(session.sid), _serializer.dumps(dict(session)), _expiry(session))
        return True
    row = web_sessions.lock(store, digest(session.sid))
    if row is None:  # ended (signed out) or expired meanwhile: stays ended
        return True
    stored = _serializer.loads(row.data)
    stored.update(changed)
    for key in removed:
        stored.pop(key, None)
    row.data = _serializer.dumps(stored)
    row.expires_at = _expiry(session)
    return True


def raise_if_unavailable() -> None:
    """Run first in every request: a session that could not be read is an outage, not a new visitor."""
    from flask import session

    g.setdefault(DISPATCHED, True)
    error = getattr(session, "unavailable", None)
    if error is not None:
        raise error
