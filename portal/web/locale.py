"""Which language a request is answered in.

Order: `?lang=` on the URL, then the signed-in user's saved choice, then the `lang` cookie,
then Khmer. Khmer is the default for everyone; we do not guess from Accept-Language, except for the API
(`api_locale`), whose clients have no other way to ask.
"""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_login import current_user

from portal.web.api import is_api_path

DEFAULT_LOCALE = "km"
# Each language named in its own language, as the switch shows it.
LANGUAGES = {"km": "ខ្មែរ", "en": "English"}
LANG_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def normalise(value: str | None) -> str | None:
    return value if value in LANGUAGES else None


def select_locale() -> str:
    if is_api_path(request.path):
        return api_locale()
    from_query = normalise(request.args.get("lang"))
    if from_query:
        g.remember_locale = from_query
        return from_query
    # During an outage the signed-in user cannot be loaded: the cookie decides (portal/web/outages.py).
    if not g.get("outage") and current_user and current_user.is_authenticated and normalise(current_user.locale):
        return current_user.locale
    return chosen_in_browser() or DEFAULT_LOCALE


def api_locale() -> str:
    """An API client asks with `?lang=` or, as HTTP clients do, Accept-Language; nothing is remembered."""
    return (normalise(request.args.get("lang")) or request.accept_languages.best_match(list(LANGUAGES))
            or DEFAULT_LOCALE)


def chosen_in_browser() -> str | None:
    """The language this browser was switched to (the cookie), if it was."""
    return normalise(request.cookies.get(LANG_COOKIE))


def remember(locale: str) -> None:
    """Ask for the cookie to be set on this response."""
    g.remember_locale = locale


def remember_locale_cookie(response: Response) -> Response:
    locale = g.pop("remember_locale", None)
    if locale and request.cookies.get(LANG_COOKIE) != locale:
        response.set_cookie(
            LANG_COOKIE,
            locale,
            max_age=ONE_YEAR,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response
