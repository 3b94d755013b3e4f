"""Servers of a test's own, to stop and start again: a Redis and a PostgreSQL cluster on free ports.

Never the machine's shared servers: an outage test stops what it started, and only that.
"""

from __future__ import annotations

import shutil

from tests.reliability.harness import PG_BIN, PostgresCluster  # noqa: F401 - the outage tests' PostgreSQL
from tests.reliability.own_redis import OwnRedis, free_port  # noqa: F401 - the outage tests' Redis


def postgres_available() -> bool:
    return (PG_BIN / "initdb").exists() and shutil.which("runuser") is not None


class Page:
    def __init__(self, path: str, status: int, headers, body: bytes):
        self.path, self.status, self.headers, self.body = path, status, headers, body
        self.text = body.decode("utf-8", "replace")

    def form(self, selector: str = "main form"):
        from bs4 import BeautifulSoup

        form = BeautifulSoup(self.text, "html.parser").select_one(selector)
        assert form is not None, f"no {selector} on the page ({self.status})"
        values = {field["name"]: field.get("value", "") for field in form.select("input[name]")
                  if field.get("type") not in ("checkbox", "radio", "submit", "file")}
        return form.get("action"), values


class Browser:
    """A person's browser against a real server: cookies kept, redirects not followed (we check them)."""

    def __init__(self, base: str):
        import http.cookiejar
        import urllib.request

        class NoRedirects(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects)

    def request(self, path: str, data: dict | None = None, timeout: float = 60) -> Page:
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - our own local server
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Page(path, response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Page(path, error.code, error.headers, error.read())

    def get(self, path: str) -> Page:
        return self.request(path)

    def submit(self, page: Page, values: dict, selector: str = "main form") -> Page:
        action, fields = page.form(selector)
        return self.request(action or page.path, {**fields, **values})

    def set_language(self, code: str) -> None:
        import http.cookiejar

        host = self.base.split("//", 1)[1].split(":")[0]
        self.cookies.set_cookie(http.cookiejar.Cookie(
            0, "lang", code, None, False, host, False, False, "/", True, False, None, False, None, None, {}))
