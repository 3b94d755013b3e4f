"""Typed, immutable views of what `services/` holds (the catalogue part of a definition)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

Text = dict[str, str]  # {"km": ..., "en": ...}


@dataclass(frozen=True)
class Agency:
    slug: str
    kind: str
    name: Text
    commune_code: str | None = None


@dataclass(frozen=True)
class Category:
    slug: str
    name: Text


@dataclass(frozen=True)
class Fee:
    id: str
    label: Text
    amounts: dict[str, Decimal]  # currency code -> amount; KHR and/or USD
    note: Text | None = None


@dataclass(frozen=True)
class Service:
    slug: str
    version: int
    status: str  # draft, live, retired
    audience: tuple[str, ...]  # citizen and/or business
    agencies: tuple[str, ...]  # in the order they handle an application
    category: str
    title: Text
    summary: Text
    eligibility: Text
    requirements: tuple[Text, ...]
    processing_working_days: int
    fees: tuple[Fee, ...]
    legal_basis: Text
    source: str  # the file it was read from, for messages

    @property
    def is_listed(self) -> bool:
        return self.status == "live"


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...]
    agencies: dict[str, Agency]
    categories: dict[str, Category]

    def live(self) -> list[Service]:
        return [s for s in self.services if s.is_listed]

    def get(self, slug: str) -> Service | None:
        return next((s for s in self.services if s.slug == slug), None)
