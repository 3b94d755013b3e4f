"""Formatting filters follow each request's language, also on constants a template writes."""

from __future__ import annotations

import pytest
from flask_babel import force_locale


@pytest.mark.parametrize("expression, km, en", [
    ("'0'|digits", "០", "0"),
    ("12|number", "១២", "12"),
])
def test_a_filter_on_a_constant_is_not_fixed_by_the_first_language_that_rendered_it(app, expression, km, en):
    # Jinja folds a plain filter on a constant at compile time: the first request's language then sticks
    # (a Khmer kiosk's digit pad once showed a Latin 0 after an English page had been rendered).
    with app.test_request_context("/"):
        with force_locale("en"):
            template = app.jinja_env.from_string("{{ " + expression + " }}")  # compiled during a request
            assert template.render() == en
        with force_locale("km"):
            assert template.render() == km
