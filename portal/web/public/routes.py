from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file
from flask_login import current_user

from portal.data import people
from portal.domain.catalogue import get_catalogue
from portal.domain.rendering.fonts import web_font_path
from portal.extensions import csrf, db
from portal.web.helpers import safe_next_url
from portal.web.locale import LANGUAGES, remember
from portal.web.public import audiences, health

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


@blueprint.get("/healthz")
def healthz():
    """Answered ahead of Flask by `health.HealthCheck`; the route stays so that the URL map lists it."""
    return health.response(current_app)


@blueprint.get("/fonts/<name>.woff2")
def font(name: str):
    path = web_font_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="font/woff2", max_age=365 * 24 * 3600)
