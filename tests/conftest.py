"""Shared fixtures.

The suite runs against SQLite and an embedded Redis by default, or against the servers in
DATABASE_URL and REDIS_URL when they are set (CI runs it both ways). Migrations run once per
session; each test runs inside a transaction that is rolled back, so tests never see each
other's rows even though the code under test commits.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app
from portal.config import load_settings
from portal.data import migrate
from portal.data.db import Base, db
from portal.extensions import redis_connection
from portal.redis_server import EmbeddedRedis
from tests.client import PortalClient
from tests.sessions import sign_in_as


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def settings(instance_dir, redis_url):
    environ = {
        "PORTAL_ENV": "testing",
        "REDIS_URL": redis_url,
        "PORTAL_BASE_URL": "http://portal.test",
    }
    if os.environ.get("DATABASE_URL"):
        environ["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return load_settings(environ, instance_path=instance_dir)


@pytest.fixture(scope="session")
def app(settings):
    """The portal. Making it touches neither the database nor Redis: `database` does."""
    app = create_app(settings)
    yield app
    db.engine.dispose()


@pytest.fixture(scope="session")
def database(app, settings):
    """A fresh schema, migrated once per run, with the agencies of services/ in it."""
    _fresh_schema(settings.database_url)
    with app.app_context():
        from portal.data import agencies
        from portal.domain.catalogue import load_catalogue
        from portal.paths import PROJECT_ROOT

        # The shipped services' agencies, whichever services folder a module-scoped fixture (which pytest sets
        # up before this one) has the app reading at the time.
        agencies.sync(load_catalogue(PROJECT_ROOT / "services").all_agencies())
        db.session.commit()


def _fresh_schema(database_url: str) -> None:
    """Start from an empty database (a shared CI database may hold an earlier run's tables)."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Whatever an earlier run (of any version) left: gone, constraints and all.
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(database_url)


def _needs_the_database(request) -> bool:
    """Unit tests run without the database and Redis unless they ask for `database` (directly, or
    through `client`, `factories`, `runner`); one that asks for `app` alone gets an app context.
    Every other test gets the database, Redis and an app context."""
    return request.node.path.parent.name != "unit" or "database" in request.fixturenames


@pytest.fixture(autouse=True)
def _transaction(request):
    """A test that needs the database runs in an app context, inside a transaction rolled back at its end."""
    if not _needs_the_database(request):
        if "app" in request.fixturenames:
            with request.getfixturevalue("app").app_context():
                yield
        else:
            yield
        return
    request.getfixturevalue("database")
    app = request.getfixturevalue("app")
    if "no_db_transaction" in request.keywords:
        with app.app_context():
            yield
        return
    connection = db.engine.connect()
    outer = connection.begin()
    db.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        with app.app_context():
            yield
    finally:
        # Leaving the app context removed the session; now undo everything the test committed.
        outer.rollback()
        connection.close()
        db.session_factory.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")


@pytest.fixture(autouse=True)
def _clean_redis(request):
    """Sessions, throttles and queues from one test must not leak into the next."""
    if _needs_the_database(request):
        request.getfixturevalue("app")
        redis_connection.client.flushdb()


@pytest.fixture(autouse=True)
def _no_published_audit_head(request):
    """A head one test published names entries the next test's (rolled back) log does not hold."""
    if _needs_the_database(request):
        request.getfixturevalue("app").config["PORTAL_SETTINGS"].audit_head_file.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _no_kept_pages(request):
    """A catalogue page kept by one test (the app is the session's) must not answer the next one, which may
    have changed what the page is made from (static file names, templates, settings)."""
    if "app" in request.fixturenames or _needs_the_database(request):
        request.getfixturevalue("app").extensions["public_page_cache"].clear()


@pytest.fixture
def client(app, database) -> PortalClient:
    app.test_client_class = PortalClient
    return app.test_client()


@pytest.fixture
def en(client) -> PortalClient:
    """The client, with English chosen (pages are Khmer by default)."""
    client.expected_lang = "en"
    client.get("/?lang=en")
    return client


@pytest.fixture
def runner(app, database):
    return app.test_cli_runner()


@pytest.fixture
def factories(app, database):
    from tests import factories

    return factories


@pytest.fixture
def trader(client, factories):
    """A citizen with a national ID, signed in, reading English (the market-stall fixture's applicant)."""
    person = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              national_id="012345678", phone="+85512777889")
    sign_in_as(client, person)
    client.expected_lang = "en"
    return person


def pytest_collection_modifyitems(config, items):
    # Tests that start their own PostgreSQL/SQLite and Redis ignore DATABASE_URL and REDIS_URL: run twice (CI runs
    # the suite with and without them) they would only repeat themselves, so they run in the pass without it.
    own_servers_skip = None
    if os.environ.get("DATABASE_URL"):
        own_servers_skip = pytest.mark.skip(reason="starts its own servers: runs in the pass without DATABASE_URL")
    for item in items:
        if re.search(r"[\\/]e2e[\\/]", str(item.fspath)):
            item.add_marker(pytest.mark.e2e)
        if own_servers_skip and item.get_closest_marker("own_servers"):
            item.add_marker(own_servers_skip)
