"""Serve an OpenStack service's WSGI application with gunicorn, run by
that service's own virtualenv python (never nimbus's): Keystone, Glance
and Barbican in their integration suites.

Usage: ``python gunicorn_app.py HOST PORT TIMEOUT APP`` where ``APP`` is
``module:attribute`` (the application object, e.g.
``keystone.wsgi.api:application``) or ``paste:FILE`` (a paste deployment
file). These services parse ``sys.argv`` with oslo.config when they
load, so the gunicorn command line cannot be used: this script empties
``sys.argv`` and runs gunicorn as a custom application (one worker, a
few threads, no control socket). Each service finds its configuration
through the environment the caller sets (``OS_KEYSTONE_CONFIG_DIR``,
``OS_GLANCE_CONFIG_DIR``, ``HOME`` for Barbican).
"""

import importlib
import os
import sys

# This file's directory holds the suites named after the services
# (keystone/, glance/, barbican/): they must not shadow their packages.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

from gunicorn.app import base  # noqa: E402


class Application(base.BaseApplication):
    """gunicorn application whose only settings are those given here."""

    def __init__(self, app, options):
        self.app = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        kind, _, target = self.app.partition(":")
        if kind == "paste":
            from paste import deploy
            return deploy.loadapp(f"config:{target}")
        return getattr(importlib.import_module(kind), target)


def main():
    host, port, timeout, app = sys.argv[1:5]
    del sys.argv[1:]
    Application(app, {
        "bind": f"{host}:{port}", "workers": 1, "threads": 8,
        "control_socket_disable": True, "accesslog": "-",
        "timeout": int(timeout)}).run()


if __name__ == "__main__":
    main()
