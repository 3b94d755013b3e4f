"""The page benchmark's cheap parts (bench/pages.py, bench/_load.py): reading wrk's output, refusing a run with
answers that are not 200s, the aggregator's ROW lines and finding the demo citizen in `flask demo load`'s table.
No timing is asserted."""

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
        import pages
    finally:
        sys.path.remove(str(BENCH))
    return _load, pages


def test_wrk_output_is_read(bench):
    _load, _ = bench
    result = _load.parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == pytest.approx(695.03)
    assert result.requests == 1397
    assert result.socket_errors == 3
    assert result.not_200 == 0


def test_a_run_with_answers_other_than_200_or_socket_errors_is_refused(bench):
    _load, _ = bench
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
    _load, _ = bench
    line = _load.row("home (catalogue) req/s", 686.4, 4108.2, ">= 0.5")
    assert line == "ROW|home (catalogue) req/s|686|4108|0.17|>= 0.5"
    assert _load.row("service page req/s", 67, 671, ">= 0.5").split("|")[4] == "0.10"
    small = _load.row("My applications req/s", 6, 1364, ">= 0.15").split("|")
    assert small[4] == "0.0044"  # not "0.00": a tiny ratio keeps two significant digits
    assert float(_load.row("x", 1, 0, "-").split("|")[4]) == 0  # no baseline: no division by zero


def test_the_demo_citizen_is_found_in_the_demo_table(bench):
    _, pages = bench
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
    _load, _ = bench
    page = '<form><input id="csrf_token" name="csrf_token" type="hidden" value="Ijk2.abc-def"></form>'
    assert _load.csrf_token(page) == "Ijk2.abc-def"
    with pytest.raises(_load.InvalidMeasurement):
        _load.csrf_token("<form></form>")
