"""The scheduler's plugin contracts: host filters and host weighers.

Filters are registered in ``nimbus.scheduler.filters``, weighers in
``nimbus.scheduler.weighers``; ``[scheduler] enabled_filters`` and
``enabled_weighers`` choose them and their order. One class per file; the
first line of a filter's docstring says what it rejects and why.

Both receive a :class:`~nimbus.core.scheduler.host_state.HostState` and the
request spec ``dict`` (see :mod:`nimbus.core.scheduler.request_spec`).
Neither may do I/O: everything they need is in the host state or the spec,
so a decision costs microseconds per host.
"""

import abc

INTERFACE_VERSION = "1.1"


class HostFilter(abc.ABC):
    """Base class of scheduler filters.

    :param conf: the ``cfg.ConfigOpts``; filters read (and register) their
        own options on it.
    """

    #: short reason shown in NoValidHost explanations when a host fails.
    rejection = "rejected"
    #: True when the result is the same for every instance of a request
    #: (the framework may then run it once per request).
    run_filter_once_per_request = False

    def __init__(self, conf):
        self.conf = conf

    def applies(self, spec):
        """Return False when the filter passes every host for ``spec``
        (e.g. the hint it reads is absent); the framework then skips it.
        """
        return True

    @abc.abstractmethod
    def host_passes(self, host_state, spec):
        """Return True if an instance of ``spec`` may land on the host.

        MUST NOT modify either argument or block.
        """


class HostWeigher(abc.ABC):
    """Base class of scheduler weighers.

    The framework scales each weigher's raw values by the largest
    absolute value among the passing hosts, multiplies by
    :meth:`multiplier`, and sums weighers; the highest total wins.
    """

    #: ``[scheduler]`` option holding the multiplier; an aggregate's
    #: metadata key of the same name overrides it for its hosts (the
    #: smallest value wins when several aggregates set it).
    multiplier_option = None

    def __init__(self, conf):
        self.conf = conf

    def applies(self, spec):
        """Return False when the weigher cannot tell hosts apart for
        ``spec``; the framework then skips it."""
        return True

    def multiplier(self, host_state):
        """Return this weigher's multiplier for the host."""
        name = self.multiplier_option
        if name is None:
            return 1.0
        for agg in host_state.aggregates:
            if name in agg["metadata"]:
                return _aggregate_multiplier(host_state, name,
                                             getattr(self.conf.scheduler,
                                                     name))
        return getattr(self.conf.scheduler, name)

    @abc.abstractmethod
    def weigh(self, host_state, spec):
        """Return the raw weight of the host (higher is better)."""


def _aggregate_multiplier(host_state, name, default):
    values = []
    for value in host_state.metadata_values(name):
        try:
            values.append(float(value))
        except ValueError:
            continue
    return min(values) if values else default
