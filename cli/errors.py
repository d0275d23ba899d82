"""Turn client-side failures into one clear line and a non-zero exit."""

import functools


class CommandError(Exception):
    """A failure to report to the user as one line (exit status 1)."""


def translated(take_action):
    """Decorator: SDK and HTTP errors become CommandError with the API's
    own message (cliff prints it and exits 1)."""

    @functools.wraps(take_action)
    def wrapper(self, args):
        from keystoneauth1 import exceptions as ksa_exceptions
        from openstack import exceptions as sdk_exceptions
        try:
            return take_action(self, args)
        except sdk_exceptions.SDKException as err:
            raise CommandError(_message(err))
        except ksa_exceptions.ClientException as err:
            raise CommandError(f"Cannot reach the API: {err}")
    return wrapper


def _message(err):
    details = getattr(err, "details", None)
    return str(details or err.message or err)
