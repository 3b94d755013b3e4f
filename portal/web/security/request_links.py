"""In development without PORTAL_BASE_URL, links made while answering a request (a reset link, an
enrolment link) point at the address the request came to, so that a portal run on another port sends
links that work. Production never does: there the Host header is the client's to choose, and a link
built from it could send someone's reset token to another site (portal.domain.links)."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, request

from portal.domain import links


def _follow() -> None:
    if not current_app.config["PORTAL_SETTINGS"].base_url_fixed:
        g.links_token = links.following_the_request(request.url_root)


def _stop(_error=None) -> None:
    token = g.pop("links_token", None)
    if token is not None:
        with contextlib.suppress(ValueError):  # a context other than the one that set it: it ends with it
            links.stop_following(token)


def init_app(app: Flask) -> None:
    app.before_request(_follow)
    app.teardown_request(_stop)
