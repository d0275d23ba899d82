"""Discover every core option group for oslo-config-generator.

Each module of ``nimbus.core.conf`` (except this one) must define
``list_opts()`` returning ``{group: [opts]}``; a module without it is a bug
and raises here, so a new group cannot silently drop out of the sample.
"""

import copy
import importlib
import pkgutil

import nimbus.core.conf as conf_pkg

_SKIP = {"opts"}


def _modules():
    for info in pkgutil.iter_modules(conf_pkg.__path__):
        if info.name in _SKIP:
            continue
        module = importlib.import_module(f"{conf_pkg.__name__}.{info.name}")
        if not hasattr(module, "list_opts"):
            raise AttributeError(
                f"{module.__name__} declares options but has no list_opts()")
        yield module


def list_opts():
    """Return ``[(group, [opts])]`` for every core group, sorted by name."""
    merged = {}
    for module in _modules():
        for group, opts in module.list_opts().items():
            key = getattr(group, "name", group)
            merged.setdefault(key, (group, []))[1].extend(opts)
    return [(group, copy.deepcopy(opts))
            for _, (group, opts) in sorted(merged.items())]
