"""Absolute links to the portal, for what leaves the page: QR codes, emails, text messages.

Production names its address (PORTAL_BASE_URL, required) and links always use it: the Host header a
client sends never reaches a link. In development without PORTAL_BASE_URL, links use the address the
portal is actually served at: while answering a request, the address that request came to (the web
layer hands it over, `following_the_request`); elsewhere (a worker, a command) the address `flask
serve` serves, which it records in the settings of its own process and of the worker it starts.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from urllib.parse import urlsplit

from flask import current_app

_request_address: ContextVar[str | None] = ContextVar("portal_request_address", default=None)


def base_url() -> str:
    """The portal's address, without a trailing slash."""
    settings = current_app.config["PORTAL_SETTINGS"]
    if settings.base_url_fixed:
        return settings.base_url
    return _request_address.get() or settings.base_url


def external_url(endpoint: str, **values) -> str:
    """An absolute link to a page of the portal (no request needed)."""
    base = urlsplit(base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def following_the_request(address: str) -> Token:
    """Links made until `stop_following(token)` point at `address` (when the settings allow it)."""
    return _request_address.set(address.rstrip("/"))


def stop_following(token: Token) -> None:
    _request_address.reset(token)
