"""Serve Barbican's API with gunicorn (run by the Barbican virtualenv's
python, not nimbus's).

Usage: ``python serve.py HOST PORT PASTE_INI``. Barbican reads its
configuration when its modules load, from oslo.config's default places
(``~/.barbican/barbican.conf`` among them): the caller sets ``HOME`` to
the test's directory, which holds that file. One worker, a few threads,
no control socket.
"""

import sys

from gunicorn.app import base


class BarbicanApplication(base.BaseApplication):
    """gunicorn application whose only settings are those given here."""

    def __init__(self, paste_ini, options):
        self.paste_ini = paste_ini
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from paste import deploy
        return deploy.loadapp(f"config:{self.paste_ini}")


def main():
    host, port, paste_ini = sys.argv[1:4]
    del sys.argv[1:]
    BarbicanApplication(paste_ini, {
        "bind": f"{host}:{port}", "workers": 1, "threads": 8,
        "control_socket_disable": True, "accesslog": "-",
        "timeout": 60}).run()


if __name__ == "__main__":
    main()
