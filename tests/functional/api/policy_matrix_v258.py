"""The policy matrix's rows of the 2.58-2.62 forms: the paged instance
action list (2.58) and an action with its events' hosts (2.62), the
paged os-migrations (2.59), flavor bodies with extra specs (2.61). The
routes and their rules are those of the lower forms; these rows check
the new query parameters get no caller past them."""

from tests.functional.api.policy_matrix import (
    ADMIN_ONLY,
    ALL_OK,
    OWNER_READ,
    Row,
)

S = "/v2.1/servers/{server_id}"


def _at(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def rows():
    return [
        Row("GET", S + "/os-instance-actions", OWNER_READ, headers=_at(58),
            query={"limit": "1", "changes-since": "2020-01-01T00:00:00Z"}),
        Row("GET", S + "/os-instance-actions/{request_id}", OWNER_READ,
            headers=_at(62)),
        Row("GET", "/v2.1/os-migrations", ADMIN_ONLY, headers=_at(59),
            query={"limit": "1", "changes-since": "2020-01-01T00:00:00Z"}),
        Row("GET", "/v2.1/flavors/1", ALL_OK, headers=_at(61)),
        Row("GET", "/v2.1/flavors/detail", ALL_OK, headers=_at(61)),
    ]
