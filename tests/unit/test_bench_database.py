"""The benchmarks never drop or empty a database they did not create (issue 11, item 10): a shell set up
for the README's real-server tests exports the DATABASE_URL of a database someone needs."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from portal.paths import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench"
GIVEN_URL = os.environ.get("DATABASE_URL", "")


def bench_helper():
    sys.path.insert(0, str(BENCH))
    try:
        import _portal
    finally:
        sys.path.remove(str(BENCH))
    return _portal


def test_the_bench_helper_refuses_to_drop_a_database_it_did_not_create():
    helper = bench_helper()
    url = "postgresql://postgres@127.0.0.1:5432/onewindow"
    for name in ("onewindow", "onewindow_bench_0123456789ab", "postgres"):
        with pytest.raises(helper.RefusedToDrop):
            helper.drop_database(url, name)


def run_a_benchmark_portal(database_url: str | None) -> str:
    """Start and stop the benchmarks' portal in a process of its own; returns its database URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    if database_url:
        env["DATABASE_URL"] = database_url
    script = textwrap.dedent("""
        from _portal import portal_app
        from portal.extensions import db
        with portal_app():
            print(db.engine.url.render_as_string(hide_password=True))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=BENCH, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_without_a_database_url_the_benchmarks_use_sqlite_in_a_folder_of_their_own():
    url = run_a_benchmark_portal(None)
    assert url.startswith("sqlite:///") and "portal-bench-" in url
    assert not make_url(url).database.startswith(str(PROJECT_ROOT))


@pytest.mark.skipif(not GIVEN_URL.startswith("postgres"), reason="needs a PostgreSQL server (DATABASE_URL)")
def test_the_database_in_database_url_is_left_as_it_was_and_the_benchmarks_own_is_dropped():
    server = create_engine(make_url(GIVEN_URL).set(drivername="postgresql+psycopg"),
                           isolation_level="AUTOCOMMIT", poolclass=NullPool)
    precious = f"onewindow_precious_{secrets.token_hex(4)}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{precious}"'))
    precious_url = make_url(GIVEN_URL).set(drivername="postgresql+psycopg", database=precious)
    someones = create_engine(precious_url, poolclass=NullPool)
    try:
        with someones.begin() as connection:
            connection.execute(text("CREATE TABLE applications (reference text)"))
            connection.execute(text("INSERT INTO applications VALUES ('BR-7KQ4-M9XD')"))

        used = make_url(run_a_benchmark_portal(precious_url.render_as_string(hide_password=False)))

        assert used.database != precious and used.database.startswith("onewindow_bench_")
        with someones.connect() as connection:
            assert connection.execute(text("SELECT reference FROM applications")).scalars().all() == ["BR-7KQ4-M9XD"]
        with server.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                                      {"n": used.database}).scalar() == 0
    finally:
        someones.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{precious}" WITH (FORCE)'))
        server.dispose()


def test_a_sqlite_database_url_is_not_used_either(tmp_path):
    someones = tmp_path / "portal.sqlite3"
    url = run_a_benchmark_portal(f"sqlite:///{someones}")
    assert "portal-bench-" in url and not someones.exists()
