"""Locking out repeated failed password logins (``[security_compliance]
lockout_failure_attempts`` and ``lockout_duration``, as in Keystone).

A user's failures are counted in the database (``users.failed_auth_count``
and ``failed_auth_at``), so every API process sees the same count. Once
the count reaches the limit, password logins are refused until
``lockout_duration`` seconds after the last failure; then the next
failure counts from 1 again. A successful login resets the count.
"""

import datetime

from oslo_log import log as logging
from oslo_utils import timeutils

LOG = logging.getLogger(__name__)


class Lockout:
    """The lockout policy of one deployment.

    :param conf: the configuration (``[security_compliance]``).
    :param db: the database API (``db.identity``).
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    @property
    def _limit(self):
        return self.conf.security_compliance.lockout_failure_attempts

    def _window_start(self):
        return timeutils.utcnow() - datetime.timedelta(
            seconds=self.conf.security_compliance.lockout_duration)

    def is_locked(self, user):
        """Whether ``user`` (a user row) may not log in with a password."""
        last = user.get("failed_auth_at")
        return bool(self._limit and last is not None and
                    user.get("failed_auth_count", 0) >= self._limit and
                    last >= self._window_start())

    def failed(self, context, user):
        """Count a wrong password for ``user``."""
        if not self._limit:
            return
        count = self.db.identity.record_auth_failure(
            context, user["id"], timeutils.utcnow(), self._window_start())
        if count == self._limit:
            LOG.warning("User %(user)s is locked out for %(seconds)s s "
                        "after %(count)s failed password logins",
                        {"user": user["id"], "count": count, "seconds":
                         self.conf.security_compliance.lockout_duration})

    def succeeded(self, context, user):
        """Reset ``user``'s count after a successful login."""
        if user.get("failed_auth_count"):
            self.db.identity.reset_auth_failures(context, user["id"])
