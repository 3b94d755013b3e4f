"""Reads `services/` and checks every key, so that a mistake in a definition is reported as
`file: path.inside.it: what is wrong` when it is loaded, not as a broken page later."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from portal.domain.catalogue import (
    agency_roles,
    contexts,
    copies,
    fee_rules,
    lists,
    offices,
    photos,
    processing_time,
    snapshots,
    staff_step_loader,
    staff_steps,
    subjects,
    validity,
    wholeness,
)
from portal.domain.catalogue.expressions import Expression, ExpressionError, parse
from portal.domain.catalogue.model import (
    APPLICANT,
    COMMUNE_OFFICE_KIND,
    DISTRICT_OFFICE_KIND,
    PROVINCE_OFFICE_KIND,
    STAFF_FACTS,
    Agency,
    Catalogue,
    Category,
    Computed,
    DocumentRequirement,
    Fee,
    Field,
    NotificationRule,
    OncePerApplicant,
    Option,
    Output,
    Period,
    Reason,
    Rule,
    Service,
    State,
    Step,
    Text,
    Transition,
    Waiver,
    Workflow,
)
from portal.domain.catalogue.offices import LocalOffices
from portal.domain.catalogue.prefills import PREFILLS
from portal.domain.catalogue.routing import placeholder_agencies, read_routing
from portal.domain.expression_contexts import DOCUMENTS, FEES, FORMS, GUARDS, OUTPUTS, Use
from portal.domain.fields.kinds import KINDS, names_of
from portal.domain.geo import places

LANGS = ("km", "en")
STATUSES = ("draft", "live", "retired")
AUDIENCES = ("citizen", "business", "foreign_resident")
AGENCY_KINDS = ("ministry", "department", COMMUNE_OFFICE_KIND, DISTRICT_OFFICE_KIND, PROVINCE_OFFICE_KIND)
CURRENCIES = ("KHR", "USD")
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,58}[a-z0-9]$")
KHMER = re.compile(r"[\u1780-\u17FF]")


class DefinitionError(ValueError):
    """A definition is wrong; the message names the file, the path inside it and the problem."""


class _Reader:
    """Walks one YAML document, remembering where it is for error messages."""

    def __init__(self, source: str, option_lists: lists.Lists | None = None):
        self.source = source
        self.lists = option_lists  # what `options_from` may name (a service's reader has them)

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


def _source(path: Path, root: Path) -> str:
    return str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)


def _load_yaml(path: Path, root: Path) -> tuple[Any, _Reader]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _Reader(_source(path, root)).fail("", "is not UTF-8 text") from None
    return _parse_yaml(text, _Reader(_source(path, root)))


def _parse_yaml(text: str, reader: _Reader) -> tuple[Any, _Reader]:
    try:
        return yaml.safe_load(text), reader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise reader.fail(where, "is not valid YAML") from None


PLACE_KEYS = {COMMUNE_OFFICE_KIND: "commune_code", DISTRICT_OFFICE_KIND: "district_code",
              PROVINCE_OFFICE_KIND: "province_code"}


def load_agencies(root: Path) -> tuple[dict[str, Agency], LocalOffices]:
    """The agencies `agencies.yaml` lists, and every local office (generated, with the listed ones in place
    of the generated office of their commune, district or province)."""
    data, r = _load_yaml(root / "agencies.yaml", root)
    r.mapping(data, "", {"agencies"}, {"municipalities", "office_roles"})
    agencies: dict[str, Agency] = {}
    for i, item in enumerate(r.list_of(data["agencies"], "agencies")):
        where = f"agencies[{i}]"
        r.mapping(item, where, {"slug", "kind", "name"},
                  {*PLACE_KEYS.values(), "seal", "signatory", "address", "hours", "phone", "roles"})
        slug = r.slug(item["slug"], where + ".slug")
        if slug in agencies:
            raise r.fail(where + ".slug", f"{slug!r} is listed twice")
        kind = r.one_of(item["kind"], where + ".kind", AGENCY_KINDS)
        signatory = item.get("signatory")
        if signatory is not None:
            r.mapping(signatory, where + ".signatory", {"title"}, {"name"})
        agencies[slug] = offices.located(Agency(
            slug=slug,
            kind=kind,
            name=r.text(item["name"], where + ".name"),
            **_place(r, item, kind, where),
            seal=_seal(r, item["seal"], where + ".seal", root) if "seal" in item else None,
            signatory_title=r.text(signatory["title"], where + ".signatory.title") if signatory else None,
            signatory_name=_name(r, signatory["name"], where + ".signatory.name")
            if signatory and "name" in signatory else None,
            address=_optional_text(r, item, "address", where),
            hours=_optional_text(r, item, "hours", where),
            phone=_phone(r, item.get("phone"), where + ".phone"),
            roles=agency_roles.read_roles(r, item.get("roles"), where + ".roles"),
        ))
    _no_place_twice(r, agencies)
    agencies.update(placeholder_agencies(agencies))  # district-office, province-office: built into the format
    office_roles = agency_roles.read_office_roles(r, data.get("office_roles"), AGENCY_KINDS)
    agencies = agency_roles.with_office_roles(agencies, office_roles)
    listed = tuple(a for a in agencies.values() if offices.place_code(a))
    return agencies, offices.LocalOffices(listed=listed, municipalities=_municipalities(r, data),
                                          office_roles=office_roles)


def _place(r: _Reader, item: dict, office_kind: str, where: str) -> dict[str, str]:
    """The place code of a local office: `commune_code` for a commune office (none for the `commune-office`
    placeholder), `district_code` for a district office, `province_code` for a province office; each a
    code of the address data."""
    found = {}
    for key_kind, key in PLACE_KEYS.items():
        if key not in item:
            continue
        if key_kind != office_kind:
            raise r.fail(f"{where}.{key}", f"only a {key_kind} has a {key}")
        code = str(item[key])
        level = offices.LEVEL_OF_KIND[office_kind]
        if places.by_code(level, code) is None:
            raise r.fail(f"{where}.{key}", f"{code!r} is not a {level} of the address data")
        found[key] = code
    if office_kind in (DISTRICT_OFFICE_KIND, PROVINCE_OFFICE_KIND) and not found:
        raise r.fail(f"{where}.{PLACE_KEYS[office_kind]}", "is required")
    return found


def _no_place_twice(r: _Reader, agencies: dict[str, Agency]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for i, agency in enumerate(agencies.values()):
        code = offices.place_code(agency)
        if code is None:
            continue
        if (agency.kind, code) in seen:
            raise r.fail(f"agencies[{i}].{PLACE_KEYS[agency.kind]}",
                         f"{code!r} already has its office, {seen[(agency.kind, code)]!r}")
        seen[(agency.kind, code)] = agency.slug


def _municipalities(r: _Reader, data: dict) -> frozenset[str]:
    codes = []
    for i, code in enumerate(r.list_of(data.get("municipalities", []), "municipalities", non_empty=False)):
        code = str(code)
        if places.by_code("district", code) is None:
            raise r.fail(f"municipalities[{i}]", f"{code!r} is not a district of the address data")
        codes.append(code)
    return frozenset(codes)


SEAL_TYPES = (".svg", ".png")


def _seal(r: _Reader, value: Any, where: str, root: Path) -> str:
    """A seal image: a path inside the services folder, to an SVG or PNG file that is there."""
    if not isinstance(value, str) or not value.lower().endswith(SEAL_TYPES):
        raise r.fail(where, f"expected the path of a {' or '.join(SEAL_TYPES)} file under the services folder")
    path = (root / value).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise r.fail(where, f"no file {value!r} under the services folder")
    return value


def _name(r: _Reader, value: Any, where: str) -> Text:
    """A person's name: Khmer script in `km`, Latin letters in `en`."""
    text = r.text(value, where)
    if KHMER.search(text["en"]):
        raise r.fail(_join(where, "en"), "is not written in Latin letters")
    return text


def _phone(r: _Reader, value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"^\+?[0-9][0-9 ]{5,20}$", value):
        raise r.fail(where, "expected a phone number of digits and spaces, e.g. 023 123 456")
    return value


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
    "slug",
    "version",
    "status",
    "audience",
    "agencies",
    "category",
    "title",
    "summary",
    "eligibility",
    "requirements",
    "processing_time",
    "fees",
    "legal_basis",
}
OPTIONAL_SERVICE_KEYS = {
    "reference_prefix",
    "name_fields",
    "steps",
    "computed",
    "documents",
    "waivers",
    "workflow",
    "outputs",
    "notifications",
    "retention",
    "period",
    "once_per_applicant",
    "without_account",
    "routing",
    "staff_steps",
}
GUARD_WORDS = STAFF_FACTS
CHANNELS = ("inbox", "email", "sms")
ACCEPT = ("pdf", "jpeg", "png")
ID = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
# Field ids become attribute names of the web form built from them; these would hide its own.
RESERVED_FIELD_IDS = frozenset({
    "data", "errors", "meta", "validate", "process", "populate_obj", "csrf_token", "form_errors", "refresh",
    "hidden_tag", "is_submitted", "validate_on_submit", "extra_validators",
})


def load_service(path: Path, root: Path, agencies: dict[str, Agency], categories: dict[str, Category]) -> Service:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _Reader(_source(path, root)).fail("", "is not UTF-8 text") from None
    return load_service_text(raw, path, root, agencies, categories)


def load_service_text(
    raw: str, path: Path, root: Path, agencies: dict[str, Agency], categories: dict[str, Category],
    templates: dict[str, str] | None = None,
) -> Service:
    """A service from its YAML text; `path` is where it lives (or lived), for messages and templates.
    `templates`: the text of its document templates kept with a pinned version, instead of the files."""
    data, r = _parse_yaml(raw, _Reader(_source(path, root), lists.Lists(root, _load_yaml, _option)))
    r.agencies = agencies  # the roles each declares (agency_roles), for `<agency>.<role>`
    r.mapping(data, "", SERVICE_KEYS, OPTIONAL_SERVICE_KEYS)
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
    processing = r.mapping(data["processing_time"], "processing_time", {"working_days"}, {"by", "options"})
    prefix = data.get("reference_prefix", "OW")
    if not isinstance(prefix, str) or not re.match(r"^[A-Z]{2,3}$", prefix):
        raise r.fail("reference_prefix", "expected 2 or 3 capital letters, e.g. BR")

    steps = tuple(
        _step(r, item, f"steps[{i}]") for i, item in enumerate(r.list_of(data.get("steps", []), "steps", False))
    )
    fields = {f.id: f for step in steps for f in step.fields}
    seen: set[str] = set()
    for i, step in enumerate(steps):
        for j, fld in enumerate(step.fields):
            if fld.id in seen:
                raise r.fail(f"steps[{i}].fields[{j}].id", f"{fld.id!r} is used twice in this service")
            seen.add(fld.id)
    if len({s.id for s in steps}) != len(steps):
        raise r.fail("steps", "two steps have the same id")
    computed = tuple(
        _computed(r, item, f"computed[{i}]")
        for i, item in enumerate(r.list_of(data.get("computed", []), "computed", False))
    )
    names = set(fields) | {c.id for c in computed}
    _no_provided_names(r, steps, computed)
    _check_names(r, steps, computed, names)
    staff = staff_step_loader.read(r, data.get("staff_steps"), service_agencies, fields, names,
                                   read_field=_field, read_role=_role)
    staff_names = names | staff_steps.field_ids_of(staff)  # guards and documents read staff data too
    name_fields = _name_fields(r, data.get("name_fields", []), fields)
    routing = read_routing(r, data.get("routing"), service_agencies, fields, {*fields, *(c.id for c in computed)},
                           agencies)
    documents = tuple(
        _document(r, item, f"documents[{i}]", names)
        for i, item in enumerate(r.list_of(data.get("documents", []), "documents", False))
    )
    fees = tuple(
        _fee(r, item, f"fees[{i}]", staff_names, fields)
        for i, item in enumerate(r.list_of(data["fees"], "fees", False))
    )
    waivers = tuple(
        _waiver(r, item, f"waivers[{i}]", names, {f.id for f in fees})
        for i, item in enumerate(r.list_of(data.get("waivers", []), "waivers", False))
    )
    outputs = _outputs(r, data.get("outputs", {}), path.parent, staff_names, service_agencies,
                       kept_templates=templates)
    photos.check(outputs, documents, r.fail)
    templates = templates if templates is not None else snapshots.read_templates(path.parent, outputs, r.fail)
    workflow = _workflow(r, data["workflow"], service_agencies, outputs, staff_names) if "workflow" in data else None
    staff_step_loader.check_workflow(r, staff, workflow)
    agency_roles.check_routed(r, workflow, staff, routing, agencies)
    notifications = tuple(
        _notification(r, item, f"notifications[{i}]", workflow)
        for i, item in enumerate(r.list_of(data.get("notifications", []), "notifications", False))
    )
    retention = _retention(r, data.get("retention", {"applications_years": 10}))
    period = _period(r, data["period"], fields) if "period" in data else None
    once = _once_per_applicant(r, data["once_per_applicant"], fields, workflow) \
        if "once_per_applicant" in data else None
    without_account = _bool(r, data.get("without_account", False), "without_account")
    if without_account and "citizen" not in audience:
        raise r.fail("without_account", "only a service for citizens (audience: [citizen]) can be applied for "
                                        "without an account")
    if (steps or workflow) and not (steps and workflow):
        raise r.fail(
            "workflow" if steps else "steps", "a service that takes applications needs both steps and a workflow"
        )
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
        processing_by=processing_time.read(r, processing, fields, KINDS),
        fees=fees,
        legal_basis=r.text(data["legal_basis"], "legal_basis"),
        source=r.source,
        reference_prefix=prefix,
        name_fields=name_fields,
        steps=steps,
        staff_steps=staff,
        computed=computed,
        documents=documents,
        waivers=waivers,
        workflow=workflow,
        outputs=outputs,
        notifications=notifications,
        period=period,
        once_per_applicant=once,
        without_account=without_account,
        routing=routing,
        retention_years=retention[0],
        documents_retention_years=retention[1],
        keep_record=retention[2],
        content_hash=snapshots.content_hash(raw, templates),
        templates=templates,
        raw=raw,
    )


def _retention(r: _Reader, value: Any) -> tuple[int, int, bool]:
    """`retention`: years applications and their documents are kept after they close, and whether the
    application is then reduced to a record (reference, service, dates, outcome) rather than removed."""
    retention = r.mapping(value, "retention", set(), {"applications_years", "documents_years", "keep_record"})
    years = r.integer(retention.get("applications_years", 10), "retention.applications_years", 1)
    documents_years = r.integer(retention.get("documents_years", years), "retention.documents_years", 1)
    keep_record = _bool(r, retention.get("keep_record", False), "retention.keep_record")
    if documents_years > years and not keep_record:
        # Documents are the application's: removing the application takes them (portal.domain.retention).
        raise r.fail("retention.documents_years", "cannot be longer than applications_years unless keep_record is "
                                                  "true (the application is removed with its documents)")
    return years, documents_years, keep_record


NAME_TYPES = ("text", "khmer_name", "latin_name")


def _name_fields(r: _Reader, value: Any, fields: dict) -> tuple[str, ...]:
    """`name_fields`: the answers that name who the application is about (staff see and search them)."""
    ids = tuple(r.list_of(value, "name_fields", False))
    for i, field_id in enumerate(ids):
        found = fields.get(field_id) if isinstance(field_id, str) else None
        if found is None:
            raise r.fail(f"name_fields[{i}]", f"unknown field {field_id!r} (a field of a step, not of a group)")
        if found.type not in NAME_TYPES:
            raise r.fail(f"name_fields[{i}]",
                         f"{field_id!r} is of type {found.type}: expected one of {', '.join(NAME_TYPES)}")
    return ids


def _expression(r: _Reader, value: Any, where: str) -> Expression:
    try:
        return parse(value)
    except ExpressionError as error:
        raise r.fail(where, f"bad expression: {error}") from None


def _id(r: _Reader, value: Any, where: str) -> str:
    if not isinstance(value, str) or not ID.match(value):
        raise r.fail(where, "expected an id of lower-case letters, digits and underscores, starting with a letter")
    return value


def _optional_text(r: _Reader, item: dict, key: str, where: str) -> Text | None:
    return r.text(item[key], f"{where}.{key}") if key in item else None


def _decimal(r: _Reader, value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise r.fail(where, "expected a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise r.fail(where, f"{value!r} is not a number") from None


FIELD_KEYS = {
    "hint",
    "required",
    "required_when",
    "show_when",
    "prefill",
    "min_length",
    "max_length",
    "pattern",
    "pattern_message",
    "min",
    "max",
    "currencies",
    "options",
    "options_from",
    "fields",
    "min_items",
    "max_items",
    "accept",
    "max_mb",
    "not_in_future",
    "not_in_past",
}


def _field(r: _Reader, item: Any, where: str, in_group: bool = False) -> Field:
    r.mapping(item, where, {"id", "type", "label"}, FIELD_KEYS)
    if item["type"] == staff_steps.SEQUENCE:
        raise r.fail(where + ".type", "a sequence is assigned by the portal: only a staff step may have one")
    type_name = r.one_of(item["type"], where + ".type", tuple(KINDS))
    kind = KINDS[type_name]
    if in_group and not kind.in_groups:
        raise r.fail(where + ".type", f"a {type_name} field cannot be inside a group")
    options = ()
    if kind.takes_options and "options_from" in item:
        if "options" in item:
            raise r.fail(where + ".options_from", "give options or options_from, not both")
        options = r.lists.options_from(r, item["options_from"], where + ".options_from")
    elif kind.takes_options:
        options = tuple(
            _option(r, o, f"{where}.options[{k}]")
            for k, o in enumerate(r.list_of(item.get("options"), where + ".options"))
        )
        if len({o.value for o in options}) != len(options):
            raise r.fail(where + ".options", "two options have the same value")
    elif "options" in item or "options_from" in item:
        only = _these(names_of("takes_options"))
        key = "options" if "options" in item else "options_from"
        raise r.fail(f"{where}.{key}", f"only {only} fields have {key}, not {type_name}")
    sub_fields = ()
    if kind.takes_fields:
        sub_fields = tuple(
            _field(r, f, f"{where}.fields[{k}]", True)
            for k, f in enumerate(r.list_of(item.get("fields"), where + ".fields"))
        )
    elif "fields" in item:
        raise r.fail(where + ".fields", f"only {_these(names_of('takes_fields'))} fields have fields")
    if "pattern" in item:
        try:
            re.compile(item["pattern"])
        except (re.error, TypeError):
            raise r.fail(where + ".pattern", "not a valid regular expression") from None
    prefill = item.get("prefill")
    if prefill is not None and prefill not in PREFILLS:
        raise r.fail(where + ".prefill", f"unknown prefill {prefill!r}; one of {', '.join(sorted(PREFILLS))}")
    currencies = tuple(item.get("currencies", CURRENCIES))
    for k, currency in enumerate(currencies):
        r.one_of(currency, f"{where}.currencies[{k}]", CURRENCIES)
    accept = tuple(item.get("accept", ACCEPT))
    for k, kind_name in enumerate(accept):
        r.one_of(kind_name, f"{where}.accept[{k}]", ACCEPT)
    if item["id"] in RESERVED_FIELD_IDS:
        raise r.fail(where + ".id", f"{item['id']!r} is reserved; choose another id")
    return Field(
        id=_id(r, item["id"], where + ".id"),
        type=type_name,
        label=r.text(item["label"], where + ".label"),
        hint=_optional_text(r, item, "hint", where),
        required=_bool(r, item.get("required", False), where + ".required"),
        required_when=_expression(r, item["required_when"], where + ".required_when")
        if "required_when" in item
        else None,
        show_when=_expression(r, item["show_when"], where + ".show_when") if "show_when" in item else None,
        prefill=prefill,
        min_length=r.integer(item["min_length"], where + ".min_length", 0) if "min_length" in item else None,
        max_length=r.integer(item["max_length"], where + ".max_length", 1) if "max_length" in item else None,
        pattern=item.get("pattern"),
        pattern_message=_optional_text(r, item, "pattern_message", where),
        min=_decimal(r, item.get("min"), where + ".min"),
        max=_decimal(r, item.get("max"), where + ".max"),
        currencies=currencies,
        options=options,
        options_from=item.get("options_from"),
        fields=sub_fields,
        min_items=r.integer(item.get("min_items", 0), where + ".min_items", 0),
        max_items=r.integer(item.get("max_items", 20), where + ".max_items", 1),
        accept=accept,
        max_mb=r.integer(item.get("max_mb", 5), where + ".max_mb", 1),
        not_in_future=_bool(r, item.get("not_in_future", False), where + ".not_in_future"),
        not_in_past=_bool(r, item.get("not_in_past", False), where + ".not_in_past"),
    )


def _these(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


def _bool(r: _Reader, value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise r.fail(where, "expected true or false")
    return value


def _option(r: _Reader, item: Any, where: str) -> Option:
    r.mapping(item, where, {"value", "label"})
    value = item["value"]
    if not isinstance(value, str) or not re.match(r"^[a-z0-9][a-z0-9_-]{0,40}$", value):
        raise r.fail(where + ".value", "expected a short value of lower-case letters, digits, _ or -")
    return Option(value=value, label=r.text(item["label"], where + ".label"))


def _step(r: _Reader, item: Any, where: str) -> Step:
    r.mapping(item, where, {"id", "title", "fields"}, {"intro", "show_when", "rules"})
    return Step(
        id=_id(r, item["id"], where + ".id"),
        title=r.text(item["title"], where + ".title"),
        fields=tuple(
            _field(r, f, f"{where}.fields[{k}]") for k, f in enumerate(r.list_of(item["fields"], where + ".fields"))
        ),
        intro=_optional_text(r, item, "intro", where),
        show_when=_expression(r, item["show_when"], where + ".show_when") if "show_when" in item else None,
        rules=tuple(
            _rule(r, x, f"{where}.rules[{k}]")
            for k, x in enumerate(r.list_of(item.get("rules", []), where + ".rules", False))
        ),
    )


def _rule(r: _Reader, item: Any, where: str) -> Rule:
    r.mapping(item, where, {"check", "message", "field"})
    return Rule(
        check=_expression(r, item["check"], where + ".check"),
        message=r.text(item["message"], where + ".message"),
        field=_id(r, item["field"], where + ".field"),
    )


MONTHS = tuple(f"{m:02d}" for m in range(1, 13))


def _period(r: _Reader, item: Any, fields: dict[str, Field]) -> Period:
    r.mapping(item, "period", {"year"}, {"month", "must_have_ended"})
    year, month = item["year"], item.get("month")
    # Asked of the kinds (a whole number that counts; one option), never of a type's name.
    if year not in fields or not KINDS[fields[year].type].counts or KINDS[fields[year].type].many:
        raise r.fail("period.year", f"{year!r} is not a whole-number field of this service")
    if month is not None:
        if month not in fields or not KINDS[fields[month].type].takes_options or KINDS[fields[month].type].many:
            raise r.fail("period.month", f"{month!r} is not a field of this service with one option chosen")
        if any(o.value not in MONTHS for o in fields[month].options):
            raise r.fail("period.month", f"the options of {month!r} must have the values 01 to 12")
    ended = item.get("must_have_ended", False)
    if not isinstance(ended, bool):
        raise r.fail("period.must_have_ended", "expected true or false")
    return Period(year=year, month=month, must_have_ended=ended)


def _once_per_applicant(r: _Reader, item: Any, fields: dict[str, Field], workflow) -> OncePerApplicant:
    where = "once_per_applicant"
    r.mapping(item, where, {"fields", "message"}, {"except_states"})
    names = tuple(r.list_of(item["fields"], where + ".fields"))
    for i, name in enumerate(names):
        if name not in fields:
            raise r.fail(f"{where}.fields[{i}]", f"unknown field {name!r}")
    states = tuple(r.list_of(item.get("except_states", []), where + ".except_states", False))
    for i, state in enumerate(states):
        if workflow is None or state not in workflow.states:
            raise r.fail(f"{where}.except_states[{i}]", f"unknown state {state!r}")
    return OncePerApplicant(fields=names, message=r.text(item["message"], where + ".message"), except_states=states)


def _computed(r: _Reader, item: Any, where: str) -> Computed:
    r.mapping(item, where, {"id", "label", "expression"}, {"currency"})
    currency = item.get("currency")
    if currency is not None:
        r.one_of(currency, where + ".currency", CURRENCIES)
    return Computed(
        id=_id(r, item["id"], where + ".id"),
        label=r.text(item["label"], where + ".label"),
        expression=_expression(r, item["expression"], where + ".expression"),
        currency=currency,
    )


def _no_provided_names(r: _Reader, steps: tuple[Step, ...], computed: tuple[Computed, ...]) -> None:
    for i, step in enumerate(steps):
        for j, fld in enumerate(step.fields):
            problem = contexts.provided_name(fld.id)
            if problem:
                raise r.fail(f"steps[{i}].fields[{j}].id", problem)
    for i, item in enumerate(computed):
        problem = contexts.provided_name(item.id)
        if problem:
            raise r.fail(f"computed[{i}].id", problem)


def _check_names(r: _Reader, steps: tuple[Step, ...], computed: tuple[Computed, ...], names: set[str]) -> None:
    """Every name in every condition of the steps and computed values must be a field, a computed value
    or a name the forms see (`portal.domain.expression_contexts`)."""

    def check(expression: Expression | None, where: str) -> None:
        if expression is not None:
            _names_checked(r, expression, where, names, FORMS)

    for i, step in enumerate(steps):
        check(step.show_when, f"steps[{i}].show_when")
        for k, rule in enumerate(step.rules):
            check(rule.check, f"steps[{i}].rules[{k}].check")
            if rule.field not in names:
                raise r.fail(f"steps[{i}].rules[{k}].field", f"unknown field {rule.field!r}")
        for j, fld in enumerate(step.fields):
            check(fld.show_when, f"steps[{i}].fields[{j}].show_when")
            check(fld.required_when, f"steps[{i}].fields[{j}].required_when")
    for i, item in enumerate(computed):
        check(item.expression, f"computed[{i}].expression")


def _names_checked(r: _Reader, expression: Expression, where: str, names: set[str], use: Use) -> Expression:
    """`expression`, once it names only answers and computed values (`names`) and what `use` sees."""
    problem = contexts.unknown_name(expression, use, names)
    if problem:
        raise r.fail(where, problem)
    return expression


def _document(r: _Reader, item: Any, where: str, names: set[str]) -> DocumentRequirement:
    r.mapping(item, where, {"id", "label", "accept", "max_mb"}, {"required", "required_when", "hint"})
    accept = tuple(
        r.one_of(a, f"{where}.accept[{k}]", ACCEPT) for k, a in enumerate(r.list_of(item["accept"], where + ".accept"))
    )
    required_when = None
    if "required_when" in item:
        required_when = _names_checked(
            r, _expression(r, item["required_when"], where + ".required_when"), where + ".required_when", names,
            DOCUMENTS,
        )
    max_mb = r.integer(item["max_mb"], where + ".max_mb", 1)
    if max_mb > 20:
        raise r.fail(where + ".max_mb", "at most 20 MB")
    return DocumentRequirement(
        id=_id(r, item["id"], where + ".id"),
        label=r.text(item["label"], where + ".label"),
        accept=accept,
        max_mb=max_mb,
        required=_bool(r, item.get("required", False), where + ".required"),
        required_when=required_when,
        hint=_optional_text(r, item, "hint", where),
    )


def _fee(r: _Reader, item: Any, where: str, names: set[str] | None = None, fields: dict | None = None) -> Fee:
    if fee_rules.is_computed(item):
        return _computed_fee(r, item, where, names or set(), fields or {})
    r.mapping(item, where, {"id", "label", "amount"}, {"note", "when", "per"})
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
    when = None
    if "when" in item:
        when = _names_checked(r, _expression(r, item["when"], where + ".when"), where + ".when", names or set(), FEES)
    per = item.get("per")
    if per is not None:
        target = (fields or {}).get(per)
        if target is None or not KINDS[target.type].counts:
            raise r.fail(where + ".per", f"{per!r} is not a {' or '.join(names_of('counts'))} field of this service")
    return Fee(
        id=_plain_id(r, item["id"], where + ".id"),
        label=r.text(item["label"], where + ".label"),
        amounts=parsed,
        note=r.text(item["note"], where + ".note") if "note" in item else None,
        when=when,
        per=per,
    )


def _computed_fee(r: _Reader, item: dict, where: str, names: set[str], fields: dict) -> Fee:
    rule = fee_rules.read(r, item, where, names, fields)
    when = None
    if "when" in item:
        when = _names_checked(r, _expression(r, item["when"], where + ".when"), where + ".when", names, FEES)
    return Fee(
        id=_plain_id(r, item["id"], where + ".id"),
        label=r.text(item["label"], where + ".label"),
        amounts={},
        note=r.text(item["note"], where + ".note") if "note" in item else None,
        when=when,
        rule=rule,
    )


def _waiver(r: _Reader, item: Any, where: str, names: set[str], fee_ids: set[str]) -> Waiver:
    r.mapping(item, where, {"id", "label", "when", "fees"})
    fees = tuple(r.list_of(item["fees"], where + ".fees"))
    for k, fee in enumerate(fees):
        if fee not in fee_ids:
            raise r.fail(f"{where}.fees[{k}]", f"unknown fee {fee!r}")
    return Waiver(
        id=_id(r, item["id"], where + ".id"),
        label=r.text(item["label"], where + ".label"),
        when=_names_checked(r, _expression(r, item["when"], where + ".when"), where + ".when", names, FEES),
        fees=fees,
    )


def _role(r: _Reader, value: Any, where: str, agencies: tuple[str, ...]) -> str:
    if value == APPLICANT:
        return value
    if not isinstance(value, str) or value.count(".") != 1:
        raise r.fail(where, f"{value!r}: expected 'applicant' or '<agency>.<role>', e.g. moc.clerk")
    agency, role = value.split(".")
    if agency not in agencies:
        raise r.fail(where, f"{agency!r} is not one of this service's agencies ({', '.join(agencies)})")
    agency_roles.check(r, where, r.agencies[agency], role)
    return value


STATE_KEYS = {"staff_label", "actor", "agency", "sla_working_days", "terminal", "issue"}
TRANSITION_KEYS = {"guards", "reason_required", "reasons", "request_info", "requires"}


def _workflow(
    r: _Reader, item: Any, agencies: tuple[str, ...], outputs: dict[str, Output], names: set[str]
) -> Workflow:
    r.mapping(item, "workflow", {"start", "states", "transitions"})
    states_raw = r.mapping(item["states"], "workflow.states", set(), set(map(str, item["states"] or {})))
    states: dict[str, State] = {}
    for state_id, spec in states_raw.items():
        where = f"workflow.states.{state_id}"
        _id(r, state_id, where)
        if state_id in ("draft", "withdrawn"):
            raise r.fail(where, f"{state_id!r} is built in; do not define it")
        r.mapping(spec, where, {"label"}, STATE_KEYS)
        if "actor" in spec:
            _role(r, spec["actor"], where + ".actor", agencies)
        agency = spec.get("agency")
        if agency is not None and agency not in agencies:
            raise r.fail(where + ".agency", f"{agency!r} is not one of this service's agencies")
        issue = tuple(spec.get("issue", ()))
        for k, output in enumerate(issue):
            if output not in outputs:
                raise r.fail(f"{where}.issue[{k}]", f"unknown output {output!r}")
        terminal = _bool(r, spec.get("terminal", False), where + ".terminal")
        states[state_id] = State(
            id=state_id,
            label=r.text(spec["label"], where + ".label"),
            staff_label=_optional_text(r, spec, "staff_label", where),
            actor=spec.get("actor"),
            agency=agency,
            sla_working_days=r.integer(spec["sla_working_days"], where + ".sla_working_days", 1)
            if "sla_working_days" in spec
            else None,
            terminal=terminal,
            issue=issue,
        )
    if not states:
        raise r.fail("workflow.states", "needs at least one state")
    start = item["start"]
    if start not in states:
        raise r.fail("workflow.start", f"unknown state {start!r}")
    transitions = []
    for i, spec in enumerate(r.list_of(item["transitions"], "workflow.transitions")):
        where = f"workflow.transitions[{i}]"
        r.mapping(spec, where, {"action", "label", "from", "to", "roles"}, TRANSITION_KEYS)
        sources = spec["from"] if isinstance(spec["from"], list) else [spec["from"]]
        for k, source in enumerate(sources):
            if source not in states:
                raise r.fail(
                    f"{where}.from" + (f"[{k}]" if isinstance(spec["from"], list) else ""), f"unknown state {source!r}"
                )
            if states[source].terminal:
                raise r.fail(f"{where}.from", f"{source!r} is terminal: nothing can leave it")
        if spec["to"] not in states:
            raise r.fail(where + ".to", f"unknown state {spec['to']!r}")
        roles = tuple(
            _role(r, role, f"{where}.roles[{k}]", agencies)
            for k, role in enumerate(r.list_of(spec["roles"], where + ".roles"))
        )
        guards = tuple(r.list_of(spec.get("guards", []), where + ".guards", False))
        expressions = tuple(
            _names_checked(r, _expression(r, g, f"{where}.guards[{k}]"), f"{where}.guards[{k}]", names, GUARDS)
            for k, g in enumerate(guards)
            if g not in GUARD_WORDS
        )
        reasons = tuple(
            Reason(
                id=_id(r, x.get("id") if isinstance(x, dict) else None, f"{where}.reasons[{k}].id"),
                label=r.text(
                    r.mapping(x, f"{where}.reasons[{k}]", {"id", "label"})["label"], f"{where}.reasons[{k}].label"
                ),
            )
            for k, x in enumerate(r.list_of(spec.get("reasons", []), where + ".reasons", False))
        )
        transitions.append(
            Transition(
                action=_id(r, spec["action"], where + ".action"),
                label=r.text(spec["label"], where + ".label"),
                sources=tuple(sources),
                target=spec["to"],
                roles=roles,
                guards=guards,
                guard_expressions=expressions,
                reason_required=_bool(r, spec.get("reason_required", False), where + ".reason_required"),
                reasons=reasons,
                request_info=_bool(r, spec.get("request_info", False), where + ".request_info"),
                requires=tuple(r.list_of(spec.get("requires", []), where + ".requires", False)),
            )
        )
    problem = wholeness.first_problem(start, states, transitions)
    if problem:
        raise r.fail(*problem)
    return Workflow(start=start, states=states, transitions=tuple(transitions))


def _outputs(
    r: _Reader, item: Any, folder: Path, names: set[str], agencies: tuple[str, ...] = (), kept_templates=None
) -> dict[str, Output]:
    outputs = {}
    for output_id, spec in r.mapping(item, "outputs", set(), set(map(str, item or {}))).items():
        where = f"outputs.{output_id}"
        _id(r, output_id, where)
        r.mapping(spec, where, {"template", "title", "data"},
                  {"valid_for_days", "valid_until", "kind", "issued_by", "subject", "copies", "photo"})
        issued_by = spec.get("issued_by")
        if issued_by is not None and issued_by not in agencies:
            raise r.fail(where + ".issued_by",
                         f"{issued_by!r} is not one of this service's agencies ({', '.join(agencies)})")
        template = spec["template"]
        there = str(template) in kept_templates if kept_templates is not None else (folder / str(template)).is_file()
        if not isinstance(template, str) or "/" in template or not there:
            raise r.fail(where + ".template", f"no template {template!r} beside the service.yaml")
        data = {}
        for key, expression in r.mapping(
            spec["data"], where + ".data", set(), set(map(str, spec["data"] or {}))
        ).items():
            data[key] = _names_checked(
                r,
                _expression(r, expression, f"{where}.data.{key}"),
                f"{where}.data.{key}",
                names,
                OUTPUTS,
            )
        outputs[output_id] = Output(
            id=output_id,
            template=template,
            title=r.text(spec["title"], where + ".title"),
            data=data,
            valid_for_days=r.integer(spec["valid_for_days"], where + ".valid_for_days", 1)
            if "valid_for_days" in spec
            else None,
            kind=r.one_of(spec.get("kind", "issued"), where + ".kind", ("issued", "receipt")),
            issued_by=issued_by,
            valid_until=_valid_until(r, spec, where, names),
            subject=subjects.read(spec["subject"], where + ".subject", lambda value, at: _names_checked(
                r, _expression(r, value, at), at, names, OUTPUTS), r.fail) if "subject" in spec else None,
            photo=spec.get("photo"),
            copies=copies.read(spec["copies"], where + ".copies", lambda value, at: _names_checked(
                r, _expression(r, value, at), at, names, OUTPUTS), r.fail) if "copies" in spec else None,
        )
    return outputs


def _valid_until(r: _Reader, spec: dict, where: str, names: set[str]) -> Expression | None:
    """An output's computed validity (catalogue.validity); never together with valid_for_days."""
    if "valid_until" not in spec:
        return None
    if "valid_for_days" in spec:
        raise r.fail(where + ".valid_until", "give valid_for_days or valid_until, not both")
    expression = _names_checked(r, _expression(r, spec["valid_until"], where + ".valid_until"),
                                where + ".valid_until", names, OUTPUTS)
    if problem := validity.problem(expression):
        raise r.fail(where + ".valid_until", problem)
    return expression


def _notification(r: _Reader, item: Any, where: str, workflow: Workflow | None) -> NotificationRule:
    if isinstance(item, dict) and True in item:
        # YAML 1.1 reads an unquoted `on:` key as true; take it as the `on` it was meant to be.
        item = {("on" if key is True else key): value for key, value in item.items()}
    r.mapping(item, where, {"on", "to", "channels"})
    on = tuple(r.list_of(item["on"], where + ".on"))
    for k, state in enumerate(on):
        if workflow is None or (state not in workflow.states and state != "withdrawn"):
            raise r.fail(f"{where}.on[{k}]", f"unknown state {state!r}")
    channels = tuple(
        r.one_of(c, f"{where}.channels[{k}]", CHANNELS)
        for k, c in enumerate(r.list_of(item["channels"], where + ".channels"))
    )
    return NotificationRule(on=on, to=r.one_of(item["to"], where + ".to", (APPLICANT,)), channels=channels)


def _plain_id(r: _Reader, value: Any, where: str) -> str:
    if not isinstance(value, str) or not re.match(r"^[a-z][a-z0-9_-]{0,40}$", value):
        raise r.fail(where, "expected an id of lower-case letters, digits, hyphens and underscores")
    return value


def load_catalogue(root: Path) -> Catalogue:
    """Load every `services/<slug>/service.yaml`; the first mistake raises DefinitionError."""
    root = Path(root)
    agencies, local_offices = load_agencies(root)
    categories = load_categories(root)
    option_lists = lists.Lists(root, _load_yaml, _option)
    option_lists.check_all()
    services = tuple(load_service(path, root, agencies, categories) for path in sorted(root.glob("*/service.yaml")))
    return Catalogue(services=services, agencies=agencies, categories=categories, offices=local_offices,
                     lists=option_lists)
