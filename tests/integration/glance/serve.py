"""Serve Glance's API WSGI application with gunicorn (run by the Glance
virtualenv's python, not nimbus's).

Usage: ``python serve.py HOST PORT CONFIG_DIR``. Glance no longer has a
server of its own (``glance-api`` only says so), and it parses
``sys.argv`` with oslo.config when its application loads: this script
empties ``sys.argv`` and runs gunicorn as a custom application (one
worker, a few threads, no control socket), as Keystone's ``serve.py``.
"""

import os
import sys

from gunicorn.app import base


class GlanceApplication(base.BaseApplication):
    """gunicorn application whose only settings are those given here."""

    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from glance.wsgi import api
        return api.application


def main():
    host, port, config_dir = sys.argv[1:4]
    os.environ["OS_GLANCE_CONFIG_DIR"] = config_dir
    del sys.argv[1:]
    GlanceApplication({
        "bind": f"{host}:{port}", "workers": 1, "threads": 8,
        "control_socket_disable": True, "accesslog": "-",
        "timeout": 120}).run()


if __name__ == "__main__":
    main()
