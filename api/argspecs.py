"""pecan works out a handler's arguments once per handler, not once per
request.

pecan asks ``pecan.util.getargspec(controller)`` on every request to
match its path and query to the handler's arguments, and
``pecan.compat.getargspec`` builds a new ``namedtuple`` class each time
it is asked (then ``inspect.getfullargspec``): 1.9 % of nimbus-all's CPU
in a boot burst. :func:`remember_argspecs` gives pecan the same answer
from a cache per function: one ``ArgSpec`` class, each handler's spec
worked out once. pecan copies the spec's lists before changing them
(``args[:]``, ``_replace``), so one answer can serve every request.
"""

import collections
import functools
import inspect

import pecan.util

ArgSpec = collections.namedtuple("ArgSpec", "args varargs keywords defaults")


@functools.lru_cache(maxsize=4096)
def _spec_of(func):
    args, varargs, keywords, defaults = inspect.getfullargspec(func)[:4]
    return ArgSpec(args=args, varargs=varargs, keywords=keywords,
                   defaults=defaults)


def getargspec(func):
    """What ``pecan.compat.getargspec`` answers for ``func``: a bound
    method's spec is its function's (``self`` included, as
    ``getfullargspec`` gives it)."""
    target = getattr(func, "__func__", func)
    try:
        return _spec_of(target)
    except TypeError:   # not hashable: asked as pecan would
        args, varargs, keywords, defaults = \
            inspect.getfullargspec(func)[:4]
        return ArgSpec(args, varargs, keywords, defaults)


def remember_argspecs():
    """Make pecan's ``getargspec`` answer from :func:`getargspec`."""
    pecan.util._getargspec = getargspec
