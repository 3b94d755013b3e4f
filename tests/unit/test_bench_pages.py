"""The page benchmarks' cheap parts (bench/pages.py, bench/_load.py, bench/_rows.py, bench/mixed_load.py):
reading wrk's output, refusing a run with answers that are not 200s, the aggregator's ROW lines, finding the
demo citizen and staff in `flask demo load`'s table and sending the Secure cookie over http. No timing is
asserted."""

from __future__ import annotations

import sys

import pytest

from portal.paths import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench"

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:40000/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    45.91ms   12.33ms 120.05ms   71.20%
    Req/Sec   348.60     40.12   420.00     65.00%
  1397 requests in 2.01s, 19.88MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:    695.03
Transfer/sec:      9.89MB
NOT200 0
"""


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        import _load
        import _rows
        import mixed_load
        import pages
    finally:
        sys.path.remove(str(BENCH))
    return _load, pages, _rows, mixed_load


def test_wrk_output_is_read(bench):
    _load, *_ = bench
    result = _load.parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == pytest.approx(695.03)
    assert result.requests == 1397
    assert result.socket_errors == 3
    assert result.not_200 == 0


def test_a_run_with_answers_other_than_200_or_socket_errors_is_refused(bench):
    _load, *_ = bench
    clean = WRK_OUTPUT.replace("read 2", "read 0").replace("timeout 1", "timeout 0")
    _load.parse_wrk(clean).check("page")  # a clean run passes
    with pytest.raises(_load.InvalidMeasurement):
        _load.parse_wrk(WRK_OUTPUT).check("page")  # socket errors
    with pytest.raises(_load.InvalidMeasurement, match="12 not 200"):
        _load.parse_wrk(clean.replace("NOT200 0", "NOT200 12")).check("page")
    with pytest.raises(_load.InvalidMeasurement):
        _load.parse_wrk(clean.replace("NOT200 0\n", ""))  # our script did not run: redirects would go unseen
    with pytest.raises(_load.InvalidMeasurement):
        _load.parse_wrk(clean.replace("1397 requests", "0 requests")).check("page")


def test_rows_have_the_aggregators_format(bench):
    *_, _rows, _ = bench
    line = _rows.compared("home (catalogue) req/s", 686.4, 4108.2, ">= 0.5")
    assert line == "ROW|home (catalogue) req/s|686|4108|0.167|>= 0.5"
    assert _rows.compared("service page req/s", 67.0, 670.0, ">= 0.5").split("|")[4] == "0.100"
    small = _rows.compared("My applications req/s", 6.0, 1364.0, ">= 0.15").split("|")
    assert _rows.compared("My applications req/s", 7.6, 735.0, ">= 0.15").split("|")[4] == "0.010"  # not 0.01
    assert small[4] == "0.0044"  # not "0.004" or "0.000": a tiny ratio keeps two significant digits
    assert _rows.compared("x", 1.0, 0.0).split("|")[3:] == ["0.000", "-", "-"]  # no baseline: no ratio


def test_the_demo_citizen_is_found_in_the_demo_table(bench):
    _, pages, *_ = bench
    table = """Demo accounts (development only). Staff and the administrator also need a TOTP code:

ROLE                     AGENCY  SIGN IN WITH                               PASSWORD          TOTP SECRET
citizen, business owner  -       someone@example.org or +85510000000        a-pass-word-1     -
citizen, business member -       +85510000001                               another-pass-2    -
clerk                    office  clerk@example.org                          staff-pass        ABC
"""
    assert pages.demo_citizen(table) == ("someone@example.org", "a-pass-word-1")
    with pytest.raises(RuntimeError):
        pages.demo_citizen("no table here")


def test_csrf_token_is_read_from_a_form(bench):
    _load, *_ = bench
    page = '<form><input id="csrf_token" name="csrf_token" type="hidden" value="Ijk2.abc-def"></form>'
    assert _load.csrf_token(page) == "Ijk2.abc-def"
    with pytest.raises(_load.InvalidMeasurement):
        _load.csrf_token("<form></form>")


def test_demo_staff_with_a_totp_secret_are_found_in_the_demo_table(bench):
    *_, mixed_load = bench
    table = """ROLE      AGENCY  SIGN IN WITH          PASSWORD     TOTP SECRET
citizen   -       someone@example.org   a-pass-1     -
clerk     office  clerk@example.org     staff-pass   ABCDEF
          otpauth://totp/One%20Window:clerk@example.org?secret=ABCDEF
"""
    [clerk] = mixed_load.demo_staff(table)
    assert (clerk.role, clerk.agency, clerk.email, clerk.password, clerk.totp_secret) == (
        "clerk", "office", "clerk@example.org", "staff-pass", "ABCDEF")
    assert mixed_load.demo_staff("no table") == []


def test_the_load_browser_sends_the_secure_cookie_over_http(bench):
    """The production cookie is Secure: a stock jar keeps it back over the benchmark's http."""
    import http.cookiejar
    import urllib.request

    from tests.reliability.browser import Browser, Statuses

    *_, mixed_load = bench
    cookie = http.cookiejar.Cookie(0, "__Host-session", "s1", None, False, "127.0.0.1", False, False, "/", True,
                                   True, None, False, None, None, {})
    sent = {}
    for kind in (Browser, mixed_load.SecureOverHttp):
        browser = kind("http://127.0.0.1:1", Statuses())
        browser.jar.set_cookie(cookie)
        request = urllib.request.Request("http://127.0.0.1:1/applications")
        browser.jar.add_cookie_header(request)
        sent[kind] = request.get_header("Cookie")
    assert sent == {Browser: None, mixed_load.SecureOverHttp: "__Host-session=s1"}
