"""The request's language, worked out once per request instead of once per translated string.

A signed-in page asks for it hundreds of times: every `_()` of a template (Flask-Babel's Jinja gettext
looks up the domain, the locale and the translations cache each call) and every `bilingual`/`date`
filter (`str(Locale)` each call). The answer is kept in `g` next to the Locale object it came from:
`force_locale` (receipts, e-mails) and `refresh()` (a language switch) put a new Locale object in
Flask-Babel's context, so a kept answer whose Locale is no longer the current one is worked out again.
"""

from __future__ import annotations

from flask import Flask
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations

from portal.domain.i18n import formatting


def _kept():
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    kept_in = app_context.g.__dict__  # read directly: each `g.` through the proxy is a context lookup
    # Flask-Babel keeps the request's Locale in g._flask_babel.babel_locale; get_locale() works it out
    # the first time (and says the same, at a few context lookups a call, after).
    babel_state = kept_in.get("_flask_babel")
    locale = getattr(babel_state, "babel_locale", None) or get_locale()
    if locale is None:
        return None
    kept = kept_in.get("_request_language")
    if kept is None or kept[0] is not locale:
        kept = (locale, str(locale), get_translations())
        kept_in["_request_language"] = kept
    return kept


def code() -> str:
    kept = _kept()
    return kept[1] if kept else "km"


def translations():
    kept = _kept()
    return kept[2] if kept else get_translations()


def install(app: Flask) -> None:
    """Called after Flask-Babel's init_app: the same Jinja callables as Flask-Babel's, on the kept translations."""
    formatting.use_locale_source(code)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
