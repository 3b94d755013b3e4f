from __future__ import annotations

import time

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file
from flask_login import current_user

from portal.data import people
from portal.domain.catalogue import get_catalogue
from portal.domain.rendering.fonts import web_font_path
from portal.extensions import csrf, db, redis_connection
from portal.web.helpers import safe_next_url
from portal.web.locale import LANGUAGES, remember
from portal.web.public import audiences

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def home():
    catalogue = get_catalogue()
    audience = audiences.chosen(request.args.get("audience"))
    by_category = {}
    for service in catalogue.live():
        if audience is None or audience in service.audience:
            by_category.setdefault(service.category, []).append(service)
    groups = [(catalogue.categories[slug], services) for slug, services in by_category.items()]
    return render_template("pages/public/home.html", groups=groups, agencies=catalogue.agencies,
                           audience=audience, audience_filter=audiences.FILTER)


@blueprint.get("/services/<slug>")
def service(slug: str):
    catalogue = get_catalogue()
    entry = catalogue.get(slug)
    if entry is None or entry.status == "draft":
        abort(404)
    agencies = [catalogue.agencies[a] for a in entry.agencies]
    return render_template("pages/public/service.html", service=entry, agencies=agencies,
                           category=catalogue.categories[entry.category], apply_as=audiences.APPLY_AS)


@blueprint.post("/language")
@csrf.exempt
def choose_language():
    """The language switch: remembered in a cookie, and for a signed-in user in their profile.

    For a visitor who is not signed in the choice is only a cookie, so the switch needs no CSRF token,
    and showing it does not make a server-side session for every anonymous page view. A signed-in
    person's choice changes their profile: that request must carry the token."""
    if current_user.is_authenticated:
        csrf.protect()
    locale = request.form.get("lang")
    if locale not in LANGUAGES:
        abort(400)
    remember(locale)
    if current_user.is_authenticated:
        people.set_locale(current_user, locale)
        db.session.commit()
    return redirect(safe_next_url(request.form.get("next")))


# How long one check of the database and Redis answers /healthz. A load balancer or monitor asks every few
# seconds, so each of its probes still checks for real and an outage shows as 503 within a second; what is
# shared is a flood of probes (many balancers, a benchmark), which would otherwise each cost a database
# connection check (three round trips: the pool's ping, SELECT 1, the rollback) and a Redis ping. A check
# counts only for the connections it was made on (a new engine or Redis client is checked at once).
HEALTH_CHECK_REUSE_SECONDS = 1.0
_last_check: tuple[float, tuple, dict[str, bool]] = (float("-inf"), (), {})


def _checks() -> dict[str, bool]:
    """Whether the database and Redis answer, checked at most once a second per process."""
    global _last_check
    checked_at, checked_on, checks = _last_check
    connections = (db.engine, redis_connection.client)
    now = time.monotonic()
    if now - checked_at >= HEALTH_CHECK_REUSE_SECONDS or len(checked_on) != 2 \
            or any(a is not b for a, b in zip(connections, checked_on, strict=True)):
        checks = {"database": db.is_up(), "redis": redis_connection.is_up()}
        _last_check = (time.monotonic(), connections, checks)
    return checks


@blueprint.get("/healthz")
def healthz():
    checks = _checks()
    body = {name: ("up" if ok else "down") for name, ok in checks.items()}
    body["status"] = "ok" if all(checks.values()) else "degraded"
    response = jsonify(body)
    response.status_code = 200 if all(checks.values()) else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/fonts/<name>.woff2")
def font(name: str):
    path = web_font_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="font/woff2", max_age=365 * 24 * 3600)
