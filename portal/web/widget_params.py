"""WTForms writes every attribute of every input, label and option through `html_params`, which formats each
one with `Markup.format` (an escaping formatter, several calls deep): a fifth of a form step's widget time.
`html_params` below writes the same text (tests/unit/test_widget_params.py compares the two) with one
escape per value, and `install` makes WTForms use it."""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

_original = core.html_params


def html_params(**kwargs) -> Markup:
    """WTForms' `html_params`: attributes sorted by name, `class_`/`for_`/`data_*`/`aria_*` names cleaned,
    True as a bare attribute, False left out, every value escaped (a Markup value's own double quotes as `&quot;`)."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = escape(core.clean_key(key))
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(f'{name}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))  # noqa: S704 - every name and value above is escaped


def install() -> None:
    # The module function (selects, options, text areas, labels through `widgets`) and the copies that
    # inputs and buttons keep as a class attribute.
    core.html_params = widgets.html_params = html_params
    core.Input.html_params = core.Button.html_params = staticmethod(html_params)
