"""Serve Keystone's WSGI application with gunicorn (run by the Keystone
virtualenv's python, not nimbus's).

Usage: ``python serve.py HOST PORT CONFIG_DIR``. Keystone parses
``sys.argv`` with oslo.config when it loads, so the gunicorn command line
cannot be used: this script empties ``sys.argv`` and runs gunicorn as a
custom application (one worker, a few threads, no control socket).
"""

import os
import sys

from gunicorn.app import base


class KeystoneApplication(base.BaseApplication):
    """gunicorn application whose only settings are those given here."""

    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from keystone.wsgi import api
        return api.application


def main():
    host, port, config_dir = sys.argv[1:4]
    os.environ["OS_KEYSTONE_CONFIG_DIR"] = config_dir
    del sys.argv[1:]
    KeystoneApplication({
        "bind": f"{host}:{port}", "workers": 1, "threads": 8,
        "control_socket_disable": True, "accesslog": "-",
        "timeout": 60}).run()


if __name__ == "__main__":
    main()
