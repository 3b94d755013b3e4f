"""Extensions, created unbound here and bound to the app in `create_app()`."""

from __future__ import annotations

from pathlib import Path

import redis
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from portal.data.db import db
from portal.redis_server import connect, ensure_redis_url


class RedisConnection:
    """The app's Redis client. With no REDIS_URL, the first use starts the embedded Redis."""

    def __init__(self) -> None:
        self._url: str | None = None
        self._instance_path: Path | None = None
        self._client: redis.Redis | None = None

    def init_app(self, url: str | None, instance_path: Path) -> None:
        self._url, self._instance_path, self._client = url, instance_path, None

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = ensure_redis_url(self._instance_path)
        return self._url

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = connect(self.url)
        return self._client

    def blocking_client(self, longest_block: float) -> redis.Redis:
        """A client of its own for a caller that blocks on Redis for up to `longest_block` seconds
        (the RQ worker's dequeue). The shared client's short timeout would cut such a wait off and
        RQ would take it for an outage (an ERROR and a back-off of up to a minute); raising the
        timeout on the shared pool does not reach the connections it already holds."""
        return connect(self.url, socket_timeout=longest_block + 15)

    def is_up(self) -> bool:
        try:
            return bool(self.client.ping())
        except (redis.RedisError, OSError):
            return False


babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
redis_connection = RedisConnection()

__all__ = ["babel", "csrf", "db", "login_manager", "redis_connection"]
