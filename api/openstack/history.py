"""The Compute API's microversions, as data: what each one changes, and
whether nimbus serves it yet.

The maximum nimbus advertises is the last version of the unbroken run
from 2.1 whose changes are all served (:func:`max_version`): a client
that negotiates "the latest" must get every behaviour up to it. Entries
say which issue a behaviour belongs to when it waits on another service
or workflow (``waits``).
"""

import collections

Change = collections.namedtuple("Change", "version summary served waits")


def _c(minor, summary, served=False, waits=None):
    return Change((2, minor), summary, served, waits)


CHANGES = (
    _c(1, "Initial v2.1: v2.0 bodies with strict request validation.",
       True),
    _c(2, "Key pair type (ssh, x509); create answers 201, delete 204.",
       True),
    _c(3, "More os-extended-server-attributes (reservation_id, "
          "launch_index, hostname, kernel/ramdisk ids, root device, "
          "user_data); delete_on_termination in volumes_attached.", True),
    _c(4, "os-fixed-ips shows `reserved` (a nova-network proxy, gone "
          "at 2.36; nimbus has not served os-fixed-ips)."),
    _c(5, "Non-admins may filter servers by ip6.", True),
    _c(6, "remote-consoles replaces the per-protocol console actions.",
       True),
    _c(7, "Adding tenant access to a public flavor is a 409.", True),
    _c(8, "MKS remote consoles (accepted in the body; nimbus serves "
          "no MKS console, a 400 as Nova's for unavailable types).", True),
    _c(9, "`locked` in server bodies.", True),
    _c(10, "Admins list and show other users' key pairs (user_id).",
       True),
    _c(11, "os-services force-down; `forced_down` in service bodies.",
       True),
    _c(12, "os-virtual-interfaces shows net_id.", True),
    _c(13, "Server groups show project_id and user_id.", True),
    _c(14, "evacuate: onSharedStorage removed, adminPass only when asked.",
       True),
    _c(15, "Server group policies soft-affinity and soft-anti-affinity.",
       True),
    _c(16, "host_status in server bodies (policy-gated).", True),
    _c(17, "trigger_crash_dump server action (NMI).", True),
    _c(18, "The project id in URLs is optional.", True),
    _c(19, "Server description: create, update, rebuild, in bodies.",
       True),
    _c(20, "Volume attach/detach on shelved-offloaded servers (only "
           "recorded; the volume is connected at unshelve).", True),
    _c(21, "os-instance-actions of deleted servers.", True),
    _c(22, "Force-complete a running live migration.", True),
    _c(23, "os-migrations: migration_type and links; "
           "servers/{id}/migrations list and show.", True),
    _c(24, "Abort a running live migration.", True),
    _c(25, "os-migrateLive: block_migration 'auto', no "
           "disk_over_commit.", True),
    _c(26, "Server tags: /servers/{id}/tags, tags in bodies, tag "
           "filters on lists.", True),
    _c(27, "The OpenStack-API-Version header.", True),
    _c(28, "Hypervisor cpu_info as an object.", True),
    _c(29, "evacuate: `force` (accepted; nimbus still has the scheduler "
           "claim the named host, so it never over-commits).", True),
    _c(30, "os-migrateLive: `force` (accepted; nimbus still has the "
           "scheduler claim the named host, so it never over-commits).",
       True),
    _c(31, "Serial console URLs fixed; os-console-auth-tokens shows "
           "every console type.", True),
    _c(32, "Device tags on networks (to 2.36) and block devices (2.32 "
           "only) at create (kept on the port and the block device "
           "mapping; shown in attachment bodies from 2.70).", True),
    _c(33, "Hypervisor list paging (limit, marker).", True),
    _c(34, "Live-migration pre-checks run asynchronously (the API "
           "answers 202 before the destination is checked; a failed "
           "check leaves the server ACTIVE with a failed migration).",
       True),
    _c(35, "Key pair list paging (limit, marker).", True),
    _c(36, "Network and image proxy APIs gone (404); proxy quotas gone.",
       True),
    _c(37, "server create: networks required ('auto', 'none', list).",
       True),
    _c(38, "Invalid status filters are a 400.", True),
    _c(39, "Image metadata quota gone from limits.", True),
    _c(40, "Simple tenant usage paging (limit, marker: a server).",
       True),
    _c(41, "Aggregates carry a uuid.", True),
    _c(42, "Device tags back on networks and block devices (kept: see "
           "2.32).", True),
    _c(43, "os-hosts gone (404; nimbus has never served os-hosts, "
           "os-services and os-hypervisors show the same).", True),
    _c(44, "add/removeFixedIp, addFloatingIp, os-virtual-interfaces gone.",
       True),
    _c(45, "createImage answers with a body (image_id), no Location "
           "(createBackup, the other action it changes, is not served).",
       True),
    _c(46, "X-OpenStack-Request-ID beside X-Compute-Request-ID on "
           "every answer (signalling only: nimbus always sent both).",
       True),
    _c(47, "The flavor is embedded in server bodies (extra_specs "
           "for those who may list a flavor's).", True),
    _c(48, "Server diagnostics in a standard format.", True),
    _c(49, "Device tag on volume and interface attach (kept: see 2.32; "
           "a host whose hypervisor cannot tag a hot-plugged device "
           "refuses it, 400).", True),
    _c(50, "Quota class sets: server group keys, no network keys.", True),
    _c(51, "volume-extended external event.", True),
    _c(52, "Tags at server create.", True),
    _c(53, "Services and hypervisors by UUID; hypervisor search and "
           "servers routes become query parameters.", True),
    _c(54, "Key pair on rebuild (key_name; null unsets it).", True),
    _c(55, "Flavor description: at create, in flavor bodies, "
           "PUT /flavors/{id}.", True),
    _c(56, "migrate: target `host` (admin; checked by the scheduler).",
       True),
    _c(57, "user_data on rebuild; personality and the injected file "
           "quotas and limits gone.", True),
    _c(58, "Instance action paging and changes-since; updated_at.",
       True),
    _c(59, "Migration paging, changes-since and uuid.", True),
    _c(60, "Multi-attach volumes: attach and boot from a volume of a "
           "multiattach type, also while attached to other servers.",
       True),
    _c(61, "Flavor extra_specs in flavor bodies (for those who may "
           "list a flavor's).", True),
    _c(62, "host (policy-gated) and hostId in instance action "
           "events.", True),
    _c(63, "trusted_image_certificates at create and rebuild and in "
           "server bodies; image signatures verified on compute hosts.",
       True),
    _c(64, "Server groups: `policy` and `rules` replace `policies`; "
           "no metadata.", True),
    _c(65, "Abort a live migration still preparing (conductor's checks "
           "and the destination's preparation; nimbus has no compute "
           "queue, so none is `queued`): it ends `cancelled`.", True),
    _c(66, "changes-before filter on lists.", True),
    _c(67, "volume_type in block_device_mapping_v2 (for the volumes "
           "made for the server).", True),
    _c(68, "`force` gone from live migration and evacuate (400).",
       True),
    _c(69, "Partial bodies for servers and services in down cells "
           "(signalling only: nimbus has one cell, whose database the "
           "API reads for every answer, so it answers whole or not at "
           "all, as a Nova whose cells are all up).", True),
    _c(70, "Device tags in interface and volume attachment bodies.",
       True),
    _c(71, "server_groups in server bodies.", True),
    _c(72, "Ports with resource requests at create (signalling only: "
           "nimbus's network service has no QoS policies, so no port "
           "carries a resource request and nothing was refused below "
           "2.72).", True),
    _c(73, "Lock reason; `locked_reason` and lock filters.", True),
    _c(74, "host and hypervisor_hostname at create (admin; the "
           "scheduler's filters still decide).", True),
    _c(75, "Consistent bodies: update and rebuild answer like show; "
           "unknown query parameters a 400; flavor swap 0; hypervisor "
           "servers always listed when asked.", True),
    _c(76, "power-update external event (a start or stop action; as "
           "Nova on libvirt, no nimbus plugin lets another service own "
           "its guests' power, so a settled server's event fails on the "
           "host and nothing changes).", True),
    _c(77, "availability_zone on unshelve.", True),
    _c(78, "Server topology (nimbus places no guest on NUMA cells: "
           "every server has Nova's answer for one without a NUMA "
           "topology, no nodes).", True),
    _c(79, "delete_on_termination on volume attach and in attachment "
           "bodies (the volume goes with the server).", True),
    _c(80, "Migration filters by user and project; user_id and "
           "project_id in migration bodies.", True),
    _c(81, "Image pre-caching on an aggregate's hosts "
           "(POST /os-aggregates/{id}/images).", True),
    _c(82, "accelerator-request-bound external event (signalling only: "
           "no nimbus build binds accelerators, so none waits for it; "
           "answered 200 and logged, as Nova's compute logs an event "
           "nobody waits for).", True),
    _c(83, "More server list filters for non-admins (availability_zone, "
           "config_drive, key_name, the *_at times, power_state, "
           "progress, user_id, task_state, vm_state; admins' at every "
           "version).", True),
    _c(84, "Instance action event details: why a failed event failed "
           "(the owner's by policy).", True),
    _c(85, "Update a volume attachment's delete_on_termination (PUT; "
           "below it PUT is the swap, which nimbus's volume service never "
           "asks for: Nova's 409).", True),
    _c(86, "Flavor extra spec validation (the namespaces nimbus's "
           "scheduler filters declare: `capabilities`, "
           "`aggregate_instance_extra_specs`).", True),
    _c(87, "Rescue of volume-backed servers (stable device rescue: a "
           "rescue image with hw_rescue_device/hw_rescue_bus).", True),
    _c(88, "Hypervisor resource figures gone from detailed bodies, "
           "`uptime` in them instead; /statistics and /{id}/uptime gone.",
       True),
    _c(89, "Volume attachment ids in attachment bodies (attachment_id "
           "and bdm_uuid replace id in list and show).", True),
    _c(90, "Hostname at create, update and rebuild; in server bodies "
           "and the hostname filter for everyone.", True),
    _c(91, "unshelve to a host (admins by policy; the scheduler's "
           "filters still decide); a null zone unpins the server.", True),
    _c(92, "Key pairs import only (no generate); `@` and `.` in "
           "names.", True),
    _c(93, "Rebuild of volume-backed servers with another image (the "
           "volume service re-images the root volume); volume-reimaged "
           "event (signalling only).", True),
    _c(94, "Hostname may be an FQDN.", True),
    _c(95, "evacuate leaves servers stopped (ACTIVE from ERROR).", True),
    _c(96, "pinned_availability_zone in server bodies (the zone the "
           "create or an unshelve pinned the server to, else null).",
       True),
)


#: versions at or below the advertised maximum that are not served yet,
#: and why the maximum is past them anyway: 2.4 was advertised
#: before this table kept count; 2.17-2.26 because stock clients need
#: 2.25 for live migration (``openstack server migrate --live-migration``
#: fails inside the client below it). Clients asking for these get a
#: clear 400/404, never a wrong answer. The set may only shrink.
KNOWN_GAPS = {
    (2, 4): "os-fixed-ips is not served",
}


def max_version():
    """The last version of the unbroken served run from 2.1 (the known
    gaps aside)."""
    last = CHANGES[0].version
    for change in CHANGES:
        if not change.served and change.version not in KNOWN_GAPS:
            break
        last = change.version
    return last
