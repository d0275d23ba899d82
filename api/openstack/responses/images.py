"""The image proxy (``/images``, read-only in nimbus): gone from 2.36
(a 404, as Nova), so every range ends at 2.35."""

from nimbus.api.openstack.responses import types as t

#: the last microversion that has the proxy.
LAST = 35

_LINKS = t.array(t.obj({
    "rel": {"enum": ["self", "bookmark", "alternate"]},
    "href": t.STRING,
    # the alternate (Glance) link's media type
    "type": t.STRING}, required=("rel", "href")))
_BRIEF = t.obj({"id": t.STRING, "name": t.NULLABLE_STRING, "links": _LINKS},
               required=("id", "name", "links"))
_DETAIL = t.evolve(_BRIEF, add={
    "minRam": t.INTEGER, "minDisk": t.INTEGER, "metadata": t.STRING_MAP,
    "created": t.DATE_TIME, "updated": t.DATE_TIME,
    "status": {"enum": ["ACTIVE", "SAVING", "DELETED", "ERROR",
                        "UNKNOWN"]},
    "progress": t.INTEGER,
    # null while Glance has no data for it
    "OS-EXT-IMG-SIZE:size": {"type": ["integer", "null"]},
    # a snapshot: the server it was taken of
    "server": t.obj({"id": t.STRING, "links": t.BOOKMARK_LINKS},
                    required=("id", "links")),
}, require=("minRam", "minDisk", "metadata", "created", "updated",
            "status", "progress", "OS-EXT-IMG-SIZE:size"))


def _list(image):
    return t.obj({"images": t.array(image),
                  "images_links": t.COLLECTION_LINKS}, required=("images",))


SCHEMAS = {
    ("GET", "/images"): [(1, LAST, _list(_BRIEF))],
    ("GET", "/images/detail"): [(1, LAST, _list(_DETAIL))],
    ("GET", "/images/{image_id}"): [
        (1, LAST, t.obj({"image": _DETAIL}, required=("image",)))],
}
