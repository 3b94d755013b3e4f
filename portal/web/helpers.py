"""Small helpers shared by the web blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for
from werkzeug.datastructures import CombinedMultiDict


def safe_next_url(target: str | None, default_endpoint: str = "public.home") -> str:
    """Only same-site paths are followed after a form, never another host (open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(default_endpoint)


def keep_private(response):
    """For pages that carry a token or a secret (use with `after_this_request`): no cache or back button
    keeps them, and no Referer takes their address to another site."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def posted_form():
    """The fields and files of a POSTed form, for a form built by the domain (a service step); None for
    any other method. Read here rather than by Flask-WTF, which would also take a JSON body as form data."""
    if request.method != "POST":
        return None
    return CombinedMultiDict((request.files, request.form))
