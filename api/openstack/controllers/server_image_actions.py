"""The image and recovery actions of POST /servers/{id}/action: rebuild,
createImage, shelve, shelveOffload, unshelve, rescue, unrescue,
evacuate (bodies and answers as Nova gives them per microversion)."""

from nimbus.api.openstack import common, schemas_hostname
from nimbus.api.openstack import schemas_image_actions as schemas

RULES = {
    "rebuild": "os_compute_api:servers:rebuild",
    "createImage": "os_compute_api:servers:create_image",
    "shelve": "os_compute_api:os-shelve:shelve",
    "shelveOffload": "os_compute_api:os-shelve:shelve_offload",
    "unshelve": "os_compute_api:os-shelve:unshelve",
    "rescue": "os_compute_api:os-rescue",
    "unrescue": "os_compute_api:os-unrescue",
    "evacuate": "os_compute_api:os-evacuate",
}
UNSHELVE_TO_HOST = "os_compute_api:os-shelve:unshelve_to_host"


def handle(name, args, instance):
    """Run action ``name`` (a key of :data:`RULES`, policy already
    checked) on ``instance``; return the pecan reply."""
    minor = common.version()[1]
    schemas.check(name, args, minor)
    if name == "rebuild":
        schemas_hostname.check_rebuild(args or {}, minor)
    args = args or {}
    ctx = common.context()
    compute = common.services().compute
    uuid = instance.uuid
    if name == "rebuild":
        return _rebuild(ctx, compute, instance, args)
    if name == "createImage":
        image = compute.create_image(ctx, uuid, args["name"],
                                     args.get("metadata"))
        if minor >= 45:
            # 2.45: the image id in the body, no Location header.
            return common.reply({"image_id": image["id"]}, 202)
        location = f"{common.base_url()}/v2.1/images/{image['id']}"
        return common.reply(None, 202, headers={"Location": location})
    if name == "shelve":
        compute.shelve(ctx, uuid)
    elif name == "shelveOffload":
        compute.shelve_offload(ctx, uuid)
    elif name == "unshelve":
        _unshelve(ctx, compute, instance, args, minor)
    elif name == "rescue":
        # 2.87: volume-backed servers too (stable device rescue).
        password = compute.rescue(ctx, uuid, args.get("rescue_image_ref"),
                                  args.get("adminPass"),
                                  allow_volume_backed=minor >= 87)
        return common.reply({"adminPass": password}, 200)
    elif name == "unrescue":
        compute.unrescue(ctx, uuid)
    else:
        # From 2.95 an evacuated server ends stopped (Nova's).
        password = compute.evacuate(
            ctx, uuid, args.get("host"), args.get("adminPass"),
            target_state="stopped" if minor >= 95 else None)
        # Nova answers evacuate with 200 (and no body from 2.14).
        return common.reply({"adminPass": password} if minor < 14
                            else None, 200)
    return common.reply(None, 202)


def _unshelve(ctx, compute, instance, args, minor):
    """Below 2.77 Nova takes any body and ignores it; 2.77 adds a zone,
    2.91 a null zone (unpin) and a host (policy ``unshelve_to_host``,
    checked before the server's state, as Nova)."""
    given = args if minor >= 77 and isinstance(args, dict) else {}
    kwargs = {}
    if "availability_zone" in given:
        kwargs["availability_zone"] = given["availability_zone"]
    if minor >= 91 and given.get("host"):
        common.authorize(UNSHELVE_TO_HOST,
                         {"project_id": instance.project_id})
        kwargs["host"] = given["host"]
    compute.unshelve(ctx, instance.uuid, **kwargs)


def _rebuild(ctx, compute, instance, args):
    # Null removes the description (2.19), key pair (2.54) or user data
    # (2.57); an absent one is kept.
    given = {key: args[key] for key in ("description", "key_name",
                                        "user_data") if key in args}
    if "trusted_image_certificates" in args:
        # 2.63: null resets them (to the defaults, if any), as Nova.
        common.authorize("os_compute_api:servers:rebuild:trusted_certs",
                         {"project_id": instance.project_id,
                          "user_id": instance.user_id})
        given["trusted_certs"] = args["trusted_image_certificates"]
    if "hostname" in args:
        given["hostname"] = args["hostname"]      # 2.90
    # 2.93: another image re-images a volume-backed server's root volume.
    instance, password = compute.rebuild(
        ctx, instance.uuid, args["imageRef"], name=args.get("name"),
        metadata=args.get("metadata"), admin_password=args.get("adminPass"),
        preserve_ephemeral=schemas.truthy(
            args.get("preserve_ephemeral", False)),
        reimage_boot_volume=common.at_least(93), **given)
    return common.reply({"server": dict(rebuilt_body(instance),
                                        adminPass=password)}, 202)


def rebuilt_body(instance):
    """The server as Nova's rebuild answers it: the body of ``PUT
    /servers/{id}`` (with the tags from 2.26 and the trusted
    certificates from 2.63) plus ``key_name`` (2.54) and ``user_data``
    (2.57); from 2.75 a show's body, whose user data is that
    ``user_data`` for everyone rather than the administrators'
    ``OS-EXT-SRV-ATTR:user_data`` (Nova's)."""
    from nimbus.api.openstack.controllers import servers
    if common.at_least(75):
        server = servers.show_body(instance)["server"]
        server.pop("OS-EXT-SRV-ATTR:user_data", None)
        server["user_data"] = instance.user_data
        return server
    server = servers.updated_body(instance)
    if common.at_least(54):
        server["key_name"] = instance.key_name
    if common.at_least(57):
        server["user_data"] = instance.user_data
    return server
