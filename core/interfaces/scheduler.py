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

INTERFACE_VERSION = "1.0"


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

    @abc.abstractmethod
    def host_passes(self, host_state, spec):
        """Return True if an instance of ``spec`` may land on the host.

        MUST NOT modify either argument or block.
        """


class HostWeigher(abc.ABC):
    """Base class of scheduler weighers.

    The framework normalises each weigher's raw values over the candidate
    hosts to [0, 1], multiplies by :meth:`multiplier`, and sums weighers;
    the highest total wins.
    """

    def __init__(self, conf):
        self.conf = conf

    def multiplier(self, host_state):
        """Return this weigher's multiplier for the host (default 1.0);
        weighers read it from config, optionally per aggregate."""
        return 1.0

    @abc.abstractmethod
    def weigh(self, host_state, spec):
        """Return the raw weight of the host (higher is better)."""
