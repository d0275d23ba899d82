"""Conformance kit for image plugins.

A plugin's own repository proves its store keeps the contract of
:mod:`nimbus.core.interfaces.images` by subclassing
:class:`ImageStoreConformanceTests` together with ``unittest.TestCase``::

    class TestMyStore(ImageStoreConformanceTests, unittest.TestCase):
        def make_store(self):
            return MyStore(conf)            # an empty store

Every test creates its own images and deletes them, even on failure; a
store shared with other tests works as long as ids are not reused.
"""

import copy
import hashlib
import uuid as uuidlib

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.interfaces import images

#: keys every image record carries (see the interface's docstring).
RECORD_KEYS = frozenset((
    "id", "name", "status", "disk_format", "container_format", "size",
    "checksum", "min_disk", "min_ram", "visibility", "owner", "created_at",
    "updated_at", "properties"))


def make_context(project_id, is_admin=False):
    """A request context of a user of ``project_id``."""
    return nimbus_context.RequestContext(
        user_id=f"user-of-{project_id}", project_id=project_id,
        is_admin=is_admin, roles=["admin"] if is_admin else ["member"],
        overwrite=False)


class UploadBroke(Exception):
    """Raised by the data iterable of an upload that fails midway."""


def _failing_chunks():
    yield b"partial"
    raise UploadBroke("the upload stream broke")


class ImageStoreConformanceTests:
    """Mixin of contract tests; see the module docstring."""

    def make_store(self):
        raise NotImplementedError("subclasses return a plugin instance")

    # -- helpers ------------------------------------------------------------

    def setUp(self):
        super().setUp()
        self.store = self.make_store()
        self.owner = make_context("conformance-a")
        self.other = make_context("conformance-b")
        self.admin = make_context("conformance-admin", is_admin=True)

    def _create(self, **record):
        record.setdefault("name", f"conformance-{uuidlib.uuid4().hex[:8]}")
        image = self.store.create(self.owner, record)
        self.addCleanup(self._delete_quietly, image["id"])
        return image

    def _delete_quietly(self, image_id):
        try:
            self.store.delete(self.admin, image_id)
        except exception.ImageForbidden:
            # a store that refuses to delete protected images (Glance)
            self.store.update(self.admin, image_id, {"protected": False})
            self.store.delete(self.admin, image_id)
        except exception.ImageNotFound:
            pass

    def _download(self, context, image_id):
        chunks = list(self.store.download(context, image_id))
        for chunk in chunks:
            self.assertIsInstance(chunk, bytes)
        return b"".join(chunks)

    def _assert_hidden(self, context, image_id):
        self.assertRaises(exception.ImageNotFound, self.store.get, context,
                          image_id)
        self.assertNotIn(image_id, self._ids(context))
        self.assertRaises(exception.ImageNotFound, self.store.download,
                          context, image_id)

    def _ids(self, context, filters=None):
        return [r["id"] for r in self.store.list(context, filters)]

    # -- records ------------------------------------------------------------

    def test_is_an_image_store(self):
        self.assertIsInstance(self.store, images.ImageStore)

    def test_create_returns_a_complete_queued_record(self):
        image = self._create(disk_format="qcow2", container_format="bare")
        self.assertLessEqual(RECORD_KEYS, set(image))
        self.assertIsInstance(image["id"], str)
        self.assertTrue(image["id"])
        self.assertEqual("queued", image["status"])
        self.assertEqual(("qcow2", "bare"),
                         (image["disk_format"], image["container_format"]))
        self.assertIsNone(image["size"])
        self.assertIsNone(image["checksum"])
        self.assertEqual("conformance-a", image["owner"])
        self.assertNotEqual(image["id"], self._create()["id"])

    def test_create_keeps_id_and_moves_extras_to_properties(self):
        image_id = str(uuidlib.uuid4())
        image = self._create(id=image_id, min_ram=64, min_disk=1,
                             architecture="x86_64",
                             properties={"os_distro": "debian"})
        self.assertEqual(image_id, image["id"])
        self.assertEqual((64, 1), (image["min_ram"], image["min_disk"]))
        self.assertEqual({"architecture": "x86_64", "os_distro": "debian"},
                         image["properties"])

    def test_create_with_a_taken_id_conflicts(self):
        image = self._create()
        self.assertRaises(exception.Conflict, self.store.create, self.owner,
                          {"id": image["id"], "name": "again"})
        self.assertEqual(image["name"],
                         self.store.get(self.owner, image["id"])["name"])

    def test_get_returns_the_record(self):
        image = self._create()
        self.assertEqual(image, self.store.get(self.owner, image["id"]))

    def test_records_returned_are_copies(self):
        image_id = self._create(properties={"a": "b"})["id"]
        before = copy.deepcopy(self.store.get(self.owner, image_id))
        for record in (self.store.get(self.owner, image_id),
                       self.store.list(self.owner, {"ids": [image_id]})[0]):
            record["name"] = "changed by the caller"
            record["properties"]["a"] = "changed by the caller"
        self.assertEqual(before, self.store.get(self.owner, image_id))

    def test_unknown_ids_raise_not_found(self):
        for image_id in (str(uuidlib.uuid4()), "", "../../etc/passwd"):
            with self.subTest(image_id=image_id):
                for method in (self.store.get, self.store.download,
                               self.store.delete):
                    self.assertRaises(exception.ImageNotFound, method,
                                      self.admin, image_id)
                self.assertRaises(exception.ImageNotFound, self.store.upload,
                                  self.admin, image_id, [b"x"])

    # -- list ---------------------------------------------------------------

    def test_list_is_oldest_first(self):
        created = [self._create()["id"] for _ in range(3)]
        records = [r for r in self.store.list(self.owner)
                   if r["id"] in created]
        self.assertEqual(set(created), {r["id"] for r in records})
        stamps = [r["created_at"] for r in records]
        self.assertEqual(sorted(stamps), stamps)

    def test_list_filters_all_match(self):
        first = self._create(name="conformance-filter")
        second = self._create(name="conformance-filter")
        self._create(name="conformance-other")
        self.store.upload(self.owner, second["id"], [b"data"])
        self.assertEqual(
            {first["id"], second["id"]},
            set(self._ids(self.owner, {"name": "conformance-filter"})))
        self.assertEqual([second["id"]], self._ids(self.owner, {
            "name": "conformance-filter", "status": "active"}))
        self.assertEqual([first["id"]], self._ids(self.owner, {
            "ids": [first["id"]], "status": "queued"}))
        self.assertEqual([], self._ids(self.owner, {
            "ids": [first["id"]], "name": "conformance-other"}))

    # -- data ---------------------------------------------------------------

    def test_upload_activates_and_download_returns_the_data(self):
        image = self._create()
        data = [b"conformance-" * 100, b"", b"tail"]
        self.store.upload(self.owner, image["id"], iter(data))
        record = self.store.get(self.owner, image["id"])
        joined = b"".join(data)
        self.assertEqual("active", record["status"])
        self.assertEqual(len(joined), record["size"])
        # Glance's checksum: clients verify downloads against it.
        self.assertEqual(hashlib.md5(joined, usedforsecurity=False)
                         .hexdigest(), record["checksum"])
        self.assertEqual(joined, self._download(self.owner, image["id"]))

    def test_upload_of_many_chunks(self):
        image = self._create()
        chunk = bytes(range(256)) * 4
        self.store.upload(self.owner, image["id"],
                          (chunk for _ in range(512)))
        self.assertEqual(chunk * 512, self._download(self.owner,
                                                     image["id"]))

    def test_download_before_upload_raises_not_found(self):
        image = self._create()
        self.assertRaises(exception.ImageNotFound, self.store.download,
                          self.owner, image["id"])

    def test_failed_upload_leaves_nothing(self):
        image = self._create()
        # The plugin may let the error through or translate it.
        self.assertRaises((UploadBroke, exception.NimbusException),
                          self.store.upload, self.owner, image["id"],
                          _failing_chunks())
        record = self.store.get(self.owner, image["id"])
        self.assertEqual("queued", record["status"])
        self.assertIsNone(record["size"])
        self.assertRaises(exception.ImageNotFound, self.store.download,
                          self.owner, image["id"])
        self.assertIsNone(self.store.local_path(self.owner, image["id"]))

    def test_local_path_is_none_or_holds_the_data(self):
        image = self._create()
        self.store.upload(self.owner, image["id"], [b"on disk"])
        path = self.store.local_path(self.owner, image["id"])
        if path is not None:
            with open(path, "rb") as f:
                self.assertEqual(b"on disk", f.read())

    def test_delete_removes_record_and_data(self):
        image = self._create()
        self.store.upload(self.owner, image["id"], [b"gone soon"])
        self.store.delete(self.owner, image["id"])
        self._assert_hidden(self.admin, image["id"])
        self.assertRaises(exception.ImageNotFound, self.store.delete,
                          self.owner, image["id"])

    # -- visibility ---------------------------------------------------------

    def test_private_image_is_its_owners_and_admins_alone(self):
        image = self._create(visibility="private")
        self.store.upload(self.owner, image["id"], [b"secret"])
        self._assert_hidden(self.other, image["id"])
        self.assertRaises(exception.ImageNotFound, self.store.upload,
                          self.other, image["id"], [b"overwrite"])
        self.assertRaises(exception.ImageNotFound, self.store.delete,
                          self.other, image["id"])
        for context in (self.owner, self.admin):
            self.assertIn(image["id"], self._ids(context))
            self.assertEqual(b"secret", self._download(context,
                                                       image["id"]))

    def test_shared_image_is_not_shown_to_other_projects(self):
        image = self._create(visibility="shared")
        self._assert_hidden(self.other, image["id"])
        self.assertIn(image["id"], self._ids(self.owner))

    # -- updates, members, hidden images (1.1) ------------------------------

    def test_update_changes_the_record_and_keeps_the_rest(self):
        image = self._create(visibility="private", kernel_id="k1")
        self.assertEqual((False, False, []), (
            image["protected"], image["os_hidden"], image["tags"]))
        new = self.store.update(self.owner, image["id"], {
            "name": "renamed", "protected": True, "min_ram": 64,
            "tags": ["b", "a", "b"], "properties": {"os_distro": "x"}})
        self.assertEqual(("renamed", True, 64, ["a", "b"]), (
            new["name"], new["protected"], new["min_ram"], new["tags"]))
        self.assertEqual({"os_distro": "x"}, new["properties"])
        self.assertEqual(image["owner"], new["owner"])
        self.assertEqual(new, self.store.get(self.owner, image["id"]))
        self.assertRaises(exception.Invalid, self.store.update, self.owner,
                          image["id"], {"status": "active"})
        self.assertRaises(exception.ImageNotFound, self.store.update,
                          self.other, image["id"], {"name": "stolen"})

    def test_hidden_images_are_listed_only_when_asked(self):
        image = self._create(visibility="public")
        self.store.update(self.owner, image["id"], {"os_hidden": True})
        self.assertIn(image["id"], self._ids(self.other))
        self.assertNotIn(image["id"],
                         self._ids(self.other, {"os_hidden": False}))
        self.assertIn(image["id"],
                      self._ids(self.other, {"os_hidden": True}))
        self.assertEqual(image["id"],
                         self.store.get(self.other, image["id"])["id"])

    def test_members_see_a_shared_image_once_they_accept(self):
        image = self._create(visibility="private")
        self.assertRaises(exception.ImageForbidden, self.store.add_member,
                          self.owner, image["id"], "conformance-b")
        self.store.update(self.owner, image["id"], {"visibility": "shared"})
        member = self.store.add_member(self.owner, image["id"],
                                       "conformance-b")
        self.assertEqual(("conformance-b", "pending"),
                         (member["member_id"], member["status"]))
        self.assertRaises(exception.Conflict, self.store.add_member,
                          self.owner, image["id"], "conformance-b")
        # pending: the member can look the image up, not list it.
        self.assertEqual(image["id"],
                         self.store.get(self.other, image["id"])["id"])
        self.assertNotIn(image["id"], self._ids(self.other))
        self.assertIn(image["id"],
                      self._ids(self.other, {"member_status": "pending"}))
        self.store.update_member(self.other, image["id"], "conformance-b",
                                 "accepted")
        self.assertIn(image["id"], self._ids(self.other))
        self.assertEqual(["accepted"], [
            m["status"] for m in self.store.list_members(self.owner,
                                                         image["id"])])
        self.assertRaises(exception.Invalid, self.store.update_member,
                          self.other, image["id"], "conformance-b", "maybe")
        third = make_context("conformance-c")
        self._assert_hidden(third, image["id"])
        self.store.delete_member(self.owner, image["id"], "conformance-b")
        self._assert_hidden(self.other, image["id"])
        self.assertRaises(exception.ImageMemberNotFound,
                          self.store.get_member, self.owner, image["id"],
                          "conformance-b")

    def test_public_and_community_images_are_everyones(self):
        for visibility in ("public", "community"):
            with self.subTest(visibility=visibility):
                image = self._create(visibility=visibility)
                self.assertEqual(visibility, image["visibility"])
                self.assertEqual(image, self.store.get(self.other,
                                                       image["id"]))
                self.assertIn(image["id"], self._ids(self.other))
