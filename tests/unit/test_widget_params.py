"""The faster `html_params` writes exactly what WTForms' own does."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import Form, StringField, widgets
from wtforms.widgets import core

from portal.web import widget_params

CASES = [
    {"name": "a", "id": "f-1", "value": 'x"<y>&\'', "class_": "c", "required": True, "readonly": False,
     "data_geo_children": "/geo", "aria_describedby": "h e"},
    {"value": Markup('a"b<i>'), "for_": "x"},
    {"value": 0, "maxlength": 5, "min": None},
    {"value": "ស្រូវ-rice", "autocomplete": "off", "inputmode": "decimal"},
    {},
]


@pytest.mark.parametrize("params", CASES)
def test_the_same_markup_as_wtforms(params):
    written = widget_params.html_params(**params)
    assert written == widget_params._original(**params)
    assert isinstance(written, Markup)


def test_installed_widgets_write_through_it():
    widget_params.install()
    assert core.Input.html_params is widget_params.html_params
    assert core.html_params is widgets.html_params is widget_params.html_params

    class Named(Form):
        name = StringField("Name <b>")

    form = Named(data={"name": 'Sok "Chanthy"'})
    assert form.name() == Markup('<input id="name" name="name" type="text" value="Sok &#34;Chanthy&#34;">')
    assert form.name.label() == Markup('<label for="name">Name &lt;b&gt;</label>')
