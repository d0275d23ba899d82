"""setup.cfg lists every package, so a wheel (not only an editable
install) carries all of nimbus."""

import configparser
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
TOPS = {"core": "nimbus.core", "plugins": "nimbus.plugins",
        "api": "nimbus.api", "cli": "nimbus.cli"}


def _packages_on_disk():
    found = set()
    for top, name in TOPS.items():
        for root, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            if "__init__.py" in files:
                rel = os.path.relpath(root, os.path.join(ROOT, top))
                found.add(name if rel == "." else
                          f"{name}.{rel.replace(os.sep, '.')}")
    return found


def test_setup_cfg_lists_every_package():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    listed = set(parser["options"]["packages"].split())
    assert listed == _packages_on_disk()
