"""The OAuth 2.0 token endpoint for partner systems: the client credentials grant (RFC 6749 section 4.4), served
by Authlib. A partner sends its client id and secret (HTTP Basic, or in the form) and gets a Bearer access
token for an hour, with the scopes asked for that its client has (all of them if none is asked for). Its
errors are OAuth's own JSON (`{"error": "invalid_client"}`), as OAuth client libraries expect.

The clients and tokens are portal.domain.partners'; this module only adapts them to Authlib."""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from flask import Flask

from portal.domain import partners
from portal.web.api.operations import operation
from portal.web.api.texts import PARTNERS

GRANT = "client_credentials"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class Client(ClientMixin):
    """A partner client as Authlib asks about it: confidential, client credentials only, no redirects."""

    def __init__(self, row):
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return " ".join(partners.allowed_scopes(self.row, scope))

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return partners.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == GRANT


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)  # Authlib's default is HTTP Basic only


class NoClient(Client):
    """Stands for an unknown or revoked client id, so that it fails exactly as a wrong secret does: nothing tells
    a guesser which client ids exist. Its secret check still hashes, for the same time."""

    def __init__(self, client_id):
        super().__init__(None)
        self.client_id = client_id

    def get_client_id(self):
        return self.client_id

    def get_allowed_scope(self, scope):
        return ""

    def check_client_secret(self, client_secret):
        partners.digest(client_secret or "")
        return False


def _query_client(client_id):
    row = partners.live_client(client_id)
    return Client(row) if row is not None else NoClient(client_id)


def _save_token(token: dict, request) -> None:
    partners.keep_access_token(request.client.row, token["access_token"], token.get("scope", "").split())


server = AuthorizationServer()


def init_app(app: Flask) -> None:
    app.config.setdefault("OAUTH2_ACCESS_TOKEN_GENERATOR", lambda *args, **kwargs: partners.new_access_token())
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {GRANT: int(partners.ACCESS_LIFETIME.total_seconds())})
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", list(partners.SCOPES))
    server.init_app(app, query_client=_query_client, save_token=_save_token)
    server.register_grant(ClientCredentials)


@operation("/oauth/token", "POST", operation_id="issue_partner_token", tag="verification",
           request_body="TokenRequest", request_media_type="application/x-www-form-urlencoded",
           response="AccessToken", summary=PARTNERS["token_summary"], description=PARTNERS["token_description"])
def issue_partner_token():
    return server.create_token_response()
