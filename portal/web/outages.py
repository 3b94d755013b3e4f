"""Outages of the database or Redis, told apart from bugs, and the page that tells people the truth.

A request that fails because PostgreSQL (or SQLite) or Redis cannot be reached is not a bug in the
page: it gets 503 with `Retry-After`, in the person's language and the other one, rendered from a
lean layout that touches neither the database, nor the session, nor the signed-in user (all three may
be what failed). The database session is rolled back first; the failed connection invalidates the pool, and
connections left idle are pinged before use (`portal.data.db`), so the portal recovers by itself once the
server is back.

If even that page cannot be rendered, `static_page` answers in both languages from a constant.
"""

from __future__ import annotations

import contextlib
import json
import logging

import redis
from flask import current_app, g, render_template
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from portal.web.api import is_api_path
from portal.web.api.problems import TYPE_BASE as PROBLEM_TYPES

log = logging.getLogger(__name__)

RETRY_AFTER = 120  # seconds: "a few minutes", and long enough that a restarted server is back
DATABASE, REDIS = "database", "redis"

TITLE = _l("The service is not available right now")
DETAIL = _l("Please try again in a few minutes.")
KEPT = _l("If you were sending a form, go back: what you typed is still in it. Send it again in a few minutes. "
          "What you saved before is kept.")


def _causes(error: BaseException):
    """The error, the error it wraps (Flask's InternalServerError), and its causes and contexts."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "original_exception", None), current.__cause__, current.__context__]


def _kind(error: BaseException) -> str | None:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return DATABASE
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return DATABASE  # server gone, refused connection, pool exhausted, SQLite file missing or locked
    if isinstance(error, redis.ConnectionError | redis.TimeoutError):
        return REDIS
    return None


def outage_of(error: BaseException) -> str | None:
    """`DATABASE` or `REDIS` if `error` (or what caused it) means that server is unreachable, else None."""
    return next((kind for kind in map(_kind, _causes(error)) if kind), None)


def rollback() -> None:
    from portal.extensions import db

    # The connection may be dead: rolling back then invalidates it, and the pool replaces it.
    with contextlib.suppress(Exception):
        db.session.rollback()


def _both_languages(*texts) -> list[dict]:
    """Each text in the page's language, then in the other one."""
    first = str(get_locale() or "km")
    locales = [first] + [code for code in ("km", "en") if code != first]
    versions = []
    for code in locales:
        with force_locale(code):
            versions.append({"lang": code, "texts": [str(text) for text in texts]})
    return versions


def _forget_the_user() -> None:
    """Make the rest of this request anonymous without asking the database who is signed in.

    Flask-Login's template context loads the signed-in user on every render. When the failed load was that
    very question, it is asked again, and on a locked SQLite file that is a second full busy wait (15 s)
    before this page can be sent: a page that takes twice the timeout, or longer than the client waits."""
    g._login_user = current_app.login_manager.anonymous_user()  # noqa: SLF001 - Flask-Login's own cache of it


def outage_response(kind: str):
    """The 503 page for an outage of `kind`; never raises."""
    g.outage = kind  # after-request code reads this and leaves the session and the user alone
    rollback()
    _forget_the_user()
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    try:
        versions = _both_languages(TITLE, DETAIL, KEPT)
        body = render_template("errors/outage.html", versions=versions, code=503)
    except Exception:
        log.exception("the outage page could not be rendered; the static page was sent")
        return static_page(503), 503, headers
    return body, 503, headers


FALLBACK = {
    500: ("សូមអភ័យទោស មានបញ្ហាកើតឡើងនៅផ្នែកប្រព័ន្ធរបស់យើង", "សូមព្យាយាមម្តងទៀតក្នុងរយៈពេលប៉ុន្មាននាទីទៀត។",
          "Sorry, something went wrong on our side", "Please try again in a few minutes."),
    503: ("សេវានេះមិនអាចប្រើបាននៅពេលនេះទេ", "សូមព្យាយាមម្តងទៀតក្នុងរយៈពេលប៉ុន្មាននាទីទៀត។",
          "The service is not available right now", "Please try again in a few minutes."),
}


def static_page(code: int) -> str:
    """A page in Khmer and English from constants: what is sent when no template can be rendered."""
    km_title, km_detail, en_title, en_detail = FALLBACK[503 if code == 503 else 500]
    return (
        '<!doctype html>\n<html lang="km"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{km_title} | {en_title}</title></head>"
        '<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">'
        f"<h1>{km_title}</h1><p>{km_detail}</p>"
        f'<div lang="en"><h2>{en_title}</h2><p>{en_detail}</p></div>'
        f'<p><a href="/">ទំព័រដើម</a> · <a href="/" lang="en">Home page</a></p>'
        "</body></html>\n"
    )


def static_problem(code: int, environ: dict) -> str:
    """The API's problem details (portal/web/api/problems.py) from constants, in the language asked for."""
    km_title, km_detail, en_title, en_detail = FALLBACK[503 if code == 503 else 500]
    asked = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept).best_match(["km", "en"])
    title, detail = (en_title, en_detail) if asked == "en" else (km_title, km_detail)
    return json.dumps({"type": f"{PROBLEM_TYPES}{code}", "title": title, "status": code, "detail": detail},
                      ensure_ascii=False)


class LastResort:
    """WSGI middleware: whatever escapes Flask (an error inside an error handler, a session that could
    not be saved while an error was handled) still gets a page in both languages, never the server's
    bare "Internal Server Error"."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        # The app's status and headers are passed on only once it has returned: an error after it started its
        # answer (in a teardown, say) then replaces the whole answer, headers included. Passed on at once, the
        # server would keep the first answer's Content-Length over this page's shorter body: a page cut short.
        started: list = []

        def start_later(status, headers, exc_info=None):
            started[:] = [status, headers]
            return lambda data: start_response(status, headers)(data)  # WSGI's write(): unused by Flask

        try:
            answer = self.wsgi_app(environ, start_later)
        except Exception as error:
            code = 503 if outage_of(error) else 500
            log.exception("an error escaped the error pages; the static page was sent")
            if is_api_path(environ.get("PATH_INFO", "")):
                content_type, body = "application/problem+json", static_problem(code, environ)
            else:
                content_type, body = "text/html; charset=utf-8", static_page(code)
            headers = [("Content-Type", content_type), ("Cache-Control", "no-store")]
            if code == 503:
                headers.append(("Retry-After", str(RETRY_AFTER)))
            status = "503 Service Unavailable" if code == 503 else "500 Internal Server Error"
            start_response(status, headers)
            return [body.encode()]
        start_response(*started)
        return answer
