"""Reads `services/` and checks every key, so that a mistake in a definition is reported as
`file: path.inside.it: what is wrong` when it is loaded, not as a broken page later."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from portal.catalogue.model import Agency, Catalogue, Category, Fee, Service, Text

LANGS = ("km", "en")
STATUSES = ("draft", "live", "retired")
AUDIENCES = ("citizen", "business")
AGENCY_KINDS = ("ministry", "department", "commune_office")
CURRENCIES = ("KHR", "USD")
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,58}[a-z0-9]$")
KHMER = re.compile(r"[\u1780-\u17FF]")


class DefinitionError(ValueError):
    """A definition is wrong; the message names the file, the path inside it and the problem."""


class _Reader:
    """Walks one YAML document, remembering where it is for error messages."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, problem: str) -> DefinitionError:
        return DefinitionError(f"{self.source}: {where}: {problem}" if where else f"{self.source}: {problem}")

    def mapping(self, value: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping of keys to values")
        unknown = sorted(set(map(str, value)) - required - set(optional))
        if unknown:
            raise self.fail(_join(where, unknown[0]), f"unknown key {unknown[0]!r}")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(_join(where, missing[0]), "is required")
        return value

    def text(self, value: Any, where: str) -> Text:
        self.mapping(value, where, set(LANGS))
        for lang in LANGS:
            if not isinstance(value[lang], str) or not value[lang].strip():
                raise self.fail(_join(where, lang), "needs a non-empty text")
        if not KHMER.search(value["km"]):
            raise self.fail(_join(where, "km"), "is not written in Khmer")
        return {lang: value[lang].strip() for lang in LANGS}

    def slug(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not SLUG.match(value):
            raise self.fail(where, "expected a slug of lower-case letters, digits and hyphens")
        return value

    def integer(self, value: Any, where: str, minimum: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(where, f"expected a whole number of at least {minimum}")
        return value

    def one_of(self, value: Any, where: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(where, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def list_of(self, value: Any, where: str, non_empty: bool = True) -> list:
        if not isinstance(value, list) or (non_empty and not value):
            raise self.fail(where, "expected a non-empty list" if non_empty else "expected a list")
        return value


def _join(where: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else str(key)


def _load_yaml(path: Path, root: Path) -> tuple[Any, _Reader]:
    source = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    reader = _Reader(source)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), reader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise reader.fail(where, "is not valid YAML") from None
    except UnicodeDecodeError:
        raise reader.fail("", "is not UTF-8 text") from None


def load_agencies(root: Path) -> dict[str, Agency]:
    data, r = _load_yaml(root / "agencies.yaml", root)
    r.mapping(data, "", {"agencies"})
    agencies: dict[str, Agency] = {}
    for i, item in enumerate(r.list_of(data["agencies"], "agencies")):
        where = f"agencies[{i}]"
        r.mapping(item, where, {"slug", "kind", "name"}, {"commune_code"})
        slug = r.slug(item["slug"], where + ".slug")
        if slug in agencies:
            raise r.fail(where + ".slug", f"{slug!r} is listed twice")
        agencies[slug] = Agency(
            slug=slug,
            kind=r.one_of(item["kind"], where + ".kind", AGENCY_KINDS),
            name=r.text(item["name"], where + ".name"),
            commune_code=str(item["commune_code"]) if item.get("commune_code") else None,
        )
    return agencies


def load_categories(root: Path) -> dict[str, Category]:
    data, r = _load_yaml(root / "categories.yaml", root)
    r.mapping(data, "", {"categories"})
    categories: dict[str, Category] = {}
    for i, item in enumerate(r.list_of(data["categories"], "categories")):
        where = f"categories[{i}]"
        r.mapping(item, where, {"slug", "name"})
        slug = r.slug(item["slug"], where + ".slug")
        categories[slug] = Category(slug=slug, name=r.text(item["name"], where + ".name"))
    return categories


SERVICE_KEYS = {
    "slug", "version", "status", "audience", "agencies", "category", "title", "summary",
    "eligibility", "requirements", "processing_time", "fees", "legal_basis",
}


def load_service(path: Path, root: Path, agencies: dict[str, Agency], categories: dict[str, Category]) -> Service:
    data, r = _load_yaml(path, root)
    r.mapping(data, "", SERVICE_KEYS)
    slug = r.slug(data["slug"], "slug")
    if slug != path.parent.name:
        raise r.fail("slug", f"{slug!r} does not match its folder name {path.parent.name!r}")
    audience = tuple(
        r.one_of(a, f"audience[{i}]", AUDIENCES) for i, a in enumerate(r.list_of(data["audience"], "audience"))
    )
    service_agencies = tuple(r.list_of(data["agencies"], "agencies"))
    for i, agency in enumerate(service_agencies):
        if agency not in agencies:
            raise r.fail(f"agencies[{i}]", f"unknown agency {agency!r} (see services/agencies.yaml)")
    category = data["category"]
    if category not in categories:
        raise r.fail("category", f"unknown category {category!r} (see services/categories.yaml)")
    processing = r.mapping(data["processing_time"], "processing_time", {"working_days"})
    return Service(
        slug=slug,
        version=r.integer(data["version"], "version", 1),
        status=r.one_of(data["status"], "status", STATUSES),
        audience=audience,
        agencies=service_agencies,
        category=category,
        title=r.text(data["title"], "title"),
        summary=r.text(data["summary"], "summary"),
        eligibility=r.text(data["eligibility"], "eligibility"),
        requirements=tuple(
            r.text(item, f"requirements[{i}]") for i, item in enumerate(r.list_of(data["requirements"], "requirements"))
        ),
        processing_working_days=r.integer(processing["working_days"], "processing_time.working_days", 1),
        fees=tuple(_fee(r, item, f"fees[{i}]") for i, item in enumerate(r.list_of(data["fees"], "fees", False))),
        legal_basis=r.text(data["legal_basis"], "legal_basis"),
        source=r.source,
    )


def _fee(r: _Reader, item: Any, where: str) -> Fee:
    r.mapping(item, where, {"id", "label", "amount"}, {"note"})
    amounts = r.mapping(item["amount"], where + ".amount", set(), set(CURRENCIES))
    if not amounts:
        raise r.fail(where + ".amount", "needs an amount in KHR and/or USD")
    parsed: dict[str, Decimal] = {}
    for currency, value in amounts.items():
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise r.fail(f"{where}.amount.{currency}", f"{value!r} is not a number") from None
        if amount < 0 or (currency == "KHR" and amount != amount.to_integral_value()):
            raise r.fail(f"{where}.amount.{currency}", "expected a non-negative amount (riel has no decimals)")
        parsed[currency] = amount
    return Fee(
        id=_plain_id(r, item["id"], where + ".id"),
        label=r.text(item["label"], where + ".label"),
        amounts=parsed,
        note=r.text(item["note"], where + ".note") if "note" in item else None,
    )


def _plain_id(r: _Reader, value: Any, where: str) -> str:
    if not isinstance(value, str) or not re.match(r"^[a-z][a-z0-9_-]{0,40}$", value):
        raise r.fail(where, "expected an id of lower-case letters, digits, hyphens and underscores")
    return value


def load_catalogue(root: Path) -> Catalogue:
    """Load every `services/<slug>/service.yaml`; the first mistake raises DefinitionError."""
    root = Path(root)
    agencies = load_agencies(root)
    categories = load_categories(root)
    services = tuple(
        load_service(path, root, agencies, categories) for path in sorted(root.glob("*/service.yaml"))
    )
    return Catalogue(services=services, agencies=agencies, categories=categories)
