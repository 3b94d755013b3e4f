"""Load for served apps: `wrk` for GET pages (every answer must be a 200), a small threaded generator for
POSTs, and a cookie-keeping HTTP client for signing in (ROW lines: bench/_rows.py)."""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

# wrk counts only statuses above 399 as errors: a redirect to the sign-in page would pass. This script counts
# every answer that is not a 200 and prints the total at the end.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not200 = 0 end
function response(status, headers, body) if status ~= 200 then not200 = not200 + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not200") end
  io.write(string.format("NOT200 %d\\n", total))
end
"""


class InvalidMeasurement(RuntimeError):
    """An answer was not what the page should give (not a 200, a socket error): no figure is printed."""


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    requests: int
    not_200: int
    socket_errors: int

    def check(self, what: str) -> None:
        if self.requests == 0 or self.not_200 or self.socket_errors:
            raise InvalidMeasurement(f"{what}: {self.requests} requests, {self.not_200} not 200, "
                                     f"{self.socket_errors} socket errors")


def parse_wrk(output: str) -> WrkResult:
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    not_200 = re.search(r"^NOT200 (\d+)", output, re.M)
    if not (rate and total and not_200):
        raise InvalidMeasurement(f"wrk printed no result:\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(float(rate.group(1)), int(total.group(1)), int(not_200.group(1)),
                     sum(int(n) for n in errors.groups()) if errors else 0)


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None, threads: int = 2,
        connections: int = 32) -> WrkResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                   "-s", script.name]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        result = subprocess.run([*command, url], capture_output=True, text=True, check=False,  # noqa: S603
                                timeout=seconds + 60)
    finally:
        Path(script.name).unlink()
    if result.returncode != 0:
        raise InvalidMeasurement(f"wrk failed on {url}: {result.stderr}")
    return parse_wrk(result.stdout)


@dataclass
class Client:
    """One browser: keeps the session cookie by hand, since the portal's is Secure (`__Host-`) and a
    cookie jar would not send it back over the plain http of the benchmark."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request (an API token)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        parts = urllib.parse.urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {**self.headers, **({"Cookie": self.cookie_header()} if self.cookies else {})}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    self.cookies[cookie_name] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if not found:
        raise InvalidMeasurement("no CSRF token in the page")
    return found.group(1)


@dataclass(frozen=True)
class PostRun:
    requests_per_second: float
    failures: list[str]


def post_many(base_url: str, paths: list[str], body: dict, headers: dict, succeeded, concurrency: int = 8) -> PostRun:
    """POST `body` to each of `paths`, `concurrency` at a time (each thread keeps one connection alive);
    `succeeded(path, status, location)` says whether an answer is the expected one."""
    parts = urllib.parse.urlsplit(base_url)
    encoded = urllib.parse.urlencode(body)
    pending = list(reversed(paths))
    lock = threading.Lock()
    failures: list[str] = []

    def work() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    path = pending.pop()
                try:
                    connection.request("POST", path, body=encoded, headers={
                        **headers, "Content-Type": "application/x-www-form-urlencoded"})
                    response = connection.getresponse()
                    response.read()
                    status, location = response.status, response.getheader("Location", "")
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    status, location = 0, str(error)
                if not succeeded(path, status, location):
                    with lock:
                        failures.append(f"{path}: {status} {location}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return PostRun(len(paths) / elapsed, failures)


def median(values: list[float]) -> float:
    return statistics.median(values)

