"""EC2 ids and tags.

An EC2 id is ``<prefix>-<8 hex digits>`` (``i-0000001a``,
``ami-00000003``, ``vol-...``, ``snap-...``, ``sg-...``,
``eipalloc-...``): the prefix names the kind, the number is a row of
``ec2_ids`` mapping it to a nimbus UUID. The mapping is created on first
sight and never changes, so an object keeps its EC2 id for life. Ids say
nothing about visibility: callers check the object through its service
API with the caller's context.
"""

import re

from nimbus.core import exception

PREFIXES = ("i", "ami", "aki", "ari", "vol", "snap", "sg", "eipalloc", "r")
_ID = re.compile(r"^([a-z]+)-([0-9a-f]{8,17})$")


def parse(ec2_id, prefixes):
    """Split ``ec2_id`` into ``(prefix, number)``.

    :param prefixes: the prefixes acceptable here.
    :returns: ``(prefix, int)``, or None when ``ec2_id`` is not a
        well-formed id of one of ``prefixes``.
    """
    match = _ID.match(ec2_id or "") if isinstance(ec2_id, str) else None
    if match is None or match.group(1) not in prefixes:
        return None
    return match.group(1), int(match.group(2), 16)


def format_id(prefix, number):
    return f"{prefix}-{number:08x}"


class Ec2IdAPI:
    """Map nimbus UUIDs to EC2 ids and back; keep EC2 tags.

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def ec2_id(self, context, prefix, uuid):
        """The EC2 id of ``uuid`` (created on first use)."""
        return format_id(prefix, self.db.ec2.id_for(context, prefix, uuid))

    def ec2_ids(self, context, prefix, uuids):
        """``{uuid: ec2 id}`` for many objects of one kind."""
        return {uuid: format_id(prefix, number) for uuid, number in
                self.db.ec2.ids_for(context, prefix, uuids).items()}

    def uuid(self, context, ec2_id, prefixes):
        """The UUID behind ``ec2_id``.

        :raises Invalid: ``ec2_id`` is malformed (the dialect answers
            ``Invalid<Kind>ID.Malformed``).
        :raises NotFound: well-formed but unknown.
        """
        parsed = parse(ec2_id, prefixes)
        if parsed is None:
            raise exception.Invalid(reason=f"Invalid id: {ec2_id!r}")
        uuid = self.db.ec2.uuid_of(context, *parsed)
        if uuid is None:
            raise exception.NotFound(message=f"{ec2_id} does not exist")
        return uuid

    def uuids(self, context, ec2_ids, prefixes):
        """``{ec2 id: uuid}`` of many ids: one query per prefix.

        :raises Invalid: one of ``ec2_ids`` is malformed.
        :returns: the known ids only (an unknown one is left out).
        """
        parsed = {}
        for ec2_id in ec2_ids:
            found = parse(ec2_id, prefixes)
            if found is None:
                raise exception.Invalid(reason=f"Invalid id: {ec2_id!r}")
            parsed[ec2_id] = found
        result = {}
        for prefix in {p for p, _ in parsed.values()}:
            known = self.db.ec2.uuids_of(
                context, prefix, [n for p, n in parsed.values()
                                  if p == prefix])
            result.update({ec2_id: known[n] for ec2_id, (p, n) in
                           parsed.items() if p == prefix and n in known})
        return result

    # -- tags ----------------------------------------------------------------

    def set_tags(self, context, resource_ids, tags):
        """Create or overwrite ``tags`` (``[(key, value)]``) on the
        caller's project's resources (EC2 ids the caller has checked)."""
        self.db.ec2.tag_set(context, context.project_id, resource_ids,
                            tags)

    def delete_tags(self, context, resource_ids, tags):
        """Delete ``[(key, value or None)]`` (all tags when empty)."""
        self.db.ec2.tag_delete(context, context.project_id, resource_ids,
                               tags)

    def tags(self, context, resource_ids=None):
        """``[{"resource_id", "key", "value"}]`` of the caller's
        project, of ``resource_ids`` when given."""
        return [{"resource_id": t["resource_id"], "key": t["key"],
                 "value": t["value"]}
                for t in self.db.ec2.tag_get_all(
                    context, context.project_id, resource_ids)]
