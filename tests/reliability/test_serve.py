"""`flask serve` (what `make run` ends with) starts the web server, a worker and an embedded
Redis, and Ctrl-C stops all of them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
import redis
from rq import Worker

from portal.paths import PROJECT_ROOT

pytestmark = [pytest.mark.no_db_transaction, pytest.mark.own_servers]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local server
                return {"status": response.status}
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_ctrl_c_stops_the_web_server_the_worker_and_the_embedded_redis(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environ["PORTAL_INSTANCE_PATH"] = str(tmp_path)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=environ, check=True, capture_output=True)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([*flask, "serve", "--port", str(port)], cwd=PROJECT_ROOT, env=environ,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz")["status"] == 200
        children = psutil.Process(server.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        assert "redis-server" in names
        assert "jobs worker" in names
        # The worker is a real RQ worker, registered on the embedded Redis.
        embedded = redis.Redis(unix_socket_path=str(tmp_path / "redis" / "redis.sock"))
        deadline = time.monotonic() + 30
        while not Worker.all(connection=embedded) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(Worker.all(connection=embedded)) == 1
        embedded.close()

        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
        assert "Stopped." in (tmp_path / "serve.log").read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
