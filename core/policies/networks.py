"""Rules of the Networking v2 subset nimbus serves (``/network/v2.0``).

Names follow Neutron's (``get_network``, ``create_network:shared``, ...)
under the ``network:`` prefix. Networks and their subnets are the
operator's (nova-network's model: administrators create, change and
delete them); every project reads its own, the shared ones and the
external (floating IP) ones. Ports, security groups and floating IPs
belong to projects: members write, readers read, administrators do both
anywhere. A resource the caller may not read answers 404, as Neutron
does, so its existence does not leak.
"""

from oslo_policy import policy

from nimbus.core.policies import base

N = "network:%s"
NETWORKS, NETWORK = "/networks", "/networks/{network_id}"
SUBNETS, SUBNET = "/subnets", "/subnets/{subnet_id}"
PORTS, PORT = "/ports", "/ports/{port_id}"
GROUPS, GROUP = "/security-groups", "/security-groups/{security_group_id}"
RULES_, RULE = ("/security-group-rules",
                "/security-group-rules/{security_group_rule_id}")
FIPS, FIP = "/floatingips", "/floatingips/{floatingip_id}"
QUOTA = "/quotas/{project_id}"

SHARED_OR_EXTERNAL = "rule:network:shared_or_external"

RULES = [
    policy.RuleDefault(
        "network:shared_or_external",
        "role:reader and (True:%(shared)s or True:%(external)s)",
        "Any reader may see shared networks and external (floating IP) "
        "networks and their subnets."),
]

_READ_NETWORK = f"{base.PROJECT_READER_OR_ADMIN} or {SHARED_OR_EXTERNAL}"

_RULES = [
    (N % "get_network", _READ_NETWORK, "List or show networks",
     [("GET", NETWORKS), ("GET", NETWORK)]),
    (N % "get_network:provider", base.ADMIN,
     "See a network's provider:* attributes (its VLAN)",
     [("GET", NETWORKS), ("GET", NETWORK)]),
    (N % "create_network", base.ADMIN, "Create a network",
     [("POST", NETWORKS)]),
    (N % "update_network", base.ADMIN, "Update a network",
     [("PUT", NETWORK)]),
    (N % "delete_network", base.ADMIN, "Delete a network",
     [("DELETE", NETWORK)]),
    (N % "get_subnet", _READ_NETWORK, "List or show subnets",
     [("GET", SUBNETS), ("GET", SUBNET)]),
    (N % "create_subnet", base.ADMIN,
     "Give a network its subnet (its CIDR)", [("POST", SUBNETS)]),
    (N % "update_subnet", base.ADMIN, "Update a subnet",
     [("PUT", SUBNET)]),
    (N % "delete_subnet", base.ADMIN,
     "Delete a subnet (refused: a subnet goes with its network)",
     [("DELETE", SUBNET)]),
    (N % "get_port", base.PROJECT_READER_OR_ADMIN, "List or show ports",
     [("GET", PORTS), ("GET", PORT)]),
    (N % "get_port:binding", base.ADMIN,
     "See a port's binding:* attributes (its host)",
     [("GET", PORTS), ("GET", PORT)]),
    (N % "create_port", base.PROJECT_MEMBER_OR_ADMIN, "Create a port",
     [("POST", PORTS)]),
    (N % "update_port", base.PROJECT_MEMBER_OR_ADMIN, "Update a port",
     [("PUT", PORT)]),
    (N % "delete_port", base.PROJECT_MEMBER_OR_ADMIN,
     "Delete a port no server uses", [("DELETE", PORT)]),
    (N % "get_security_group", base.PROJECT_READER_OR_ADMIN,
     "List or show security groups", [("GET", GROUPS), ("GET", GROUP)]),
    (N % "create_security_group", base.PROJECT_MEMBER_OR_ADMIN,
     "Create a security group", [("POST", GROUPS)]),
    (N % "update_security_group", base.PROJECT_MEMBER_OR_ADMIN,
     "Update a security group", [("PUT", GROUP)]),
    (N % "delete_security_group", base.PROJECT_MEMBER_OR_ADMIN,
     "Delete a security group", [("DELETE", GROUP)]),
    (N % "get_security_group_rule", base.PROJECT_READER_OR_ADMIN,
     "List or show security group rules",
     [("GET", RULES_), ("GET", RULE)]),
    (N % "create_security_group_rule", base.PROJECT_MEMBER_OR_ADMIN,
     "Create a security group rule", [("POST", RULES_)]),
    (N % "delete_security_group_rule", base.PROJECT_MEMBER_OR_ADMIN,
     "Delete a security group rule", [("DELETE", RULE)]),
    (N % "get_floatingip", base.PROJECT_READER_OR_ADMIN,
     "List or show floating IPs", [("GET", FIPS), ("GET", FIP)]),
    (N % "create_floatingip", base.PROJECT_MEMBER_OR_ADMIN,
     "Allocate a floating IP", [("POST", FIPS)]),
    (N % "create_floatingip:floating_ip_address", base.ADMIN,
     "Allocate a given floating IP address", [("POST", FIPS)]),
    (N % "update_floatingip", base.PROJECT_MEMBER_OR_ADMIN,
     "Associate or disassociate a floating IP", [("PUT", FIP)]),
    (N % "delete_floatingip", base.PROJECT_MEMBER_OR_ADMIN,
     "Release a floating IP", [("DELETE", FIP)]),
    (N % "get_quota", base.PROJECT_READER_OR_ADMIN,
     "Show a project's network quotas",
     [("GET", QUOTA), ("GET", QUOTA + "/details")]),
    (N % "update_quota", base.ADMIN, "Set a project's network quotas",
     [("PUT", QUOTA)]),
    (N % "delete_quota", base.ADMIN,
     "Reset a project's network quotas to the defaults",
     [("DELETE", QUOTA)]),
]


def list_rules():
    return RULES + [base.op(*rule) for rule in _RULES]
