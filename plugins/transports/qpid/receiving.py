"""The receiving side of the AMQP 1.0 loop (:mod:`.loop`): a receiver link
per subscription, the deliveries it hands to the subscription, and the
credit given back to the broker as they are settled. Runs on the loop
thread only, like the rest of :class:`~.loop.Loop`."""

import logging
import uuid

from proton import Delivery, Endpoint, Terminus

LOG = logging.getLogger(__name__)


class Receiving:
    """The subscription part of :class:`~.loop.Loop`.

    Needs of its host class: ``_container``, ``_conn``, ``_up``,
    ``_generation``, ``_subs`` (the subscriptions) and ``_by_link``
    (receiver link -> subscription).
    """

    def _subscribe(self, sub):
        self._subs.append(sub)
        if self._up:
            self._attach(sub)

    def _attach(self, sub):
        if sub.closed:
            return
        receiver = self._container.create_receiver(
            self._conn, sub.address, name=f"{sub.address}-{uuid.uuid4().hex}")
        if sub.durable:
            receiver.source.durability = Terminus.DELIVERIES
        receiver.flow(sub.credit)
        sub.receiver = receiver
        self._by_link[receiver] = sub

    def _unsubscribe(self, sub):
        sub.closed = True
        if sub in self._subs:
            self._subs.remove(sub)
        if sub.receiver is not None:
            self._by_link.pop(sub.receiver, None)
            sub.receiver.close()
            sub.receiver = None
        sub.active.clear()

    def _received(self, link, delivery, message):
        sub = self._by_link.get(link)
        if sub is None or not link.state & Endpoint.LOCAL_ACTIVE:
            delivery.update(Delivery.RELEASED)
            delivery.settle()
            return
        if sub.auto_accept:
            delivery.update(Delivery.ACCEPTED)
            delivery.settle()
            _top_up(link, sub.credit)
        else:
            sub.held.add(delivery)
        token = (self._generation, delivery, link)
        try:
            sub.on_message(token, message)
        except Exception:
            LOG.exception("dropping a message for %s that could not be "
                          "handled", sub.address)
            if not sub.auto_accept:
                self._settle(token, Delivery.REJECTED)

    def _settle(self, token, outcome):
        generation, delivery, link = token
        if generation != self._generation or not self._up \
                or delivery.settled:
            return
        delivery.update(outcome)
        delivery.settle()
        if link.state & Endpoint.LOCAL_ACTIVE:
            sub = self._by_link.get(link)
            if sub is not None:
                sub.held.discard(delivery)
                _top_up(link, sub.credit - len(sub.held))


def _top_up(link, credit):
    """Give the broker back credit in batches: when less than half of
    ``credit`` is left, up to ``credit`` (fewer flow frames than one per
    message)."""
    if link.credit < credit // 2:
        link.flow(credit - link.credit)
