"""Turn client-side failures into one clear line and a non-zero exit."""

import functools


class CommandError(Exception):
    """A failure to report to the user as one line (exit status 1)."""


def translated(take_action):
    """Decorator: SDK and HTTP errors become CommandError with the API's
    own message (cliff prints it and exits 1).

    Refused credentials are reported as such: only a failure to connect
    is "Cannot reach the API".
    """

    @functools.wraps(take_action)
    def wrapper(self, args):
        from keystoneauth1 import exceptions as ksa_exceptions
        from openstack import exceptions as sdk_exceptions
        try:
            return take_action(self, args)
        except sdk_exceptions.SDKException as err:
            if getattr(err, "status_code", None) == 401:
                raise CommandError(_auth_failed(err))
            raise CommandError(_message(err))
        except ksa_exceptions.Unauthorized as err:
            raise CommandError(_auth_failed(err))
        except ksa_exceptions.HttpError as err:
            raise CommandError(f"The API refused the request: "
                               f"{_message(err)}")
        except (ksa_exceptions.ConnectionError,
                ksa_exceptions.DiscoveryFailure) as err:
            raise CommandError(f"Cannot reach the API: {err}")
        except ksa_exceptions.ClientException as err:
            raise CommandError(f"Client error: {err}")
    return wrapper


def _auth_failed(err):
    return ("Authentication failed: the user name, password or project "
            f"was refused (HTTP 401): {_message(err)}")


def _message(err):
    details = getattr(err, "details", None)
    return str(details or getattr(err, "message", None) or err)
