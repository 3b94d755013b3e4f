"""Server-side sessions in Redis.

The cookie holds only a random session id; the data stays on the server. That gives a real
new session id at sign-in (`regenerate`), a session that is gone for good at sign-out, and
nothing readable in the browser. If Redis is unreachable a visitor gets an empty session,
so public pages and /healthz still answer.
"""

from __future__ import annotations

import logging
import re
import secrets

import redis
from flask import Flask, Request, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from portal.extensions import redis_connection

log = logging.getLogger(__name__)

KEY_PREFIX = "session:"
# Upper bound on how long Redis keeps a session; idle and absolute limits are enforced in timeouts.py.
ANONYMOUS_TTL = 60 * 60
_SID = re.compile(r"^[A-Za-z0-9_-]{43}$")
_serializer = TaggedJSONSerializer()


def _new_sid() -> str:
    return secrets.token_urlsafe(32)


class RedisSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None = None, sid: str | None = None, new: bool = False):
        def on_update(session: RedisSession) -> None:
            session.modified = True

        super().__init__(initial, on_update)
        self.sid = sid or _new_sid()
        self.new = new
        self.modified = False
        self.previous_sid: str | None = None
        self.ttl = ANONYMOUS_TTL

    def regenerate(self) -> None:
        """Give this session a new id (at sign-in and sign-out); the old id stops working."""
        if self.previous_sid is None and not self.new:
            self.previous_sid = self.sid
        self.sid = _new_sid()
        self.modified = True


class RedisSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> RedisSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and _SID.match(sid):
            try:
                stored = redis_connection.client.get(KEY_PREFIX + sid)
            except (redis.RedisError, OSError):
                log.warning("session store unreachable; serving this request without a session")
                stored = None
            if stored:
                return RedisSession(_serializer.loads(stored.decode()), sid=sid)
        return RedisSession(new=True)

    def save_session(self, app: Flask, session: RedisSession, response: Response) -> None:
        cookie_name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        try:
            client = redis_connection.client
            if session.previous_sid:
                client.delete(KEY_PREFIX + session.previous_sid)
            if not session:
                if not session.new:
                    client.delete(KEY_PREFIX + session.sid)
                    response.delete_cookie(cookie_name, domain=domain, path=path)
                return
            client.set(KEY_PREFIX + session.sid, _serializer.dumps(dict(session)), ex=session.ttl)
        except (redis.RedisError, OSError):
            log.warning("session store unreachable; the session was not saved")
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

