"""The CLI covers every route the compute API serves.

Routes come from the same sources the policy matrix uses (the OpenAPI
document, every policy rule's documented operations, every server
action), so a new route fails here until a verb covers it or the
exception list below says why none does.
"""

from cliff import commandmanager

from nimbus.api.openstack import schemas
from tests.functional.api.test_policy_matrix_routes import (
    openapi_routes,
    policy_routes,
)

S = "/v2.1/servers/{}"
F = "/v2.1/flavors/{}"
AGG = "/v2.1/os-aggregates/{}"
Q = "/v2.1/os-quota-sets/{}"

# (method, route, action) -> the verbs that send it.
COVERED = {
    ("GET", "/v2.1/servers", None): ["server list"],
    ("GET", "/v2.1/servers/detail", None): ["server list"],
    ("POST", "/v2.1/servers", None): ["server create"],
    ("GET", S, None): ["server show"],
    ("GET", S + "/diagnostics", None): ["server show"],
    ("PUT", S, None): ["server set"],
    ("DELETE", S, None): ["server delete"],
    ("POST", S + "/action", "os-start"): ["server start"],
    ("POST", S + "/action", "os-stop"): ["server stop"],
    ("POST", S + "/action", "pause"): ["server pause"],
    ("POST", S + "/action", "unpause"): ["server unpause"],
    ("POST", S + "/action", "suspend"): ["server suspend"],
    ("POST", S + "/action", "resume"): ["server resume"],
    ("POST", S + "/action", "lock"): ["server lock"],
    ("POST", S + "/action", "unlock"): ["server unlock"],
    ("POST", S + "/action", "reboot"): ["server reboot"],
    ("POST", S + "/action", "os-resetState"): ["server set"],
    ("POST", S + "/action", "changePassword"): ["server set"],
    ("POST", S + "/action", "os-getConsoleOutput"): ["console log"],
    ("POST", S + "/remote-consoles", None): ["console url show",
                                            "server console url"],
    ("POST", S + "/action", "resize"): ["server resize"],
    ("POST", S + "/action", "confirmResize"): ["server resize confirm"],
    ("POST", S + "/action", "revertResize"): ["server resize revert"],
    ("POST", S + "/action", "migrate"): ["server migrate"],
    ("GET", "/v2.1/os-migrations", None): ["server migration list"],
    ("GET", S + "/migrations", None): ["server migration list"],
    ("GET", S + "/migrations/{}", None): ["server migration show"],
    ("POST", S + "/action", "os-migrateLive"): ["server migrate"],
    ("DELETE", S + "/migrations/{}", None): ["server migration abort"],
    ("POST", S + "/migrations/{}/action", "force_complete"):
        ["server migration force complete"],
    ("POST", S + "/action", "rebuild"): ["server rebuild"],
    ("POST", S + "/action", "createImage"): ["server image create"],
    ("POST", S + "/action", "shelve"): ["server shelve"],
    ("POST", S + "/action", "shelveOffload"): ["server shelve"],
    ("POST", S + "/action", "unshelve"): ["server unshelve"],
    ("POST", S + "/action", "rescue"): ["server rescue"],
    ("POST", S + "/action", "unrescue"): ["server unrescue"],
    ("POST", S + "/action", "evacuate"): ["server evacuate"],
    ("POST", S + "/metadata", None): ["server set", "server create"],
    ("DELETE", S + "/metadata/{}", None): ["server unset"],
    ("GET", S + "/os-instance-actions", None): ["server event list"],
    ("GET", S + "/os-instance-actions/{}", None): ["server event show"],
    ("GET", "/v2.1/flavors", None): ["flavor list"],
    ("GET", "/v2.1/flavors/detail", None): ["flavor list"],
    ("POST", "/v2.1/flavors", None): ["flavor create"],
    ("GET", F, None): ["flavor show"],
    ("DELETE", F, None): ["flavor delete"],
    ("PUT", F, None): ["flavor set"],
    ("POST", F + "/action", "addTenantAccess"): ["flavor set"],
    ("POST", F + "/action", "removeTenantAccess"): ["flavor unset"],
    ("GET", F + "/os-extra_specs", None): ["flavor show"],
    ("POST", F + "/os-extra_specs", None): ["flavor set"],
    ("DELETE", F + "/os-extra_specs/{}", None): ["flavor unset"],
    ("GET", F + "/os-flavor-access", None): ["flavor show"],
    ("GET", "/v2.1/images", None): ["image list"],
    ("GET", "/v2.1/images/detail", None): ["image list"],
    ("GET", "/v2.1/images/{}", None): ["image show"],
    ("GET", "/v2.1/limits", None): ["limits show"],
    ("GET", "/v2.1/os-aggregates", None): ["aggregate list"],
    ("POST", "/v2.1/os-aggregates", None): ["aggregate create"],
    ("GET", AGG, None): ["aggregate show"],
    ("PUT", AGG, None): ["aggregate set"],
    ("DELETE", AGG, None): ["aggregate delete"],
    ("POST", AGG + "/action", "add_host"): ["aggregate add host"],
    ("POST", AGG + "/action", "remove_host"): ["aggregate remove host"],
    ("POST", AGG + "/action", "set_metadata"): ["aggregate set",
                                                "aggregate unset"],
    ("GET", "/v2.1/os-availability-zone", None): ["availability zone list"],
    ("GET", "/v2.1/os-availability-zone/detail", None): [
        "availability zone list"],
    ("GET", "/v2.1/os-hypervisors", None): ["hypervisor list"],
    ("GET", "/v2.1/os-hypervisors/detail", None): ["hypervisor list"],
    ("GET", "/v2.1/os-hypervisors/statistics", None): [
        "hypervisor stats show"],
    ("GET", "/v2.1/os-hypervisors/{}", None): ["hypervisor show"],
    ("GET", "/v2.1/os-hypervisors/{}/uptime", None): ["hypervisor show"],
    ("GET", "/v2.1/os-keypairs", None): ["keypair list"],
    ("POST", "/v2.1/os-keypairs", None): ["keypair create"],
    ("GET", "/v2.1/os-keypairs/{}", None): ["keypair show"],
    ("DELETE", "/v2.1/os-keypairs/{}", None): ["keypair delete"],
    ("GET", Q, None): ["quota show"],
    ("PUT", Q, None): ["quota set"],
    ("DELETE", Q, None): ["quota delete"],
    ("GET", Q + "/defaults", None): ["quota show"],
    ("GET", Q + "/detail", None): ["quota show"],
    ("GET", "/v2.1/os-server-groups", None): ["server group list"],
    ("POST", "/v2.1/os-server-groups", None): ["server group create"],
    ("GET", "/v2.1/os-server-groups/{}", None): ["server group show"],
    ("DELETE", "/v2.1/os-server-groups/{}", None): ["server group delete"],
    ("GET", "/v2.1/os-services", None): ["service list"],
    ("PUT", "/v2.1/os-services/enable", None): ["service set"],
    ("PUT", "/v2.1/os-services/disable", None): ["service set"],
    # disable-log-reason and force-down are /os-services/{action} too.
    ("PUT", "/v2.1/os-services/{}", None): ["service set"],
    ("PUT", "/v2.1/os-services/disable-log-reason", None): ["service set"],
    ("PUT", "/v2.1/os-services/force-down", None): ["service set"],
    ("DELETE", "/v2.1/os-services/{}", None): ["service delete"],
    ("GET", "/v2.1/os-simple-tenant-usage", None): ["usage list"],
    ("GET", "/v2.1/os-simple-tenant-usage/{}", None): ["usage show"],
    ("POST", S + "/os-volume_attachments", None): ["server add volume"],
    ("DELETE", S + "/os-volume_attachments/{}", None): [
        "server remove volume"],
    ("POST", S + "/action", "addSecurityGroup"): [
        "server add security group"],
    ("POST", S + "/action", "removeSecurityGroup"): [
        "server remove security group"],
    ("GET", S + "/os-interface", None): ["server interface list",
                                          "server remove network"],
    ("GET", S + "/os-interface/{}", None): ["server interface show"],
    ("POST", S + "/os-interface", None): ["server add network",
                                           "server add port"],
    ("DELETE", S + "/os-interface/{}", None): ["server remove network",
                                                "server remove port"],
}

# Routes no verb sends, and why.
EXCEPTIONS = {
    # The 2.1-2.5 form of remote-consoles (404 from 2.6), which
    # `console url show` sends; stock clients before 2.6 send it.
    ("POST", S + "/action", "os-getVNCConsole"),
    # An operator's look-up of what a console token opens (admin
    # debugging of the proxy); no stock client verb either.
    ("GET", "/v2.1/os-console-auth-tokens/{}", None),
    # Events other services send about a server (Neutron's network-*,
    # Cinder's volume-extended; nimbus's volume service sends its own in
    # process): service-to-service, as in Nova, with no user verb in the
    # stock clients either.
    ("POST", "/v2.1/os-server-external-events", None),
    # The generic form of the action route; each action is listed above.
    ("POST", S + "/action", None),
    ("POST", F + "/action", None),
    ("POST", AGG + "/action", None),
    # Reads of what `server show` already shows (addresses, properties).
    ("GET", S + "/ips", None),
    ("GET", S + "/ips/{}", None),
    ("GET", S + "/metadata", None),
    ("GET", S + "/metadata/{}", None),
    # Whole-set replacement of metadata: `server set/unset --property`
    # change keys one by one, as the openstack client does.
    ("PUT", S + "/metadata", None),
    ("PUT", S + "/metadata/{}", None),
    # One extra spec; `flavor show` reads them all, `flavor set` writes.
    ("GET", F + "/os-extra_specs/{}", None),
    ("PUT", F + "/os-extra_specs/{}", None),
    # Nova's proxies to the network service, kept for clients with no
    # network endpoint: the CLI speaks the Networking v2 dialect itself
    # (`nimbus network ...`, `nimbus security group ...`), as the
    # openstack client does.
    ("GET", "/v2.1/os-networks", None),
    ("GET", "/v2.1/os-networks/{}", None),
    ("GET", "/v2.1/os-security-groups", None),
    ("POST", "/v2.1/os-security-groups", None),
    ("GET", "/v2.1/os-security-groups/{}", None),
    ("PUT", "/v2.1/os-security-groups/{}", None),
    ("DELETE", "/v2.1/os-security-groups/{}", None),
    ("POST", "/v2.1/os-security-group-rules", None),
    ("DELETE", "/v2.1/os-security-group-rules/{}", None),
    ("GET", S + "/os-security-groups", None),
    # nova-network's read of a server's VIFs (gone from Nova at 2.44):
    # `server interface list` shows the same ports with their MACs.
    ("GET", S + "/os-virtual-interfaces", None),
    # Before 2.53 name searches of hypervisors (gone at 2.53):
    # `hypervisor list` and `hypervisor show` read the same.
    ("GET", "/v2.1/os-hypervisors/{}/search", None),
    ("GET", "/v2.1/os-hypervisors/{}/servers", None),
    # Quota classes: operators set every project's defaults in [quota]
    # (or with the stock `openstack quota set --class default`).
    ("GET", "/v2.1/os-quota-class-sets/{}", None),
    ("PUT", "/v2.1/os-quota-class-sets/{}", None),
    # The guest-posted (encrypted) password: read with the stock
    # `nova get-password` or openstacksdk; no nimbus verb yet.
    ("GET", S + "/os-server-password", None),
    ("DELETE", S + "/os-server-password", None),
    # Server tags (2.26) and crash dumps (2.17): the stock `openstack
    # server set/unset --tag` and `openstack server dump create` send
    # them (tests/functional/api/test_server_tags.py, test_crash_dump.py);
    # no nimbus verb yet.
    ("GET", S + "/tags", None),
    ("PUT", S + "/tags", None),
    ("DELETE", S + "/tags", None),
    ("GET", S + "/tags/{}", None),
    ("PUT", S + "/tags/{}", None),
    ("DELETE", S + "/tags/{}", None),
    ("POST", S + "/action", "trigger_crash_dump"),
    # A server's volumes: `nimbus volume list/show` shows attachments
    # from the volume service's side.
    ("GET", S + "/os-volume_attachments", None),
    ("GET", S + "/os-volume_attachments/{}", None),
    # Newer than the microversion the CLI speaks; the stock clients send
    # them (`openstack server show --topology` 2.78, `openstack aggregate
    # cache image` 2.81, `openstack server volume set
    # --delete-on-termination` 2.85; tests/functional/api/
    # test_microversions_78.py, _81.py, _85.py); no nimbus verb yet.
    ("GET", S + "/topology", None),
    ("POST", AGG + "/images", None),
    ("PUT", S + "/os-volume_attachments/{}", None),
}


def compute_routes():
    routes = {r for r in openapi_routes() | policy_routes()
              if r[1].startswith("/v2.1/")}
    routes |= {("POST", S + "/action", name) for name in schemas.ACTIONS}
    return routes


def cli_commands():
    manager = commandmanager.CommandManager("nimbus.cli")
    return {name for name, _ in manager}


def test_every_compute_route_has_a_verb_or_a_reason():
    routes = compute_routes()
    assert len(routes) > 70
    missing = sorted(r for r in routes - EXCEPTIONS if r not in COVERED)
    assert missing == [], f"routes with no CLI verb: {missing}"


def test_every_named_verb_exists():
    commands = cli_commands()
    named = {verb for verbs in COVERED.values() for verb in verbs}
    assert sorted(named - commands) == []


def test_lists_name_only_real_routes():
    """A stale entry (a renamed route) must not hide a missing verb."""
    routes = compute_routes()
    assert sorted(set(COVERED) - routes) == []
    assert sorted(EXCEPTIONS - routes) == []
