"""Rules of the operator resources: services, hypervisors, server
diagnostics and server external events."""

from nimbus.core.policies import base

_RULES = [
    ("os_compute_api:os-services:list", base.ADMIN, "List services",
     [("GET", "/os-services")]),
    ("os_compute_api:os-services:update", base.ADMIN,
     "Enable, disable or force down a service",
     [("PUT", "/os-services/{action}"),
      ("PUT", "/os-services/{service_id}")]),
    ("os_compute_api:os-services:delete", base.ADMIN, "Delete a service",
     [("DELETE", "/os-services/{service_id}")]),
    ("os_compute_api:os-hypervisors:list", base.ADMIN, "List hypervisors",
     [("GET", "/os-hypervisors")]),
    ("os_compute_api:os-hypervisors:list-detail", base.ADMIN,
     "List hypervisors in detail", [("GET", "/os-hypervisors/detail")]),
    ("os_compute_api:os-hypervisors:statistics", base.ADMIN,
     "Show hypervisor statistics",
     [("GET", "/os-hypervisors/statistics")]),
    ("os_compute_api:os-hypervisors:show", base.ADMIN,
     "Show a hypervisor", [("GET", "/os-hypervisors/{hypervisor_id}")]),
    ("os_compute_api:os-hypervisors:uptime", base.ADMIN,
     "Show a hypervisor's host uptime and load",
     [("GET", "/os-hypervisors/{hypervisor_id}/uptime")]),
    ("os_compute_api:os-hypervisors:search", base.ADMIN,
     "Search hypervisors by name (to 2.52)",
     [("GET", "/os-hypervisors/{hypervisor_hostname_pattern}/search")]),
    ("os_compute_api:os-hypervisors:servers", base.ADMIN,
     "List the servers of hypervisors found by name (to 2.52)",
     [("GET", "/os-hypervisors/{hypervisor_hostname_pattern}/servers")]),
    ("os_compute_api:os-server-diagnostics", base.ADMIN,
     "Show what the hypervisor measures of a running server",
     [("GET", "/servers/{server_id}/diagnostics")]),
    ("os_compute_api:os-server-external-events:create", base.ADMIN,
     "Tell a server's host about the server (volume-extended, "
     "network-*)", [("POST", "/os-server-external-events")]),
]


def list_rules():
    return [base.op(*rule) for rule in _RULES]
