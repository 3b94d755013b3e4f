"""Settings read from the environment, checked once, with one-line errors.

Every setting a person may get wrong is checked here so that a mistake is reported as
"SETTING: what is wrong" instead of a traceback from deep inside a library.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the setting and says why."""


@dataclass(frozen=True)
class KhqrSettings:
    """KHQR (Bakong) payments: who is paid, how long a QR code is valid, how confirmations reach us.
    docs/payments-khqr.md. None on Settings: KHQR is not offered (production without KHQR_ACCOUNT_ID)."""

    account_id: str  # the Bakong account paid, name@bank
    merchant_name: str  # as bank apps show it (printable ASCII, at most 25 characters)
    merchant_city: str
    merchant_name_km: str | None
    merchant_city_km: str | None
    merchant_id: str | None  # with acquiring_bank: a merchant account (KHQR tag 30) instead of an individual one
    acquiring_bank: str | None
    request_minutes: int  # a payment request's QR code expires after this long
    callback_secret: bytes  # HMAC key of the provider's signed callbacks
    callback_max_age: int  # seconds: a callback signed longer ago than this is refused as late
    status_url: str | None  # the provider's transaction status endpoint; None: the development gateway's
    status_token: str | None  # bearer token for it
    poll_interval: int  # seconds between status polls of open requests
    development_gateway: bool  # the in-portal test bank (development and tests only, never production)


@dataclass(frozen=True)
class Settings:
    env: str
    instance_path: Path
    database_url: str
    redis_url: str | None  # None: the portal starts an embedded Redis of its own
    secret_key: str
    base_url: str
    mail_server: str | None
    mail_port: int
    mail_sender: str
    mail_use_tls: bool
    mail_username: str | None
    mail_password: str | None
    docstore_path: Path
    clamav_command: str | None
    signing_keys_path: Path
    audit_keys_path: Path  # the audit log's MAC keys (portal.domain.audit.keys), never in the database
    audit_head_file: Path  # the audit log's head is appended here now and then (portal.domain.audit.head)
    audit_head_redis_key: str | None  # and pushed to this Redis list too, when set
    escalation_interval: int = 300  # seconds between runs of the escalation job
    trusted_proxies: int = 0  # reverse proxies (load balancers) in front of the portal whose X-Forwarded-* we believe
    audit_head_interval: int = 60  # seconds between runs of the head publication job
    data_keys_path: Path | None = None  # keys that encrypt secrets kept in the database; None: instance/keys/data
    # False in development without PORTAL_BASE_URL: base_url is then the address `flask serve` serves
    # (PORTAL_SERVED_URL, which it hands to the worker it starts), and links made while answering a
    # request follow the address the request came to (portal.domain.links).
    base_url_fixed: bool = True
    khqr: KhqrSettings | None = None
    kiosk_idle_seconds: int = 120  # a kiosk's idle time before its session ends (portal.web.kiosk)

    @property
    def production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict:
        """The Flask config keys these settings map to."""
        cookie_name = "__Host-session" if self.production else "session"
        return {
            "PORTAL_SETTINGS": self,
            "SECRET_KEY": self.secret_key,
            "TESTING": self.env == "testing",
            "SESSION_COOKIE_NAME": cookie_name,
            "SESSION_COOKIE_SECURE": self.production,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_DURATION": 0,
            "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which has its own timeouts
            "WTF_CSRF_SSL_STRICT": self.production,
            "PREFERRED_URL_SCHEME": "https" if self.production else "http",
            "ESCALATION_INTERVAL": self.escalation_interval,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "AUDIT_HEAD_INTERVAL": self.audit_head_interval,
            "KIOSK_IDLE_SECONDS": self.kiosk_idle_seconds,
        }


def load_settings(environ: os._Environ | dict | None = None, instance_path: Path | None = None) -> Settings:
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("PORTAL_ENV", "development").strip() or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV: {env!r} is not one of {', '.join(ENVIRONMENTS)}")
    instance = Path(env_vars.get("PORTAL_INSTANCE_PATH") or instance_path or Path.cwd() / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)

    if env == "production":
        _require_production_services(env_vars)
    secret_key = _secret_key(env_vars.get("SECRET_KEY"), env, instance)
    return Settings(
        env=env,
        instance_path=instance,
        database_url=_database_url(env_vars.get("DATABASE_URL"), instance),
        redis_url=_redis_url(env_vars.get("REDIS_URL")),
        secret_key=secret_key,
        base_url=_base_url(env_vars.get("PORTAL_BASE_URL"), env, env_vars.get(SERVED_URL_VARIABLE)),
        base_url_fixed=bool(env_vars.get("PORTAL_BASE_URL")) or env == "production",
        mail_server=env_vars.get("MAIL_SERVER") or None,
        mail_port=_port("MAIL_PORT", env_vars.get("MAIL_PORT", "25")),
        mail_sender=env_vars.get("MAIL_SENDER", "One Window <no-reply@onewindow.gov.kh>"),
        mail_use_tls=env_vars.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
        mail_username=env_vars.get("MAIL_USERNAME") or None,
        mail_password=env_vars.get("MAIL_PASSWORD") or None,
        docstore_path=Path(env_vars.get("DOCSTORE_PATH") or instance / "docstore"),
        clamav_command=env_vars.get("CLAMAV_COMMAND") or None,
        signing_keys_path=Path(env_vars.get("SIGNING_KEYS_PATH") or instance / "keys"),
        escalation_interval=_seconds("ESCALATION_INTERVAL", env_vars.get("ESCALATION_INTERVAL", "300")),
        trusted_proxies=_proxy_hops(env_vars.get("TRUSTED_PROXIES", "0")),
        kiosk_idle_seconds=_kiosk_idle(env_vars.get("KIOSK_IDLE_SECONDS", "120")),
        audit_keys_path=Path(env_vars.get("AUDIT_KEYS_PATH") or instance / "keys" / "audit"),
        audit_head_file=Path(env_vars.get("AUDIT_HEAD_FILE") or instance / "audit-head.jsonl"),
        audit_head_redis_key=_redis_key("AUDIT_HEAD_REDIS_KEY", env_vars.get("AUDIT_HEAD_REDIS_KEY")),
        audit_head_interval=_seconds("AUDIT_HEAD_INTERVAL", env_vars.get("AUDIT_HEAD_INTERVAL", "60")),
        data_keys_path=Path(env_vars.get("DATA_KEYS_PATH") or instance / "keys" / "data"),
        khqr=_khqr(env_vars, env, secret_key),
    )


def _require_production_services(env_vars) -> None:
    # The embedded defaults are for one developer's machine: in production they would silently give each
    # web machine its own SQLite file and its own Redis, and lose applications between them.
    for name, example in (("DATABASE_URL", "postgresql://portal@db.internal/portal"),
                          ("REDIS_URL", "redis://redis.internal:6379/0")):
        if not (env_vars.get(name) or "").strip():
            raise ConfigError(f"{name}: must be set in production (e.g. {example}); "
                              "the embedded default is for development only")


def _database_url(value: str | None, instance: Path) -> str:
    if not value:
        return f"sqlite:///{instance / 'portal.sqlite3'}"
    # Hosting platforms still hand out the old "postgres://" scheme.
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://"):]
    try:
        url = make_url(value)
    except ArgumentError:
        raise ConfigError("DATABASE_URL: not a database URL (expected e.g. postgresql://user@host/db)") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL: {url.get_backend_name()!r} is not supported; use postgresql or sqlite")
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # the one driver we install (psycopg 3)
    return url.render_as_string(hide_password=False)


def _redis_url(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL: expected redis://host:port/db, rediss://... or unix:///path")
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigError("REDIS_URL: the URL names no host")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigError("REDIS_URL: the port is not a number") from None
    return value


def _secret_key(value: str | None, env: str, instance: Path) -> str:
    if value:
        if env == "production" and len(value) < 32:
            raise ConfigError("SECRET_KEY: too short for production (use at least 32 random characters)")
        return value
    if env == "production":
        raise ConfigError("SECRET_KEY: must be set in production (PORTAL_ENV=production)")
    # Development and tests: one random key, made once and kept, so sessions survive a restart.
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# Set by `flask serve` for the processes it starts: the address it serves (see served_url).
SERVED_URL_VARIABLE = "PORTAL_SERVED_URL"


def served_url(host: str, port: int) -> str:
    """The address a development server on host:port is reached at, for links that leave the page (a
    wildcard address is not one a browser can open: this machine's own address stands for it)."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding to it
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _base_url(value: str | None, env: str, served: str | None = None) -> str:
    # Issued documents carry this address in their QR code for years: production must name its real one.
    if env == "production":
        parts = urlsplit(value or "")
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigError("PORTAL_BASE_URL: must be the portal's public https:// address in production "
                              "(e.g. https://onewindow.gov.kh); QR codes and links in messages point at it")
    value = value or served or DEVELOPMENT_BASE_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("PORTAL_BASE_URL: expected an absolute http(s) URL such as https://onewindow.gov.kh")
    return value.rstrip("/")


DEVELOPMENT_KHQR_ACCOUNT = "onewindow@devb"  # the development gateway's made-up bank ("devb")


def _khqr(env_vars, env: str, secret_key: str) -> KhqrSettings | None:
    account = (env_vars.get("KHQR_ACCOUNT_ID") or "").strip()
    if not account:
        if env == "production":
            return None  # no Bakong account configured: applicants pay at the counter only
        account = DEVELOPMENT_KHQR_ACCOUNT
    if account.count("@") != 1 or len(account) > 32 or " " in account:
        raise ConfigError("KHQR_ACCOUNT_ID: a Bakong account id such as onewindow@aclb (name@bank, at most 32 "
                          "characters)")
    secret = env_vars.get("KHQR_CALLBACK_SECRET") or ""
    if env == "production" and len(secret) < 32:
        raise ConfigError("KHQR_CALLBACK_SECRET: must be set in production when KHQR_ACCOUNT_ID is (at least 32 "
                          "random characters, shared with the payment provider)")
    # Development and tests: derived from the secret key, so it is stable and never the same as another's.
    key = secret.encode() if secret else hmac.new(secret_key.encode(), b"khqr-callback", hashlib.sha256).digest()
    name = env_vars.get("KHQR_MERCHANT_NAME", "ONE WINDOW").strip()
    city = env_vars.get("KHQR_MERCHANT_CITY", "PHNOM PENH").strip()
    for setting, value, longest in (("KHQR_MERCHANT_NAME", name, 25), ("KHQR_MERCHANT_CITY", city, 15)):
        if not value or len(value) > longest or not value.isascii() or not value.isprintable():
            raise ConfigError(f"{setting}: {longest} printable Latin characters at most (the Khmer one goes in "
                              f"{setting}_KM)")
    merchant_id = (env_vars.get("KHQR_MERCHANT_ID") or "").strip() or None
    bank = (env_vars.get("KHQR_ACQUIRING_BANK") or "").strip() or None
    if bool(merchant_id) != bool(bank):
        raise ConfigError("KHQR_MERCHANT_ID and KHQR_ACQUIRING_BANK: set both (a merchant account) or neither")
    status_url = (env_vars.get("KHQR_STATUS_URL") or "").strip().rstrip("/") or None
    if status_url and urlsplit(status_url).scheme not in ("http", "https"):
        raise ConfigError("KHQR_STATUS_URL: an http(s) address such as https://api-bakong.nbc.gov.kh")
    if env == "production" and not status_url:
        raise ConfigError("KHQR_STATUS_URL: must be set in production when KHQR_ACCOUNT_ID is (the provider's "
                          "transaction status endpoint)")
    return KhqrSettings(
        account_id=account, merchant_name=name, merchant_city=city,
        merchant_name_km=env_vars.get("KHQR_MERCHANT_NAME_KM", "ច្រកចេញចូលតែមួយ").strip() or None,
        merchant_city_km=env_vars.get("KHQR_MERCHANT_CITY_KM", "ភ្នំពេញ").strip() or None,
        merchant_id=merchant_id, acquiring_bank=bank,
        request_minutes=_minutes("KHQR_REQUEST_MINUTES", env_vars.get("KHQR_REQUEST_MINUTES", "30")),
        callback_secret=key,
        callback_max_age=_seconds("KHQR_CALLBACK_MAX_AGE", env_vars.get("KHQR_CALLBACK_MAX_AGE", "300")),
        status_url=status_url, status_token=env_vars.get("KHQR_STATUS_TOKEN") or None,
        poll_interval=_seconds("KHQR_POLL_INTERVAL", env_vars.get("KHQR_POLL_INTERVAL", "20")),
        development_gateway=env != "production",
    )


def _minutes(name: str, value: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= 24 * 60:
        raise ConfigError(f"{name}: {value!r} is not a whole number of minutes from 1 to 1440")
    return int(value)


def _kiosk_idle(value: str) -> int:
    if not value.strip().isdigit() or not 10 <= int(value) <= 3600:
        raise ConfigError(f"KIOSK_IDLE_SECONDS: {value!r} is not a whole number of seconds from 10 to 3600")
    return int(value)


def _proxy_hops(value: str) -> int:
    if not value.strip().isdigit() or int(value) > 5:
        raise ConfigError(f"TRUSTED_PROXIES: {value!r} is not a number of proxy hops from 0 to 5")
    return int(value)


def _seconds(name: str, value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a whole number of seconds") from None
    if seconds < 10:
        raise ConfigError(f"{name}: {seconds} is too short; use at least 10 seconds")
    return seconds


def _redis_key(name: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if value and (len(value) > 200 or not value.isprintable() or " " in value):
        raise ConfigError(f"{name}: a Redis key of at most 200 characters without spaces, e.g. onewindow:audit:head")
    return value or None


def _port(name: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{name}: {value!r} is not a port number")
    return int(value)
