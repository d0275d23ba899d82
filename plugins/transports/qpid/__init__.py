"""AMQP 1.0 transport (``qpid://``, ``amqp1://``) on python-qpid-proton.

:mod:`.addressing` maps oslo.messaging targets to broker addresses,
:mod:`.conf` holds the ``[oslo_messaging_qpid]`` options, :mod:`.loop`
owns the one AMQP connection of a transport (its own thread, reconnect,
fail-over) and is handed :mod:`.work` (brokers, sends, subscriptions),
:mod:`.tls` builds its TLS configuration, and :mod:`.driver` is the
oslo.messaging driver on top.
"""
