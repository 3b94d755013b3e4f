"""What a pinned version keeps beside its YAML, so that it stands on its own (docs/services.md §10):
the text of the document templates its outputs name, and the definitions of the agencies and the
category it names as they were when it was pinned.

The content hash of a definition covers its YAML and those templates: editing a template makes a new
version for pinning, and applications started before keep the old text. The shared layouts of
`templates/pdf/` (certificate.html, receipt.html) are the portal's, not the service's: they stay current.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from dataclasses import asdict, fields, replace
from pathlib import Path

from portal.domain.catalogue.agency_roles import AgencyRole
from portal.domain.catalogue.model import Agency, Category

# Tags the hash so that it never equals the hash of the YAML alone (rows pinned before templates were kept).
HASH_FORMAT = b"service.yaml and its document templates, v1"
PINNED_TEMPLATE = "@pinned/"  # a document request's template name for a kept text: @pinned/<slug>/<hash>/<file>


def content_hash(raw: str, templates: dict[str, str]) -> str:
    """SHA-256 of the YAML text and each template (by file name), each part prefixed by its length."""
    digest = hashlib.sha256(HASH_FORMAT)
    for part in (raw, *(x for name in sorted(templates) for x in (name, templates[name]))):
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def read_templates(folder: Path, outputs: dict, fail) -> dict[str, str]:
    """The text of each template the outputs name, from beside the service.yaml; `fail(where, problem)`
    makes the loader's error for a file that is not UTF-8 text."""
    texts: dict[str, str] = {}
    for output in outputs.values():
        try:
            texts[output.template] = (folder / output.template).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise fail(f"outputs.{output.id}.template", f"{output.template!r} is not UTF-8 text") from None
    return texts


def template_name(slug: str, hash_: str, file: str) -> str:
    return f"{PINNED_TEMPLATE}{slug}/{hash_}/{file}"


def parse_template_name(name: str) -> tuple[str, str, str] | None:
    """(slug, content hash, file) of a kept template's name; None for a file of the services folder."""
    if not name.startswith(PINNED_TEMPLATE):
        return None
    parts = name.removeprefix(PINNED_TEMPLATE).split("/")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def folder_name(name: str) -> str:
    """`<slug>/<file>` for a kept template's name (where its relative resources resolve), else the name."""
    parsed = parse_template_name(name)
    return f"{parsed[0]}/{parsed[2]}" if parsed else name


def agency_record(agency: Agency, root: Path) -> dict:
    """An agency as JSON, its seal image kept inside (a `data:` URI): when the office is retired its seal
    file usually goes with it, and a document it still issues must carry its seal."""
    record = asdict(agency)
    if agency.seal:
        path = root / agency.seal
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        record["seal"] = f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}" \
            if path.is_file() else None
    return record


def category_record(category: Category) -> dict:
    return asdict(category)


def _from_record(cls, record: dict):
    known = {f.name for f in fields(cls)}
    return cls(**{key: value for key, value in record.items() if key in known})


def _agency_from_record(record: dict) -> Agency:
    """A kept agency, its declared roles (JSON objects in the record) made roles again."""
    agency = _from_record(Agency, record)
    return replace(agency, roles=tuple(role if isinstance(role, AgencyRole) else _from_record(AgencyRole, role)
                                       for role in agency.roles))


def with_kept_agencies(current: dict[str, Agency], kept: dict | None) -> dict[str, Agency]:
    """The agencies to read a pinned version with: the current definition of each that still exists, the
    kept one of each that is gone (renamed or retired in agencies.yaml)."""
    return {**{slug: _agency_from_record(record) for slug, record in (kept or {}).items()}, **current}


def with_kept_categories(current: dict[str, Category], kept: dict | None) -> dict[str, Category]:
    return {**{slug: _from_record(Category, record) for slug, record in (kept or {}).items()}, **current}


def kept_agency(kept: dict | None, slug: str | None) -> Agency | None:
    record = (kept or {}).get(slug) if slug else None
    return _agency_from_record(record) if record else None
