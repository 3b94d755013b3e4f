"""Issue 9, item 8: a password reset or enrolment token never reaches an access log line.

The portal runs for real: `flask serve` (Werkzeug's development server, with its worker and embedded
Redis) and gunicorn with its default access log format, both on one SQLite file. A client with a
cookie jar walks the reset as a browser does: it asks for a link, reads the email the worker wrote,
requests the link's page (browsers never send what follows '#'), posts the token as the page's
script does, and chooses a new password. It opens an administrator's enrolment link (printed by
`flask users create-admin`) the same way. Then both servers' logs are searched for the tokens.
"""

from __future__ import annotations

import email
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from email import policy
from pathlib import Path

import pytest

from portal.paths import PROJECT_ROOT
from tests.reliability.test_serve import free_port, wait_for

pytestmark = [pytest.mark.no_db_transaction, pytest.mark.own_servers]

FLASK = [sys.executable, "-m", "flask", "--app", "app"]
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
LINK = re.compile(r"https?://\S+/password/reset#([A-Za-z0-9_.\-]+)")
ENROLMENT_LINK = re.compile(r"https?://\S+/enrol/link#([A-Za-z0-9_.\-]+)")
NEW_PASSWORD = "ទឹកដោះគោ-milk-tea-7"


class Browser:
    """Just enough of a browser: cookies, forms with their CSRF token, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:  # noqa: S310 - our own local server
            return response.read().decode()

    def post_form(self, path: str, fields: dict) -> tuple[int, str]:
        token = CSRF.search(self.get(path)).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:  # noqa: S310
                return response.status, response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl()


def _environ(instance: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "FLASK_APP")}
    environ.update(PORTAL_INSTANCE_PATH=str(instance), PORTAL_ENV="development", PYTHONUNBUFFERED="1")
    return environ


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _reset_through(browser: Browser, instance: Path, address: str) -> str:
    """Walk the reset for `address` and return the token that was used."""
    mail = instance / "mail"
    before = set(mail.glob("*.eml")) if mail.exists() else set()
    status, landed = browser.post_form("/password/forgot", {"contact": address})
    assert status == 200 and landed.endswith("/password/forgot/sent")
    token = None
    deadline = time.monotonic() + 60
    while token is None and time.monotonic() < deadline:
        # Other messages arrive too (the notice that the previous walk changed a password).
        for path in (set(mail.glob("*.eml")) - before if mail.exists() else set()):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            found = LINK.search(message.get_body(("plain",)).get_content()) if message["To"] == address else None
            token = found.group(1) if found else token
        time.sleep(0.2)
    assert token, f"no reset link reached {address}"
    status, landed = browser.post_form("/password/reset", {"link": token})
    assert status == 200 and landed.endswith("/password/new")
    status, landed = browser.post_form("/password/new", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert status == 200 and landed.endswith("/sign-in")
    return token


def _open_enrolment(browser: Browser, environ: dict, address: str) -> str:
    """Make an administrator with the command line and open the printed link; returns its token."""
    made = subprocess.run([*FLASK, "users", "create-admin", "--email", address], cwd=PROJECT_ROOT, env=environ,
                          check=True, capture_output=True, text=True)
    token = ENROLMENT_LINK.search(made.stdout).group(1)
    status, landed = browser.post_form("/enrol/link", {"link": token})
    assert status == 200 and landed.endswith("/enrol")
    return token


def test_no_one_time_token_reaches_the_development_servers_or_gunicorns_access_log(tmp_path):
    environ = _environ(tmp_path)
    subprocess.run([*FLASK, "db", "upgrade"], cwd=PROJECT_ROOT, env=environ, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", (
        "from portal import create_app\n"
        "from portal.data import people\n"
        "from portal.data.db import db\n"
        "from portal.domain.identity.passwords import hash_password\n"
        "with create_app().app_context():\n"
        "    for n in (1, 2):\n"
        "        people.create(email=f'dara{n}@example.com', password_hash=hash_password('old-password-1'))\n"
        "    db.session.commit()\n"
    )], cwd=PROJECT_ROOT, env=environ, check=True, capture_output=True)

    dev_port, gunicorn_port = free_port(), free_port()
    dev_log, gunicorn_log = tmp_path / "serve.log", tmp_path / "gunicorn-access.log"
    with dev_log.open("wb") as dev_out:
        serve = subprocess.Popen([*FLASK, "serve", "--port", str(dev_port)], cwd=PROJECT_ROOT, env=environ,
                                 stdout=dev_out, stderr=subprocess.STDOUT)
    gunicorn = None
    try:
        wait_for(f"http://127.0.0.1:{dev_port}/healthz")
        # gunicorn shares the embedded Redis `flask serve` started, and so its worker.
        gunicorn_environ = {**environ, "REDIS_URL": f"unix://{tmp_path / 'redis' / 'redis.sock'}"}
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{gunicorn_port}",
             "--access-logfile", str(gunicorn_log), "app:app"],
            cwd=PROJECT_ROOT, env=gunicorn_environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(f"http://127.0.0.1:{gunicorn_port}/healthz")

        tokens = [
            _reset_through(Browser(f"http://127.0.0.1:{dev_port}"), tmp_path, "dara1@example.com"),
            _reset_through(Browser(f"http://127.0.0.1:{gunicorn_port}"), tmp_path, "dara2@example.com"),
            _open_enrolment(Browser(f"http://127.0.0.1:{dev_port}"), gunicorn_environ, "admin1@example.gov.kh"),
            _open_enrolment(Browser(f"http://127.0.0.1:{gunicorn_port}"), gunicorn_environ, "admin2@example.gov.kh"),
        ]
    finally:
        if gunicorn is not None:
            _stop(gunicorn)
        _stop(serve)

    for log in (dev_log, gunicorn_log):
        text = log.read_text()
        # The logs did record the walk (so they would have shown a token in a URL) ...
        assert "POST /password/reset " in text and "POST /password/new " in text, log.name
        assert "POST /enrol/link " in text, log.name
        # ... but no token, nor any long piece of one (its signature alone would do).
        for token in tokens:
            pieces = {token, *token.split(".")}
            assert not any(piece in text for piece in pieces if len(piece) >= 16), log.name
