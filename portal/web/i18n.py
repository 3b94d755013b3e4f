"""Khmer and English: choosing the locale and formatting numbers, money and dates for it."""

from __future__ import annotations

import re

from flask import Flask
from jinja2 import pass_context
from markupsafe import Markup, escape

from portal.domain.applications.fee_explained import describe as describe_fee_rule
from portal.domain.i18n import formatting
from portal.extensions import babel
from portal.web import request_language
from portal.web.locale import LANGUAGES, remember_locale_cookie, select_locale


def init_i18n(app: Flask) -> None:
    from portal.paths import PROJECT_ROOT

    babel.init_app(
        app,
        default_locale="km",
        default_translation_directories=str(PROJECT_ROOT / "translations"),
        default_timezone="Asia/Phnom_Penh",
        locale_selector=select_locale,
    )
    request_language.install(app)
    app.after_request(remember_locale_cookie)
    app.jinja_env.filters.update(
        digits=_per_request(formatting.digits),
        number=_per_request(formatting.number),
        money=_per_request(formatting.money),
        minor_money=_per_request(minor_money),
        date=_per_request(formatting.date),
        datetime=_per_request(formatting.date_time),
        bilingual=_per_request(formatting.pick),
        fee_rule=describe_fee_rule,  # both languages: `bilingual` picks one
        khmer_spans=khmer_spans,
    )
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_locale"] = formatting.current_locale


def _per_request(format_):
    """A filter whose result depends on the request's language. Jinja evaluates a filter on a constant
    (`{{ '0'|digits }}`) once, when it compiles the template, and keeps the result for every later request
    in any language; a filter that takes the context is never folded."""

    @pass_context
    def filter_(_context, *args, **kwargs):
        return format_(*args, **kwargs)

    filter_.__name__ = format_.__name__
    return filter_


def minor_money(minor: int, currency: str = "KHR") -> str:
    """An amount of the payments ledger (an int in riel or US cents), as `money` writes it."""
    from portal.payments.money import shown

    return shown(minor, currency)


# Khmer letters and digits, with the spaces between Khmer words (a name such as "សុខ ចាន់ធី").
_KHMER_RUN = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]+(?: [\u1780-\u17FF\u19E0-\u19FF]+)*")


def khmer_spans(text: str | None) -> Markup:
    """Text in both scripts (a name as an application gives it) with its Khmer runs marked `lang="km"`:
    they then take the portal's Khmer font on an English page too, never a system font that may be missing."""
    text = text or ""
    parts, done = [], 0
    for run in _KHMER_RUN.finditer(text):
        parts += [escape(text[done:run.start()]), Markup('<span lang="km">{}</span>').format(run.group(0))]
        done = run.end()
    parts.append(escape(text[done:]))
    return Markup("").join(parts)
