"""An applicant's browser over real HTTP: a cookie jar, forms read from the page (with their CSRF token)
and posted back, redirects followed, and every response's status kept for the scenario's figures."""

from __future__ import annotations

import http.client
import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass

from bs4 import BeautifulSoup


class WalkFailed(AssertionError):
    """The portal did not answer as a person applying expects (an error page, a missing form)."""


@dataclass
class Page:
    status: int
    url: str  # where it landed, after redirects
    text: str
    headers: dict

    @property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.text, "html.parser")


class Statuses:
    """Every status the portal answered, across threads, and the 5xx pages' bodies (for the report)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.server_errors: list[tuple[int, str, str]] = []
        self.transport_errors = 0
        self.bad_unavailable = 0  # 503s that are not the portal's own page with a Retry-After

    def record(self, page: Page, method: str, path: str) -> None:
        with self.lock:
            self.counts[page.status] += 1
            if page.status >= 500:
                self.server_errors.append((page.status, f"{method} {path}", page.text[:300]))
            if page.status == 503 and path != "/healthz" and not (
                    "Retry-After" in page.headers and '<html lang="' in page.text):
                self.bad_unavailable += 1

    def failed_to_connect(self) -> None:
        with self.lock:
            self.transport_errors += 1

    def count(self, predicate) -> int:
        with self.lock:
            return sum(n for status, n in self.counts.items() if predicate(status))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str, statuses: Statuses, timeout: float = 90) -> None:
        self.base, self.statuses, self.timeout = base, statuses, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> Page:
        """One request, redirects followed as a browser does (a POST's redirect becomes a GET)."""
        url = path if path.startswith("http") else self.base + path
        for _ in range(10):
            request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - our own server
            if content_type:
                request.add_header("Content-Type", content_type)
            request.add_header("Accept-Language", "km")
            try:
                with self.opener.open(request, timeout=self.timeout) as response:  # noqa: S310 - our own server
                    page = Page(response.status, response.geturl(), response.read().decode("utf-8", "replace"),
                                dict(response.headers))
            except urllib.error.HTTPError as error:
                try:
                    text = error.read().decode("utf-8", "replace")
                except http.client.HTTPException as broken:  # an error page cut short: a transport error too
                    self.statuses.failed_to_connect()
                    raise ConnectionError(f"{method} {url}: {error.code}, {broken!r}") from broken
                page = Page(error.code, url, text, dict(error.headers))
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                self.statuses.failed_to_connect()
                raise
            except http.client.HTTPException as broken:  # e.g. a response cut short
                self.statuses.failed_to_connect()
                raise ConnectionError(f"{method} {url}: {broken!r}") from broken
            self.statuses.record(page, method, urllib.parse.urlsplit(url).path)
            if page.status in (301, 302, 303, 307, 308) and "Location" in page.headers:
                url = urllib.parse.urljoin(url, page.headers["Location"])
                if page.status in (301, 302, 303):
                    method, body, content_type = "GET", None, None
                continue
            return page
        raise WalkFailed(f"too many redirects from {path}")

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]] = ()) -> Page:
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request("POST", path, body, content_type)

    def submit(self, page: Page, changes: dict | None = None, selector: str = "main form",
               files: list[tuple[str, str, bytes, str]] = ()) -> Page:
        """Post the form `selector` of `page` with its current values, `changes` over them."""
        action, values = form_values(page, selector)
        changes = changes or {}
        values = [(k, v) for k, v in values if k not in changes] + [
            (k, one) for k, v in changes.items() for one in (v if isinstance(v, list) else [v])]
        return self.post(action or urllib.parse.urlsplit(page.url).path, values, files)

    def sign_in(self, email: str, password: str) -> Page:
        page = self.get("/sign-in")
        return self.submit(page, {"contact": email, "password": password}, selector="main form[action='/sign-in']")


def form_values(page: Page, selector: str) -> tuple[str, list[tuple[str, str]]]:
    """The form's action and the values a browser would post (checked boxes, chosen options, hidden inputs)."""
    form = page.soup.select_one(selector)
    if form is None:
        raise WalkFailed(f"no form {selector!r} on {page.url} (status {page.status}): {page.text[:500]}")
    values: list[tuple[str, str]] = []
    for field in form.select("input[name], select[name], textarea[name]"):
        name, kind = field["name"], field.get("type", "text")
        if field.has_attr("disabled"):
            continue
        if field.name == "input" and kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                values.append((name, field.get("value", "on")))
        elif field.name == "input" and kind in ("submit", "button", "file", "image", "reset"):
            continue
        elif field.name == "select":
            first = [] if field.has_attr("multiple") else field.select("option")[:1]
            chosen = field.select("option[selected]") or first
            values.extend((name, option.get("value", option.get_text())) for option in chosen)
        elif field.name == "textarea":
            values.append((name, field.get_text()))
        else:
            values.append((name, field.get("value", "")))
    return form.get("action") or "", values


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, file_name, data, media_type in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
                     f"Content-Type: {media_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
