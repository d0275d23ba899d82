"""The stock ``openstack`` command as the tests run it: exactly what
``$VENV/bin/openstack`` runs (python-openstackclient's ``main``), except
that osc-lib's wait loops (``server create --wait`` and every other
``--wait``) look again every half second instead of every five: a
server on the fake hypervisor is ready well within a second, so each
``--wait`` slept out five seconds of a test's wall time for nothing.
The requests, answers and output are the stock client's."""

import inspect
import os
import sys

#: seconds between two looks of a ``--wait`` (osc-lib's default is 5).
POLL = 0.5


def _poll_faster():
    from osc_lib import utils
    for wait in (utils.wait_for_status, utils.wait_for_delete):
        names = [name for name, param in
                 inspect.signature(wait).parameters.items()
                 if param.default is not inspect.Parameter.empty]
        defaults = list(wait.__defaults__)
        defaults[names.index("sleep_time")] = POLL
        wait.__defaults__ = tuple(defaults)


if __name__ == "__main__":
    sys.argv[0] = os.path.join(os.path.dirname(sys.executable), "openstack")
    _poll_faster()
    from openstackclient.shell import main
    sys.exit(main())
