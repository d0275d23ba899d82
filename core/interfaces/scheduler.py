"""The scheduler's plugin contracts: host filters and host weighers.

Filters are registered in ``nimbus.scheduler.filters``, weighers in
``nimbus.scheduler.weighers``; ``[scheduler] enabled_filters`` and
``enabled_weighers`` choose them and their order. One class per file; the
first line of a filter's docstring says what it rejects and why.

Both receive a host state, whose readable attributes are the contract
:class:`~nimbus.core.interfaces.host_state.HostStateView`, and the
:class:`~nimbus.core.interfaces.request_spec.RequestSpec`. Neither may do
I/O or change either argument: everything they need is in the host state
or the spec, so a decision costs microseconds per host.

A plugin imports only this public surface: ``nimbus.core.interfaces``
(these classes, the host-state view, the request spec,
:mod:`~nimbus.core.interfaces.extra_specs`), ``nimbus.core.exception``
and, in its tests, the conformance kits of
:mod:`nimbus.core.testing.scheduler`.
"""

import abc

#: 2.0: the spec is a ``RequestSpec`` object (was a ``dict``); what a
#: plugin may read of the host state is ``HostStateView``.
#: 2.1: optional: a filter declares the flavor extra specs it reads
#: (``extra_specs``), which the Compute API validates from 2.86.
INTERFACE_VERSION = "2.1"


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
    #: the flavor extra specs the filter reads, as
    #: :class:`~nimbus.core.interfaces.extra_specs.ExtraSpec` data: from
    #: Compute API 2.86 a key of a namespace some filter declares must be
    #: one of them, with a valid value.
    extra_specs = ()

    def __init__(self, conf):
        self.conf = conf

    def applies(self, spec):
        """Say whether the filter can reject anything for ``spec``.

        :param spec: the :class:`~nimbus.core.interfaces.request_spec.
            RequestSpec`.
        :returns: ``bool``: False when the filter passes every host for
            ``spec`` (e.g. the hint it reads is absent); the framework
            then skips it for the whole request.
        """
        return True

    @abc.abstractmethod
    def host_passes(self, host_state, spec):
        """Say whether an instance of ``spec`` may land on the host.

        Called only when :meth:`applies` returned True for ``spec``. MUST
        NOT modify either argument, block or do I/O.

        :param host_state: a :class:`~nimbus.core.interfaces.host_state.
            HostStateView`.
        :param spec: the :class:`~nimbus.core.interfaces.request_spec.
            RequestSpec`.
        :returns: ``bool``: True if the host passes.
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
        """Say whether the weigher can tell hosts apart for ``spec``.

        :returns: ``bool``: False makes the framework skip the weigher
            for the whole request.
        """
        return True

    def multiplier(self, host_state):
        """Return this weigher's multiplier for the host.

        :param host_state: a :class:`~nimbus.core.interfaces.host_state.
            HostStateView`.
        :returns: ``float``: the aggregate override or the
            ``[scheduler]`` option named by :attr:`multiplier_option`
            (1.0 without one).
        """
        name = self.multiplier_option
        if name is None:
            return 1.0
        default = getattr(self.conf.scheduler, name)
        if not host_state.aggregates:
            return default
        return host_state.metadata_min(name, default, kind=float)

    @abc.abstractmethod
    def weigh(self, host_state, spec):
        """Return the raw weight of the host (higher is better).

        Called only when :meth:`applies` returned True for ``spec``. MUST
        NOT modify either argument, block or do I/O.

        :param host_state: a :class:`~nimbus.core.interfaces.host_state.
            HostStateView`.
        :param spec: the :class:`~nimbus.core.interfaces.request_spec.
            RequestSpec`.
        :returns: a finite ``float`` or ``int``.
        """

