"""Every `autocomplete` the portal writes is one the HTML standard allows on that element (issue 12,
point 7): `street-address` is a multi-line token, for a <textarea> only; on a one-line <input> the
browser ignores it (and validators flag it)."""

from __future__ import annotations

from portal.domain.applications import journey as application_journey
from portal.domain.catalogue import get_catalogue
from tests import journey
from tests.sessions import sign_in_as

# WHATWG HTML, "Autofill": the field names an <input> may carry (multi-line `street-address` is not one).
ONE_LINE_FIELDS = {
    "name", "honorific-prefix", "given-name", "additional-name", "family-name", "honorific-suffix", "nickname",
    "username", "new-password", "current-password", "one-time-code", "organization-title", "organization",
    "address-line1", "address-line2", "address-line3", "address-level4", "address-level3", "address-level2",
    "address-level1", "country", "country-name", "postal-code", "cc-name", "cc-given-name", "cc-additional-name",
    "cc-family-name", "cc-number", "cc-exp", "cc-exp-month", "cc-exp-year", "cc-csc", "cc-type",
    "transaction-currency", "transaction-amount", "language", "bday", "bday-day", "bday-month", "bday-year",
    "sex", "url", "photo", "tel", "tel-country-code", "tel-national", "tel-area-code", "tel-local",
    "tel-local-prefix", "tel-local-suffix", "tel-extension", "email", "impp",
}
MULTI_LINE_FIELDS = {"street-address"}
HINTS = {"shipping", "billing", "home", "work", "mobile", "fax", "pager", "webauthn"}


def allowed(element) -> bool:
    tokens = element["autocomplete"].split()
    if tokens in (["on"], ["off"]):
        return True
    tokens = [t for t in tokens if not t.startswith("section-") and t not in HINTS]
    if len(tokens) != 1:
        return False
    fields = ONE_LINE_FIELDS | (MULTI_LINE_FIELDS if element.name in ("textarea", "select") else set())
    return tokens[0] in fields


def bad_tokens(page) -> list[str]:
    return [f"{e.name}[name={e.get('name')}] autocomplete={e['autocomplete']!r}"
            for e in page.soup.select("[autocomplete]") if not allowed(e)]


def test_the_account_pages_use_allowed_autocomplete_tokens(client, factories):
    found = []
    for url in ("/sign-in", "/register", "/password/forgot"):
        found += bad_tokens(client.get(url))
    person = factories.person(email="dara@example.com", name_km="សុខ ដារា")
    sign_in_as(client, person)
    for url in ("/account/profile", "/account/businesses/new", "/account/password"):
        found += bad_tokens(client.get(url))
    assert found == []


def test_every_service_form_uses_allowed_autocomplete_tokens(client, factories):
    person = factories.person(email="dara@example.com", name_km="សុខ ដារា")
    shop = factories.business(owner=person, tax_id="K001-901234567")
    sign_in_as(client, person)
    found = []
    for service in get_catalogue().services:
        if not service.takes_applications:
            continue
        first = journey.start(client, service.slug, "me" if "citizen" in service.audience else shop.public_id)
        application = first.split("/steps/")[0]
        for step in application_journey.visible_steps(service, {}):
            page = client.get(f"{application}/steps/{step.id}")
            assert page.status_code == 200
            found += [f"{service.slug}/{step.id}: {bad}" for bad in bad_tokens(page)]
    assert found == []
