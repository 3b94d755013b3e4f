"""Khmer and English: choosing the locale and formatting numbers, money and dates for it."""

from __future__ import annotations

from flask import Flask

from portal.domain.i18n import formatting
from portal.extensions import babel
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
    app.after_request(remember_locale_cookie)
    app.jinja_env.filters.update(
        digits=formatting.digits,
        number=formatting.number,
        money=formatting.money,
        date=formatting.date,
        datetime=formatting.date_time,
        bilingual=formatting.pick,
    )
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_locale"] = formatting.current_locale
