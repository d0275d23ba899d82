"""Flavor bodies in Nova's v2.1 shapes (``description`` from 2.55)."""

from nimbus.api.openstack import common

#: who may read a flavor's extra specs (and, from 2.61, see them in its
#: body: Nova's check).
EXTRA_SPECS_INDEX = "os_compute_api:os-flavor-extra-specs:index"


def _described(body, flavor):
    if common.at_least(55):
        body["description"] = flavor.description
    return body


def basic(flavor):
    return _described({"id": flavor.flavorid, "name": flavor.name,
                       "links": common.link("flavors", flavor.flavorid)},
                      flavor)


def extra_specs_shown():
    """2.61: whether detailed flavor bodies carry ``extra_specs`` (for
    those the policy lets list a flavor's extra specs)."""
    return common.at_least(61) and common.may(EXTRA_SPECS_INDEX)


def detail(flavor, extra_specs=False):
    """A flavor's detailed body (show, list detail, create, update).

    :param extra_specs: include the flavor's ``extra_specs`` (2.61,
        see :func:`extra_specs_shown`).
    """
    body = _described({
        "id": flavor.flavorid, "name": flavor.name,
        "ram": flavor.memory_mb, "vcpus": flavor.vcpus,
        "disk": flavor.root_gb,
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
        # "" for none until 2.75, then 0
        "swap": flavor.swap or (0 if common.at_least(75) else ""),
        "rxtx_factor": flavor.rxtx_factor,
        "os-flavor-access:is_public": flavor.is_public,
        "OS-FLV-DISABLED:disabled": flavor.disabled,
        "links": common.link("flavors", flavor.flavorid),
    }, flavor)
    if extra_specs:
        body["extra_specs"] = dict(flavor.extra_specs or {})
    return body
