"""Error pages in the page's language, never a traceback, never the server's bare 500.

Outages of the database or Redis are told apart from bugs and answered with 503 (`outages.py`).
"""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.web import api, outages
from portal.web.api import problems
from portal.web.api.texts import PROBLEMS as API_PROBLEMS

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("Please go back, check what you entered and try again.")),
    403: (_l("You cannot see this page"),
          _l("Your account does not have permission to see this page.")),
    404: (_l("Page not found"),
          _l("Check the address, or go to the home page. Links to records you cannot see also end here.")),
    405: (_l("This page cannot be used that way"), _l("Please go back and use the buttons on the page.")),
    413: (_l("The file is too large"), _l("Please choose a smaller file and try again.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes before you try again.")),
    500: (_l("Sorry, something went wrong on our side"),
          _l("Your information was not lost. Please try again in a few minutes.")),
    503: (_l("The service is not available right now"), _l("Please try again in a few minutes.")),
}
CSRF_MESSAGE = (
    _l("This form has expired"),
    _l("For your security, forms expire. Please go back, reload the page and send the form again."),
)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(body, code: int, headers: dict | None = None) -> tuple:
    """(body, status), as the callers that add to an error page unpack it; with headers when there are any."""
    return (body, code, headers) if headers else (body, code)


def render_error(code: int, title=None, detail=None, headers: dict | None = None):
    if api.is_api_path(request.path):
        api_title, api_detail = API_PROBLEMS.get(code, API_PROBLEMS[500])
        return _answer(problems.response(code, title or api_title, detail or api_detail, headers=headers), code)
    default_title, default_detail = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        return _answer({"error": str(title or default_title), "detail": str(detail or default_detail)}, code, headers)
    if g.get("outage"):
        return outages.outage_response(g.outage)
    try:
        return _answer(render_template(
            "errors/error.html", code=code, title=title or default_title, detail=detail or default_detail
        ), code, headers)
    except Exception as error:
        # The layout reads the signed-in user and the session: an outage shows here first.
        kind = outages.outage_of(error)
        if kind:
            return outages.outage_response(kind)
        log.exception("the error page could not be rendered; the static page was sent")
        return outages.static_page(code), code


def outage_error(kind: str):
    if _wants_json():  # the API's paths too
        g.outage = kind
        outages.rollback()
        # render_error answers the API with a problem, other JSON clients with {"error", "detail"}.
        return render_error(503, outages.TITLE, outages.DETAIL, headers={"Retry-After": str(outages.RETRY_AFTER)})
    return outages.outage_response(kind)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(400, *CSRF_MESSAGE)

    app.wsgi_app = outages.LastResort(app.wsgi_app)
    log_exception = app.log_exception

    def log_unless_outage(exc_info) -> None:
        # Flask logs a traceback for errors raised outside the view (saving the session) before it asks
        # the handler below; an outage is logged there in one line instead.
        if not outages.outage_of(exc_info[1]):
            log_exception(exc_info)

    app.log_exception = log_unless_outage

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        # Flask wraps errors raised outside the view (saving the session, an after-request function).
        original = getattr(error, "original_exception", None)
        if original is not None:
            return unexpected_error(original)
        # A 405 must say which methods the address takes (RFC 9110), on a page or in a problem.
        allowed = {"Allow": ", ".join(sorted(error.valid_methods))} if getattr(error, "valid_methods", None) else None
        return render_error(error.code, headers=allowed)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        kind = outages.outage_of(error)
        if kind:
            # Expected during an outage: one line, not a traceback per request.
            log.warning("%s unreachable on %s %s: %s", kind, request.method, request.url_rule,
                        type(error).__name__)
            return outage_error(kind)
        # The traceback goes to the log (no request data in it); the person gets a plain page.
        log.exception("unhandled error on %s %s", request.method, request.url_rule)
        return render_error(InternalServerError.code)
