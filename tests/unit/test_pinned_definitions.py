"""What a pinned version keeps (catalogue/snapshots.py): the hash covers the YAML and its document
templates, a kept template text stands in for a missing file, and kept agencies and categories stand in
for retired ones while the current definitions win."""

from __future__ import annotations

import base64
import hashlib
import shutil

import pytest

from portal.domain.catalogue import DefinitionError, load_catalogue, snapshots
from portal.domain.catalogue.loader import load_service_text
from portal.domain.catalogue.model import Agency, Category
from portal.paths import PROJECT_ROOT

SLUG = "market-stall-permit"


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "tests" / "fixtures" / "services", root)
    return root


def service(root):
    return load_catalogue(root).get(SLUG)


def test_the_hash_covers_the_templates_and_is_never_the_hash_of_the_yaml_alone(root):
    before = service(root)
    assert before.templates == {"permit.html": (root / SLUG / "permit.html").read_text()}
    assert before.content_hash != hashlib.sha256(before.raw.encode()).hexdigest()
    (root / SLUG / "permit.html").write_text(before.templates["permit.html"] + "<!-- second edition -->")
    after = service(root)
    assert after.raw == before.raw and after.content_hash != before.content_hash


def test_the_hash_parts_cannot_run_into_each_other():
    assert snapshots.content_hash("a", {"b.html": "c"}) != snapshots.content_hash("a", {"b.htm": "lc"})


def test_a_kept_template_stands_in_for_a_file_that_is_gone(root):
    catalogue = load_catalogue(root)
    raw = (root / SLUG / "service.yaml").read_text()
    (root / SLUG / "permit.html").unlink()
    path = root / SLUG / "service.yaml"
    kept = load_service_text(raw, path, root, catalogue.agencies, catalogue.categories, templates={"permit.html": "x"})
    assert kept.templates == {"permit.html": "x"}
    with pytest.raises(DefinitionError, match=r"outputs\.permit\.template: no template 'permit.html'"):
        load_service_text(raw, path, root, catalogue.agencies, catalogue.categories, templates={})
    with pytest.raises(DefinitionError, match=r"outputs\.permit\.template: no template 'permit.html'"):
        load_catalogue(root)


def test_a_template_that_is_not_utf8_is_refused_where_it_is_named(root):
    (root / SLUG / "permit.html").write_bytes(b"\xff\xfe caf\xe9")
    with pytest.raises(DefinitionError, match=r"service\.yaml: outputs\.permit\.template: 'permit.html' is not UTF-8"):
        load_catalogue(root)


def test_an_agency_is_kept_with_its_seal_image_and_the_current_definition_wins(tmp_path):
    (tmp_path / "seals").mkdir()
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    (tmp_path / "seals" / "old.svg").write_bytes(svg)
    old = Agency(slug="old-office", kind="department", name={"km": "ការិយាល័យចាស់", "en": "Old Office"},
                 seal="seals/old.svg", signatory_title={"km": "ប្រធាន", "en": "Head"})
    renamed = Agency(slug="kept-office", kind="department", name={"km": "ឈ្មោះថ្មី", "en": "New Name"})
    kept = {"old-office": snapshots.agency_record(old, tmp_path),
            "kept-office": snapshots.agency_record(Agency(slug="kept-office", kind="department",
                                                          name={"km": "ឈ្មោះចាស់", "en": "Old Name"}), tmp_path)}
    merged = snapshots.with_kept_agencies({"kept-office": renamed}, kept)
    assert merged["kept-office"] is renamed
    retired = merged["old-office"]
    assert retired.name["en"] == "Old Office" and retired.signatory_title["en"] == "Head"
    assert retired.seal == "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    assert snapshots.kept_agency(kept, "old-office") == retired and snapshots.kept_agency(kept, "nobody") is None
    categories = snapshots.with_kept_categories({}, {"gone": snapshots.category_record(
        Category(slug="gone", name={"km": "ចាស់", "en": "Gone"}))})
    assert categories["gone"].name["en"] == "Gone"


def test_kept_template_names_say_where_their_resources_are():
    name = snapshots.template_name(SLUG, "ab12", "permit.html")
    assert snapshots.parse_template_name(name) == (SLUG, "ab12", "permit.html")
    assert snapshots.folder_name(name) == f"{SLUG}/permit.html"
    assert snapshots.parse_template_name(f"{SLUG}/permit.html") is None
    assert snapshots.folder_name("receipt.html") == "receipt.html"
