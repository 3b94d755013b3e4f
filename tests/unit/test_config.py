from __future__ import annotations

import pytest

from portal.config import ConfigError, load_settings


def settings(tmp_path, **environ):
    return load_settings({"PORTAL_ENV": "development", **environ}, instance_path=tmp_path)


class TestDatabaseUrl:
    def test_defaults_to_a_sqlite_file_in_the_instance_folder(self, tmp_path):
        assert settings(tmp_path).database_url == f"sqlite:///{tmp_path / 'portal.sqlite3'}"

    def test_postgres_urls_use_psycopg_3(self, tmp_path):
        url = settings(tmp_path, DATABASE_URL="postgres://u@db.example/portal").database_url
        assert url == "postgresql+psycopg://u@db.example/portal"

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("not a url", "DATABASE_URL: not a database URL"),
            ("mysql://u@h/db", "DATABASE_URL: 'mysql' is not supported"),
        ],
    )
    def test_a_wrong_url_names_the_setting(self, tmp_path, value, message):
        with pytest.raises(ConfigError, match=message):
            settings(tmp_path, DATABASE_URL=value)


class TestRedisUrl:
    def test_unset_means_embedded(self, tmp_path):
        assert settings(tmp_path).redis_url is None

    @pytest.mark.parametrize("value", ["http://localhost:6379", "redis://", "redis://h:port/0"])
    def test_a_wrong_url_names_the_setting(self, tmp_path, value):
        with pytest.raises(ConfigError, match="^REDIS_URL: "):
            settings(tmp_path, REDIS_URL=value)


class TestSecretKey:
    def test_development_generates_one_key_and_keeps_it(self, tmp_path):
        first = settings(tmp_path).secret_key
        assert len(first) >= 48
        assert settings(tmp_path).secret_key == first
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0

    def test_production_refuses_to_start_without_one(self, tmp_path):
        with pytest.raises(ConfigError, match="^SECRET_KEY: must be set in production"):
            settings(tmp_path, PORTAL_ENV="production")

    def test_production_refuses_a_short_one(self, tmp_path):
        with pytest.raises(ConfigError, match="^SECRET_KEY: too short"):
            settings(tmp_path, PORTAL_ENV="production", SECRET_KEY="short")

    def test_production_cookies_are_host_prefixed_and_secure(self, tmp_path):
        config = settings(tmp_path, PORTAL_ENV="production", SECRET_KEY="x" * 40).flask_config()
        assert config["SESSION_COOKIE_NAME"] == "__Host-session"
        assert config["SESSION_COOKIE_SECURE"] is True


def test_an_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="^PORTAL_ENV: "):
        settings(tmp_path, PORTAL_ENV="staging")


class TestAuditSettings:
    def test_keys_and_head_live_under_the_instance_folder_by_default(self, tmp_path):
        loaded = settings(tmp_path)
        assert loaded.audit_keys_path == tmp_path / "keys" / "audit"
        assert loaded.audit_head_file == tmp_path / "audit-head.jsonl"
        assert loaded.audit_head_redis_key is None and loaded.audit_head_interval == 60

    def test_an_operator_chooses_where_the_head_goes(self, tmp_path):
        loaded = settings(tmp_path, AUDIT_HEAD_FILE="/var/log/onewindow/audit-head.jsonl",
                          AUDIT_HEAD_REDIS_KEY="onewindow:audit:head", AUDIT_HEAD_INTERVAL="30")
        assert str(loaded.audit_head_file) == "/var/log/onewindow/audit-head.jsonl"
        assert loaded.audit_head_redis_key == "onewindow:audit:head" and loaded.audit_head_interval == 30

    @pytest.mark.parametrize(("name", "value"), [("AUDIT_HEAD_INTERVAL", "often"), ("AUDIT_HEAD_INTERVAL", "1"),
                                                 ("AUDIT_HEAD_REDIS_KEY", "two words")])
    def test_a_wrong_value_names_the_setting(self, tmp_path, name, value):
        with pytest.raises(ConfigError, match=f"^{name}: "):
            settings(tmp_path, **{name: value})
