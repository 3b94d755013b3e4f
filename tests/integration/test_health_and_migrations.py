from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.data.db import Base, db
from portal.extensions import redis_connection
from portal.redis_server import connect


class TestHealthz:
    def test_reports_redis_down_with_503(self, client, monkeypatch):
        monkeypatch.setattr(redis_connection, "_client", connect("redis://127.0.0.1:1/0"))
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json["redis"] == "down"
        assert response.json["database"] == "up"

    def test_one_check_answers_for_a_second_at_most(self, client, monkeypatch):
        from portal.web.public import health

        checks = []
        monkeypatch.setattr(redis_connection, "is_up", lambda: checks.append(1) or True)
        now = [1000.0]
        monkeypatch.setattr(health.time, "monotonic", lambda: now[0])
        monkeypatch.setattr(health, "_last_check", (float("-inf"), (), {}))
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
        assert len(checks) == 1
        now[0] += health.HEALTH_CHECK_REUSE_SECONDS
        monkeypatch.setattr(redis_connection, "is_up", lambda: False)
        assert client.get("/healthz").status_code == 503  # a second later the outage shows

    def test_public_pages_still_answer_while_redis_is_down(self, client, monkeypatch):
        monkeypatch.setattr(redis_connection, "_client", connect("redis://127.0.0.1:1/0"))
        assert client.get("/services/residence-certificate").status_code == 200


class TestMigrations:
    def test_the_migrations_build_exactly_the_tables_the_models_describe(self):
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []

    @pytest.mark.parametrize("table", ["people", "organisations", "organisation_members", "agencies", "staff_roles"])
    def test_each_table_exists(self, table):
        with db.engine.connect() as connection:
            assert db.engine.dialect.has_table(connection, table)


@pytest.mark.no_db_transaction
def test_outbox_rows_written_before_the_layer_move_run_under_their_new_names(tmp_path):
    """Migration 0015: a job scheduled by the release before the move (named by its module path then)
    is relayed under its stable name, not lost."""
    from sqlalchemy import create_engine, text

    from portal.data import migrate
    from portal.jobs import registry

    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    migrate.upgrade(url, "0014")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO outbox (job_id, job_name, arguments, created_at) "
                                "VALUES ('deliver-1', 'portal.notify.jobs.deliver', '[1]', CURRENT_TIMESTAMP)"))
    migrate.upgrade(url, "head")
    with engine.connect() as connection:
        name = connection.execute(text("SELECT job_name FROM outbox")).scalar_one()
    engine.dispose()
    assert name == "notify.deliver"
    assert registry.get(name).function.__module__ == "portal.domain.notify.jobs"


def test_every_job_name_is_registered_once_and_every_job_has_a_listed_name():
    from portal.jobs import names, registry

    listed = {value for key, value in vars(names).items() if key.isupper()}
    registry.load_all()
    portal_jobs = {name for name, spec in registry._jobs.items() if spec.function.__module__.startswith("portal.")}
    assert portal_jobs == listed
