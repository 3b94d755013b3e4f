from __future__ import annotations


class TestCatalogue:
    def test_home_lists_every_listed_service_in_khmer_by_default(self, client):
        from portal.domain.catalogue import get_catalogue

        response = client.get("/")
        assert response.status_code == 200
        assert response.soup.html["lang"] == "km"
        titles = [a.get_text(strip=True) for a in response.soup.select(".service-card h3 a")]
        listed = {s.title["km"] for s in get_catalogue().services if s.is_listed}
        assert listed and set(titles) == listed

    def test_lang_parameter_shows_english_and_is_remembered(self, client):
        client.expected_lang = "en"
        response = client.get("/?lang=en")
        assert "Business registration" in response.get_data(as_text=True)
        assert "lang=en" in response.headers["Set-Cookie"]
        again = client.get("/services/tax-filing")
        assert "Monthly tax filing" in again.get_data(as_text=True)

    def test_service_page_shows_fees_in_riel_with_khmer_digits(self, client):
        response = client.get("/services/business-registration")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "១,១២០,០០០ ៛" in text
        assert "ក្រសួងពាណិជ្ជកម្ម" in text

    def test_unknown_service_is_a_404_page_in_the_page_language(self, client):
        response = client.get("/services/no-such-service")
        assert response.status_code == 404
        assert response.soup.html["lang"] == "km"


class TestHealth:
    def test_healthz_reports_database_and_redis_up(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json == {"database": "up", "redis": "up", "status": "ok"}
