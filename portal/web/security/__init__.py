"""The security baseline (DESIGN.md section 8) applied to every request."""

from __future__ import annotations

import logging

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.domain.keys import data_keys
from portal.web.security import headers, request_links, sessions, timeouts

log = logging.getLogger(__name__)


def behind_proxies(wsgi_app, hops: int):
    """Behind a load balancer every request comes from the balancer's address. With `hops` trusted
    proxies, the client's address, scheme and host come from the X-Forwarded-* headers as the last
    `hops` proxies set them; a client that sends the headers itself cannot name its own address.
    With no trusted proxy the headers are ignored."""
    if not hops:
        return wsgi_app
    return ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def _no_nul_in_the_path(_endpoint, values) -> None:
    """A NUL character in a path part (`/applications/%00`) names nothing: 404 before any route looks it up.
    PostgreSQL refuses NUL in text, so a lookup with it failed with a 500 where SQLite found nothing."""
    if values and any(isinstance(v, str) and "\x00" in v for v in values.values()):
        abort(404)


def init_security(app: Flask) -> None:
    app.wsgi_app = behind_proxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    app.session_interface = sessions.DatabaseSessionInterface()
    # First of all before-request functions, ahead of the CSRF check: a session that could not be read
    # must show the outage page, not "this form has expired".
    app.before_request_funcs.setdefault(None, []).insert(0, sessions.raise_if_unavailable)
    timeouts.init_app(app)
    headers.init_app(app)
    request_links.init_app(app)
    app.url_value_preprocessor(_no_nul_in_the_path)

    @app.errorhandler(data_keys.DataKeyError)
    def data_key_missing(error: data_keys.DataKeyError):
        # An operator's problem (DATA_KEYS_PATH): the message names a key id, never a secret.
        log.error("%s", error)
        from portal.web.errors import render_error

        return render_error(503, _l("Signing in with an authenticator app is not available right now"),
                            _l("Please try again later. If this goes on, tell an administrator."))
