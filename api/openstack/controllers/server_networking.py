"""The networking parts of server requests and bodies: ``networks`` and
``security_groups`` of a create (Nova's checks and messages), and the
``addresses``/``security_groups`` of server bodies (one network query
per list, not one per server)."""

import jsonschema
from oslo_utils import netutils, uuidutils

from nimbus.api import http
from nimbus.api.openstack import common, schemas_network
from nimbus.api.openstack.views import addresses as addresses_view
from nimbus.core import exception


def _bad(message):
    return exception.Invalid(message=message)


def _tagged(request, entry):
    if entry.get("tag"):
        request["tag"] = entry["tag"]
    return request


def requested_networks(data, max_count):
    """``server.networks`` as :meth:`ComputeAPI.create` takes it.

    :returns: ``None`` (not given: the default network), ``"auto"``,
        ``"none"``, or a list of ``{"uuid", "fixed_ip", "port"}`` (and
        the NIC's device ``tag`` when it is given one).
    :raises ValidationError, Invalid: a malformed request (400), before
        anything is recorded.
    """
    if "networks" not in data:
        if common.at_least(37):
            raise exception.ValidationError(
                field="server/networks",
                reason="'networks' is a required property")
        return None
    value = data["networks"]
    try:
        http.check(value, schemas_network.networks())
    except jsonschema.ValidationError as err:
        raise exception.ValidationError(field="server/networks",
                                        reason=err.message)
    if isinstance(value, str):
        return value
    if not value:
        # Below 2.37 an empty list asks for nothing in particular: the
        # default network(s), as Nova gives (what the openstack client
        # sends for `server create` without --nic).
        return None
    requests = []
    for entry in value:
        port = entry.get("port")
        address = entry.get("fixed_ip")
        if address is not None and not netutils.is_valid_ip(address):
            raise _bad(f"Invalid fixed IP address ({address})")
        if port:
            if not uuidutils.is_uuid_like(port):
                raise _bad("Bad networks format: port uuid is not in "
                           f"proper format ({port})")
            if address is not None:
                raise _bad(f"Specified Fixed IP '{address}' cannot be used "
                           f"with port '{port}': the two cannot be "
                           "specified together.")
            requests.append(_tagged({"uuid": None, "fixed_ip": None,
                                     "port": port}, entry))
            continue
        if "uuid" not in entry:
            raise _bad("Bad network format: missing 'uuid'")
        if not uuidutils.is_uuid_like(entry["uuid"]):
            raise _bad("Bad networks format: network uuid is not in proper "
                       f"format ({entry['uuid']})")
        requests.append(_tagged({"uuid": entry["uuid"], "fixed_ip": address,
                                 "port": None}, entry))
    if max_count > 1:
        if any(r["fixed_ip"] for r in requests):
            raise _bad("max_count cannot be greater than 1 if an fixed_ip "
                       "is specified.")
        if any(r["port"] for r in requests):
            raise _bad("max_count cannot be greater than 1 if an port_id "
                       "is specified.")
    return requests


def requested_security_groups(data):
    """The names (or ids) of ``server.security_groups``, each once, in
    request order; ``None`` when not given (the project's default)."""
    groups = data.get("security_groups")
    if not groups:
        return None
    names = []
    for group in groups:
        name = (group.get("name") or "").strip()
        if not name:
            raise _bad("Security group name cannot be empty")
        if name not in names:
            names.append(name)
    return names


class NetworkViewData:
    """The addresses and security group names of some instances, read
    with one query each for the whole list."""

    def __init__(self, context, instances, groups=True):
        network = common.services().network
        uuids = [i.uuid for i in instances]
        self._vifs = network.get_nw_info_bulk(context, uuids) if uuids \
            else {}
        self._groups = network.get_security_group_names_bulk(
            context, uuids) if uuids and groups else {}

    def addresses(self, uuid, extended=True):
        return addresses_view.addresses(self._vifs.get(uuid, ()),
                                        extended=extended)

    def security_groups(self, uuid):
        return self._groups.get(uuid, [])
