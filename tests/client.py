"""A test client that parses every HTML page it receives and checks what every page must have:
a `lang` on <html>, a title, no duplicate ids, a CSRF token in every POST form, and labels and
in-page links that point at elements that exist."""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from portal.data.db import db


class PageProblem(AssertionError):
    pass


class PortalClient(FlaskClient):
    # Set by a test that expects another language than Khmer, the default.
    expected_lang: str | None = None

    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production: `g`, the signed-in user and the
        # database session must not carry over from the test body or an earlier request.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # The request committed through its own session; let the test body read fresh rows.
        db.session.expire_all()
        # Werkzeug spools a large test upload to a temporary file and leaves it open.
        request_body = response.request.environ.get("wsgi.input")
        if request_body is not None:
            request_body.close()
        if response.mimetype == "text/html" and kwargs.get("buffered") is not False:
            response.soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
            check_page(response.soup, self.expected_lang)
        return response

    def csrf_token(self) -> str:
        """A CSRF token valid for this client's session, taken from a form as a browser would: the home
        page's forms for a signed-in person, the sign-in form for a visitor (whose pages carry none)."""
        for path in ("/", "/sign-in"):
            field = self.get(path).soup.select_one("form input[name=csrf_token]")
            if field is not None:
                return field["value"]
        raise AssertionError("no page offered a CSRF token")

    def form_values(self, response, selector: str = "main form") -> tuple[str, dict]:
        """The action and the current values (hidden ones included, disabled ones not) of a form on the page."""
        form = response.soup.select_one(selector)
        assert form is not None, f"no form matches {selector!r}"
        values: dict[str, str] = {}
        for field in form.select("input[name], select[name], textarea[name]"):
            if field.has_attr("disabled") or field.find_parent("fieldset", disabled=True):
                continue  # a browser sends no disabled input
            name = field["name"]
            if field.name == "input" and field.get("type") in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    values[name] = field.get("value", "y")
            elif field.name == "input" and field.get("type") in ("submit", "button"):
                continue
            elif field.name == "select":
                chosen = field.select_one("option[selected]")
                values[name] = chosen.get("value", chosen.text) if chosen else ""
            elif field.name == "textarea":
                values[name] = field.text
            elif field.get("type") == "hidden" and name in values:
                # A name given to several hidden inputs (a step's `_shown` markers): a browser sends each.
                earlier = values[name]
                values[name] = [*(earlier if isinstance(earlier, list) else [earlier]), field.get("value", "")]
            else:
                values[name] = field.get("value", "")
        return form.get("action") or response.request.path, values

    def submit(self, response, data: dict | None = None, selector: str = "main form", **kwargs):
        """Post a form from `response` with `data` over its current values, as a browser would."""
        action, values = self.form_values(response, selector)
        values.update(data or {})
        values = {k: v for k, v in values.items() if v is not None}
        return self.post(action, data=values, **kwargs)

    def confirm(self, response, **kwargs):
        """Say yes on a confirmation page (`portal.web.confirmation`): its one form, posted as it is."""
        assert response.status_code == 200, response.status_code
        return self.submit(response, selector="main form.confirmation", **kwargs)


def check_page(soup: BeautifulSoup, expected_lang: str | None) -> None:
    html = soup.find("html")
    lang = html.get("lang") if html else None
    if lang not in ("km", "en"):
        raise PageProblem(f"<html lang> is {lang!r}")
    if expected_lang and lang != expected_lang:
        raise PageProblem(f"<html lang> is {lang!r}, expected {expected_lang!r}")
    title = soup.find("title")
    if title is None or not title.get_text(strip=True) or title.get_text(strip=True).startswith("|"):
        raise PageProblem("the page has no title of its own")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        raise PageProblem(f"duplicate ids: {duplicates}")
    signed_in = soup.find("form", action="/sign-out") is not None
    for form in soup.find_all("form"):
        if form.get("method", "get").lower() == "post" and not form.find("input", attrs={"name": "csrf_token"}):
            # The one exception: a visitor's language switch only sets a cookie (see language_switch.html).
            if form.get("action") == "/language" and not signed_in:
                continue
            raise PageProblem(f"POST form to {form.get('action')!r} has no CSRF token")
    for label in soup.find_all("label", attrs={"for": True}):
        if label["for"] not in ids:
            raise PageProblem(f"label for missing id {label['for']!r}")
    for link in soup.find_all("a", href=True):
        if link["href"].startswith("#") and len(link["href"]) > 1 and link["href"][1:] not in ids:
            raise PageProblem(f"in-page link to missing id {link['href']!r}")
