"""The catalogues are complete: every UI string is in messages.pot, translated to Khmer, and
present in English; `messages.pot` is not stale; placeholders survive translation."""

from __future__ import annotations

import re

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from portal.paths import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def read_catalogue(path):
    with path.open("rb") as handle:
        return read_po(handle)


def ids(catalogue) -> set:
    return {message.id for message in catalogue if message.id}


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory):
    target = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "-o", str(target), str(PROJECT_ROOT),
    ])
    template = read_catalogue(target)
    assert len(ids(template)) > 20, "extraction found almost nothing: is babel.cfg right?"
    return template


def test_messages_pot_is_current(fresh_template):
    committed = read_catalogue(TRANSLATIONS / "messages.pot")
    assert ids(fresh_template) == ids(committed), "run `make translations` and translate the new strings"


@pytest.mark.parametrize("locale", ["km", "en"])
def test_every_ui_string_is_translated(fresh_template, locale):
    catalogue = read_catalogue(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    missing = []
    for message in fresh_template:
        if not message.id:
            continue
        entry = catalogue.get(message.id)
        strings = entry.string if entry is not None else None
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{len(missing)} strings lack a {locale} translation, e.g. {missing[:5]}"


def test_khmer_translations_keep_their_placeholders_and_are_khmer():
    catalogue = read_catalogue(TRANSLATIONS / "km" / "LC_MESSAGES" / "messages.po")
    for message in catalogue:
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        target = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(source)))
        for text in target:
            assert set(PLACEHOLDER.findall(text)) == wanted, f"placeholders differ in {message.id!r}"
        assert any("\u1780" <= ch <= "\u17ff" for ch in "".join(target)) or not re.search("[A-Za-z]{3}", source[0]), (
            f"{message.id!r} is not translated into Khmer"
        )
