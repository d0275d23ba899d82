"""Flavor bodies in Nova's v2.1 shapes (``description`` from 2.55)."""

from nimbus.api.openstack import common


def _described(body, flavor):
    if common.at_least(55):
        body["description"] = flavor.description
    return body


def basic(flavor):
    return _described({"id": flavor.flavorid, "name": flavor.name,
                       "links": common.link("flavors", flavor.flavorid)},
                      flavor)


def detail(flavor):
    return _described({
        "id": flavor.flavorid, "name": flavor.name,
        "ram": flavor.memory_mb, "vcpus": flavor.vcpus,
        "disk": flavor.root_gb,
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
        "swap": flavor.swap or "",
        "rxtx_factor": flavor.rxtx_factor,
        "os-flavor-access:is_public": flavor.is_public,
        "OS-FLV-DISABLED:disabled": flavor.disabled,
        "links": common.link("flavors", flavor.flavorid),
    }, flavor)
