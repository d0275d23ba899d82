"""Version documents at ``/volume`` and ``/volume/v3/`` (Cinder's
shapes): openstacksdk reads ``version``/``min_version`` from them to pick
the microversion it sends."""

from nimbus.api.volume import microversion

UPDATED = "2023-08-31T00:00:00Z"


def v3(base):
    return {
        "id": "v3.0", "status": "CURRENT",
        "version": microversion.text(microversion.MAX_VERSION),
        "min_version": microversion.text(microversion.MIN_VERSION),
        "updated": UPDATED,
        "links": [{"rel": "describedby", "type": "text/html",
                   "href": "https://docs.openstack.org/"},
                  {"rel": "self", "href": base + "/volume/v3/"}],
        "media-types": [{
            "base": "application/json",
            "type": "application/vnd.openstack.volume+json;version=3"}],
    }


def document(base):
    return {"versions": [v3(base)]}
