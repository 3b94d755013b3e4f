"""The catalogue pages (home and service pages) for anonymous visitors, rendered once and kept in memory.

Such a page is the same for every visitor who is not signed in. What it depends on comes with the request:
the path, the query (the audience filter; `lang=`; the language switch's `next` field repeats the query),
the language cookie, and the host and scheme (for any link made absolute). Everything else a page can show
comes with another cookie: the session (a signed-in person, flashed messages), the kiosk's device cookie
(the kiosk variant of the layout), a remember-me cookie. So only a GET or HEAD with no cookie but the
language cookie is answered from here, keyed by all of the above; any other request is rendered as before.
Nothing here reads or writes the session, so an anonymous visitor still gets no session.

How: the route renders the page the first time as always, through every before- and after-request
function (security headers, Vary, Cache-Control); `mark_page` then gives it its ETag and says it may be
kept, and the middleware (`KeptPages`) keeps the finished response, headers and all. The next identical
request gets that response before Flask is reached: no session lookup, no user loading, no rendering,
which is most of a page's cost. A response that sets a cookie (`?lang=` changing the language cookie) is
not kept: it is a one-off.

Freshness: the kept pages belong to one loaded catalogue. When the process loads another one (a reload,
`forget_loaded`), the next request misses, is rendered from the new catalogue, and the old pages are
dropped; `Last-Modified` is when the cache first used that catalogue. Translations are compiled before
the process starts, so they cannot change under it. When templates reload by themselves (development with
auto-reload), nothing is kept: an edited template must show at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from http.cookies import CookieError, SimpleCookie

from flask import Flask, Response, request
from werkzeug.wrappers import Response as WsgiResponse

from portal.domain.catalogue import get_catalogue
from portal.web.locale import LANG_COOKIE

CACHED_ENDPOINTS = {"public.home", "public.service"}
MAX_PAGES = 256  # x ~10-30 KB: a few MB per process at most, whatever queries visitors make up
# No cache, the browser's or a proxy's, may show a kept copy without asking first: a reloaded catalogue
# (a new fee, a retired service) must be seen at once. Asking costs little: the ETag makes the answer a
# bodiless 304 when nothing changed. Vary: Cookie, because the language cookie and a session change the page.
CACHE_CONTROL = "no-cache"
_KEY = "portal.page_cache.key"  # in the WSGI environ: the request may be kept under this key
_KEEP = "portal.page_cache.keep"  # set by `mark_page`: (ETag, catalogue) of a response to keep
_NOT_KEPT_HEADERS = {"date", "content-length"}


class PageCache:
    """Finished responses by key, least recently used dropped first, all of one catalogue."""

    def __init__(self, max_pages: int = MAX_PAGES):
        self.max_pages = max_pages
        self._pages: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()
        self.catalogue = None
        self.loaded_at = 0.0
        self._lock = threading.Lock()

    def for_catalogue(self, catalogue) -> None:
        """Forget every page if `catalogue` is not the one they were rendered from."""
        with self._lock:
            if catalogue is not self.catalogue:
                self._pages.clear()
                self.catalogue = catalogue
                self.loaded_at = time.time()

    def get(self, key: tuple, catalogue):
        with self._lock:
            if catalogue is not self.catalogue:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page, catalogue) -> None:
        with self._lock:
            if catalogue is not self.catalogue:
                return  # rendered from a catalogue replaced meanwhile
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        """Forget every kept page (tests that change what a page is made from, other than the catalogue)."""
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def request_key(environ) -> tuple | None:
    """The key a request's page is kept under, or None when it must be rendered for itself."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    lang = None
    if environ.get("HTTP_COOKIE"):
        try:
            cookies = SimpleCookie(environ["HTTP_COOKIE"])
        except CookieError:
            return None
        if any(name != LANG_COOKIE for name in cookies):
            return None  # a session, a kiosk, a remember-me cookie: the page may differ
        lang = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else None
    # The scheme, host and prefix as the page may see them (behind trusted proxies: the X-Forwarded-* ones).
    return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""),
            environ.get("HTTP_X_FORWARDED_PROTO"), environ.get("HTTP_X_FORWARDED_HOST"),
            environ.get("HTTP_X_FORWARDED_PORT"), environ.get("HTTP_X_FORWARDED_PREFIX"),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), lang)


class KeptPages:
    """WSGI middleware: answers a request whose page is kept, and keeps the pages `mark_page` marks."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.cache = PageCache()

    def __call__(self, environ, start_response):
        key = None if self.app.jinja_env.auto_reload else request_key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        page = self.cache.get(key, self.app.extensions.get("catalogue"))
        if page is not None:
            status, headers, body = page
            response = WsgiResponse(body, status=status, headers=headers)
            return response.make_conditional(environ)(environ, start_response)
        environ[_KEY] = key
        return self._render_and_keep(key, environ, start_response)

    def _render_and_keep(self, key, environ, start_response):
        sent = {}

        def remember_start(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.wsgi_app(environ, remember_start)  # Flask has run the route and after-request
        kept = environ.get(_KEEP)
        headers = sent.get("headers") or []
        if not kept or not sent.get("status", "").startswith("200") or environ["REQUEST_METHOD"] != "GET" \
                or any(name.lower() == "set-cookie" for name, _ in headers):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        page_headers = [(name, value) for name, value in headers if name.lower() not in _NOT_KEPT_HEADERS]
        self.cache.put(key, (sent["status"], page_headers, body), kept[1])
        return [body]


def mark_page(cache: PageCache):
    """After-request: give a catalogue page that may be kept its ETag, caching headers and 304."""

    def mark(response: Response) -> Response:
        if _KEY not in request.environ or request.endpoint not in CACHED_ENDPOINTS \
                or response.status_code != 200 or response.mimetype != "text/html" or response.direct_passthrough:
            return response
        catalogue = get_catalogue()
        cache.for_catalogue(catalogue)
        body = response.get_data()
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        response.last_modified = cache.loaded_at
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.vary.add("Cookie")
        request.environ[_KEEP] = (response.get_etag()[0], catalogue)
        return response.make_conditional(request)

    return mark


def init_app(app: Flask) -> None:
    kept = KeptPages(app, app.wsgi_app)
    app.wsgi_app = kept
    app.extensions["public_page_cache"] = kept.cache
    app.after_request(mark_page(kept.cache))
