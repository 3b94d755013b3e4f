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

from portal.extensions import redis_connection

log = logging.getLogger(__name__)

KEY_PREFIX = "session:"
# Upper bound on how long Redis keeps a session; idle and absolute limits are enforced in timeouts.py.
ANONYMOUS_TTL = 60 * 60
_SID = re.compile(r"^[A-Za-z0-9_-]{43}$")
_serializer = TaggedJSONSerializer()


def _new_sid() -> str:
    return secrets.token_urlsafe(32)


class RedisSession(dict, SessionMixin):
    """A session that knows which of its keys this request changed.

    Browsers send requests in parallel (a form posted while the page's fonts still load); each
    request reads the session when it starts and writes it when it ends. Writing the whole session
    back would let a request that changed nothing important (Flask-Login marking it not fresh)
    overwrite what a parallel request had just stored. So only the keys this request changed are
    written, as fields of a Redis hash, and only while the session still exists: a request that
    overlaps a sign-out cannot bring the ended session back."""

    def __init__(self, initial: dict | None = None, sid: str | None = None, new: bool = False):
        super().__init__(initial or {})
        self.sid = sid or _new_sid()
        self.new = new
        self.changed: set[str] = set()
        self.rewrite = False  # write every key, not only the changed ones (a new id, a nested change)
        self.previous_sid: str | None = None
        self.ttl = ANONYMOUS_TTL

    @property
    def modified(self) -> bool:  # what Flask and its extensions read
        return self.rewrite or bool(self.changed)

    @modified.setter
    def modified(self, value: bool) -> None:
        # Set by code that changed a value inside a stored dict or list: we cannot tell which key.
        if value:
            self.rewrite = True

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.changed.add(key)

    def __delitem__(self, key) -> None:
        super().__delitem__(key)
        self.changed.add(key)

    def pop(self, key, *default):
        if key in self:
            self.changed.add(key)
        return super().pop(key, *default)

    def popitem(self):
        key, value = super().popitem()
        self.changed.add(key)
        return key, value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other):
        self.update(other)
        return self

    def clear(self) -> None:
        self.changed.update(self.keys())
        super().clear()

    def regenerate(self) -> None:
        """Give this session a new id (at sign-in and sign-out); the old id stops working."""
        if self.previous_sid is None and not self.new:
            self.previous_sid = self.sid
        self.sid = _new_sid()
        self.rewrite = True


# Apply a request's changes to a session that still exists: KEYS[1] the session, ARGV[1] its TTL,
# ARGV[2] how many field/value pairs follow, then those pairs, then the fields to remove.
_APPLY_CHANGES = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local pairs = tonumber(ARGV[2])
for i = 0, pairs - 1 do redis.call('HSET', KEYS[1], ARGV[3 + 2 * i], ARGV[4 + 2 * i]) end
for i = 3 + 2 * pairs, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""


def _dumps(value) -> str:
    return _serializer.dumps(value)


class RedisSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> RedisSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and _SID.match(sid):
            try:
                stored = redis_connection.client.hgetall(KEY_PREFIX + sid)
            except redis.ResponseError:
                stored = None  # a session stored in an older format: start afresh
            except (redis.RedisError, OSError):
                log.warning("session store unreachable; serving this request without a session")
                stored = None
            if stored:
                return RedisSession({k.decode(): _serializer.loads(v.decode()) for k, v in stored.items()}, sid=sid)
        return RedisSession(new=True)

    def save_session(self, app: Flask, session: RedisSession, response: Response) -> None:
        cookie_name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        key = KEY_PREFIX + session.sid
        try:
            client = redis_connection.client
            if session.previous_sid:
                client.delete(KEY_PREFIX + session.previous_sid)
            if not session:
                if not session.new:
                    client.delete(key)
                    response.delete_cookie(cookie_name, domain=domain, path=path)
                return
            if session.new or session.rewrite:
                pipe = client.pipeline(transaction=True)
                pipe.delete(key)
                pipe.hset(key, mapping={k: _dumps(v) for k, v in session.items()})
                pipe.expire(key, session.ttl)
                pipe.execute()
            else:
                changed = [k for k in session.changed if k in session]
                removed = [k for k in session.changed if k not in session]
                pairs = [item for k in changed for item in (k, _dumps(session[k]))]
                client.eval(_APPLY_CHANGES, 1, key, session.ttl, len(changed), *pairs, *removed)
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
