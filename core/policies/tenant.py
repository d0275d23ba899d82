"""Rules of per-project and per-user resources: key pairs, limits,
quotas, usage."""

from nimbus.core.policies import base

OWNER = "(rule:project_reader_api and user_id:%(user_id)s) or " \
    "rule:context_is_admin"
OWNER_WRITE = "(rule:project_member_api and user_id:%(user_id)s) or " \
    "rule:context_is_admin"
Q = "/os-quota-sets/{project_id}"

_RULES = [
    ("os_compute_api:os-keypairs:index", OWNER, "List key pairs",
     [("GET", "/os-keypairs")]),
    ("os_compute_api:os-keypairs:show", OWNER, "Show a key pair",
     [("GET", "/os-keypairs/{name}")]),
    ("os_compute_api:os-keypairs:create", OWNER_WRITE,
     "Create or import a key pair", [("POST", "/os-keypairs")]),
    ("os_compute_api:os-keypairs:delete", OWNER_WRITE,
     "Delete a key pair", [("DELETE", "/os-keypairs/{name}")]),
    ("os_compute_api:limits", base.ANY_READER,
     "Show the caller's limits", [("GET", "/limits")]),
    ("os_compute_api:limits:other_project", base.ADMIN,
     "Show another project's limits", [("GET", "/limits")]),
    ("os_compute_api:os-quota-sets:show", base.PROJECT_READER_OR_ADMIN,
     "Show a project's quotas", [("GET", Q), ("GET", Q + "/detail")]),
    ("os_compute_api:os-quota-sets:defaults", base.ANY_READER,
     "Show default quotas", [("GET", Q + "/defaults")]),
    ("os_compute_api:os-quota-sets:update", base.ADMIN,
     "Set a project's quotas", [("PUT", Q)]),
    ("os_compute_api:os-quota-sets:delete", base.ADMIN,
     "Revert a project's quotas to the defaults", [("DELETE", Q)]),
    ("os_compute_api:os-quota-class-sets:show", base.ADMIN,
     "Show a quota class", [("GET", "/os-quota-class-sets/{id}")]),
    ("os_compute_api:os-quota-class-sets:update", base.ADMIN,
     "Set a quota class (``default``: every project's defaults)",
     [("PUT", "/os-quota-class-sets/{id}")]),
    ("os_compute_api:os-simple-tenant-usage:list", base.ADMIN,
     "List every project's usage over a period",
     [("GET", "/os-simple-tenant-usage")]),
    ("os_compute_api:os-simple-tenant-usage:show",
     base.PROJECT_READER_OR_ADMIN, "Show a project's usage over a period",
     [("GET", "/os-simple-tenant-usage/{project_id}")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
