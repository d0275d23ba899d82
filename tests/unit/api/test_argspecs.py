"""pecan's handler argument specs answered from a cache: the same
answers pecan works out itself, for every exposed handler of every
dialect, bound or not."""

import importlib
import pkgutil
import sys

import pecan.compat
import pecan.util

from nimbus.api import argspecs


def _exposed_handlers():
    """Every pecan handler of nimbus's controllers, as a function."""
    import nimbus.api
    for info in pkgutil.walk_packages(nimbus.api.__path__, "nimbus.api."):
        importlib.import_module(info.name)
    seen = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("nimbus.api."):
            continue
        for cls in vars(module).values():
            if not isinstance(cls, type) or \
                    not cls.__module__.startswith("nimbus.api."):
                continue
            for attr, value in vars(cls).items():
                if callable(value) and getattr(value, "exposed", False):
                    seen[f"{cls.__module__}.{cls.__name__}.{attr}"] = value
    return seen


def test_the_cached_spec_is_pecans_for_every_handler():
    handlers = _exposed_handlers()
    assert len(handlers) > 50
    for name, func in handlers.items():
        assert tuple(argspecs.getargspec(func)) == \
            tuple(pecan.compat.getargspec(func)), name
        # pecan's own drill through decorators gives the same too
        assert tuple(pecan.util.getargspec(func)) == \
            tuple(_pecan_util_getargspec(func)), name


def _pecan_util_getargspec(func):
    saved = pecan.util._getargspec
    pecan.util._getargspec = pecan.compat.getargspec
    try:
        return pecan.util.getargspec(func)
    finally:
        pecan.util._getargspec = saved


class _Controller:
    def index(self, a, b=2, *rest, **kw):
        return a


def test_a_bound_method_answers_as_pecan_and_from_the_cache():
    bound = _Controller().index
    spec = argspecs.getargspec(bound)
    assert tuple(spec) == tuple(pecan.compat.getargspec(bound))
    assert spec.args == ["self", "a", "b"] and spec.defaults == (2,)
    assert argspecs.getargspec(_Controller().index) is spec
    assert type(argspecs.getargspec(lambda x: x)) is argspecs.ArgSpec


def test_an_unhashable_callable_is_answered_without_the_cache():
    class Unhashable:
        __hash__ = None

        def __call__(self, x, y=1):
            return x

    assert tuple(argspecs.getargspec(Unhashable())) == \
        tuple(pecan.compat.getargspec(Unhashable()))


def test_setup_makes_pecan_answer_from_the_cache(monkeypatch):
    monkeypatch.setattr(pecan.util, "_getargspec", pecan.compat.getargspec)
    argspecs.remember_argspecs()
    assert pecan.util._getargspec is argspecs.getargspec
    assert tuple(pecan.util.getargspec(_Controller().index)) == \
        tuple(pecan.compat.getargspec(_Controller.index))
