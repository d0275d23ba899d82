"""Images in an existing Glance (Image API v2).

nimbus talks to Glance with its service credentials, which Glance must
give its admin role: records are created for the caller's project
(``owner``), and who sees what is decided here with the contract's rules
(:func:`nimbus.core.interfaces.images.visible`), from Glance's records and
member lists. Uploads are spooled to a temporary file first, so a source
that breaks midway never reaches Glance. Compute hosts reach the data
through :mod:`.cache`.
"""

import tempfile

from nimbus.core import exception
from nimbus.core.interfaces import images
from nimbus.plugins.images.glance import cache, client, records
from nimbus.plugins.images.glance import conf as glance_conf

_ID_CHARS = set("0123456789abcdefABCDEF-")
_PAGE = 200
_CHUNK = 1 << 20
_PATCH = "application/openstack-images-v2.1-json-patch"


class GlanceImages(images.ImageStore):
    """Image records and data in the Glance of ``[glance]``."""

    def __init__(self, conf):
        super().__init__(conf)
        glance_conf.register_opts(conf)
        self._proxy = None

    @property
    def glance(self):
        if self._proxy is None:
            self._proxy = client.image_proxy(self.conf)
        return self._proxy

    def _call(self, method, path, image_id=None, member_id=None, **kwargs):
        """One request to Glance; its response (errors translated)."""
        if image_id is not None and (
                not image_id or not set(image_id) <= _ID_CHARS):
            raise exception.ImageNotFound(image_id=image_id)
        with client.translated(image_id, member_id):
            return client.check(self.glance.request(path, method,
                                                    **kwargs))

    # -- reading ------------------------------------------------------------

    def _body(self, image_id):
        return self._call("GET", f"/images/{image_id}", image_id).json()

    def _members(self, image_id):
        body = self._call("GET", f"/images/{image_id}/members",
                          image_id).json()
        return {m["member_id"]: _member(m) for m in body["members"]}

    def _may_see(self, context, record):
        """Whether ``context`` sees ``record``; members are fetched only
        when they decide it."""
        if images.visible(context, record):
            return True
        return record["visibility"] == "shared" and images.visible(
            context, record, self._members(record["id"]))

    def _visible_body(self, context, image_id):
        body = self._body(image_id)
        if not self._may_see(context, records.from_glance(body)):
            raise exception.ImageNotFound(image_id=image_id)
        return body

    def get(self, context, image_id):
        return records.from_glance(self._visible_body(context, image_id))

    def list(self, context, filters=None):
        filters = dict(filters or {})
        query = {"visibility": "all", "sort": "created_at:asc,id:asc",
                 "limit": _PAGE}
        if filters.get("name") is not None:
            query["name"] = filters["name"]
        if filters.get("status"):
            query["status"] = filters["status"]
        if filters.get("ids") is not None:
            wanted = [i for i in filters["ids"] if set(i) <= _ID_CHARS]
            if not wanted:
                return []
            query["id"] = "in:" + ",".join(wanted)
        if filters.get("tag"):
            query["tag"] = list(filters["tag"])
        hidden = filters.get("os_hidden")
        found = []
        # Glance lists hidden images only when asked, and then only them.
        for shown in ((False, True) if hidden is None else (bool(hidden),)):
            found += self._pages(dict(query, os_hidden=shown))
        result = []
        for record in sorted(map(records.from_glance, found),
                             key=lambda r: (r["created_at"], r["id"])):
            members = {}
            if record["visibility"] == "shared" and \
                    not images.visible(context, record):
                members = self._members(record["id"])
            if images.listed(context, record, members, filters):
                result.append(record)
        return result

    def _pages(self, query):
        bodies, path = [], "/images"
        while path:
            page = self._call("GET", path, params=query).json()
            bodies += page["images"]
            # "next" carries the query (with the marker) on: follow it.
            nxt = page.get("next")
            path, query = (nxt[len("/v2"):] if nxt and page["images"]
                           else None), None
        return bodies

    # -- writing ------------------------------------------------------------

    def create(self, context, record):
        full = images.new_record(
            record, owner=getattr(context, "project_id", None))
        if not set(full["id"]) <= _ID_CHARS:
            raise exception.Invalid(reason=f"invalid image id {full['id']}")
        body = self._call("POST", "/images",
                          json=records.to_glance(full)).json()
        return records.from_glance(body)

    def upload(self, context, image_id, chunks):
        self.get(context, image_id)
        with tempfile.TemporaryFile() as spool:
            for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            self._call("PUT", f"/images/{image_id}/file", image_id,
                       data=spool, headers={
                           "Content-Type": "application/octet-stream"})
        return self.get(context, image_id)

    def download(self, context, image_id):
        self.get(context, image_id)
        response = self._call("GET", f"/images/{image_id}/file", image_id,
                              stream=True)
        if response.status_code == 204:  # no data (yet)
            response.close()
            raise exception.ImageNotFound(image_id=image_id)
        return response.iter_content(_CHUNK)

    def delete(self, context, image_id):
        self.get(context, image_id)
        self._call("DELETE", f"/images/{image_id}", image_id)

    def update(self, context, image_id, changes):
        old = self.get(context, image_id)
        new = images.apply_update(old, changes)
        ops = records.patch(old, new)
        if not ops:
            return old
        body = self._call("PATCH", f"/images/{image_id}", image_id,
                          json=ops, headers={"Content-Type": _PATCH})
        return records.from_glance(body.json())

    # -- members ------------------------------------------------------------

    def add_member(self, context, image_id, member_id):
        images.check_shared(self.get(context, image_id))
        body = self._call("POST", f"/images/{image_id}/members", image_id,
                          json={"member": member_id})
        return _member(body.json())

    def list_members(self, context, image_id):
        self.get(context, image_id)
        return sorted(self._members(image_id).values(),
                      key=lambda m: (m["created_at"], m["member_id"]))

    def get_member(self, context, image_id, member_id):
        self.get(context, image_id)
        return _member(self._call(
            "GET", f"/images/{image_id}/members/{member_id}", image_id,
            member_id).json())

    def update_member(self, context, image_id, member_id, status):
        images.set_member_status(
            self.get_member(context, image_id, member_id), status)
        return _member(self._call(
            "PUT", f"/images/{image_id}/members/{member_id}", image_id,
            member_id, json={"status": status}).json())

    def delete_member(self, context, image_id, member_id):
        self.get_member(context, image_id, member_id)
        self._call("DELETE", f"/images/{image_id}/members/{member_id}",
                   image_id, member_id)

    # -- compute hosts ------------------------------------------------------

    def local_path(self, context, image_id):
        """The image's file in this host's cache, downloaded from Glance
        (and checked) the first time; None while it has no data. A cached
        image is returned without asking Glance (callers looked the
        record up with :meth:`get` first, as the compute manager does)."""
        cache_dir = self.conf.glance.cache_dir
        path = cache.cached(cache_dir, image_id) \
            if set(image_id or "-") <= _ID_CHARS else None
        if path is not None:
            return path
        body = self._visible_body(context, image_id)
        if body["status"] != "active":
            return None
        response = self._call("GET", f"/images/{image_id}/file", image_id,
                              stream=True)
        with response:
            if response.status_code == 204:
                return None
            return cache.fetch(cache_dir, body,
                               response.iter_content(_CHUNK))


def _member(body):
    return {key: body[key] for key in ("image_id", "member_id", "status",
                                       "created_at", "updated_at")}


