"""The OpenAPI document of the identity dialect (``GET
/identity/v3/openapi.json``), from the schemas its controllers enforce."""

from nimbus.api import openapi
from nimbus.api.identity import ec2_credentials, resources, tokens
from nimbus.api.openapi import Op

_FAULT = ("application/json", {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "title", "message"],
        "properties": {"code": {"type": "integer"},
                       "title": {"type": "string"},
                       "message": {"type": "string"}}}}})
_SUBJECT = ("X-Subject-Token",)
_LIST = ("name", "domain_id")
P = "/projects/{project_id}"
U = "/users/{user_id}"
G = P + "/users/{user_id}/roles"
C = U + "/credentials/OS-EC2"

ROUTES = {
    "/auth/tokens": {"post": Op(201, tokens.AUTH),
                     "get": Op(headers=_SUBJECT),
                     "delete": Op(204, headers=_SUBJECT)},
    "/domains": {"get": Op(query=("name", "id", "enabled"))},
    "/domains/{domain_id}": {"get": Op()},
    "/projects": {"get": Op(query=_LIST),
                  "post": Op(201, resources.PROJECT_CREATE)},
    P: {"get": Op(), "delete": Op(204)},
    G: {"get": Op()},
    G + "/{role_id}": {"get": Op(204), "put": Op(204),
                       "delete": Op(204)},
    "/users": {"get": Op(query=_LIST),
               "post": Op(201, resources.USER_CREATE)},
    U: {"get": Op(), "patch": Op(200, resources.USER_UPDATE),
        "delete": Op(204)},
    C: {"get": Op(), "post": Op(201, ec2_credentials.CREATE)},
    C + "/{credential_id}": {"get": Op(), "delete": Op(204)},
    "/roles": {"get": Op(query=("name",))},
    "/roles/{role_id}": {"get": Op()},
    "/role_assignments": {"get": Op(query=("user.id",
                                           "scope.project.id"))},
}


def document(base_url):
    return openapi.document("nimbus Identity API (Keystone v3 subset)",
                            "3.14", base_url + "/identity/v3", ROUTES,
                            _FAULT)
