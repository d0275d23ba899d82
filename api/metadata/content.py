"""What the metadata service tells one instance about itself.

:class:`InstanceMetadata` is built from the instance, its VIF dicts (the
``network_info`` entries of net-design: ``id``, ``mac``, ``network``,
``fixed_ips``, ``floating_ips``) and its security group names; it answers
paths of the EC2 tree (``/<version>/meta-data/...``, ``user-data``) and of
the OpenStack tree (``/openstack/<version>/meta_data.json``,
``network_data.json``, ``user_data``) the way Nova's metadata API does.

Everything here is pure data: no request, no service call, so the shapes
are tested without a server.
"""

import base64
import binascii
import ipaddress
import json

from nimbus.core import exception
from nimbus.core.compute import hostnames

# The EC2 API versions Nova's metadata service lists; every one serves the
# same tree here (the keys nimbus has did not change between them).
EC2_VERSIONS = ("1.0", "2007-01-19", "2007-03-01", "2007-08-29",
                "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01",
                "2009-04-04")

# OpenStack metadata versions, oldest first; a file appears from the
# version that introduced it.
#: the first OpenStack metadata version with ``password``.
PASSWORD_SINCE = "2013-04-04"
OPENSTACK_VERSIONS = ("2012-08-10", "2013-04-04", "2013-10-17",
                      "2015-10-15", "2016-06-30", "2016-10-06",
                      "2017-02-22", "2018-08-27", "2020-10-14")
_NETWORK_DATA_SINCE = "2015-10-15"
#: meta_data.json's ``devices`` (Nova's NEWTON_ONE), and the
#: ``vf_trusted`` of its NICs (ROCKY).
_DEVICES_SINCE = "2016-06-30"
_VF_TRUSTED_SINCE = "2018-08-27"

# The DNS domain of hostnames, as Nova's default [api] dhcp_domain.
DHCP_DOMAIN = "novalocal"


def hostname(instance):
    """The guest's fully qualified name, as Nova's metadata service
    gives it (``hostname``, ``local-hostname``, ``public-hostname`` and
    meta_data.json's ``hostname``): the server's hostname (see
    :mod:`nimbus.core.compute.hostnames`) and the DHCP domain, also
    after a hostname that is an FQDN already (2.94)."""
    return f"{hostnames.of(instance)}.{DHCP_DOMAIN}"


def ec2_instance_id(instance_id):
    """``i-%08x`` of the instance's integer id, as Nova shows it."""
    return "i-%08x" % instance_id


def decode_user_data(value):
    """User data as the guest gets it: the API stores what the client
    sent (base64, as Nova requires); anything that is not valid base64 is
    served as it is."""
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode()


def tagged_devices(ports, attachments):
    """The devices a guest is told about in meta_data.json: those the
    server's create or an attach gave a tag (Compute API 2.32, 2.42,
    2.49), as Nova's libvirt driver records them: disks (an attached
    volume, its id as ``serial``) in device order, then NICs (``mac``).

    nimbus does not read back where the hypervisor put a device, so
    ``bus`` and ``address`` are ``none``, Nova's values for a device whose
    bus it does not describe; the serial or MAC names the device.

    :param ports: the server's port dicts (``mac_address``, ``tag``).
    :param attachments: its volume attachment dicts (``volume_id``,
        ``device``, ``tag``).
    """
    devices = [{"type": "disk", "serial": a["volume_id"],
                "tags": [a["tag"]]}
               for a in sorted(attachments,
                               key=lambda a: a.get("device") or "")
               if a.get("tag")]
    devices += [{"type": "nic", "mac": p["mac_address"],
                 "tags": [p["tag"]]} for p in ports if p.get("tag")]
    for device in devices:
        device.update(bus="none", address="none")
    return devices


def _listing(tree):
    """A directory listing in the EC2 style: sub-trees end with ``/``."""
    names = []
    for key in sorted(tree):
        names.append(key + "/" if isinstance(tree[key], dict) else key)
    return "\n".join(names)


class InstanceMetadata:
    """The metadata of one instance.

    :param instance: the instance (``id``, ``uuid``, ``display_name``,
        ``project_id``, ``key_name``, ``key_data``, ``user_data``,
        ``availability_zone``, ``reservation_id``, ``launch_index``,
        ``metadata``, ``flavor_name``, ``image_ref``).
    :param vifs: the instance's VIF dicts, in device order.
    :param security_groups: the names of its security groups.
    :param devices: its tagged devices (:func:`tagged_devices`).
    """

    def __init__(self, instance, vifs, security_groups=(), devices=()):
        self.instance = instance
        self.vifs = list(vifs or ())
        self.security_groups = list(security_groups)
        self.devices = list(devices)
        self.hostname = hostname(instance)

    # -- addresses ---------------------------------------------------------

    def fixed_ips(self):
        return [ip for vif in self.vifs for ip in vif.get("fixed_ips", ())]

    def floating_ips(self):
        return [fip for vif in self.vifs
                for fips in (vif.get("floating_ips") or {}).values()
                for fip in fips]

    # -- EC2 tree -----------------------------------------------------------

    def ec2_tree(self):
        """The ``meta-data`` tree: dicts are directories, strings files."""
        inst = self.instance
        fqdn = self.hostname
        fixed, floating = self.fixed_ips(), self.floating_ips()
        tree = {
            "ami-id": _ec2_image_id(inst.image_ref),
            "ami-launch-index": str(inst.launch_index or 0),
            "block-device-mapping": {"ami": "vda", "root": "/dev/vda"},
            "hostname": fqdn,
            "instance-action": "none",
            "instance-id": ec2_instance_id(inst.id),
            "instance-type": inst.flavor_name or "",
            "local-hostname": fqdn,
            "local-ipv4": fixed[0] if fixed else "",
            "placement": {"availability-zone":
                          inst.availability_zone or "nova"},
            "public-hostname": fqdn,
            "public-ipv4": floating[0] if floating else "",
            "reservation-id": inst.reservation_id or "",
            "security-groups": "\n".join(self.security_groups),
        }
        if inst.key_name and inst.key_data:
            tree["public-keys"] = {
                "0": {"openssh-key": inst.key_data.rstrip("\n") + "\n"}}
        return tree

    def ec2(self, parts):
        """Answer ``parts`` below ``/<version>/`` of the EC2 tree.

        :returns: ``(content type, bytes)``.
        :raises nimbus.core.exception.NotFound: no such path.
        """
        user_data = decode_user_data(self.instance.user_data)
        if not parts:
            names = ["meta-data/"] + (["user-data"] if user_data else [])
            return _text("\n".join(names))
        head, rest = parts[0], parts[1:]
        if head == "user-data" and not rest:
            if user_data is None:
                raise exception.NotFound()
            return "application/octet-stream", user_data
        if head != "meta-data":
            raise exception.NotFound()
        node = self.ec2_tree()
        for index, part in enumerate(rest):
            if not isinstance(node, dict) or part not in node:
                raise exception.NotFound()
            if part == "public-keys" and index == len(rest) - 1:
                # EC2 lists keys as "<index>=<name>".
                return _text(f"0={self.instance.key_name}")
            node = node[part]
        if isinstance(node, dict):
            return _text(_listing(node))
        return _text(node)

    # -- OpenStack tree ------------------------------------------------------

    def meta_data_json(self, version="latest"):
        inst = self.instance
        body = {
            "uuid": inst.uuid,
            "name": inst.display_name,
            "hostname": self.hostname,
            "launch_index": inst.launch_index or 0,
            "availability_zone": inst.availability_zone or "nova",
            "project_id": inst.project_id,
            "meta": dict(inst.metadata or {}),
        }
        if _since(version, _DEVICES_SINCE):
            body["devices"] = [
                dict(d, vf_trusted=False)
                if d["type"] == "nic" and _since(version, _VF_TRUSTED_SINCE)
                else dict(d) for d in self.devices]
        if inst.key_name and inst.key_data:
            body["public_keys"] = {inst.key_name: inst.key_data}
            body["keys"] = [{"name": inst.key_name, "type": "ssh",
                             "data": inst.key_data}]
        return body

    def network_data_json(self):
        """Nova's ``network_data.json``: one link per VIF, one IPv4
        network per fixed address, DNS servers as services."""
        links, networks, services = [], [], []
        for vif in self.vifs:
            net = vif.get("network") or {}
            link_id = "tap" + vif["id"][:11]
            links.append({"id": link_id, "vif_id": vif["id"],
                          "type": "bridge" if not net.get("vlan")
                          else "vlan",
                          "mtu": net.get("mtu"),
                          "ethernet_mac_address": vif["mac"]})
            for address in vif.get("fixed_ips", ()):
                networks.append(_ipv4_network(len(networks), link_id, net,
                                              address))
            for dns in net.get("dns_servers") or ():
                entry = {"type": "dns", "address": dns}
                if entry not in services:
                    services.append(entry)
        return {"links": links, "networks": networks, "services": services}

    def openstack(self, version, parts):
        """Answer ``parts`` below ``/openstack/<version>/``.

        :returns: ``(content type, bytes)``.
        :raises nimbus.core.exception.NotFound: no such path (or not in
            that version).
        """
        user_data = decode_user_data(self.instance.user_data)
        files = {"meta_data.json": lambda: self.meta_data_json(version),
                 "vendor_data.json": dict}
        if version == "latest" or version >= _NETWORK_DATA_SINCE:
            files["network_data.json"] = self.network_data_json
        if not parts:
            names = sorted(files) + (["user_data"] if user_data else [])
            if version == "latest" or version >= PASSWORD_SINCE:
                names.append("password")
            return _text("\n".join(sorted(names)))
        if len(parts) != 1:
            raise exception.NotFound()
        name, = parts
        if name == "user_data":
            if user_data is None:
                raise exception.NotFound()
            return "application/octet-stream", user_data
        if name not in files:
            raise exception.NotFound()
        return "application/json", json.dumps(files[name]()).encode()


def _since(version, first):
    return version == "latest" or version >= first


def _ipv4_network(index, link_id, net, address):
    cidr = ipaddress.ip_network(net.get("cidr") or f"{address}/32",
                                strict=False)
    entry = {"id": f"network{index}", "type": "ipv4", "link": link_id,
             "ip_address": address, "netmask": str(cidr.netmask),
             "network_id": net.get("id"), "routes": [],
             "services": [{"type": "dns", "address": dns}
                          for dns in net.get("dns_servers") or ()]}
    if net.get("gateway"):
        entry["routes"].append({"network": "0.0.0.0", "netmask": "0.0.0.0",
                                "gateway": net["gateway"]})
    return entry


def _ec2_image_id(image_ref):
    """``ami-%08x`` of an image id (nimbus keeps no EC2 id map here: a
    stable number from the UUID's first 32 bits)."""
    if not image_ref:
        return ""
    try:
        return "ami-%08x" % int(image_ref.replace("-", "")[:8], 16)
    except ValueError:
        return "ami-00000000"


def _text(value):
    return "text/plain", value.encode()
