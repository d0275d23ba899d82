"""Version documents at ``/``, ``/v2.1`` and ``/v2.1/`` (Nova's shapes)."""

from nimbus.api.openstack import common, microversion

UPDATED = "2013-07-23T11:33:21Z"


def v21(base):
    return {
        "id": "v2.1", "status": "CURRENT",
        "version": microversion.text(microversion.MAX_VERSION),
        "min_version": microversion.text(microversion.MIN_VERSION),
        "updated": UPDATED,
        "links": [{"rel": "self", "href": base + "/v2.1/"},
                  {"rel": "describedby", "type": "text/html",
                   "href": "https://docs.openstack.org/"}],
        "media-types": [{
            "base": "application/json",
            "type": "application/vnd.openstack.compute+json;version=2.1"}],
    }


def root_document():
    doc = v21(common.base_url())
    doc["links"] = doc["links"][:1]
    doc.pop("media-types")
    return {"versions": [doc]}


def v21_document():
    return {"version": v21(common.base_url())}
