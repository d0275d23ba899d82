"""Rules of server groups, aggregates and availability zones."""

from nimbus.core.policies import base

G = "os_compute_api:os-server-groups:%s"
A = "os_compute_api:os-aggregates:%s"
AGG = "/os-aggregates/{aggregate_id}"

_RULES = [
    (G % "index", base.PROJECT_READER_OR_ADMIN, "List server groups",
     [("GET", "/os-server-groups")]),
    (G % "index:all_projects", base.ADMIN,
     "List the server groups of every project",
     [("GET", "/os-server-groups")]),
    (G % "show", base.PROJECT_READER_OR_ADMIN, "Show a server group",
     [("GET", "/os-server-groups/{server_group_id}")]),
    (G % "create", base.PROJECT_MEMBER_OR_ADMIN, "Create a server group",
     [("POST", "/os-server-groups")]),
    (G % "delete", base.PROJECT_MEMBER_OR_ADMIN, "Delete a server group",
     [("DELETE", "/os-server-groups/{server_group_id}")]),
    (A % "index", base.ADMIN, "List aggregates",
     [("GET", "/os-aggregates")]),
    (A % "show", base.ADMIN, "Show an aggregate", [("GET", AGG)]),
    (A % "create", base.ADMIN, "Create an aggregate",
     [("POST", "/os-aggregates")]),
    (A % "update", base.ADMIN, "Rename an aggregate", [("PUT", AGG)]),
    (A % "delete", base.ADMIN, "Delete an aggregate", [("DELETE", AGG)]),
    (A % "add_host", base.ADMIN, "Add a host to an aggregate",
     [("POST", AGG + "/action (add_host)")]),
    (A % "remove_host", base.ADMIN, "Remove a host from an aggregate",
     [("POST", AGG + "/action (remove_host)")]),
    (A % "set_metadata", base.ADMIN, "Set an aggregate's metadata",
     [("POST", AGG + "/action (set_metadata)")]),
    ("compute:aggregates:images", base.ADMIN,
     "Have an aggregate's hosts pre-cache images (2.81)",
     [("POST", AGG + "/images")]),
    ("os_compute_api:os-availability-zone:list", base.ANY_READER,
     "List availability zones", [("GET", "/os-availability-zone")]),
    ("os_compute_api:os-availability-zone:detail", base.ADMIN,
     "List availability zones with their hosts",
     [("GET", "/os-availability-zone/detail")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
