"""Issue 17: a partner system (a bank, another agency) gets client credentials from an administrator, exchanges
them for an access token (OAuth 2.0 client credentials, Authlib), and checks a real issued certificate (its QR
code scanned from the PDF) through the API, getting /verify's own verdict."""

from __future__ import annotations

import base64
import io

import pytest
from jsonschema import Draft202012Validator

from portal.data.db import db
from portal.domain import partners
from portal.web.api import PREFIX
from tests.integration.test_api_document import document
from tests.integration.test_verify import issued, tamper  # noqa: F401 - `issued` is a fixture used here
from tests.sessions import sign_in_as

TOKEN_URL = f"{PREFIX}/oauth/token"
GRANT = {"grant_type": "client_credentials"}


def _basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.fixture
def partner(factories):
    client, secret = partners.make_client("Demo Bank: loan desk", ["verify:read"], factories.admin())
    db.session.commit()
    return client, secret


def _access_token(client, partner) -> str:
    row, secret = partner
    answer = client.post(TOKEN_URL, headers=_basic(row.client_id, secret), data=GRANT)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["token_type"] == "Bearer" and answer.json["expires_in"] == 3600
    assert answer.json["scope"] == "verify:read" and answer.headers["Cache-Control"].startswith("no-store")
    return answer.json["access_token"]


def _verify(client, token: str, body=None, **kwargs):
    return client.post(f"{PREFIX}/verifications", headers={"Authorization": f"Bearer {token}",
                                                             "Accept-Language": "en"}, json=body, **kwargs)


def test_an_administrator_makes_a_client_whose_secret_is_shown_once(client, factories):
    admin = factories.admin()
    sign_in_as(client, admin)
    page = client.get("/admin/partners")
    assert page.status_code == 200
    made = client.submit(page, {"name": "Demo Bank: loan desk", "scopes": ["verify:read"]},
                         selector="main form[action$='/admin/partners']")
    assert made.status_code == 200 and made.headers["Cache-Control"].startswith("no-store")
    secret = made.soup.select("code.secret")[1].get_text()
    assert secret.startswith(partners.SECRET_PREFIX)
    [row] = partners.clients()
    assert row.secret_digest == partners.digest(secret) and secret not in client.get("/admin/partners").get_data(
        as_text=True)
    refused = client.submit(client.get("/admin/partners"), {"name": "", "scopes": []},
                            selector="main form[action$='/admin/partners']")
    assert refused.status_code == 400 and len(partners.clients()) == 1


def test_only_administrators_see_the_partner_page(client, factories):
    sign_in_as(client, factories.staff())
    assert client.get("/admin/partners").status_code == 404


def test_a_partner_checks_a_real_certificate_with_client_credentials(client, partner, issued):  # noqa: F811
    document_row, pdf, path = issued
    access = _access_token(client, partner)
    for token in (document_row.verification_token, "http://portal.test" + path):  # the token, or the QR's link
        answer = _verify(client, access, {"token": token})
        assert answer.status_code == 200, answer.json
        assert answer.json["state"] == "valid" and answer.json["file"] is None
        assert answer.json["document"]["holder"]["km"] == "សុខ ចាន់ធី"
        assert answer.json["document"]["title"]["km"] == document_row.title_km
    schema = {"$ref": "#/components/schemas/Verification", "components": document(client)["components"]}
    assert list(Draft202012Validator(schema).iter_errors(answer.json)) == []

    with_file = client.post(f"{PREFIX}/verifications", headers={"Authorization": f"Bearer {access}"},
                            data={"token": document_row.verification_token, "file": (io.BytesIO(pdf), "c.pdf")},
                            content_type="multipart/form-data")
    assert with_file.json["file"] == "identical"
    other = client.post(f"{PREFIX}/verifications", headers={"Authorization": f"Bearer {access}"},
                        data={"token": document_row.verification_token, "file": (io.BytesIO(b"%PDF-1.4"), "x.pdf")},
                        content_type="multipart/form-data")
    assert other.json["file"] == "different"
    forged = _verify(client, access, {"token": tamper(document_row.verification_token, 17)})
    assert forged.json == {"state": "invalid", "document": None, "file": None}
    assert _verify(client, access, {"token": ""}).status_code == 400
    assert _verify(client, access, {"nothing": 1}).status_code == 400


def test_wrong_or_revoked_credentials_get_no_token_and_a_revoked_client_s_tokens_stop(client, partner, factories):
    row, secret = partner
    wrong = client.post(TOKEN_URL, headers=_basic(row.client_id, secret + "x"), data=GRANT)
    assert wrong.status_code == 401 and wrong.json["error"] == "invalid_client"
    unknown = client.post(TOKEN_URL, headers=_basic("owc_nobody", secret), data=GRANT)
    assert unknown.status_code == 401
    in_form = client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": row.client_id,
                                           "client_secret": secret})
    assert in_form.status_code == 200
    other_grant = client.post(TOKEN_URL, headers=_basic(row.client_id, secret), data={"grant_type": "password"})
    assert other_grant.status_code == 400 and other_grant.json["error"] == "unsupported_grant_type"
    too_much = client.post(TOKEN_URL, headers=_basic(row.client_id, secret),
                           data={"grant_type": "client_credentials", "scope": "applications:read:moc"})
    assert too_much.status_code == 400 and too_much.json["error"] == "invalid_scope"

    access = _access_token(client, partner)
    assert _verify(client, access, {"token": "x"}).status_code == 200
    partners.revoke_client(row, factories.admin())
    db.session.commit()
    refused = _verify(client, access, {"token": "x"})
    assert (refused.status_code, refused.mimetype) == (401, "application/problem+json")
    again = client.post(TOKEN_URL, headers=_basic(row.client_id, secret), data=GRANT)
    assert again.status_code == 401


def test_a_partner_token_reads_no_business_s_applications_and_a_business_token_verifies_nothing(
        client, partner, factories):
    access = _access_token(client, partner)
    for method, path in (("GET", "/applications"), ("POST", "/applications")):
        assert client.open(PREFIX + path, method=method, headers={"Authorization": f"Bearer {access}"},
                           json={}).status_code == 403
    owner = factories.person()
    business = factories.business(owner=owner)
    from portal.domain import api_tokens

    secret = api_tokens.make(business, owner, "Books", ("read", "file"), 30).secret
    db.session.commit()
    assert _verify(client, secret, {"token": "x"}).status_code == 403


def test_the_token_endpoint_does_not_tell_an_unknown_or_revoked_client_from_a_wrong_secret(client, partner, factories):
    row, secret = partner
    other, other_secret = partners.make_client("Other Bank", ["verify:read"], factories.admin())
    partners.revoke_client(other, factories.admin())
    db.session.commit()
    for send in (lambda cid, s: client.post(TOKEN_URL, headers=_basic(cid, s), data=GRANT),
                 lambda cid, s: client.post(TOKEN_URL, data={**GRANT, "client_id": cid, "client_secret": s})):
        answers = [send(row.client_id, "owcs_wrong"), send("owc_nobody", secret), send(other.client_id, other_secret)]
        assert len({(a.status_code, a.get_data()) for a in answers}) == 1, [a.get_data() for a in answers]
        assert answers[0].status_code == 401


def test_only_the_token_as_issued_or_the_qr_code_s_own_link_is_valid(client, partner, issued):  # noqa: F811
    document_row, _pdf, path = issued
    access = _access_token(client, partner)
    token = document_row.verification_token
    for spelling in (f" {token}\n", f"https://evil.example/anything/{token}", f"{token}/"):
        assert _verify(client, access, {"token": spelling}).json["state"] == "invalid", spelling
