"""Rules of the compute API's networking routes: the nova-network proxy
APIs (``os-networks``, ``os-security-groups``,
``os-security-group-rules``), a server's security groups and NICs
(``os-interface``, ``os-virtual-interfaces``). Names and defaults are
Nova's."""

from nimbus.core.policies import base

SG = "os_compute_api:os-security-groups:%s"
AI = "os_compute_api:os-attach-interfaces:%s"
S = "/servers/{server_id}"
G = "/os-security-groups"

_RULES = [
    ("os_compute_api:os-networks:list", base.PROJECT_READER_OR_ADMIN,
     "List the networks a server can be created on",
     [("GET", "/os-networks")]),
    ("os_compute_api:os-networks:view", base.PROJECT_READER_OR_ADMIN,
     "Show a network", [("GET", "/os-networks/{network_id}")]),
    (SG % "get", base.PROJECT_READER_OR_ADMIN, "List security groups",
     [("GET", G)]),
    (SG % "show", base.PROJECT_READER_OR_ADMIN, "Show a security group",
     [("GET", G + "/{security_group_id}")]),
    (SG % "create", base.PROJECT_MEMBER_OR_ADMIN,
     "Create a security group", [("POST", G)]),
    (SG % "update", base.PROJECT_MEMBER_OR_ADMIN,
     "Rename or describe a security group",
     [("PUT", G + "/{security_group_id}")]),
    (SG % "delete", base.PROJECT_MEMBER_OR_ADMIN,
     "Delete a security group",
     [("DELETE", G + "/{security_group_id}")]),
    (SG % "rule:create", base.PROJECT_MEMBER_OR_ADMIN,
     "Add a rule to a security group",
     [("POST", "/os-security-group-rules")]),
    (SG % "rule:delete", base.PROJECT_MEMBER_OR_ADMIN,
     "Delete a security group rule",
     [("DELETE", "/os-security-group-rules/{rule_id}")]),
    (SG % "list", base.PROJECT_READER_OR_ADMIN,
     "List the security groups of a server",
     [("GET", S + "/os-security-groups")]),
    (SG % "add", base.PROJECT_MEMBER_OR_ADMIN,
     "Add a security group to a server",
     [("POST", S + "/action (addSecurityGroup)")]),
    (SG % "remove", base.PROJECT_MEMBER_OR_ADMIN,
     "Remove a security group from a server",
     [("POST", S + "/action (removeSecurityGroup)")]),
    (AI % "list", base.PROJECT_READER_OR_ADMIN,
     "List a server's network interfaces",
     [("GET", S + "/os-interface")]),
    (AI % "show", base.PROJECT_READER_OR_ADMIN,
     "Show one network interface of a server",
     [("GET", S + "/os-interface/{port_id}")]),
    (AI % "create", base.PROJECT_MEMBER_OR_ADMIN,
     "Attach a network interface to a server",
     [("POST", S + "/os-interface")]),
    (AI % "delete", base.PROJECT_MEMBER_OR_ADMIN,
     "Detach a network interface from a server",
     [("DELETE", S + "/os-interface/{port_id}")]),
    ("os_compute_api:os-virtual-interfaces:list",
     base.PROJECT_READER_OR_ADMIN,
     "List a server's virtual interfaces (MAC addresses)",
     [("GET", S + "/os-virtual-interfaces")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
