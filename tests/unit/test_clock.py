"""One clock: dates that decide something are Cambodia's, whatever the server's time zone (issue 10)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from portal.domain import clock
from portal.paths import PROJECT_ROOT


class _Evening(datetime):
    """20:00 UTC on 6 December 2026: already the 7th in Phnom Penh (UTC+7)."""

    @classmethod
    def now(cls, tz=None):
        instant = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
        return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)


def test_today_is_the_date_in_cambodia_not_on_the_server(monkeypatch):
    monkeypatch.setattr(clock, "datetime", _Evening)
    assert clock.today() == date(2026, 12, 7)


def test_now_is_an_aware_utc_instant():
    assert clock.now().tzinfo is UTC


def test_no_module_asks_the_servers_clock_for_a_date():
    """`date.today()` and a bare `datetime.now()` give the server's date; only portal/domain/clock.py may
    read the clock (portal/data/db.py's utcnow is UTC by construction)."""
    server_dates = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)|\bdatetime\.utcnow\(")
    offenders = [f"{path.relative_to(PROJECT_ROOT)}:{number}"
                 for path in (PROJECT_ROOT / "portal").rglob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if server_dates.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []
