"""Issue 12, item 8: help, contact and privacy pages, in both languages, generated from the definitions
(statuses from the workflows, offices from agencies.yaml, retention from each service), linked from the
footer of every layout, and public like the catalogue (no session, cacheable)."""

from __future__ import annotations

import re

import pytest
import yaml

from portal.domain.catalogue import get_catalogue
from portal.domain.i18n.formatting import digits
from portal.web.outages import outage_response
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as, stored_sessions

PAGES = ["/help", "/contact", "/privacy"]
KHMER = re.compile("[\u1780-\u17ff]")


def page(client, path: str, lang: str):
    client.expected_lang = lang
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    return response


def text_of(response) -> str:
    return " ".join(response.soup.main.get_text(" ").split())


@pytest.mark.parametrize("lang", ["km", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_each_page_answers_in_the_chosen_language(client, path, lang):
    response = page(client, path, lang)
    assert response.soup.html["lang"] == lang
    blocks = response.soup.main.select("h1, h2, h3, p, li, dt, dd, th, td")
    assert blocks
    for block in blocks:
        text = block.get_text(" ", strip=True)
        if lang == "km":  # every sentence translated: each block carries Khmer
            assert KHMER.search(text), text
        else:
            assert not KHMER.search(text), text


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_are_public_store_no_session_and_may_be_cached(client, path):
    for _ in range(2):
        response = client.get(path)
        assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
        assert "no-store" not in response.headers.get("Cache-Control", "")
    assert stored_sessions() == 0


class TestStatuses:
    def test_every_state_of_every_service_is_explained_in_both_languages(self, client):
        catalogue = get_catalogue()
        for lang in ("km", "en"):
            shown = text_of(page(client, "/help", lang))
            for service in catalogue.services:
                if service.status == "draft" or service.workflow is None:
                    continue
                assert service.title[lang] in shown
                for state in service.workflow.states.values():
                    assert state.label[lang] in shown, (service.slug, state.id)

    def test_a_new_or_renamed_state_in_a_definition_appears_without_editing_the_page(self, app, client, tmp_path):
        def add_a_state(data):
            states = data["workflow"]["states"]
            states["on_hold"] = {"label": {"km": "កំពុងរង់ចាំការត្រួតពិនិត្យទីតាំង", "en": "Waiting for a site visit"},
                                 "actor": "phnom-penh-capital.clerk", "sla_working_days": 4}
            data["workflow"]["transitions"] += [
                {"action": "hold", "label": {"km": "ផ្អាក", "en": "Hold"}, "from": "submitted", "to": "on_hold",
                 "roles": ["phnom-penh-capital.clerk"]},
                # A workflow must hold together (the loader says so): the visit done, the case goes on.
                {"action": "resume", "label": {"km": "បន្ត", "en": "Resume"}, "from": "on_hold", "to": "submitted",
                 "roles": ["phnom-penh-capital.clerk"]}]

        with services_root(app, copy_of_fixture(tmp_path)) as root:
            edit_service(app, root, "market-stall-permit", add_a_state)
            shown = text_of(page(client, "/help", "en"))
        assert "Waiting for a site visit" in shown
        assert "Phnom Penh Capital Administration" in shown and "4 working days" in shown

    def test_who_acts_and_what_is_issued_are_said(self, app, client, tmp_path):
        with services_root(app, copy_of_fixture(tmp_path)):
            meanings = {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True)
                        for dt in page(client, "/help", "en").soup.select("#statuses-market-stall-permit dt")}
        assert "Phnom Penh Capital Administration" in meanings["Submitted"]
        assert "My documents" in meanings["Approved"]


class TestContact:
    def test_every_office_is_listed_and_the_routing_placeholder_is_not(self, client):
        listed = {h4.get_text(strip=True) for h4 in page(client, "/contact", "km").soup.select(".office h4")}
        offices = [agency for agency in get_catalogue().agencies.values() if not agency.is_routing_placeholder]
        assert listed == {office.name["km"] for office in offices}

    def test_an_offices_address_hours_and_phone_are_shown_when_agencies_yaml_gives_them(self, app, client, tmp_path):
        root = copy_of_fixture(tmp_path)
        agencies = yaml.safe_load((root / "agencies.yaml").read_text())
        agencies["agencies"][0].update(
            address={"km": "ផ្លូវព្រះមុនីវង្ស ខណ្ឌដូនពេញ", "en": "Preah Monivong Blvd, Daun Penh"},
            hours={"km": "ច័ន្ទ ដល់ សុក្រ ម៉ោង ៨:០០ ដល់ ១៧:០០", "en": "Monday to Friday, 8:00 to 17:00"},
            phone="023 724 000")
        (root / "agencies.yaml").write_text(yaml.safe_dump(agencies, allow_unicode=True))
        with services_root(app, root):
            english = text_of(page(client, "/contact", "en"))
            khmer = text_of(page(client, "/contact", "km"))
        assert "Preah Monivong Blvd, Daun Penh" in english and "Monday to Friday, 8:00 to 17:00" in english
        assert "ផ្លូវព្រះមុនីវង្ស ខណ្ឌដូនពេញ" in khmer and "023 724 000" in khmer
        assert "Market stall permit" in english  # the services the office handles

    def test_the_contact_page_says_how_to_complain(self, client):
        response = page(client, "/contact", "en")
        assert response.soup.select_one("#complain")
        assert len(response.soup.select("#complain ~ ol li")) >= 3


class TestPrivacy:
    def test_retention_per_service_comes_from_the_definitions(self, client):
        rows = {row.dt.get_text(strip=True): (row.select_one(".retention-applications").get_text(strip=True),
                                              row.select_one(".retention-documents").get_text(strip=True))
                for row in page(client, "/privacy", "km").soup.select("dl.retention > div")}
        for service in get_catalogue().services:
            if service.status == "draft":
                continue
            applications, documents = rows[service.title["km"]]
            assert digits(str(service.retention_years), "km") in applications
            assert digits(str(service.documents_retention_years), "km") in documents

    def test_it_explains_who_looked_at_my_application(self, client):
        section = page(client, "/privacy", "en").soup.select_one("#who-looked")
        assert section is not None
        assert "Who in government has looked at this application" in section.find_next("p").find_next("p").get_text()


class TestFooterLinks:
    def footer_links(self, soup) -> set[str]:
        return {a["href"].split("?")[0] for a in soup.select("footer a")}

    def test_the_public_layout_links_the_three_pages(self, client):
        assert set(PAGES) <= self.footer_links(client.get("/").soup)

    def test_the_staff_pages_link_them_too(self, client, factories):
        sign_in_as(client, factories.staff())
        assert set(PAGES) <= self.footer_links(client.get("/staff/queue").soup)

    def test_the_outage_layout_links_them(self, app):
        from bs4 import BeautifulSoup

        with app.test_request_context("/"):
            body, status, _headers = outage_response("database")
        assert status == 503
        assert set(PAGES) <= self.footer_links(BeautifulSoup(body, "html5lib"))
