"""setup.cfg lists every package, so a wheel (not only an editable
install) carries all of nimbus."""

import configparser
import importlib.metadata
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


def _declared_in_setup_cfg():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    declared = set()
    for group, lines in parser["options.entry_points"].items():
        for line in filter(None, lines.splitlines()):
            name, value = (part.strip() for part in line.split("=", 1))
            declared.add((group, name, value))
    return declared


def _shipped(module, packages):
    if module in packages:
        return True
    package, _, leaf = module.rpartition(".")
    parts = package.split(".")[1:]  # nimbus.<top>.<...>
    path = os.path.join(ROOT, *parts, f"{leaf}.py")
    return package in packages and os.path.isfile(path)


def test_entry_points_name_modules_that_ship():
    """Every entry point's module is a listed package or a file of one, so
    no group is declared for a plugin that is not there."""
    packages = _packages_on_disk()
    missing = sorted(entry for entry in _declared_in_setup_cfg()
                     if not _shipped(entry[2].split(":")[0], packages))
    assert missing == []


def test_installed_metadata_matches_setup_cfg():
    """The tests load plugins through the installed metadata: when it
    lags setup.cfg, reinstall (``pip install -e .``)."""
    installed = {(ep.group, ep.name, ep.value) for ep in
                 importlib.metadata.distribution("nimbus").entry_points}
    assert installed == _declared_in_setup_cfg()
