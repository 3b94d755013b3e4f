"""A throw-away portal for benchmarks: its own instance folder, SQLite (or DATABASE_URL),
and an embedded Redis (or REDIS_URL). Nothing here touches `instance/`."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.config import load_settings  # noqa: E402
from portal.data import migrate  # noqa: E402
from portal.redis_server import EmbeddedRedis  # noqa: E402


@contextmanager
def portal_app():
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        redis_server = None
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            redis_server = EmbeddedRedis(Path(folder) / "redis").start()
            redis_url = redis_server.url
        environ = {"PORTAL_ENV": "testing", "REDIS_URL": redis_url, "PORTAL_BASE_URL": "https://onewindow.gov.kh"}
        if os.environ.get("DATABASE_URL"):
            environ["DATABASE_URL"] = os.environ["DATABASE_URL"]
        settings = load_settings(environ, instance_path=Path(folder))
        app = create_app(settings)
        if settings.database_url.startswith("postgresql"):
            # A benchmark database starts empty every run.
            from sqlalchemy import text

            from portal.extensions import db

            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(settings.database_url)
        try:
            with app.app_context():
                yield app
        finally:
            if redis_server:
                redis_server.stop()


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
