"""Rules of /flavors, their extra specs and access lists."""

from nimbus.core.policies import base

F = "/flavors/{flavor_id}"

_RULES = [
    ("os_compute_api:flavors:index", base.ANY_READER, "List flavors",
     [("GET", "/flavors"), ("GET", "/flavors/detail")]),
    ("os_compute_api:flavors:show", base.ANY_READER, "Show a flavor",
     [("GET", F)]),
    ("os_compute_api:os-flavor-manage:create", base.ADMIN,
     "Create a flavor", [("POST", "/flavors")]),
    ("os_compute_api:os-flavor-manage:update", base.ADMIN,
     "Update a flavor's description (2.55)", [("PUT", F)]),
    ("os_compute_api:os-flavor-manage:delete", base.ADMIN,
     "Delete a flavor", [("DELETE", F)]),
    ("os_compute_api:os-flavor-extra-specs:index", base.ANY_READER,
     "List a flavor's extra specs", [("GET", F + "/os-extra_specs")]),
    ("os_compute_api:os-flavor-extra-specs:show", base.ANY_READER,
     "Show an extra spec", [("GET", F + "/os-extra_specs/{key}")]),
    ("os_compute_api:os-flavor-extra-specs:create", base.ADMIN,
     "Add extra specs", [("POST", F + "/os-extra_specs")]),
    ("os_compute_api:os-flavor-extra-specs:update", base.ADMIN,
     "Set an extra spec", [("PUT", F + "/os-extra_specs/{key}")]),
    ("os_compute_api:os-flavor-extra-specs:delete", base.ADMIN,
     "Delete an extra spec", [("DELETE", F + "/os-extra_specs/{key}")]),
    ("os_compute_api:os-flavor-access", base.ADMIN,
     "List the projects a private flavor is shared with",
     [("GET", F + "/os-flavor-access")]),
    ("os_compute_api:os-flavor-access:add_tenant_access", base.ADMIN,
     "Share a private flavor", [("POST", F + "/action (addTenantAccess)")]),
    ("os_compute_api:os-flavor-access:remove_tenant_access", base.ADMIN,
     "Unshare a private flavor",
     [("POST", F + "/action (removeTenantAccess)")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
