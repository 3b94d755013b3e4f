"""The request's language is worked out once per request (portal/web/request_language.py), yet a
`force_locale` (receipts, e-mails) or a `refresh()` (a language switch) inside the request still wins."""

from __future__ import annotations

from flask_babel import force_locale

from portal.domain.i18n.formatting import current_locale


def test_the_kept_language_follows_force_locale_and_comes_back_after(app):
    template = app.jinja_env.from_string(
        "{{ current_locale() }} {{ _('Sign out') }} {{ {'km': 'ក', 'en': 'A'}|bilingual }}")
    with app.test_request_context("/?lang=en"):
        assert current_locale() == "en"
        assert template.render() == "en Sign out A"
        with force_locale("km"):
            assert current_locale() == "km"
            assert template.render() == "km ចាកចេញ ក"
        assert template.render() == "en Sign out A"

