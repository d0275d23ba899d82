"""Volume types: what the Block Storage dialect's ``/types`` routes and
volume creation call (Cinder's behaviour).

A type has a unique name, a description, ``is_public``, extra specs
(``volume_backend_name`` is read by the volume scheduler: only hosts
reporting that backend name take volumes of the type) and, when private,
the projects that may see and use it. Everybody sees public types; a
private type is visible to administrators and to the projects given
access, to everybody else it does not exist (404). A type live volumes
use cannot be deleted (400, as Cinder), nor can the default type
(``[volume] default_volume_type``), which volumes created without a type
get. Policy is the dialect's job; the write methods trust it.

Type dicts: ``id``, ``name``, ``description``, ``is_public``,
``extra_specs``.
"""

from oslo_log import log as logging
from oslo_utils import uuidutils

from nimbus.core import exception

LOG = logging.getLogger(__name__)

#: the extra spec that ties a type to backends.
BACKEND_NAME = "volume_backend_name"
#: the extra spec that makes a type's volumes multiattach (Cinder's).
MULTIATTACH = "multiattach"
_LEN = 255


def _view(row):
    return {"id": row["id"], "name": row["name"],
            "description": row["description"],
            "is_public": bool(row["is_public"]),
            "extra_specs": dict(row["extra_specs"])}


def is_multiattach(vtype):
    """Whether volumes of the type dict ``vtype`` are multiattach: its
    ``multiattach`` extra spec is ``<is> True`` (Cinder's capability
    syntax; a bare ``True`` is taken too)."""
    value = (vtype.get("extra_specs") or {}).get(MULTIATTACH, "")
    return value.replace("<is>", "").strip().lower() == "true"


def check_specs(specs):
    """Validate an extra specs dict (string keys and values, 1..255 and
    0..255 characters).

    :raises InvalidInput:
    """
    if not isinstance(specs, dict):
        raise exception.InvalidInput(reason="extra_specs must be an object.")
    for key, value in specs.items():
        if not isinstance(key, str) or not 0 < len(key) <= _LEN:
            raise exception.InvalidInput(
                reason=f"Extra spec key {key!r} must be a string of 1 to "
                       f"{_LEN} characters.")
        if isinstance(value, bool):
            value = str(value)
        if not isinstance(value, (str, int, float)) or \
                len(str(value)) > _LEN:
            raise exception.InvalidInput(
                reason=f"Extra spec value of {key!r} must be a string of "
                       f"at most {_LEN} characters.")
    return {k: str(v) for k, v in specs.items()}


class VolumeTypeAPI:
    """Volume type operations (one instance per API process).

    :param conf: the configuration (``[volume] default_volume_type``).
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    # -- reads ---------------------------------------------------------------

    def _visible(self, context, row):
        return context.is_admin or row["is_public"] or \
            self.db.volume_types.has_access(context, row["id"],
                                            context.project_id)

    def _row(self, context, type_id):
        if not uuidutils.is_uuid_like(type_id):
            raise exception.VolumeTypeNotFound(volume_type_id=type_id)
        row = self.db.volume_types.get_type(context, type_id)
        if not self._visible(context, row):
            raise exception.VolumeTypeNotFound(volume_type_id=type_id)
        return row

    def get_type(self, context, type_id):
        """A type by id; ``default`` names the default type (Cinder's
        ``GET /types/default``).

        :raises VolumeTypeNotFound: none, or a private one the caller's
            project has no access to.
        """
        if type_id == "default":
            return _view(self.default_type(context))
        return _view(self._row(context, type_id))

    def list_types(self, context, is_public=None):
        """The types the caller may see (``is_public``: only public /
        only private ones; None: both)."""
        project = None if context.is_admin else context.project_id
        return [_view(r) for r in self.db.volume_types.get_types(
            context, is_public=is_public, project_id=project)]

    def default_type(self, context):
        """The type volumes without one get.

        :raises VolumeTypeNotFound: ``[volume] default_volume_type``
            names no type.
        """
        return self.db.volume_types.get_type_by_name(
            context, self.conf.volume.default_volume_type)

    def find_for_volume(self, context, name_or_id):
        """The type a new volume gets: the named one (name or id, as
        Cinder accepts both), or the default type for None.

        :raises VolumeTypeNotFound: no such type the caller may use.
        """
        if name_or_id is None or name_or_id == "":
            return self.default_type(context)
        row = None
        if uuidutils.is_uuid_like(name_or_id):
            try:
                row = self.db.volume_types.get_type(context, name_or_id)
            except exception.VolumeTypeNotFound:
                row = None
        if row is None:
            row = self.db.volume_types.get_type_by_name(context, name_or_id)
        if not self._visible(context, row):
            raise exception.VolumeTypeNotFound(volume_type_id=name_or_id)
        return row

    # -- writes (administrators) ----------------------------------------------

    def create_type(self, context, name, description=None, is_public=True,
                    extra_specs=None):
        """:raises InvalidInput, VolumeTypeExists:"""
        self._check_name(name)
        self._check_description(description)
        row = self.db.volume_types.create_type(context, {
            "id": uuidutils.generate_uuid(), "name": name.strip(),
            "description": description, "is_public": bool(is_public)},
            check_specs(extra_specs or {}))
        return _view(row)

    def update_type(self, context, type_id, name=None, description=None,
                    is_public=None):
        """Rename a type, change its description or visibility (None:
        unchanged).

        :raises InvalidInput: nothing to change, bad values, or renaming
            the default type.
        :raises VolumeTypeNotFound, VolumeTypeExists:
        """
        row = self._row(context, type_id)
        values = {}
        if name is not None:
            self._check_name(name)
            if row["name"] == self.conf.volume.default_volume_type and \
                    name.strip() != row["name"]:
                raise exception.InvalidInput(
                    reason="The default volume type cannot be renamed.")
            values["name"] = name.strip()
        if description is not None:
            self._check_description(description)
            values["description"] = description
        if is_public is not None:
            values["is_public"] = bool(is_public)
        if not values:
            raise exception.InvalidInput(
                reason="Specify volume type name, description, is_public "
                       "or a combination thereof.")
        return _view(self.db.volume_types.update_type(context, row["id"],
                                                      values))

    def delete_type(self, context, type_id):
        """:raises VolumeTypeNotFound:
        :raises VolumeTypeInUse: volumes have it (400).
        :raises InvalidInput: it is the default type.
        """
        row = self._row(context, type_id)
        if row["name"] == self.conf.volume.default_volume_type:
            raise exception.InvalidInput(
                reason="Default volume type can not be deleted.")
        self.db.volume_types.destroy_type(context, row["id"])

    # -- extra specs ----------------------------------------------------------

    def get_extra_specs(self, context, type_id):
        return dict(self._row(context, type_id)["extra_specs"])

    def set_extra_specs(self, context, type_id, specs):
        """Add or change extra specs; return the given ones (Cinder's
        answer).

        :raises InvalidInput: an empty or bad dict.
        """
        specs = check_specs(specs)
        if not specs:
            raise exception.InvalidInput(reason="extra_specs is empty.")
        row = self._row(context, type_id)
        self.db.volume_types.set_extra_specs(context, row["id"], specs)
        return specs

    def delete_extra_spec(self, context, type_id, key):
        """:raises VolumeTypeExtraSpecNotFound:"""
        row = self._row(context, type_id)
        self.db.volume_types.delete_extra_spec(context, row["id"], key)

    # -- access ---------------------------------------------------------------

    def _private(self, context, type_id):
        row = self._row(context, type_id)
        if row["is_public"]:
            raise exception.InvalidInput(
                reason="Type access modification is not applicable to "
                       "public volume type.")
        return row

    def list_access(self, context, type_id):
        """``[{"volume_type_id", "project_id"}]`` of a private type.

        :raises InvalidInput: a public type (it has no access list).
        """
        row = self._private(context, type_id)
        return [{"volume_type_id": row["id"], "project_id": p}
                for p in self.db.volume_types.get_access(context,
                                                         row["id"])]

    def add_access(self, context, type_id, project_id):
        """:raises VolumeTypeAccessExists: (409)"""
        self._check_project(project_id)
        row = self._private(context, type_id)
        self.db.volume_types.add_access(context, row["id"], project_id)

    def remove_access(self, context, type_id, project_id):
        """:raises VolumeTypeAccessNotFound:"""
        self._check_project(project_id)
        row = self._private(context, type_id)
        self.db.volume_types.remove_access(context, row["id"], project_id)

    # -- validation -------------------------------------------------------------

    @staticmethod
    def _check_name(name):
        if not isinstance(name, str) or not name.strip() or \
                len(name) > _LEN:
            raise exception.InvalidInput(
                reason=f"Volume type name must be a non-empty string of at "
                       f"most {_LEN} characters.")

    @staticmethod
    def _check_description(description):
        if description is not None and (not isinstance(description, str)
                                        or len(description) > _LEN):
            raise exception.InvalidInput(
                reason=f"Volume type description must be a string of at "
                       f"most {_LEN} characters.")

    @staticmethod
    def _check_project(project_id):
        if not isinstance(project_id, str) or not project_id.strip() or \
                len(project_id) > _LEN:
            raise exception.InvalidInput(
                reason="project must be a project id.")


def seed_default_type(conf, db, context):
    """Create the default type (``[volume] default_volume_type``) when no
    live type has its name; return whether one was created. (The
    migration creates Cinder's ``__DEFAULT__``; this covers a deployment
    naming another.)"""
    name = conf.volume.default_volume_type
    try:
        db.volume_types.get_type_by_name(context, name)
        return False
    except exception.VolumeTypeNotFound:
        pass
    try:
        db.volume_types.create_type(context, {
            "id": uuidutils.generate_uuid(), "name": name,
            "description": "Default Volume Type", "is_public": True})
    except exception.VolumeTypeExists:
        return False
    LOG.info("Created the default volume type %s", name)
    return True
