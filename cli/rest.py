"""Calls to the compute API by path, and name-or-ID look-ups.

The commands speak the compute dialect directly (one microversion, the
newest nimbus serves) so what a verb sends is what the API reference
says, whatever the installed openstacksdk's proxies do.
"""

from urllib.parse import quote

from nimbus.cli import errors

#: the microversion the CLI speaks.
MICROVERSION = "2.11"


def call(conn, method, path, body=None, version=MICROVERSION):
    """``method`` ``path`` on the compute endpoint; the decoded reply.

    :raises openstack.exceptions.HttpException: a 4xx/5xx, carrying the
        API's fault message (``errors.translated`` prints it).
    """
    from openstack import exceptions as sdk_exceptions
    kwargs = {"microversion": version}
    if body is not None:
        kwargs["json"] = body
    resp = conn.compute.request(path, method.upper(), **kwargs)
    sdk_exceptions.raise_from_response(resp)
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def get(conn, path):
    return call(conn, "GET", path)


def find(conn, kind, name_or_id, collection, key, show=None):
    """The one ``kind`` whose ID or name is ``name_or_id``.

    :param show: ``(path template, key)`` of the show route, tried first
        with ``name_or_id`` as an ID.
    :raises CommandError: none, or several with that name.
    """
    from openstack import exceptions as sdk_exceptions
    if show is not None:
        try:
            return get(conn, show[0] % quote(str(name_or_id), safe=""))[
                show[1]]
        except (sdk_exceptions.NotFoundException,
                sdk_exceptions.BadRequestException):
            pass
    items = get(conn, collection)[key]
    by_id = [i for i in items if str(i.get("id")) == str(name_or_id)]
    if by_id:
        return by_id[0]
    named = [i for i in items if i.get("name") == name_or_id]
    if len(named) > 1:
        raise errors.CommandError(
            f"More than one {kind} exists with the name '{name_or_id}'.")
    if not named:
        raise errors.CommandError(
            f"No {kind} with a name or ID of '{name_or_id}' exists.")
    return named[0]


def flavor(conn, name_or_id):
    return find(conn, "flavor", name_or_id, "/flavors/detail", "flavors",
                show=("/flavors/%s", "flavor"))


def image(conn, name_or_id):
    return find(conn, "image", name_or_id, "/images/detail", "images",
                show=("/images/%s", "image"))


def server(conn, name_or_id, all_projects=False):
    suffix = "&all_tenants=1" if all_projects else ""
    return find(conn, "server", name_or_id,
                f"/servers/detail?name={quote(name_or_id)}{suffix}",
                "servers", show=("/servers/%s", "server"))


def names(conn, collection, key):
    """``{id: name}`` of a collection (flavor and image names for lists)."""
    try:
        return {str(i["id"]): i.get("name") for i in get(conn,
                                                         collection)[key]}
    except Exception:  # noqa: BLE001 - names are a nicety, ids remain
        return {}


def props(mapping):
    """``a='1', b='2'`` as the openstack client shows properties."""
    return ", ".join(f"{k}='{v}'" for k, v in sorted((mapping or
                                                       {}).items()))


def parse_props(items):
    """``["k=v", ...]`` -> dict; a missing ``=`` is a CommandError."""
    out = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise errors.CommandError(
                f"Expected KEY=VALUE, got '{item}'.")
        out[key] = value
    return out
