"""A throw-away portal for benchmarks: its own instance folder, its own database and its own Redis.
Nothing here touches `instance/`, and no database the benchmark did not create itself.

- Without DATABASE_URL (or with a SQLite one): SQLite in a temporary folder (the embedded default).
- With a PostgreSQL DATABASE_URL: a new database `onewindow_bench_<random>` on that server, dropped at the
  end. The database the URL names is only connected to, to create and drop that one: never changed (a
  shell set up for the README's real-server tests exports the URL of a database someone needs).
- Redis: always an embedded one of its own (a REDIS_URL may name a portal's live queues).
"""

from __future__ import annotations

import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import load_settings  # noqa: E402
from portal.data import migrate  # noqa: E402
from portal.redis_server import EmbeddedRedis  # noqa: E402

BENCH_DATABASE = re.compile(r"^onewindow_bench_[0-9a-f]{12}$")
# Databases this process created, by server: the only ones it will drop.
_created: set[tuple[str, str]] = set()


class RefusedToDrop(RuntimeError):
    """The benchmarks drop only a database they created, in this process."""


def _server(url: str) -> tuple[str, object]:
    """("host:port", the URL with the driver the portal installs)."""
    if url.startswith("postgres://"):  # the old scheme some platforms hand out
        url = "postgresql://" + url[len("postgres://"):]
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return f"{parsed.host}:{parsed.port or 5432}", parsed


def create_database(server_url: str) -> str:
    """A new, empty PostgreSQL database beside the one `server_url` names; returns its URL."""
    server, parsed = _server(server_url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValueError("benchmark databases are made on PostgreSQL only")
    name = f"onewindow_bench_{secrets.token_hex(6)}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    _created.add((server, name))
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """Drop `name` on the server of `server_url`, only if `create_database` made it in this process."""
    server, parsed = _server(server_url)
    if (server, name) not in _created or not BENCH_DATABASE.match(name):
        raise RefusedToDrop(f"refusing to drop database {name!r}: the benchmarks did not create it")
    if parsed.database == name:
        raise RefusedToDrop("refusing to drop the database the connection is made to")
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
    _created.discard((server, name))


@contextmanager
def bench_database(folder: Path):
    """The database URL for one benchmark run (see the module's docstring)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        if given:
            print("DATABASE_URL is not PostgreSQL: benchmarking on SQLite in a temporary folder instead",
                  file=sys.stderr)
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    url = create_database(given)
    try:
        yield url
    finally:
        drop_database(given, make_url(url).database)


@contextmanager
def portal_app():
    from portal.extensions import db

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder, bench_database(Path(folder)) as url:
        redis_server = EmbeddedRedis(Path(folder) / "redis").start()
        try:
            environ = {"PORTAL_ENV": "testing", "REDIS_URL": redis_server.url, "DATABASE_URL": url,
                       "PORTAL_BASE_URL": "https://onewindow.gov.kh"}
            settings = load_settings(environ, instance_path=Path(folder))
            app = create_app(settings)
            migrate.upgrade(settings.database_url)
            try:
                with app.app_context():
                    yield app
            finally:
                db.engine.dispose()
        finally:
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
