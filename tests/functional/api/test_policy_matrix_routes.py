"""The policy matrix leaves no route out.

Required routes come from three places, so a new route cannot escape
the matrix silently:

* the compute and network dialects' OpenAPI documents (every path and
  method);
* the operations every default policy rule documents (compute, identity
  and image, with the action of ``/action`` routes);
* the routes below, served by the controllers but named by neither
  (version documents, tokens, read-only identity lookups, aliases).
"""

from nimbus.api.network import openapi as network_openapi
from nimbus.api.openstack import openapi
from nimbus.core import policies
from tests.functional.api import (
    test_policy_matrix,
    test_policy_matrix_identity_image,
    test_policy_matrix_network,
    test_policy_matrix_volumes,
)
from tests.functional.api.policy_matrix import covers, missing, normalize

_PREFIX = {"os_compute_api": "/v2.1", "compute": "/v2.1",
           "identity": "/identity",
           "image": "/image", "network": "/network/v2.0",
           "volume": "/volume/v3", "volume_extension": "/volume/v3"}
ROUTES_WITHOUT_POLICY = [
    ("GET", "/"), ("GET", "/v2.1"), ("GET", "/v2.1/openapi.json"),
    ("GET", "/v2.1/images/detail"), ("GET", "/v2.1/{}/servers"),
    ("GET", "/v2.1/images"), ("GET", "/v2.1/images/{}"),
    ("GET", "/identity"), ("GET", "/identity/v3"),
    ("POST", "/identity/v3/auth/tokens"),
    ("GET", "/identity/v3/roles/{}"),
    ("GET", "/identity/v3/projects/{}/users/{}/roles"),
    ("GET", "/identity/v3/projects/{}/users/{}/roles/{}"),
    ("GET", "/image"), ("GET", "/image/versions"), ("GET", "/image/v2"),
    ("GET", "/network"), ("GET", "/network/v2.0"),
    ("GET", "/network/v2.0/openapi.json"),
    ("GET", "/network/v2.0/extensions"),
    ("GET", "/network/v2.0/extensions/{}"),
    ("GET", "/volume"), ("GET", "/volume/v3"),
    ("GET", "/volume/v3/{}/volumes"),
]


def matrix_rows():
    return test_policy_matrix.rows() + \
        test_policy_matrix_identity_image.rows() + \
        test_policy_matrix_network.rows() + \
        test_policy_matrix_volumes.rows()


def openapi_routes():
    routes = set()
    for module, prefix in ((openapi, "/v2.1"),
                           (network_openapi, "/network/v2.0")):
        paths = module.document("")["paths"]
        routes |= {(method.upper(), prefix + normalize(path), None)
                   for path, methods in paths.items()
                   for method in methods}
    return routes


def policy_routes():
    routes = set()
    for rule in policies.list_rules():
        prefix = _PREFIX.get(rule.name.split(":")[0])
        for op in getattr(rule, "operations", ()):
            path, _, action = op["path"].partition(" (")
            routes.add((op["method"], prefix + normalize(path),
                        action.rstrip(")") or None))
    return routes


def test_every_openapi_route_is_in_the_matrix():
    assert len(openapi_routes()) > 40
    assert missing(matrix_rows(), openapi_routes()) == []


def test_every_policy_operation_is_in_the_matrix():
    routes = policy_routes()
    assert {r[1].split("/")[1] for r in routes} == {
        "v2.1", "identity", "image", "network", "volume"}
    assert missing(matrix_rows(), routes) == []


def test_every_route_without_policy_is_in_the_matrix():
    required = {(m, p, None) for m, p in ROUTES_WITHOUT_POLICY}
    assert missing(matrix_rows(), required) == []


def test_every_server_action_is_in_the_matrix():
    from nimbus.api.openstack import schemas
    required = {("POST", "/v2.1/servers/{}/action", name)
                for name in schemas.ACTIONS}
    assert missing(matrix_rows(), required) == []


def test_every_matrix_row_is_a_known_route():
    """A typo in a row's path would otherwise pass as an extra route."""
    known = openapi_routes() | policy_routes() | {
        (m, p, None) for m, p in ROUTES_WITHOUT_POLICY}
    unknown = [row.route() for row in matrix_rows()
               if not any(covers(row.route(), k) for k in known)]
    assert unknown == []
